"""The waiting-room display feed across server processes (``kiosk-office serve --workers N``).

Every call is a row of ``counter_actions`` (in the office's scope); its id only grows, so the
newest id is the office's change marker. :func:`catch_up` is each process's
:class:`office.events.Broadcaster` watch: one indexed ``max(id)`` query every 0.5 s while a
display is connected to that process, and, when the marker moved, the calls after the last
one seen. A call another process took is published with its ``call`` part (so the display
chimes and speaks it); calls this process announced itself (:func:`office.floor.announce`)
are skipped.
"""
from __future__ import annotations

from sqlalchemy import func, select

from .counter_tables import ActionRecord, CounterAction
from .events import sse
from .floor import CALL_ACTIONS, display_state

#: Calls read per look.
LOOK_LIMIT = 20
#: Calls of one look said on the displays (more in 0.5 s: the state still shows them all).
MAX_SAID = 4


def newest_action_id(repo) -> int:
    """The office's change marker: the newest counter action id (0: none yet)."""
    with repo.sessions() as s:
        return s.scalar(select(func.max(CounterAction.id))) or 0


def calls_after(repo, day: str, after: int, limit: int = LOOK_LIMIT) -> list[ActionRecord]:
    """Calls of office day ``day`` with an id above ``after``, newest first (at most
    ``limit``)."""
    with repo.sessions() as s:
        rows = s.scalars(select(CounterAction).where(
            CounterAction.office_day == day, CounterAction.id > after,
            CounterAction.action.in_(CALL_ACTIONS))
            .order_by(CounterAction.id.desc()).limit(limit))
        return [ActionRecord(r.id, r.at, r.staff, r.counter_id, r.item_id, r.number,
                             r.action, r.detail) for r in rows]


def catch_up(office) -> bool:
    """One look for ``office`` (:class:`office.offices.OfficeScope`): when another process
    took calls since the last look, publish the display state once per call (oldest first,
    at most :data:`MAX_SAID`), so each is said. Returns whether it published."""
    events = office.events
    if events.busy:  # a call of this process: it announces it, a later look skips it
        return False
    since = events.moved(newest_action_id(office.repo))
    if since is None:
        return False
    calls = calls_after(office.repo, office.clock.today(), since)
    if events.busy:  # one began meanwhile and may not be in announced() yet: look again
        events.rewind(since)
        return False
    mine = events.announced()
    fresh = [a for a in calls if a.id not in mine]
    if not fresh:
        return False
    for made in reversed(fresh[:MAX_SAID]):  # oldest first: each is said, in order
        counter = office.counters.counter(made.counter_id)
        call = (made, counter) if counter is not None else None
        events.publish(sse("state", display_state(office, call, call_id=made.id)))
    return True
