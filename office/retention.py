"""Retention of personal data on the office server (PDP): check-ins older than
``retention_days`` office days are deleted, once per office day, and the deletion audited.

:class:`RetentionJob` runs inside the server (started by the app's lifespan): at start and
then every ``check_every_s`` seconds it looks whether the office day changed since its last
run, and if so deletes check-ins (and "now serving" rows) of office days before
``today - retention_days`` (:meth:`office.db.Repo.purge_before`), plus expired browser
sessions and stale login-throttle rows. ``retention_days = 0`` keeps everything. Several
server workers may each run it: a second run the same day deletes nothing and writes no
audit entry. ``kiosk-office purge`` runs it by hand.

Each office has its own: :class:`OfficesRetention` runs one :class:`RetentionJob` per office,
on the office's own clock (its time zone decides when its day changes) and retention days
(the office's, else the server's ``--retention-days``), its deletions audited in that office.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta

from fastapi.concurrency import run_in_threadpool

log = logging.getLogger(__name__)

#: Default days of check-ins the server keeps (``serve --retention-days``).
DEFAULT_RETENTION_DAYS = 90
#: How often the job looks whether a new office day began, in seconds.
CHECK_EVERY_S = 600


def cutoff_day(today: str, retention_days: int) -> str:
    """The first office day kept: ``today - retention_days`` (``YYYY-MM-DD``)."""
    return (date.fromisoformat(today) - timedelta(days=retention_days)).isoformat()


class RetentionJob:
    """Daily deletion of old check-ins; ``clock`` is the office clock (``today()``)."""

    def __init__(self, repo, clock, retention_days: int, check_every_s: float = CHECK_EVERY_S):
        self.repo, self.clock = repo, clock
        self.retention_days, self.check_every_s = retention_days, check_every_s
        self.last_day: str | None = None

    def run_once(self) -> dict | None:
        """Purge if the office day changed since the last run; the counts deleted, or None
        when nothing was due (same day, or retention off)."""
        today = self.clock.today()
        if self.retention_days <= 0 or today == self.last_day:
            return None
        counts = self.repo.purge_before(cutoff_day(today, self.retention_days),
                                        actor="retention",
                                        note=f"retention {self.retention_days} days")
        self.last_day = today
        if any(counts.values()):
            log.info("retention: deleted %s (before %s)", counts,
                     cutoff_day(today, self.retention_days))
        return counts

    async def loop(self):
        """Run :meth:`run_once` now and then every ``check_every_s`` seconds, until cancelled.
        A failing run is logged and retried at the next check."""
        while True:
            try:
                await run_in_threadpool(self.run_once)
            except Exception:  # a database hiccup must not end the job for good
                log.exception("retention run failed; trying again in %s s", self.check_every_s)
            await asyncio.sleep(self.check_every_s)


class OfficesRetention:
    """One :class:`RetentionJob` per office of ``offices`` (:class:`office.offices.Offices`),
    made anew on each run so a changed zone or retention counts at once."""

    def __init__(self, offices, check_every_s: float = CHECK_EVERY_S):
        self.offices, self.check_every_s = offices, check_every_s
        self.last_day: dict[int, str | None] = {}

    def run_once(self) -> dict[int, dict]:
        """The counts deleted per office id (offices with nothing due left out)."""
        done = {}
        for scope in self.offices.all():
            job = RetentionJob(scope.repo, scope.clock, scope.settings.retention_days,
                               self.check_every_s)
            job.last_day = self.last_day.get(scope.office.id)
            counts = job.run_once()
            self.last_day[scope.office.id] = job.last_day
            if counts is not None:
                done[scope.office.id] = counts
        return done

    loop = RetentionJob.loop
