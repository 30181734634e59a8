"""One office clock: nothing but kiosk/clock.py reads the wall clock or builds a time zone,
and everything a runtime stamps (tickets, health-rule taps, audit lines, menu history,
sync, printer) follows the one clock it was built on. No Kivy."""
import ast
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

from kiosk.clock import FixedClock

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("kiosk", "printer", "screens", "lobby")
ALLOWED = {Path("kiosk/clock.py")}

#: (module, function) calls that read the wall clock (or build a zone) by themselves
WALL_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"),
              ("date", "today"), ("time", "time"), ("time", "time_ns"),
              ("zoneinfo", "ZoneInfo")}
#: time functions that read now only when called without the time argument
NOW_BY_DEFAULT = {"localtime": 0, "gmtime": 0, "ctime": 0, "asctime": 0, "strftime": 1}


def wall_clock_reads(source: str) -> list[tuple[int, str]]:
    """``[(line, what), ...]`` for every read of "now" or zone built in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module in ("time", "zoneinfo"):
            for alias in node.names:  # `from time import time` hides the call's module
                if (node.module, alias.name) in WALL_CALLS or alias.name in NOW_BY_DEFAULT:
                    found.append((node.lineno, f"from {node.module} import {alias.name}"))
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "ZoneInfo":
            found.append((node.lineno, "ZoneInfo("))
        if not isinstance(func, ast.Attribute):
            continue
        owner = func.value  # datetime.now, datetime.datetime.now, time.time, ...
        owner_name = owner.id if isinstance(owner, ast.Name) else \
            owner.attr if isinstance(owner, ast.Attribute) else None
        if (owner_name, func.attr) in WALL_CALLS:
            found.append((node.lineno, f"{owner_name}.{func.attr}()"))
        elif owner_name == "time" and func.attr in NOW_BY_DEFAULT and \
                len(node.args) <= NOW_BY_DEFAULT[func.attr]:
            found.append((node.lineno, f"time.{func.attr}() of now"))
    return sorted(found)


def test_the_scan_finds_every_way_of_reading_the_wall_clock():
    code = ("import datetime, time, zoneinfo\nfrom datetime import date\n"
            "datetime.datetime.now()\ndatetime.now(tz)\ndate.today()\ntime.time()\n"
            "time.strftime('%H')\nzoneinfo.ZoneInfo('Asia/Jakarta')\nZoneInfo('UTC')\n"
            "from time import time\n"
            "time.monotonic()\ntime.strftime('%H', t)\ndatetime.fromisoformat(s)\n")
    assert [line for line, _ in wall_clock_reads(code)] == [3, 4, 5, 6, 7, 8, 9, 10]


def test_only_the_office_clock_reads_the_wall_clock_or_builds_a_zone():
    offenders = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if relative in ALLOWED:
                continue
            for line, what in wall_clock_reads(path.read_text(encoding="utf-8")):
                offenders.append(f"{relative}:{line}: {what}")
    assert offenders == [], "ask the office clock (kiosk.clock) instead:\n" + \
        "\n".join(offenders)


def test_the_screens_and_cli_never_read_the_stores_zone():
    users = [f"{path.relative_to(ROOT)}:{n}"
             for path in sorted([*(ROOT / "screens").glob("*.py"), *ROOT.glob("*/cli*.py")])
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if "_zone" in line]
    assert users == []


# -- one clock for the whole runtime --------------------------------------------------

@pytest.fixture
def office():
    """The real office server on 127.0.0.1 (token k1-token for K1)."""
    from office.app import OfficeSettings, create_app
    from office.auth import hash_token
    from office.devserver import ServerThread
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(OfficeSettings(db_url=f"sqlite:///{folder}/office.db"))
        app.state.repo.add_credential(hash_token("k1-token"), "kiosk", "K1")
        with ServerThread(app) as server:
            yield server


def wait_printed(rt, ticket_id):
    deadline = time.monotonic() + 60  # hang guard only
    while rt.store.get_ticket(ticket_id).print_status != "printed":
        assert time.monotonic() < deadline, "the slip never printed"
        time.sleep(0.02)


def stamps_at(rt, clock):
    """Everything the runtime stamps right now, through its own paths."""
    journey = rt.desk.begin("id")
    journey.service_code = "ktp-baru"  # past office hours: the hours check is not the point
    for rule in ("mask", "handwash", "distance"):
        rt.desk.confirm_rule(journey, rule)
    ticket = rt.desk.check_in(journey).ticket
    wait_printed(rt, ticket.id)
    rt.store.audit("staff", "clock-check")
    rt.apply_menu(rt.menu.to_json(), source="clock test", role="admin")  # old one to history
    report = rt.sync.sync_once()
    assert report.ok, report.error
    return SimpleNamespace(
        ticket=ticket, confirmed=dict(journey.confirmed),
        audit=rt.store.audit_entries(1)[0]["at"],
        history=rt.menus.history()[0][1].name,
        synced=rt.sync.status(), printed=rt.printer.status().last_ok_at,
        version=rt.menus.next_version())


def test_one_clock_moves_the_office_day_for_everything_the_runtime_stamps(ini, office):
    from kiosk.config import load_config
    from lobby.runtime import KioskRuntime
    clock = FixedClock(datetime(2026, 12, 31, 16, 59, 30, tzinfo=timezone.utc))  # 23:59:30 WIB
    config = load_config(ini(server={"url": office.url, "token": "k1-token",
                                     "interval_s": 3600}))
    rt = KioskRuntime(config, clock=clock).start()
    try:
        assert rt.clock is rt.store.clock is rt.desk.clock is rt.menus.clock is clock
        assert rt.printer.clock is rt.sync.office_clock is rt.sync.client.clock is clock
        assert rt.clock() == clock.now()  # still callable, as before
        before = stamps_at(rt, clock)
        assert before.ticket.office_day == "2026-12-31"
        assert before.ticket.issued_at == "2026-12-31T23:59:30+07:00"
        assert set(before.confirmed.values()) == {"2026-12-31T23:59:30+07:00"}
        assert before.audit == "2026-12-31T23:59:30+07:00"
        assert before.history.startswith("20261231T235930")
        assert before.synced.last_success_at == "2026-12-31T16:59:30+00:00"
        assert before.printed == clock.timestamp()
        assert before.version == "2026-12-31.1"
        served = replace(before.synced, now_serving={"A": 7})  # as the server's reply said
        real_sync, rt.sync = rt.sync, SimpleNamespace(status=lambda: served, poke=lambda: None)
        assert rt.now_serving() == {"A": 7}  # the reply came this office day

        clock.advance(seconds=60)  # 00:00:30 WIB on New Year's Day
        assert rt.now_serving() == {}  # the same reply is now yesterday's
        rt.sync = real_sync
        after = stamps_at(rt, clock)
        assert after.ticket.office_day == "2027-01-01" and after.ticket.number == "A001"
        assert after.ticket.issued_at == "2027-01-01T00:00:30+07:00"
        assert set(after.confirmed.values()) == {"2027-01-01T00:00:30+07:00"}
        assert after.audit == "2027-01-01T00:00:30+07:00"
        assert after.history.startswith("20270101T000030")
        assert after.synced.last_success_at == "2026-12-31T17:00:30+00:00"
        assert after.printed == clock.timestamp() == before.printed + 60
        assert after.version == "2027-01-01.1"
        assert rt.store.office_day() == "2027-01-01"
    finally:
        rt.stop()
