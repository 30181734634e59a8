"""What the loket pages and the waiting-room display share: the menu facts they need (the
priority lane, service and queue names) and the display state pushed after every call.

The display state (JSON, also the payload of each ``state`` server-sent event)::

    {"office": "Disdukcapil ...", "day": "2026-11-29", "server_ms": 1795400000000,
     "utc_offset_min": 420,
     "counters": [{"id": 1, "name": "Loket 1", "number": "A007", "at": "08:15"}, ...],
     "recent": [{"number": "A007", "counter": "Loket 1", "at": "08:15"}, ...],
     "call": {"number": "A007", "counter": "Loket 1", "text": "Nomor antrian ...",
              "audio": "/display/voice/1/A007.wav", "id": 41}}

``call`` is present only in the event sent for a call (the page then plays the chime and
the speech); a (re)connecting display gets the state without it. Times are office-local.
"""
from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from .counter_tables import CounterAction, CounterInfo, Item
from .events import sse
from .voice import phrase

#: Actions that put a number on the display (as :meth:`CounterRepo.recent_calls` reads them).
CALL_ACTIONS = ("call", "recall", "call-number")
#: Calls listed under "Panggilan terakhir" on the display.
RECENT_CALLS = 6


@dataclass(frozen=True)
class MenuFacts:
    """From the menu in force: ``priority`` prefix letters of the priority lane(s);
    ``services`` code -> (Indonesian name, queue letter); ``queues`` letter -> name."""

    priority: tuple
    services: dict
    queues: dict

    def service_name(self, code: str) -> str:
        return self.services.get(code, (code or "-", ""))[0]


_facts_lock = threading.Lock()
#: Makes announcement WAVs ahead of the displays' requests, one at a time.
_voice_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="voice")
_facts_cache: dict = {}


def menu_facts(repo) -> MenuFacts:
    """The :class:`MenuFacts` of the menu in force (parsed once per published version)."""
    row = repo.current_menu()
    key = row.id if row else 0
    with _facts_lock:
        if key in _facts_cache:
            return _facts_cache[key]
    try:
        data = json.loads(row.body) if row else {}
        queues = {q["prefix"]: q["names"]["id"] for q in data.get("queues", [])}
        priority = tuple(q["prefix"] for q in data.get("queues", []) if q.get("priority"))
        services = {s["code"]: (s["names"]["id"], s["queue"]) for s in data.get("services", [])}
    except (ValueError, KeyError, TypeError):
        queues, priority, services = {}, (), {}
    facts = MenuFacts(priority, services, queues)
    with _facts_lock:
        _facts_cache.clear()
        _facts_cache[key] = facts
    return facts


def _local_hhmm(iso: str | None, clock) -> str:
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone(clock.tz).strftime("%H:%M")


def display_state(office, call: tuple[Item, CounterInfo] | None = None,
                  call_id: int | None = None) -> dict:
    """The display state (shape above) of ``office`` (:class:`office.offices.OfficeScope`);
    ``call``: (anything with ``number``, its counter); ``call_id``: its counter action id
    (the page plays one id once)."""
    counters, clock = office.counters, office.clock
    now = clock.now()
    day = now.date().isoformat()
    active = counters.counters(active_only=True)
    names = {c.id: c.name for c in counters.counters()}
    state = {
        "office": office.settings.office_name, "day": day,
        "server_ms": int(now.timestamp() * 1000),
        "utc_offset_min": int(now.utcoffset().total_seconds() // 60),
        "counters": [{"id": c.id, "name": c.name,
                      "number": c.shown_number if c.shown_day == day else "",
                      "at": _local_hhmm(c.shown_at, clock) if c.shown_day == day else ""}
                     for c in active],
        "recent": _recent(counters.recent_calls(day, RECENT_CALLS * 2), names, clock)}
    if call is not None:
        item, counter = call
        state["call"] = {"number": item.number, "counter": counter.name,
                         "text": phrase(item.number, counter.name),
                         "audio": f"/display/voice/{counter.id}/{item.number}.wav"
                                  f"?office={office.office.id}", "id": call_id}
    return state


def _recent(calls, names: dict, clock) -> list[dict]:
    """The last :data:`RECENT_CALLS` calls, newest first; a number called again at the same
    counter is listed once (at its latest call)."""
    out, seen = [], set()
    for a in calls:
        if (a.number, a.counter_id) not in seen and len(out) < RECENT_CALLS:
            seen.add((a.number, a.counter_id))
            out.append({"number": a.number, "counter": names.get(a.counter_id, "?"),
                        "at": _local_hhmm(a.at, clock)})
    return out


def announce(office, item: Item, counter: CounterInfo) -> None:
    """Push the display state with this call to every open display of this process at once,
    and start making its WAV so the displays' requests find it ready (call from a worker
    thread). Other processes' displays get it from their look (:func:`office.feed.catch_up`)."""
    made = call_id(office.repo, item.id, counter.id)
    office.events.announced(made)
    office.events.publish(sse("state", display_state(office, (item, counter), call_id=made)))
    _voice_worker.submit(_warm, office.voice, item.number, counter.name)


def call_id(repo, item_id: int, counter_id: int) -> int | None:
    """The id of the newest call of queue item ``item_id`` at ``counter_id`` (None: none)."""
    with repo.sessions() as s:
        return s.scalar(select(func.max(CounterAction.id)).where(
            CounterAction.item_id == item_id, CounterAction.counter_id == counter_id,
            CounterAction.action.in_(CALL_ACTIONS)))


def _warm(voice, number: str, counter_name: str) -> None:
    try:
        voice.wav(number, counter_name)
    except OSError:  # the display's own request will report it
        pass
