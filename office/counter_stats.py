"""Figures of the counter flow: waiting and handling times per service, and the per-queue
facts the sync reply gives each kiosk. Queries over :mod:`office.counter_tables` only.

* waiting time = first call - time taken (``issued_at``), in seconds
* handling time = done - called (the last call at the counter that finished it), in seconds
"""
from __future__ import annotations

import statistics
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from .counter_tables import CALLED, DONE, SKIPPED, WAITING, QueueItem

#: The sync reply's handling time per service: the median of at most this many tickets,
#: the last ones finished today.
RECENT_DONE = 20
#: How many finished tickets of the day the recent-handling query reads at most.
RECENT_SCAN = 400
#: The counter page's day figures are reused for this many seconds.
DAY_STATS_MAX_AGE_S = 10.0


@dataclass(frozen=True)
class ServiceStats:
    """One service's day: tickets ``taken``, still ``waiting``, ``done``; waiting and
    handling times in seconds (median, mean, how many tickets) or None when none yet."""

    service_code: str
    taken: int
    waiting: int
    done: int
    wait_median_s: float | None
    wait_mean_s: float | None
    wait_n: int
    handle_median_s: float | None
    handle_mean_s: float | None
    handle_n: int


def _seconds(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    try:
        value = (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
    except ValueError:
        return None
    return value if value >= 0 else None


def _median_mean(values: list) -> tuple:
    if not values:
        return None, None
    return statistics.median(values), statistics.fmean(values)


class CounterStats:
    """Read-only figures over the office :class:`office.db.Repo`'s engine."""

    def __init__(self, repo, max_age_s: float = DAY_STATS_MAX_AGE_S):
        self.sessions = repo.sessions
        self.max_age_s = max_age_s
        self._lock = threading.Lock()
        self._cached: tuple = ("", 0.0, [])  # day, monotonic time made, stats

    def day_stats(self, day: str) -> list[ServiceStats]:
        """Per service of ``day`` (sorted by code): counts, waiting and handling times.
        A placeholder not matched to its check-in yet counts under service ``""``.
        The figures are at most ``max_age_s`` old (they read the whole day)."""
        with self._lock:
            cached_day, made, stats = self._cached
            if cached_day == day and time.monotonic() - made < self.max_age_s:
                return stats
        stats = self._day_stats(day)
        with self._lock:
            self._cached = (day, time.monotonic(), stats)
        return stats

    def _day_stats(self, day: str) -> list[ServiceStats]:
        taken, waiting, done = defaultdict(int), defaultdict(int), defaultdict(int)
        waits, handles = defaultdict(list), defaultdict(list)
        with self.sessions() as s:
            rows = s.execute(select(QueueItem.service_code, QueueItem.state,
                                    QueueItem.issued_at, QueueItem.first_called_at,
                                    QueueItem.called_at, QueueItem.done_at)
                             .where(QueueItem.office_day == day))
            for code, state, issued, first, called, finished in rows:
                taken[code] += 1
                waiting[code] += state == WAITING
                done[code] += state == DONE
                wait = _seconds(issued, first)
                if wait is not None:
                    waits[code].append(wait)
                handle = _seconds(called, finished) if state == DONE else None
                if handle is not None:
                    handles[code].append(handle)
        out = []
        for code in sorted(taken):
            wm, wa = _median_mean(waits[code])
            hm, ha = _median_mean(handles[code])
            out.append(ServiceStats(code, taken[code], waiting[code], done[code], wm, wa,
                                    len(waits[code]), hm, ha, len(handles[code])))
        return out

    def recent_handling(self, day: str, last_n: int = RECENT_DONE) -> dict[str, dict]:
        """``{"ktp-baru": {"median_s": 540.0, "count": 12}}``: per service, the median
        handling time of its last ``last_n`` tickets finished on ``day`` (services with none
        finished are absent)."""
        per: dict[str, list] = defaultdict(list)
        with self.sessions() as s:
            rows = s.execute(select(QueueItem.service_code, QueueItem.called_at,
                                    QueueItem.done_at)
                             .where(QueueItem.office_day == day, QueueItem.state == DONE)
                             .order_by(QueueItem.done_at.desc()).limit(RECENT_SCAN))
            for code, called, finished in rows:
                value = _seconds(called, finished)
                if code and value is not None and len(per[code]) < last_n:
                    per[code].append(value)
        return {code: {"median_s": round(statistics.median(v), 1), "count": len(v)}
                for code, v in sorted(per.items())}

    def queue_facts(self, day: str, kiosk_id: str) -> dict[str, dict]:
        """Per queue letter of ``day``: ``serving_sequence`` (highest sequence of
        ``kiosk_id``'s tickets a counter has called, 0 if none), ``waiting`` (tickets of every
        kiosk not called yet), ``serving_number`` / ``called_at`` (the last ticket called in
        that queue, any kiosk; called_at UTC ISO)."""
        facts: dict[str, dict] = {}

        def of(queue):
            return facts.setdefault(queue, {"serving_sequence": 0, "waiting": 0,
                                            "serving_number": "", "called_at": None})
        with self.sessions() as s:
            for queue, top in s.execute(
                    select(QueueItem.queue, func.max(QueueItem.sequence))
                    .where(QueueItem.office_day == day, QueueItem.kiosk_id == kiosk_id,
                           QueueItem.state.in_((CALLED, SKIPPED, DONE)))
                    .group_by(QueueItem.queue)):
                of(queue)["serving_sequence"] = int(top or 0)
            for queue, count in s.execute(
                    select(QueueItem.queue, func.count())
                    .where(QueueItem.office_day == day, QueueItem.state == WAITING)
                    .group_by(QueueItem.queue)):
                of(queue)["waiting"] = int(count)
            queues = s.scalars(select(QueueItem.queue).where(QueueItem.office_day == day)
                               .group_by(QueueItem.queue))
            for queue in list(queues):
                last = s.execute(select(QueueItem.number, QueueItem.called_at).where(
                    QueueItem.office_day == day, QueueItem.queue == queue,
                    QueueItem.called_at.is_not(None))
                    .order_by(QueueItem.called_at.desc()).limit(1)).first()
                if last:
                    of(queue).update(serving_number=last[0], called_at=last[1])
        return dict(sorted(facts.items()))
