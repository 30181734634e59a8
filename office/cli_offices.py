"""The offices part of the ``kiosk-office`` command.

::

    kiosk-office offices                          # list the offices (id, zone, name)
    kiosk-office add-office "UPT Dusun Timur" --tz Asia/Pontianak [--address ...]
                            [--retention-days N]  # prints the new office's id
    kiosk-office set-office ID [--name ...] [--tz ...] [--address ...] [--retention-days N]

Every command that makes a token, account or counter takes ``--office ID`` (default: the
first office, the one an upgraded one-office database landed in); ``add-admin`` and
``set-admin-token`` take ``--regency`` instead: an admin of every office.
"""
from __future__ import annotations

import sys

from .office_repo import OfficeError
from .retention import RetentionJob, cutoff_day

COMMANDS = ("offices", "add-office", "set-office")
#: subcommands bound to one office (``--office``)
SCOPED = ("add-kiosk", "add-staff", "set-admin-token", "add-admin", "add-staff-account",
          "add-counter", "revoke", "purge")


def add_parsers(sub, common) -> None:
    """The offices subcommands, and ``--office`` / ``--regency`` on the others."""
    sub.add_parser("offices", parents=[common], help="list the offices")
    for name in ("add-office", "set-office"):
        one = sub.add_parser(name, parents=[common], help=f"{name.split('-')[0]} an office")
        if name == "set-office":
            one.add_argument("office_id", type=int)
        one.add_argument("name", nargs="?" if name == "set-office" else None,
                         help="as shown on the pages and the display")
        one.add_argument("--tz", help="IANA time zone, e.g. Asia/Pontianak (WIB), "
                                      "Asia/Makassar (WITA), Asia/Jayapura (WIT)")
        one.add_argument("--address", help="postal address")
        one.add_argument("--retention-days", type=int,
                         help="office days of check-ins kept (default: the server's)")
    for name in SCOPED:
        one = sub.choices[name]
        one.add_argument("--office", type=int, default=None,
                         help="office id (kiosk-office offices; default: the first office)")
        if name in ("add-admin", "set-admin-token"):
            one.add_argument("--regency", action="store_true",
                             help="an admin of every office (the regency), not of one")


def scoped(repo, args):
    """``repo`` scoped to ``--office`` (when given), or None after saying it does not exist."""
    office = getattr(args, "office", None)
    if office is None:
        return repo
    if repo.office(office) is None:
        print(f"kiosk-office: --office {office}: no such office; see `kiosk-office offices`.",
              file=sys.stderr)
        return None
    return repo.for_office(office)


def run(args, repo) -> int:
    """``offices``, ``add-office`` or ``set-office``; 0 ok, 2 refused (with the reason)."""
    if args.command == "offices":
        for o in repo.offices():
            keep = "" if o.retention_days is None else f", keeps {o.retention_days} days"
            print(f"{o.id:4}  {o.timezone:20} {o.name}{keep}")
        return 0
    old = repo.office(args.office_id) if args.command == "set-office" else None
    if args.command == "set-office" and old is None:
        print(f"kiosk-office: no office {args.office_id}; see `kiosk-office offices`.",
              file=sys.stderr)
        return 2
    try:
        done = repo.save_office(
            args.name or (old.name if old else ""), args.tz or (old.timezone if old else
                                                                 "Asia/Pontianak"),
            address=args.address if args.address is not None else (old.address if old else ""),
            retention_days=args.retention_days if args.retention_days is not None
            else (old.retention_days if old else None),
            office_id=old.id if old else None)
    except OfficeError as exc:
        print(f"kiosk-office: {exc}", file=sys.stderr)
        return 2
    print(done.id)
    print(f"office {done.id} {done.name!r} ({done.timezone}) saved.", file=sys.stderr)
    return 0


def purge(args, repo, clock_of) -> int:
    """Delete check-ins older than ``--retention-days`` office days now, in each office (or
    the ``--office`` one), each on its own clock."""
    if args.retention_days < 1:
        print("kiosk-office: --retention-days must be 1 or more; nothing deleted.",
              file=sys.stderr)
        return 2
    offices = [repo.office(args.office)] if args.office is not None else repo.offices()
    for office in offices:
        clock = clock_of(args.tz or office.timezone)
        counts = RetentionJob(repo.for_office(office.id), clock, args.retention_days).run_once()
        print(f"{counts['checkins']} check-in(s) of office days before "
              f"{cutoff_day(clock.today(), args.retention_days)} deleted ({office.name}).",
              file=sys.stderr)
    return 0
