"""The kiosk's one notion of time: the office clock.

Everything on the kiosk side that needs "now" asks an :class:`OfficeClock`, built once where
the runtime is composed (``KioskRuntime(config, clock=...)``) and handed to the store, the
check-in desk, the audit log, the menu library, sync, the printer worker, the staff and admin
desks, the screens and the CLI. Nothing else reads the wall clock (``datetime.now``,
``time.time``) or builds a time zone; ``tests/test_clock_usage.py`` checks that.

* ``clock()`` / :meth:`OfficeClock.now`: an aware datetime in UTC.
* :meth:`OfficeClock.local`: that moment (or a given one) in the office zone
  (kiosk.ini ``[office] timezone``, IANA name, default ``Asia/Pontianak``, WIB, UTC+7).
* :meth:`OfficeClock.office_day`: the calendar date there, ``YYYY-MM-DD``
  (:func:`kiosk.numbering.office_day`; the store's office day also never moves backwards).
* :meth:`OfficeClock.elapsed`: seconds from a boot-time clock that wall-clock steps do not
  move (``CLOCK_BOOTTIME``); :meth:`OfficeClock.synchronized`: the kernel's NTP state.

Tests pass a :class:`FixedClock`, which stands still until moved by hand, so no test
depends on the real date or the time of day.
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from .timesync import kernel_clock_synchronized

DEFAULT_ZONE = "Asia/Pontianak"
#: :meth:`OfficeClock.stamp`'s format: local time, sortable, for file names.
STAMP_FORMAT = "%Y%m%dT%H%M%S%f"


def _wall() -> datetime:
    return datetime.now(timezone.utc)


def _boottime() -> float:
    """Seconds since boot, suspend included, unmoved by wall-clock steps."""
    return time.clock_gettime(getattr(time, "CLOCK_BOOTTIME", time.CLOCK_MONOTONIC))


def zone(tz: str) -> tzinfo:
    """The office zone for IANA name ``tz``. Raises ``zoneinfo.ZoneInfoNotFoundError``
    (a KeyError) for an unknown name; kiosk.ini's loader turns that into plain words."""
    return ZoneInfo(tz)


class OfficeClock:
    """Now, local time, office day and zone for one office.

    Args:
        tz: IANA zone name of the office (kiosk.ini ``[office] timezone``).
        source: zero-argument callable returning an aware datetime; default the system
            clock. Kept for callers that have their own (the screenshot runs' office-hours
            offset).

    Calling the clock (``clock()``) is :meth:`now`, so it goes where a plain
    ``() -> datetime`` callable went before.
    """

    def __init__(self, tz: str = DEFAULT_ZONE, source=None):
        self.tz = tz
        self.zone = zone(tz)
        self._source = source or _wall

    @classmethod
    def wrap(cls, clock, tz: str = DEFAULT_ZONE) -> "OfficeClock":
        """``clock`` itself when it is an OfficeClock, else one reading the callable
        ``clock`` (an aware datetime each call) in zone ``tz``; ``None``: the system clock."""
        if isinstance(clock, OfficeClock):
            return clock
        made = cls(tz, source=clock)
        if clock is not None:  # a test clock may also say elapsed time and NTP state
            for name in ("elapsed", "synchronized"):
                if callable(getattr(clock, name, None)):
                    setattr(made, name, getattr(clock, name))
        return made

    def __call__(self) -> datetime:
        return self.now()

    def shifted(self, delta: timedelta) -> "OfficeClock":
        """A clock reading this one plus ``delta`` (same zone, elapsed time and NTP state):
        a selftest or screenshot run placed in office hours."""
        made = OfficeClock(self.tz, source=lambda: self.now() + delta)
        made.elapsed, made.synchronized = self.elapsed, self.synchronized
        return made

    def now(self) -> datetime:
        """This moment, aware, in UTC. Raises ValueError if the source gives a naive one."""
        moment = self._source()
        if moment.tzinfo is None:
            raise ValueError("the office clock needs aware datetimes")
        return moment.astimezone(timezone.utc)

    def local(self, moment: datetime | None = None) -> datetime:
        """``moment`` (default now) in the office zone; a naive ``moment`` is taken as UTC."""
        moment = self.now() if moment is None else moment
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(self.zone)

    def parse(self, text: str) -> datetime:
        """An ISO 8601 time from our files or the server, in the office zone (a time
        without an offset is taken as UTC). Raises ValueError for anything else."""
        return self.local(datetime.fromisoformat(text))

    def from_timestamp(self, seconds: float) -> datetime:
        """POSIX ``seconds`` (e.g. a printer's ``last_ok_at``) as office local time."""
        return datetime.fromtimestamp(seconds, self.zone)

    def office_day(self, moment: datetime | None = None) -> str:
        """``YYYY-MM-DD`` of ``moment`` (default now) in the office zone."""
        return self.local(moment).date().isoformat()

    def timestamp(self) -> float:
        """Now as POSIX seconds (for files that store ``time.time()``-like numbers)."""
        return self.now().timestamp()

    def stamp(self) -> str:
        """Now in local time for file names: ``20261130T090000123456``."""
        return self.local().strftime(STAMP_FORMAT)

    def elapsed(self) -> float:
        """Seconds from a clock that wall-clock steps do not move (for jump detection)."""
        return _boottime()

    def synchronized(self) -> bool | None:
        """True when the system clock is NTP-synchronized (:mod:`kiosk.timesync`)."""
        return kernel_clock_synchronized()


class FixedClock(OfficeClock):
    """A clock that stands still until moved: for tests, benchmarks and screenshots.

    Starts Monday 2026-11-30 09:00 WIB unless told otherwise. :meth:`advance` moves time
    as if it passed; :meth:`jump` steps the wall clock without elapsed time (a wrong RTC,
    a bad NTP answer). ``synced`` is what the kernel would say of NTP.
    """

    START = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)

    def __init__(self, start: datetime | None = None, tz: str = DEFAULT_ZONE):
        super().__init__(tz, source=lambda: self.current)
        self.start = self.current = (start or self.START)
        self.jumped_s = 0.0
        self.synced = False

    def elapsed(self) -> float:
        return (self.current - self.start).total_seconds() - self.jumped_s

    def synchronized(self) -> bool:
        return self.synced

    def advance(self, **kw) -> None:
        """Let time pass (``timedelta`` keywords)."""
        self.current += timedelta(**kw)

    def jump(self, **kw) -> None:
        """Step the wall clock without time passing (``timedelta`` keywords)."""
        step = timedelta(**kw)
        self.current += step
        self.jumped_s += step.total_seconds()

    def set_local(self, text: str) -> None:
        """Move to a local office time (``2026-11-30T15:00``) as if that much time passed."""
        self.current = datetime.fromisoformat(text).replace(tzinfo=self.zone)
