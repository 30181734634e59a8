"""Issue 11, "done when": a kiosk syncs with the REAL office server after counters called
numbers through the loket pages, and prints a slip whose people ahead and wait are the
server's figures; stale figures and an offline kiosk's slip show no invented wait."""
import json
import re
import time
import uuid
from datetime import datetime

import httpx
import pytest
from counterkit import FixedClock as OfficeClockAt, counter_app, login_staff
from officepages import csrf_of

from kiosk import ASSETS_DIR
from kiosk.config import load_config
from kiosk.models import HEALTH_RULES
from lobby.runtime import KioskRuntime
from kiosk.sync import SyncClient, SyncWorker
from lobby.sync_once import _figures_words
from office.devserver import ServerThread

DAY = "2026-11-30"  # a Monday; the kiosk's `clock` fixture starts at 09:00 WIB
TOKENS = {"K1": ("kiosk", "k1-token"), "K2": ("kiosk", "k2-token")}
MENU_VERSION = json.loads((ASSETS_DIR / "menu.json").read_text(encoding="utf-8"))["version"]


def other_kiosk_ticket(n):
    """K2's n-th ticket of queue A, taken at 08:(30+n) WIB."""
    return dict(id=uuid.uuid4().hex, kiosk_id="K2", office_day=DAY, service_code="ktp-baru",
                queue="A", sequence=n, number=f"A2-{n:03d}",
                issued_at=f"{DAY}T08:{30 + n:02d}:00+07:00", language="id",
                rules_confirmed=[["mask", f"{DAY}T08:29:00+07:00"]], print_status="printed",
                print_error="", synced_at=None, menu_version=MENU_VERSION)


def act(staff, counter_id, action):
    """One loket action from the counter page (its CSRF token), as the browser sends it."""
    page = staff.get(f"/loket/{counter_id}").text
    r = staff.post(f"/loket/{counter_id}", data={"csrf": csrf_of(page), "action": action},
                   follow_redirects=False)
    assert r.status_code == 303, r.text


def take(rt, code="ktp-baru"):
    """One resident's check-in through the desk (the slip is printed by the print worker)."""
    j = rt.desk.begin("id")
    rt.desk.select_service(j, code)
    for rule in HEALTH_RULES:
        rt.desk.confirm_rule(j, rule)
    return rt.desk.check_in(j)


#: the ESC/POS commands printer.slip.render_escpos writes (initialise, size, bold, align,
#: invert, code page, upside down, underline, font, cut), and the QR code's header
ESCPOS = re.compile(rb"\x1b@|\x1b[!EatM{\-].|\x1d[!Bb].|\x1dV..|\x1d\(k..", re.S)


def slip_text(rt, number) -> str:
    """The printed slip of ``number`` (the file printer's ESC/POS bytes) as text, commands
    taken out and lines joined by single spaces (so a wrapped line reads whole)."""
    deadline = time.monotonic() + 60  # a hang guard only
    while time.monotonic() < deadline:
        found = list(rt.config.printer.path.glob(f"{DAY}_{number}_*.bin"))
        if found:
            text = ESCPOS.sub(b"", found[0].read_bytes()).decode("cp858", "replace")
            return " ".join(text.split())
        time.sleep(0.05)
    raise AssertionError(f"no slip printed for {number}")


def kiosk(ini, clock, url):
    """A kiosk runtime on ``url`` whose sync attempts the test runs by hand."""
    cfg = load_config(ini(server={"url": url, "token": "k1-token", "figures_fresh_s": "600"}))
    rt = KioskRuntime(cfg, clock=clock)
    rt.printer.start()
    rt.sync = SyncWorker(SyncClient(cfg.server, "K1"), rt.store, on_reply=rt.waits.record,
                         menu_version=lambda: rt.menu.version)
    return rt


@pytest.fixture
def office(db_url, tmp_path):
    """The real office server on 127.0.0.1 with counters Loket 1 (P, A), Loket 2 (A),
    Loket 3 (B), its clock at 2026-11-30 09:00 WIB like the kiosk's."""
    app = counter_app(db_url, tmp_path / "voice", TOKENS)
    app.state.clock = app.state.offices.use_clock(OfficeClockAt(datetime(2026, 11, 30, 9, 0)))
    with ServerThread(app, start_timeout_s=60) as server:
        server.app = app
        yield server
    app.state.repo.engine.dispose()


def test_slip_after_loket_calls_carries_the_servers_people_ahead_and_wait(office, ini, clock):
    with httpx.Client(base_url=office.url, timeout=60) as staff:
        r = staff.post("/api/v1/checkins", headers={"Authorization": "Bearer k2-token"},
                       json={"kiosk_id": "K2", "tickets": [other_kiosk_ticket(n)
                                                           for n in range(1, 15)]})
        assert r.status_code == 200, r.text  # another kiosk's 14 tickets, taken earlier
        rt = kiosk(ini, clock, office.url)
        try:
            take(rt), take(rt)  # A001, A002 at 09:00, before this kiosk knows any figure
            assert "Urutan Anda: ke-2 di antrian A dari kiosk ini hari ini" in slip_text(
                rt, "A002")
            assert rt.sync.sync_once().uploaded == 2
            # the counters call through the loket pages: budi at Loket 1 and 2
            assert login_staff(staff).status_code == 303
            ids = {c.name: c.id for c in office.app.state.offices.scope().counters.counters()}
            act(staff, ids["Loket 1"], "next")  # A2-001
            act(staff, ids["Loket 2"], "next")  # A2-002
            office.app.state.clock.advance(minutes=8)
            act(staff, ids["Loket 1"], "next")  # A2-001 done after 8 min; calls A2-003
            office.app.state.clock.advance(minutes=4)
            act(staff, ids["Loket 2"], "done")  # A2-002 done after 12 min
            clock.advance(minutes=12)  # the kiosk's office clock keeps step: 09:12
            assert rt.sync.sync_once().ok  # nothing to upload: the reply brings the figures
            facts = rt.waits.recent()
            assert facts.queues["A"].waiting == 13 and facts.queues["A"].counters == 2
            assert facts.handling == {"ktp-baru": (600.0, 2)}  # median of 8 and 12 min
            assert facts.held == {"A": 2}
            assert _figures_words(facts) == ("A: 13 menunggu, 2 loket; waktu layanan "
                                             "ktp-baru 10 menit")  # `kiosk sync --once` says

            third, fourth = take(rt), take(rt)  # A003, A004: not at the server yet
            # people ahead: the server's 13 waiting (A001, A002 among them), + A003 for A004;
            # wait: ahead x 600 s / 2 counters
            assert (third.people_ahead, third.wait_min) == (13, 65)
            assert (fourth.people_ahead, fourth.wait_min) == (14, 70)
            text = slip_text(rt, "A004")
            assert "Orang di depan Anda: 14" in text
            assert "Perkiraan waktu tunggu: 1 jam 10 menit" in text

            # once uploaded, A003 and A004 are in the server's waiting: counted once
            assert rt.sync.sync_once().uploaded == 2
            assert rt.waits.recent().queues["A"].waiting == 15
            assert take(rt).people_ahead == 15  # A005

            clock.advance(seconds=601)  # the figures are now older than figures_fresh_s
            sixth = take(rt)
            assert (sixth.people_ahead, sixth.wait_min, sixth.position) == (None, None, 6)
            text = slip_text(rt, "A006")
            assert "Urutan Anda: ke-6 di antrian A dari kiosk ini hari ini" in text
            assert "Perkiraan waktu tunggu belum tersedia" in text
            assert "Orang di depan" not in text
        finally:
            rt.sync.client.close()
            rt.stop()


def test_an_offline_kiosk_invents_no_wait(ini, clock):
    from office.devserver import free_port
    rt = kiosk(ini, clock, f"http://127.0.0.1:{free_port('127.0.0.1')}")  # nobody listens
    try:
        for _ in range(41):
            last = take(rt)
        assert not rt.sync.sync_once().ok and rt.waits.recent() is None
        assert last.ticket.number == "A041"
        text = slip_text(rt, "A041")
        assert "Urutan Anda: ke-41 di antrian A dari kiosk ini hari ini" in text
        assert "Perkiraan waktu tunggu belum tersedia" in text
        assert "menit" not in text and "Orang di depan" not in text  # not "40 orang, 600 menit"
    finally:
        rt.sync.client.close()
        rt.stop()
