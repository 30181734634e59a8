"""Retention on the office server: check-ins older than N office days deleted once a day,
inside the running server and by ``kiosk-office purge``, each deletion audited."""
import time
from datetime import datetime, timezone

from office.app import OfficeClock
from office.cli import main
from office.devserver import ServerThread
from office.retention import RetentionJob


class MovableClock(OfficeClock):
    """The office clock at a set UTC time (15:00 WIB on 2026-11-30 to start)."""

    def __init__(self):
        super().__init__("Asia/Pontianak")
        self.at = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)

    def now(self):
        return self.at.astimezone(self.tz)


def seed(repo, ticket, days):
    for i, day in enumerate(days):
        repo.upsert_checkins("K1", [ticket("K1", seq=i + 1, day=day)])
        repo.set_now_serving(day, "A", 1)


def days_held(repo):
    from sqlalchemy import select

    from office.tables import Checkin
    with repo.sessions() as s:
        return sorted(s.scalars(select(Checkin.office_day)))


def test_check_ins_past_retention_go_once_per_office_day_and_are_audited(app, ticket):
    repo, clock = app.state.repo, MovableClock()
    seed(repo, ticket, ["2026-08-01", "2026-08-31", "2026-09-01", "2026-11-29"])
    job = RetentionJob(repo, clock, retention_days=90)
    counts = job.run_once()
    assert counts["checkins"] == 2 and counts["now_serving"] == 2 and counts["queue_items"] == 2
    assert days_held(repo) == ["2026-09-01", "2026-11-29"]  # 2026-11-30 minus 90 days: kept
    entry = next(a for a in repo.audit_entries() if a.action == "retention")
    assert entry.actor == "retention" and "2 check-ins before 2026-09-01" in entry.note
    assert job.run_once() is None  # the same office day: not again
    clock.at = clock.at.replace(day=31, month=12)
    assert job.run_once()["checkins"] == 1 and days_held(repo) == ["2026-11-29"]
    assert RetentionJob(repo, clock, retention_days=0).run_once() is None  # 0 keeps all


def test_the_running_server_purges_on_its_own(app, ticket):
    seed(app.state.repo, ticket, ["2026-01-05", "2026-11-29"])
    app.state.clock = app.state.offices.use_clock(MovableClock())
    app.state.retention = RetentionJob(app.state.repo, app.state.clock, 30, check_every_s=0.05)
    with ServerThread(app, lifespan="on"):
        deadline = time.monotonic() + 10  # hang guard only
        while days_held(app.state.repo) != ["2026-11-29"] and time.monotonic() < deadline:
            time.sleep(0.05)
    assert days_held(app.state.repo) == ["2026-11-29"]


def test_kiosk_office_purge_deletes_old_check_ins_now(app, db_url, ticket, capsys):
    seed(app.state.repo, ticket, ["2001-01-01", "2999-01-01"])  # whatever today is
    assert main(["purge", "--retention-days", "30", "--db", db_url]) == 0
    assert "1 check-in(s) of office days before" in capsys.readouterr().err
    assert days_held(app.state.repo) == ["2999-01-01"]
    assert main(["purge", "--retention-days", "0", "--db", db_url]) == 2
