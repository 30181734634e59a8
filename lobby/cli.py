"""The ``kiosk`` command.

    kiosk [run]              start the kiosk (full screen per kiosk.ini)
    kiosk check              validate kiosk.ini and the menu, print a summary
    kiosk print-test         print a test slip on the configured printer
    kiosk selftest           one journey through the real screens, offscreen,
                             against a throwaway store; prints a slip marked TEST
    kiosk screenshots DIR    write PNGs of every screen in id and en + a slip preview
    kiosk menu validate|import|export PATH
    kiosk sync --once        one sync attempt with the office server
    kiosk set-pin staff|admin

Every subcommand takes ``--config PATH`` (default ``./kiosk.ini``). Any failure is
one plain line naming what to do, never a traceback (that goes to the log file):
exit status 2 for bad input (arguments, kiosk.ini, a menu file), 1 for a failed
operation; see :mod:`lobby.cli_errors`.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from kiosk.errors import ConfigError, MenuError

log = logging.getLogger("kiosk")


def _load(args):
    from kiosk.config import load_config
    from printer.profiles import check_profile
    config = load_config(args.config)
    check_profile(config)
    return config


def cmd_check(args) -> int:
    from kiosk.checks import config_warnings
    from kiosk.menu import load_menu
    from kiosk.store import inspect_data_dir
    from printer.codepages import menu_print_warnings
    from printer.devices import describe
    cfg = _load(args)
    menu = load_menu(cfg.menu_path)
    if cfg.printer.type == "file":
        from printer.spool import spool_problem
        problem = spool_problem(cfg.printer.path)
        if problem:
            raise ConfigError(f"{cfg.path}: [printer] path: {problem} (type = file saves each "
                              f"slip there).", path=cfg.path, section="printer", key="path")
    data = inspect_data_dir(cfg.kiosk.data_dir)  # reads only: never moves or rewrites
    data_state = "in use by the running kiosk" if data.in_use else "not running"
    print(f"kiosk.ini   {cfg.path}: OK")
    print(f"office      {cfg.office.name}, {cfg.office.regency} ({cfg.office.timezone})")
    print(f"kiosk       id {cfg.kiosk.id}, languages {','.join(cfg.kiosk.languages)}, "
          f"data {cfg.kiosk.data_dir} ({data_state})")
    print(f"menu        {cfg.menu_path}: version {menu.version}, {len(menu.queues)} queues, "
          f"{len(menu.visible_services())}/{len(menu.services)} services enabled")
    print(f"printer     {describe(cfg.printer)}")
    print(f"server      {cfg.server.url or 'none (offline only)'}")
    _print_warnings(config_warnings(cfg) + menu_print_warnings(menu, cfg.printer.profile))
    for problem in data.problems:
        print(f"DATA        {problem}")
    for alert in data.alerts:
        print(f"ALERT       {alert}")
    if data.problems:
        print(f"Data kiosk bermasalah; tidak ada yang diubah oleh pemeriksaan ini. / "
              f"{len(data.problems)} data problem(s); this check changed nothing.")
        return 1
    return 0


def _print_warnings(lines) -> None:
    for line in lines:
        print(f"WARNING     {line}")


def cmd_print_test(args) -> int:
    from kiosk.desks import StaffDesk
    from lobby.runtime import KioskRuntime
    cfg = _load(args)
    rt = KioskRuntime(cfg)
    try:
        result = StaffDesk(rt, role="staff").test_print(timeout_s=cfg.printer.job_deadline_s)
    finally:
        rt.stop()
    if result.ok:
        print(f"Slip uji coba tercetak / test slip printed ({result.duration_ms:.0f} ms).")
        return 0
    print(f"{result.words} / test slip not printed.", file=sys.stderr)
    return 1


def cmd_selftest(args) -> int:
    from lobby.launch import selftest
    return selftest(_load(args))


def cmd_screenshots(args) -> int:
    from lobby.launch import screenshots
    return screenshots(_load(args), Path(args.dir))


def cmd_run(args) -> int:
    from lobby.launch import run_kiosk
    return run_kiosk(_load(args))


def cmd_menu(args) -> int:
    from kiosk.menu import load_menu
    if args.action == "validate":
        menu = load_menu(args.path, hint="Check the path given to 'kiosk menu validate'.")
        print(f"{args.path}: OK, version {menu.version}, {len(menu.services)} services")
        _print_warnings(_menu_warnings(args, menu))
        return 0
    from kiosk.desks import AdminDesk
    from lobby.runtime import KioskRuntime
    rt = KioskRuntime(_load(args))
    try:
        desk = AdminDesk(rt, role="admin")
        if args.action == "import":
            done = desk.import_file(args.path)
            if done.menu is None:
                raise MenuError(f"{args.path}: {'; '.join(done.problems)}", path=args.path,
                                problems=done.problems)
            print(f"menu {done.menu.version} installed (previous one kept in "
                  f"{rt.menus.history_dir}); a running kiosk takes it at its next start or "
                  f"staff reset")
        else:  # export: into an existing folder (menu-<version>.json) or to a file
            done = desk.export(args.path)
            if done.path is None:
                print(f"kiosk: {done.problems[0]}", file=sys.stderr)
                return 2 if done.bad_input else 1
            print(f"menu {rt.menu.version} exported to {done.path}")
    finally:
        rt.stop()
    return 0


def _menu_warnings(args, menu) -> list[str]:
    """Menu text the configured printer (else the default profile) would print as ``?``."""
    from kiosk.config import load_config
    from printer.codepages import menu_print_warnings
    try:
        profile = _load(args).printer.profile
    except ConfigError:  # no usable kiosk.ini here: judge by the default printer profile
        profile = load_config(None).printer.profile
    return menu_print_warnings(menu, profile)


def cmd_sync(args) -> int:
    from lobby.sync_once import sync_once_command
    return sync_once_command(_load(args))


def cmd_set_pin(args) -> int:
    from kiosk.pins import set_pin_command
    return set_pin_command(_load(args), args.role)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kiosk", description="Dukcapil lobby check-in kiosk")
    p.add_argument("--config", default="kiosk.ini", help="kiosk.ini path (default ./kiosk.ini)")
    p.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="command")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default=argparse.SUPPRESS, help="kiosk.ini path")
    sub.add_parser("run", parents=[common], help="start the kiosk").set_defaults(func=cmd_run)
    sub.add_parser("check", parents=[common], help="validate kiosk.ini and the menu") \
        .set_defaults(func=cmd_check)
    sub.add_parser("print-test", parents=[common], help="print a test slip") \
        .set_defaults(func=cmd_print_test)
    sub.add_parser("selftest", parents=[common], help="one offscreen journey, TEST slip") \
        .set_defaults(func=cmd_selftest)
    s = sub.add_parser("screenshots", parents=[common], help="write PNGs of every screen")
    s.add_argument("dir", nargs="?", default="docs/screenshots")
    s.set_defaults(func=cmd_screenshots)
    m = sub.add_parser("menu", parents=[common], help="validate, import or export a menu file")
    m.add_argument("action", choices=["validate", "import", "export"])
    m.add_argument("path")
    m.set_defaults(func=cmd_menu)
    y = sub.add_parser("sync", parents=[common], help="sync with the office server")
    y.add_argument("--once", action="store_true", required=True)
    y.set_defaults(func=cmd_sync)
    k = sub.add_parser("set-pin", parents=[common], help="set the staff or admin PIN")
    k.add_argument("role", choices=["staff", "admin"], nargs="?", default="staff")
    k.set_defaults(func=cmd_set_pin)
    return p


def main(argv=None) -> int:
    """Run ``kiosk`` with ``argv``; returns the exit status (:mod:`lobby.cli_errors`)."""
    from .cli_errors import run, setup_logging
    args = build_parser().parse_args(argv)  # bad arguments: usage and status 2
    logged = setup_logging(args.verbose)
    return run(getattr(args, "func", cmd_run), args, logged)


if __name__ == "__main__":
    sys.exit(main())
