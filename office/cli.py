"""The ``kiosk-office`` command.

::

    kiosk-office [serve] [--db URL] [--host 127.0.0.1] [--port 8080] [--tz Asia/Pontianak]
                         [--workers 1] [--init-admin-token TOKEN] [--retention-days 90]
    kiosk-office add-kiosk K1           # prints the new kiosk token (put it in kiosk.ini)
    kiosk-office add-staff NAME         # prints a new staff token (now-serving, staff page)
    kiosk-office set-admin-token [--token TOKEN]   # replaces the admin token; prints it
    kiosk-office add-admin NAME         # admin account of the menu pages; asks the password
    kiosk-office add-staff-account NAME # loket staff account (name + password); asks it
    kiosk-office add-counter "Loket 1" --queues P,A   # a counter and the queues it serves
    kiosk-office revoke kiosk|staff|admin NAME   # revoke every token of that holder
    kiosk-office tokens                 # who holds tokens (never the tokens themselves)
    kiosk-office purge [--retention-days 90]     # delete old check-ins now (serve does daily)
    kiosk-office db upgrade|current     # migrate the database now / show its revision
    kiosk-office offices | add-office | set-office   # see office.cli_offices (--office ID)

Every subcommand but ``db current`` first migrates the database to the newest schema
(:mod:`office.migrate`), as ``serve`` does at start. ``serve`` is the default subcommand;
its options default to ``$KIOSK_OFFICE_HOST``,
``_PORT``, ``_WORKERS``, ``_TZ`` and ``_RETENTION_DAYS`` when set (the systemd unit's
environment file, ``deploy/systemd/dukcapil-office.env``). ``--db`` defaults to ``$KIOSK_OFFICE_DB``
or ``sqlite:///office.db``; ``--init-admin-token`` (or
``$KIOSK_OFFICE_ADMIN_TOKEN``) sets the admin token only when none exists yet.
Tokens are printed once and stored only as sha256 digests. ``add-admin``
reads the password twice from the terminal (or one line from stdin when it is
not a terminal), stores its argon2 hash, and for an existing name replaces the
password and ends that admin's browser sessions. ``revoke`` ends the holder's tokens and
every browser session opened with them (a kiosk gets 401 on its next sync). Every change is
in the audit log (``/admin/audit``), by ``cli``.
"""
from __future__ import annotations

import argparse
import getpass
import logging
import os
import re
import sys

from .admins import hash_password, password_problem
from .auth import hash_token, new_token
from . import cli_offices
from .counter_repo import CounterError, CounterRepo, parse_queues
from .db import Repo, make_engine
from .retention import DEFAULT_RETENTION_DAYS
from .staff_repo import StaffRepo

COMMANDS = ("serve", "add-kiosk", "add-staff", "set-admin-token", "add-admin",
            "add-staff-account", "add-counter", "revoke", "tokens", "purge",
            "db") + cli_offices.COMMANDS
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=os.environ.get("KIOSK_OFFICE_DB", "sqlite:///office.db"),
                        help="SQLAlchemy URL: sqlite:///office.db or postgresql+psycopg://...")
    parser = argparse.ArgumentParser(prog="kiosk-office", description="Office server of the "
                                     "Dukcapil check-in kiosks: check-ins in, menu out.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", parents=[common], help="run the server (default)")
    env = os.environ.get
    serve.add_argument("--host", default=env("KIOSK_OFFICE_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=env("KIOSK_OFFICE_PORT", "8080"))
    serve.add_argument("--workers", type=int, default=env("KIOSK_OFFICE_WORKERS", "1"),
                       help="worker processes (uvicorn; default 1)")
    serve.add_argument("--tz", default=env("KIOSK_OFFICE_TZ", "Asia/Pontianak"),
                       help="time zone (IANA) of the first office of a new database "
                            "(offices keep theirs: set-office --tz)")
    serve.add_argument("--init-admin-token",
                       default=os.environ.get("KIOSK_OFFICE_ADMIN_TOKEN", ""),
                       help="admin token to set if no admin token exists yet")
    serve.add_argument("--retention-days", type=int,
                       default=env("KIOSK_OFFICE_RETENTION_DAYS", str(DEFAULT_RETENTION_DAYS)),
                       help="office days of check-ins kept; older ones are deleted daily "
                            f"(0 keeps all; default {DEFAULT_RETENTION_DAYS})")
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--office-name", default=os.environ.get(
        "KIOSK_OFFICE_NAME", "Disdukcapil Kabupaten Barito Timur"),
        help="name of the first office of a new database (offices keep theirs)")
    serve.add_argument("--voice-dir", default="", help="cache folder of the announcement WAVs")
    kiosk = sub.add_parser("add-kiosk", parents=[common], help="register a kiosk, print its token")
    kiosk.add_argument("kiosk_id", help="the kiosk's [kiosk] id, e.g. K1")
    kiosk.add_argument("--replace", action="store_true", help="revoke the kiosk's old tokens")
    staff = sub.add_parser("add-staff", parents=[common], help="print a new staff token")
    staff.add_argument("name")
    admin = sub.add_parser("set-admin-token", parents=[common],
                           help="replace the admin token (prints it)")
    admin.add_argument("--token", default="", help="use this token instead of a random one")
    account = sub.add_parser("add-admin", parents=[common],
                             help="create an admin account of the menu pages (or set its "
                                  "password)")
    account.add_argument("name", help="login name: 1-32 letters, digits, '-' or '_'")
    staff_account = sub.add_parser("add-staff-account", parents=[common],
                                   help="create a loket staff account (or set its password)")
    staff_account.add_argument("name", help="login name: 1-32 letters, digits, '-' or '_'")
    counter = sub.add_parser("add-counter", parents=[common],
                             help="add a counter (loket) or change the queues it serves")
    counter.add_argument("name", help='as shown and said, e.g. "Loket 2"')
    counter.add_argument("--queues", required=True,
                         help="queue letters it serves, in order, e.g. P,A")
    revoke = sub.add_parser("revoke", parents=[common],
                            help="revoke every token of a kiosk, staff member or the admin")
    revoke.add_argument("role", choices=("kiosk", "staff", "admin"))
    revoke.add_argument("name", help="kiosk id, staff name, or 'admin'")
    sub.add_parser("tokens", parents=[common], help="list who holds tokens")
    purge = sub.add_parser("purge", parents=[common],
                           help="delete check-ins older than --retention-days now (audited)")
    purge.add_argument("--retention-days", type=int, default=DEFAULT_RETENTION_DAYS)
    purge.add_argument("--tz", default=None, help="time zone (IANA) deciding today "
                       "(default: each office's own)")
    db = sub.add_parser("db", parents=[common], help="database schema: upgrade now, or show "
                        "the revision (serve upgrades at start anyway)")
    db.add_argument("action", choices=("upgrade", "current"))
    cli_offices.add_parsers(sub, common)
    return parser


def _read_password() -> str | None:
    """The new password: typed twice on a terminal, else the first line of stdin."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Kata sandi baru (new password): ")
    if getpass.getpass("Ulangi (again): ") != first:
        print("kiosk-office: the two passwords differ; nothing changed.", file=sys.stderr)
        return None
    return first


def _add_account(repo: Repo, name: str, kind: str = "admin", regency: bool = False) -> int:
    """An admin account (``kind`` admin; of every office with ``regency``) or a loket staff
    account (``staff``), in the repository's office."""
    regency = {"office_id": None} if regency else {}
    if not _NAME.match(name):
        print(f"kiosk-office: {name!r}: use 1-32 letters, digits, '-' or '_'.", file=sys.stderr)
        return 2
    password = _read_password()
    if password is None:
        return 2
    problem = password_problem(password)
    if problem:
        print(f"kiosk-office: {problem}; nothing changed.", file=sys.stderr)
        return 2
    try:
        created = repo.set_admin(name, hash_password(password), **regency) if kind == "admin" \
            else StaffRepo(repo).set_staff(name, hash_password(password))
    except ValueError as exc:
        print(f"kiosk-office: {exc}; nothing changed.", file=sys.stderr)
        return 2
    if not created:
        repo.drop_admin_sessions(name)
    print(f"{kind} {name!r} {'created' if created else 'updated: new password'}"
          f".", file=sys.stderr)
    return 0


def _add_counter(repo: Repo, name: str, queues: str) -> int:
    counters = CounterRepo(repo)
    same = next((c for c in counters.counters() if c.name == " ".join(name.split())), None)
    try:
        counter = counters.save_counter(name, parse_queues(queues),
                                        counter_id=same.id if same else None)
    except CounterError as exc:
        print(f"kiosk-office: {exc}", file=sys.stderr)
        return 2
    repo.audit("cli", "counter-set", f"counter {counter.name}: queues "
               f"{','.join(counter.queues)}")
    print(f"counter {counter.name!r} (#{counter.id}) serves queues {', '.join(counter.queues)}.",
          file=sys.stderr)
    return 0


def _issue(repo: Repo, role: str, name: str, token: str = "", replace: bool = False,
           regency: bool = False) -> int:
    if not _NAME.match(name):
        print(f"kiosk-office: {name!r}: use 1-32 letters, digits, '-' or '_'.", file=sys.stderr)
        return 2
    token = token or new_token()
    try:
        repo.add_credential(hash_token(token), role, name, replace=replace,
                            **({"office_id": None} if regency else {}))
    except ValueError as exc:
        print(f"kiosk-office: {exc}; nothing changed.", file=sys.stderr)
        return 2
    print(token)
    print(f"{role} token for {name!r} created; it is shown only once.", file=sys.stderr)
    return 0


def _revoke(repo: Repo, role: str, name: str) -> int:
    count = repo.revoke_credentials(role, name)
    if not count:
        print(f"kiosk-office: no {role} token for {name!r}; nothing changed. See "
              f"`kiosk-office tokens`.", file=sys.stderr)
        return 1
    print(f"{count} {role} token(s) of {name!r} revoked; sessions opened with them ended.",
          file=sys.stderr)
    return 0


def _tokens(repo: Repo) -> int:
    holders = repo.credential_holders()
    for role, name, count, newest, office in holders:
        where = f"office {office}" if office is not None else "regency"
        print(f"{role:6} {name:32} {count} token(s), newest {newest[:19]}, {where}")
    if not holders:
        print("no tokens yet (kiosk-office add-kiosk / add-staff / set-admin-token)",
              file=sys.stderr)
    return 0


def _purge(args, repo: Repo) -> int:
    from .app import OfficeClock
    return cli_offices.purge(args, repo, OfficeClock)


def _serve(args, repo: Repo) -> int:
    import uvicorn

    from .app import OfficeSettings, create_app
    from .asgi import settings_to_env

    if args.init_admin_token and not repo.has_role("admin"):
        repo.add_credential(hash_token(args.init_admin_token), "admin", "admin")
    if not repo.has_role("admin"):
        print("kiosk-office: no admin token yet; menus cannot be published. Run "
              "`kiosk-office set-admin-token` or pass --init-admin-token.", file=sys.stderr)
    settings = OfficeSettings(db_url=args.db, timezone=args.tz, office_name=args.office_name,
                              voice_dir=args.voice_dir,
                              retention_days=max(0, args.retention_days))
    # open display streams never end by themselves: give them 2 s on stop, then close them
    if args.workers > 1:  # each worker process builds its app from the environment
        repo.engine.dispose()
        os.environ.update(settings_to_env(settings))
        uvicorn.run("office.asgi:app_from_env", factory=True, workers=args.workers,
                    host=args.host, port=args.port, log_level=args.log_level,
                    timeout_graceful_shutdown=2)
        return 0
    uvicorn.run(create_app(settings, repo=repo), host=args.host, port=args.port,
                log_level=args.log_level, timeout_graceful_shutdown=2)
    return 0


def _db(args) -> int:
    from .migrate import current, head, upgrade
    engine = make_engine(args.db, migrate=False)
    try:
        if args.action == "upgrade":
            print(f"database at revision {upgrade(engine)} (newest)", file=sys.stderr)
        else:
            now = current(engine)
            hint = "" if now == head() else f"; newest is {head()}: run kiosk-office db upgrade"
            print(f"{now or 'none (empty, or made before migrations)'}{hint}")
    finally:
        engine.dispose()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 2 usage error)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS + ("-h", "--help"):
        argv.insert(0, "serve")
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: "
                                                   "%(message)s")
    if args.command == "db":
        return _db(args)
    repo = Repo(make_engine(args.db))
    if args.command in cli_offices.COMMANDS:
        return cli_offices.run(args, repo)
    if args.command != "serve" and (repo := cli_offices.scoped(repo, args)) is None:
        return 2
    if args.command == "serve":
        return _serve(args, repo)
    if args.command == "add-kiosk":
        return _issue(repo, "kiosk", args.kiosk_id, replace=args.replace)
    if args.command == "add-staff":
        return _issue(repo, "staff", args.name)
    if args.command == "add-admin":
        return _add_account(repo, args.name, regency=args.regency)
    if args.command == "add-staff-account":
        return _add_account(repo, args.name, kind="staff")
    if args.command == "add-counter":
        return _add_counter(repo, args.name, args.queues)
    if args.command == "revoke":
        return _revoke(repo, args.role, args.name)
    if args.command == "tokens":
        return _tokens(repo)
    if args.command == "purge":
        return _purge(args, repo)
    return _issue(repo, "admin", "admin", token=args.token, replace=True, regency=args.regency)


if __name__ == "__main__":
    sys.exit(main())
