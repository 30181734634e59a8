"""Screenshots of the loket page, the waiting-room display and the admin's counters page, taken
with headless chromium against a throwaway office server with a morning's worth of tickets.

    .venv/bin/python tests/office/office_screenshots.py docs/screenshots

Writes ``office_loket.png`` (1280x1000), ``office_display.png`` (1920x1080, a TV) and
``office_admin_counters.png``. The office clock is fixed at 2026-11-29 09:40 WIB.
"""
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from counterkit import DAY, FixedClock, counter_app, issued, staff_hash
from officepages import ADMIN_NAME, ADMIN_PASSWORD
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from office.admins import hash_password
from office.counter_repo import CounterError
from office.devserver import ServerThread, headless_chromium
from office.loket_web import act

TICKETS = [("K1", "A", "ktp-baru", 14), ("K2", "A", "ktp-rusak", 9), ("K1", "B", "kk-baru", 8),
           ("K2", "B", "kk-ubah", 5), ("K1", "C", "akta-lahir", 6), ("K1", "P", "ktp-baru", 3),
           ("K2", "E", "kia", 4), ("K1", "D", "pindah", 3)]


def morning(app):
    """Tickets from two kiosks since 07:45 and a morning of calls at four counters."""
    repo, counters = app.state.repo, app.state.offices.scope().counters
    counters.save_counter("Loket 4", ("C", "D"))
    counters.save_counter("Loket 5", ("E", "F", "G", "H"))
    minute = 0
    for kiosk, queue, service, count in TICKETS:
        rows = []
        for seq in range(1, count + 1):
            minute = (minute + 7) % 95
            rows.append(dict(id=f"{kiosk}{queue}{seq:04d}{service}"[:64], kiosk_id=kiosk,
                             office_day=DAY, service_code=service, queue=queue, sequence=seq,
                             number=f"{queue}{kiosk[1]}-{seq:03d}", issued_at=issued(minute - 15)))
        repo.upsert_checkins(kiosk, rows)
    clock = FixedClock(datetime(2026, 11, 29, 8, 5))
    app.state.clock = app.state.offices.use_clock(clock)
    by_name = {c.name: c for c in counters.counters()}
    for round_ in range(5):
        for name in ("Loket 1", "Loket 2", "Loket 3", "Loket 4", "Loket 5"):
            clock.advance(minutes=2)
            try:
                act(app.state.offices.scope(), by_name[name], "budi" if round_ % 2 else "sari",
                    {"action": "next"})
            except CounterError:  # that counter's queues are empty
                pass
        if round_ == 2:
            act(app.state.offices.scope(), by_name["Loket 2"], "sari", {"action": "skip"})
            act(app.state.offices.scope(), by_name["Loket 2"], "sari", {"action": "next"})
    clock.at = clock.at.replace(hour=9, minute=40)
    act(app.state.offices.scope(), by_name["Loket 1"], "budi", {"action": "next"})


def main(out: str) -> int:
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="office-shots-"))
    app = counter_app(f"sqlite:///{tmp / 'office.db'}", tmp / "voice")
    staff_hash("budi")
    app.state.repo.set_admin(ADMIN_NAME, hash_password(ADMIN_PASSWORD))
    morning(app)
    with ServerThread(app) as server:
        loket = headless_chromium(str(tmp / "chromium-loket"), 1280, 1000)
        tv = headless_chromium(str(tmp / "chromium-tv"), 1920, 1080)
        try:
            tv.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {  # the TV's 1920x1080
                "width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False})
            tv.get(server.url + "/display")
            loket.get(server.url + "/loket")
            loket.find_element(By.NAME, "name").send_keys("budi")
            loket.find_element(By.NAME, "password").send_keys("kata-sandi-budi-1\n")
            WebDriverWait(loket, 20).until(lambda d: "Pilih loket" in d.title)
            loket.get(server.url + "/loket/1")
            loket.save_screenshot(str(target / "office_loket.png"))
            one = app.state.offices.scope().counters.counters()[0]
            # the tile flashes as on a real call
            act(app.state.offices.scope(), one, "budi", {"action": "again"})
            time.sleep(0.6)
            tv.save_screenshot(str(target / "office_display.png"))
            loket.get(server.url + "/admin/login")
            loket.find_element(By.NAME, "name").send_keys(ADMIN_NAME)
            loket.find_element(By.NAME, "password").send_keys(ADMIN_PASSWORD + "\n")
            WebDriverWait(loket, 20).until(lambda d: d.current_url.endswith("/admin/menu"))
            loket.get(server.url + "/admin/counters")
            loket.save_screenshot(str(target / "office_admin_counters.png"))
        finally:
            loket.quit()
            tv.quit()
    app.state.repo.engine.dispose()
    print(f"screenshots written to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
