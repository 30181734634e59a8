"""Service hours and daily quotas, enforced offline from the menu (pure functions).

Hours: a service's own ``hours`` if set, else the menu's ``office_hours``;
windows are office-local ``[start, end)``. Quota: ``daily_quota`` per office
day, or, inside a ``window_quotas`` window, that window's quota (e.g. KK 20
per day between 07:30 and 09:00, DOMAIN.md). A service with window quotas is
only offered inside those windows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .menu import Menu, Service, WeekHours

OPEN, CLOSED, QUOTA = "open", "closed", "quota"


@dataclass(frozen=True)
class Availability:
    """Whether a service takes check-ins now.

    ``reason``: open | closed | quota. ``next_opening``: the next local
    datetime it opens (None if never within 7 days). ``remaining``: tickets
    left under the quota in force (None = no quota).
    """

    open: bool
    reason: str
    next_opening: datetime | None = None
    remaining: int | None = None


def _hhmm(now: datetime) -> str:
    return now.strftime("%H:%M")


def _at(day: datetime, hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return day.replace(hour=h, minute=m, second=0, microsecond=0)


def is_open(hours: WeekHours, now: datetime) -> bool:
    t = _hhmm(now)
    return any(w.start <= t < w.end for w in hours.windows(now.weekday()))


def next_opening(hours: WeekHours, now: datetime) -> datetime | None:
    """The first window start after ``now`` within the next 7 days."""
    t = _hhmm(now)
    for offset in range(8):
        day = now + timedelta(days=offset)
        for w in sorted(hours.windows(day.weekday()), key=lambda w: w.start):
            if offset or w.start > t:
                return _at(day, w.start)
    return None


def office_open(menu: Menu, now: datetime) -> bool:
    """True when the office as a whole is open at local time ``now``."""
    return is_open(menu.office_hours, now)


def current_window(service: Service, now: datetime):
    t = _hhmm(now)
    for wq in service.window_quotas:
        if wq.start <= t < wq.end:
            return wq
    return None


def quota_now(service: Service, now: datetime):
    """``(quota, window_start, window_end)`` in force now, or None when unlimited.

    The window bounds are ``HH:MM`` (None for a whole-day quota).
    """
    wq = current_window(service, now)
    if wq is not None:
        return (wq.quota, wq.start, wq.end)
    if service.daily_quota is not None:
        return (service.daily_quota, None, None)
    return None


def availability(menu: Menu, service: Service, now: datetime, used: int) -> Availability:
    """Availability of ``service`` at local ``now`` with ``used`` tickets counted for its quota."""
    hours = service.hours or menu.office_hours
    if not is_open(hours, now) or (service.window_quotas and current_window(service, now) is None):
        opening = next_opening(hours, now)
        if service.window_quotas:
            starts = [_at(now + timedelta(days=d), wq.start) for d in range(8)
                      for wq in service.window_quotas]
            starts = [s for s in starts if s > now and is_open(hours, s)]
            opening = min(starts) if starts else None
        return Availability(False, CLOSED, opening)
    quota = quota_now(service, now)
    if quota is None:
        return Availability(True, OPEN)
    remaining = max(0, quota[0] - used)
    if remaining == 0:
        tomorrow = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        return Availability(False, QUOTA, next_opening(hours, tomorrow - timedelta(minutes=1)),
                            0)
    return Availability(True, OPEN, None, remaining)
