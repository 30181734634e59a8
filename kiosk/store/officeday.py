"""The office day the store numbers on: it follows the clock, never moves backwards, and
does not follow a clock *jump* unless the new time can be trusted.

* The day is the calendar date in the office zone (:mod:`kiosk.numbering`).
* A wall-clock step ahead of elapsed time by more than :data:`CLOCK_JUMP_S` while
  running, or a clock more than :data:`START_GAP_DAYS` past the last day at start,
  is a jump. It is followed at once when the time is trusted: the kernel says
  the clock is NTP-synchronized (:func:`kiosk.timesync.kernel_clock_synchronized`,
  injectable) or the office server's clock, in its last sync reply, agrees with
  the kiosk's within :data:`AGREE_S` on the new day. Otherwise the day is held
  with a staff alert (a bad RTC, a wrong manual setting).
* Staff "Mulai hari kantor baru" is offered only while the clock's day and the
  office day disagree, and moves to the clock's day, never past it.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from .. import numbering
from ..errors import StoreError

log = logging.getLogger(__name__)

#: A wall-clock step this far ahead of elapsed time is a clock jump, not a new day.
CLOCK_JUMP_S = 6 * 3600
#: At start, a clock this many days past the last office day is doubted until trusted.
START_GAP_DAYS = 45
#: The office server's clock agrees with the kiosk's when within this many seconds.
AGREE_S = 120


class NoNewOfficeDay(StoreError):
    """Staff asked for a new office day while the clock's day is not ahead of it."""


class DayKeeper:
    """Decides the office day; the store calls it under its lock.

    Args:
        state: :class:`kiosk.store.state.State` (``office_day`` is read and written there).
        alerts: :class:`kiosk.store.alerts.Alerts`.
        clock: the office clock (:class:`kiosk.clock.OfficeClock`): now and office day.
        elapsed: zero-argument callable, seconds not moved by clock steps (boot time).
        synchronized: zero-argument callable, True when the system clock is NTP-synchronized.
    """

    def __init__(self, state, alerts, clock, elapsed, synchronized):
        self.state, self.alerts = state, alerts
        self.clock, self.elapsed, self.synchronized = clock, elapsed, synchronized
        self._last_seen = None  # (wall, elapsed) at the last trusted reading
        self._server = None     # (kiosk wall, server wall) of the last sync reply

    def clock_day(self, wall: datetime | None = None) -> str:
        return self.clock.office_day(wall)

    def day(self, now: datetime | None = None) -> tuple[str, bool]:
        """``(office day, changed)``: the day to number on, and whether it moved (the
        caller saves the state). ``now`` given: that moment, without jump checks."""
        wall = now or self.clock()
        clock_day = self.clock_day(wall)
        stored = self.state.office_day
        day = numbering.advance_day(clock_day, stored)
        if day != stored and stored and now is None and self._jumped(wall, stored, clock_day):
            if self._trusted(clock_day):
                log.warning("clock stepped ahead to %s and is trusted (NTP or the office "
                            "server): office day %s -> %s", clock_day, stored, day)
                self.alerts.set("clock_jump", None)
                self._last_seen = (wall, self.elapsed())
            else:
                self._hold(stored, clock_day)
                return stored, False
        elif now is None:
            self._last_seen = (wall, self.elapsed())
        if day != stored:
            self.state.data["office_day"] = day
            return day, True
        return day, False

    def _jumped(self, wall, stored: str, clock_day: str) -> bool:
        if self._last_seen is not None:
            last_wall, last_elapsed = self._last_seen
            ahead = (wall - last_wall).total_seconds() - (self.elapsed() - last_elapsed)
            return ahead > CLOCK_JUMP_S
        gap = (date.fromisoformat(clock_day) - date.fromisoformat(stored)).days
        return gap > START_GAP_DAYS

    def _trusted(self, clock_day: str) -> bool:
        try:
            if self.synchronized():
                return True
        except Exception:  # an injected check must not stop a check-in
            log.exception("clock synchronization check failed")
        if self._server is None:
            return False
        kiosk_wall, server_wall = self._server
        skew = abs((server_wall - kiosk_wall).total_seconds())
        return skew <= AGREE_S and self.clock_day(server_wall) == clock_day

    def _hold(self, stored: str, clock_day: str) -> None:
        msg = (f"Jam kiosk melompat ke {clock_day}; hari kantor tetap {stored}. Periksa "
               f"jam. Jika tanggal jam benar, pilih 'Mulai hari kantor baru'.")
        if self.alerts.get("clock_jump") != msg:
            log.error("clock jump: wall clock says %s, office day stays %s", clock_day, stored)
            self.alerts.set("clock_jump", msg)

    def server_time(self, server_wall: datetime, kiosk_wall: datetime | None = None) -> None:
        """The office server said it is ``server_wall`` when the kiosk clock read
        ``kiosk_wall`` (default now): a witness for a clock step (see :meth:`day`)."""
        self._server = (kiosk_wall or self.clock(), server_wall)

    def disagrees(self) -> bool:
        """True while the clock's day and the office day differ (a held jump, a clock
        behind the day reached): only then is a new office day offered to staff."""
        return self.clock_day() != self.state.office_day

    def start_new(self) -> str:
        """Staff: move the office day to the clock's day; returns it.

        Raises NoNewOfficeDay (plain words) when the clock's day is not after the
        office day: the day never moves past the clock's date.
        """
        current = self.state.office_day
        clock_day = self.clock_day()
        if current and clock_day <= current:
            raise NoNewOfficeDay(
                f"Jam kiosk menunjukkan {clock_day}, hari kantor {current}: tidak ada hari "
                f"kantor baru untuk dimulai. Betulkan tanggal jam kiosk dulu. (The clock's "
                f"day is not after the office day.)")
        self.state.data["office_day"] = clock_day
        self.alerts.set("clock_jump", None)
        self._last_seen = None
        return clock_day


def days_before(day: str, n: int) -> str:
    """``YYYY-MM-DD`` ``n`` days before ``day``."""
    return (date.fromisoformat(day) - timedelta(days=n)).isoformat()
