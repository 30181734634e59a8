"""Pure numbering rules: the office day and the queue number format.

* Office day: the calendar date in the office time zone (kiosk.ini
  ``[office] timezone``, default ``Asia/Pontianak`` = WIB, UTC+7, no DST). The
  day a store has reached never moves backwards: a clock set back keeps the
  later day (:func:`advance_day`).
* Number: queue prefix + zero-padded sequence, ``A001`` (DOMAIN.md, as on real
  Dukcapil slips); with several kiosks the kiosk's ``number_tag`` sits between
  them, ``A2-001``, so kiosks that are offline together can never collide.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, tzinfo

from .clock import zone

_NUMBER = re.compile(r"^([A-Z])(?:([0-9A-Z]{1,2})-)?(\d{3,})$")


def office_day(now: datetime, tz: str | tzinfo) -> str:
    """``YYYY-MM-DD`` of aware datetime ``now`` in time zone ``tz`` (a tzinfo, or an IANA
    name given to :func:`kiosk.clock.zone`). The running kiosk asks its office clock
    (:meth:`kiosk.clock.OfficeClock.office_day`) instead.

    Raises ValueError for a naive datetime (a kiosk must never guess the zone).
    """
    if now.tzinfo is None:
        raise ValueError("office_day needs an aware datetime")
    return now.astimezone(tz if isinstance(tz, tzinfo) else zone(tz)).date().isoformat()


def advance_day(clock_day: str, stored_day: str | None) -> str:
    """The office day to use: the clock's day, unless the store already reached a later one."""
    if stored_day and stored_day > clock_day:
        return stored_day
    return clock_day


def next_day(day: str) -> str:
    """The calendar day after ``day`` (``YYYY-MM-DD``)."""
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


def format_number(prefix: str, sequence: int, tag: str = "") -> str:
    """``A001`` style number; ``A2-001`` with a kiosk tag. Sequence >= 1.

    More than 999 in a day widens naturally (``A1000``); raises ValueError for
    a sequence below 1 or a prefix that is not one capital letter.
    """
    if sequence < 1:
        raise ValueError("sequence starts at 1")
    if not re.fullmatch(r"[A-Z]", prefix):
        raise ValueError(f"bad queue prefix {prefix!r}")
    return f"{prefix}{tag + '-' if tag else ''}{sequence:03d}"


def parse_number(number: str) -> tuple[str, str, int]:
    """Inverse of :func:`format_number`: ``(prefix, tag, sequence)``; ValueError if malformed."""
    m = _NUMBER.match(number)
    if not m:
        raise ValueError(f"not a queue number: {number!r}")
    return m.group(1), m.group(2) or "", int(m.group(3))
