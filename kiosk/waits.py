"""People ahead and the estimated wait: figures the kiosk can stand behind (issue 11, 6-7).

**What the kiosk keeps.** Every upload reply of the office server may carry, per queue,
``queues[q] = {serving_sequence, serving_number, called_at, waiting, counters}`` and, per
service, ``handling[code] = {median_s, count}`` (median handling time, called -> done, of its
last tickets finished today). :func:`parse_queues` / :func:`parse_handling` take what is
well-formed and drop the rest with a log line. :meth:`WaitBoard.record` keeps them, with the
kiosk's office time they were learned at, the office day, and ``held`` (per queue, the highest
sequence of this kiosk's tickets the server held at that reply: its ``high_water`` of the day),
in the store's settings (``state.json``, key :data:`SETTING`), so a restart keeps them.

**Recent.** Figures count only when learned on the current office day (the server's day, from
its ``server_time``, must be the kiosk's too) and at most ``[server] figures_fresh_s`` seconds
ago (default 600) by the office clock, and when the server sent queue figures at all (an office
with no counter set up sends none). Anything else is *no recent data*.

**The rules** (:meth:`WaitBoard.estimate`), for a ticket of queue ``q`` and service ``s``:

* people ahead = ``waiting`` of ``q`` at the reply (every kiosk's tickets not called yet,
  this kiosk's held ones included; 0 when the server listed no ticket in ``q`` today)
  + this kiosk's tickets of ``q`` today issued before this one with a sequence above
  ``held[q]``: the ones the server did not have at the reply (the outbox sends oldest first,
  so the server holds a prefix of them). Tickets synced after the reply are *not* in that
  ``waiting``, so they count here, exactly once. Tickets called since the reply are not
  known: the figure is as of the reply, which is why it goes stale.
* handling time = the service's median; when the server has none for it today, the
  count-weighted mean of the medians of the menu's other services in the same queue (same
  counters, measured today, and the people ahead are a mix of those services anyway). The
  menu's ``avg_service_min`` is never used: it is a planning guess, not a measurement.
* estimated wait = people ahead x handling time / ``counters`` (active counters serving
  ``q``), rounded to whole minutes (half up); 0 people ahead with a counter open is 0 min.
  No handling time or no open counter: people ahead stand, the wait is "not available".
* without recent data: no people ahead and no wait; the slip and screen give the position
  among the tickets this kiosk issued today in ``q`` (1 = the first) and say the estimate is
  not available (:func:`wait_lines`).
* past closing: when now + wait is after the end of the service's hours window in force now
  (its own ``hours``, else the menu's ``office_hours``), ``Estimate.closes`` is that end
  (``"15:00"``): the screens warn before the number is taken.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .clock import DEFAULT_ZONE, OfficeClock

log = logging.getLogger(__name__)

#: The store setting (state.json ``settings``) holding the last figures learned.
SETTING = "server_figures"
#: A clock this many seconds behind the time figures were learned still counts them.
CLOCK_SLACK_S = 5.0

# Written in Indonesian; translated by the caller's ``_`` (catalogs "slip" and "screens").
AHEAD = "Orang di depan Anda: {n}"
POSITION = "Urutan Anda: ke-{n} di antrian {queue} dari kiosk ini hari ini"
WAIT = "Perkiraan waktu tunggu: {wait}"
NO_WAIT = "Perkiraan waktu tunggu belum tersedia"
MINUTES, HOURS, HOURS_MINUTES = "{m} menit", "{h} jam", "{h} jam {m} menit"


@dataclass(frozen=True)
class QueueFigures:
    """One queue as the server saw it: ``waiting`` tickets (every kiosk), ``counters`` open."""

    waiting: int
    counters: int
    serving_sequence: int = 0
    serving_number: str = ""
    called_at: str | None = None


@dataclass(frozen=True)
class Figures:
    """One reply's figures: ``learned_at`` (ISO 8601, office clock), ``office_day``,
    ``queues`` ({letter: QueueFigures}), ``handling`` ({code: (median_s, count)}),
    ``held`` ({letter: highest sequence of this kiosk the server held})."""

    learned_at: str
    office_day: str
    queues: dict = field(default_factory=dict)
    handling: dict = field(default_factory=dict)
    held: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"learned_at": self.learned_at, "office_day": self.office_day,
                "queues": {q: vars(f) for q, f in self.queues.items()},
                "handling": {c: {"median_s": m, "count": n}
                             for c, (m, n) in self.handling.items()},
                "held": dict(self.held)}

    @classmethod
    def from_dict(cls, data) -> "Figures | None":
        """The figures of a stored dict; None (logged) when it is not one."""
        if data is None:
            return None
        try:
            datetime.fromisoformat(data["learned_at"])
            return cls(data["learned_at"], str(data["office_day"]),
                       parse_queues(data.get("queues")), parse_handling(data.get("handling")),
                       _counts(data.get("held")))
        except (TypeError, KeyError, ValueError, AttributeError):
            log.warning("state.json setting %s is not readable; it is ignored until the next "
                        "sync reply", SETTING)
            return None

    def handling_s(self, code: str, siblings=()) -> float | None:
        """Handling time in s for service ``code`` (see the module rules), or None."""
        if code in self.handling:
            return self.handling[code][0]
        known = [self.handling[c] for c in siblings if c in self.handling]
        total = sum(n for _, n in known)
        return sum(m * n for m, n in known) / total if total else None


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _counts(value) -> dict:
    """``{letter: whole number}`` (entries of another shape dropped)."""
    if not isinstance(value, dict):
        return {}
    return {q: n for q, n in value.items() if isinstance(q, str) and _whole(n)}


def _entries(value, name: str, read) -> dict:
    """``{key: read(entry)}`` of the reply field ``name``; an entry ``read`` refuses
    (ValueError, TypeError, KeyError, AttributeError), or a field that is not an object,
    is dropped with a log line."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        log.warning("office server reply: %s is not an object; ignored", name)
        return {}
    out = {}
    for key, entry in value.items():
        try:
            if not isinstance(key, str):
                raise ValueError
            out[key] = read(entry)
        except (TypeError, KeyError, ValueError, AttributeError):
            log.warning("office server reply: %s[%r] is malformed; ignored", name, key)
    return out


def _queue(facts) -> QueueFigures:
    waiting, counters = facts["waiting"], facts["counters"]
    seq, number = facts.get("serving_sequence", 0), facts.get("serving_number") or ""
    called = facts.get("called_at")
    if not (_whole(waiting) and _whole(counters) and _whole(seq) and isinstance(number, str)
            and (called is None or isinstance(called, str))):
        raise ValueError
    return QueueFigures(waiting, counters, seq, number, called)


def _handling(h) -> tuple:
    median, count = h["median_s"], h["count"]
    if not (isinstance(median, (int, float)) and not isinstance(median, bool)
            and 0 <= median < 86400 and _whole(count) and count >= 1):
        raise ValueError
    return float(median), count


def parse_queues(value) -> dict:
    """``{letter: QueueFigures}`` from a reply's ``queues``; a malformed entry (or a
    malformed whole) is dropped with a log line, never raised."""
    return _entries(value, "queues", _queue)


def parse_handling(value) -> dict:
    """``{code: (median_s, count)}`` from a reply's ``handling``; malformed entries are
    dropped with a log line (a median must be a number of seconds >= 0, count >= 1)."""
    return _entries(value, "handling", _handling)


@dataclass(frozen=True)
class Estimate:
    """``position``: 1-based among this kiosk's tickets of the queue today; ``people_ahead``
    and ``wait_min`` (whole minutes): None when unknown; ``wait_s``: the unrounded wait;
    ``closes``: ``"HH:MM"`` when the turn is expected after the service closes, else None."""

    position: int
    people_ahead: int | None = None
    wait_min: int | None = None
    wait_s: float | None = None
    closes: str | None = None


class WaitBoard:
    """The server's figures, kept in the store, and estimates from them (thread-safe).

    Args:
        store: :class:`kiosk.store.Store` (settings, office day, tickets per queue).
        fresh_s: ``[server] figures_fresh_s``: figures older than this (s) are not recent.
        clock: the office clock (:class:`kiosk.clock.OfficeClock`, or a callable returning an
            aware datetime, read in the store's zone); default the store's.
    """

    def __init__(self, store, fresh_s: float = 600.0, clock=None):
        self.store, self.fresh_s = store, fresh_s
        tz = getattr(store.clock, "tz", None) or getattr(store, "tz", DEFAULT_ZONE)
        self.clock = OfficeClock.wrap(store.clock if clock is None else clock, tz)
        self._lock = threading.Lock()
        self._figures = Figures.from_dict(store.setting(SETTING))

    def record(self, reply) -> Figures | None:
        """SyncWorker ``on_reply`` hook: keep the figures of an :class:`UploadReply` (its
        ``queues``, ``handling``, ``high_water``, ``server_time``) with the time now, durably.
        A reply from a server whose day is not the kiosk's office day leaves no figures.
        Returns what was kept. Raises StoreError when state.json cannot be written."""
        day = self.store.office_day()
        try:
            server_day = datetime.fromisoformat(reply.server_time).date().isoformat()
        except (TypeError, ValueError):
            server_day = None
        if server_day != day:
            log.info("office server's day %s is not the kiosk's %s: its figures are not "
                     "used", server_day, day)
            figures = None
        else:
            figures = Figures(self.clock.now().isoformat(timespec="seconds"), day,
                              dict(reply.queues), dict(reply.handling),
                              _counts((reply.high_water or {}).get(day)))
        with self._lock:
            self._figures = figures
            self.store.set_setting(SETTING, figures.to_dict() if figures else None)
        return figures

    def recent(self) -> Figures | None:
        """The kept figures if they are recent (see the module), else None."""
        with self._lock:
            figures = self._figures
        if figures is None or not figures.queues or figures.office_day != \
                self.store.office_day():
            return None
        age = (self.clock.now() - datetime.fromisoformat(figures.learned_at)).total_seconds()
        return figures if -CLOCK_SLACK_S <= age <= self.fresh_s else None

    def estimate(self, menu, service, queue: str, sequence: int | None = None) -> Estimate:
        """People ahead and the wait for the ticket ``sequence`` of ``queue`` (None: the
        next one, before it is taken) of ``service`` under ``menu``; see the module rules."""
        position = self.store.count_in_queue(queue, below=sequence) + 1
        figures = self.recent()
        if figures is None:
            return Estimate(position)
        facts = figures.queues.get(queue)
        ahead = (facts.waiting if facts else 0) + self.store.count_in_queue(
            queue, above=figures.held.get(queue, 0), below=sequence)
        counters = facts.counters if facts else 0
        siblings = [s.code for s in menu.services if s.queue == service.queue]
        handling = figures.handling_s(service.code, siblings) if ahead else 0.0
        if not counters or handling is None:
            return Estimate(position, ahead)
        wait_s = ahead * handling / counters
        return Estimate(position, ahead, int(wait_s / 60 + 0.5), wait_s,
                        self._after_closing(menu, service, wait_s))

    def _after_closing(self, menu, service, wait_s: float) -> str | None:
        now = self.clock.local()
        hhmm = now.strftime("%H:%M")
        hours = service.hours or menu.office_hours
        for w in hours.windows(now.weekday()):
            if w.start <= hhmm < w.end:
                h, m = map(int, w.end.split(":"))
                closes = now.replace(hour=h, minute=m, second=0, microsecond=0)
                return w.end if now + timedelta(seconds=wait_s) > closes else None
        return None


def format_wait(minutes: int, _) -> str:
    """``45 menit``, ``1 jam``, ``1 jam 20 menit`` (``_`` translates: ``1 h 20 min``)."""
    hours, rest = divmod(max(0, int(minutes)), 60)
    if not hours:
        return _(MINUTES, m=rest)
    return _(HOURS_MINUTES, h=hours, m=rest) if rest else _(HOURS, h=hours)


def wait_lines(_, people_ahead: int | None, wait_min: int | None, position: int | None = None,
               queue: str = "") -> list[str]:
    """The lines the slip and the ticket screen both show, in ``_``'s language: people ahead
    (or, when unknown, the position among this kiosk's tickets of ``queue`` today), then the
    estimated wait or "Perkiraan waktu tunggu belum tersedia"."""
    if people_ahead is not None:
        lines = [_(AHEAD, n=max(0, int(people_ahead)))]
    elif position is not None:
        lines = [_(POSITION, n=position, queue=queue)]
    else:
        lines = []
    if wait_min is None:
        return lines + [_(NO_WAIT)]
    return lines + [_(WAIT, wait=format_wait(wait_min, _))]
