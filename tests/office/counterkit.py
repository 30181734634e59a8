"""Helpers for the counter (loket) tests: a fixed office clock, an office app with counters,
staff accounts, the shipped menu and kiosk tokens, and the staff login as a browser does it."""
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from officepages import csrf_of

from kiosk import ASSETS_DIR
from office.admins import hash_password
from office.app import OfficeClock, OfficeSettings, create_app
from office.auth import hash_token
from office.publish import publish

DAY = "2026-11-29"
STAFF = {"budi": "kata-sandi-budi-1", "sari": "kata-sandi-sari-2"}
WIB = ZoneInfo("Asia/Pontianak")


class FixedClock(OfficeClock):
    """The office clock stopped at ``at`` (office-local wall time); ``advance(minutes=...)``."""

    def __init__(self, at=datetime(2026, 11, 29, 9, 0)):
        super().__init__("Asia/Pontianak")
        self.at = at.replace(tzinfo=WIB)

    def now(self):
        return self.at

    def advance(self, **delta):
        self.at += timedelta(**delta)


def reopen_app(db_url, voice_dir):
    """A new app on the database of an earlier :func:`counter_app` (a server restart)."""
    app = create_app(OfficeSettings(db_url=db_url, voice_dir=str(voice_dir),
                                    office_name="Disdukcapil Barito Timur"))
    app.state.clock = app.state.offices.use_clock(FixedClock())
    return app


def counter_app(db_url, voice_dir, tokens=None):
    """An app on ``db_url`` with a fixed clock (2026-11-29 09:00 WIB), the shipped menu,
    counters Loket 1 (P, A), Loket 2 (A), Loket 3 (B), staff budi and sari, and ``tokens``
    (name -> (role, token))."""
    app = create_app(OfficeSettings(db_url=db_url, voice_dir=str(voice_dir),
                                    office_name="Disdukcapil Barito Timur"))
    app.state.clock = app.state.offices.use_clock(FixedClock())
    app.state.offices.scope().stats.max_age_s = 0  # figures read afresh after every action
    repo, counters = app.state.repo, app.state.offices.scope().counters
    for name, (role, token) in (tokens or {}).items():
        repo.add_credential(hash_token(token), role, name)
    publish(repo, (ASSETS_DIR / "menu.json").read_bytes(), actor="test", action="api")
    counters.save_counter("Loket 1", ("P", "A"))
    counters.save_counter("Loket 2", ("A",))
    counters.save_counter("Loket 3", ("B",))
    for name in STAFF:
        app.state.staff.set_staff(name, staff_hash(name))
    return app


@lru_cache(maxsize=None)
def staff_hash(name):
    """The argon2 hash of ``name``'s password, made once per test run (argon2 is slow)."""
    return hash_password(STAFF[name])


def login_staff(client, name="budi", base=""):
    """Log ``name`` in on the loket page; the response of the POST (303 on success)."""
    csrf = csrf_of(client.get(base + "/loket").text)
    return client.post(base + "/loket/login", data={"csrf": csrf, "name": name,
                                                    "password": STAFF.get(name, "salah")},
                       follow_redirects=False)


def issued(minute):
    """ISO time ``minute`` minutes after 08:00 WIB on DAY, as a kiosk writes it."""
    return (datetime(2026, 11, 29, 8, 0, tzinfo=WIB) + timedelta(minutes=minute)).isoformat()
