"""Which office a request works in, and everything the pages and the API use for it.

:func:`here` gives the request's :class:`OfficeScope`: its office, the repository scoped to it
(:mod:`office.scope`), its clock (its own time zone: office day, display), counters, staff
accounts, figures, display broadcaster and settings (name and zone of the office). The office
comes from who is calling, never from what they ask for:

* a kiosk's, staff member's or office admin's token: the office it was issued for;
* a browser session: the office it works in (the login's office; a regency admin switches it
  on ``/admin/offices``);
* a regency admin's token (no office): the ``X-Office`` header (an office id), required once
  the server holds more than one office;
* nobody (the waiting-room display, login pages, health): ``?office=<id>``, else the first
  office.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from functools import partial

from fastapi import HTTPException, Request

from .counter_repo import CounterRepo, backfill
from .counter_stats import CounterStats
from .events import Broadcaster
from .feed import catch_up
from .office_repo import OfficeRecord
from .sessions import current_session
from .staff_repo import StaffRepo

#: Header a regency admin's API call names its office with.
OFFICE_HEADER = "X-Office"


@dataclass(frozen=True)
class OfficeScope:
    """One office's view of the server (see the module docstring)."""

    office: OfficeRecord
    repo: object
    clock: object
    counters: CounterRepo
    staff: StaffRepo
    stats: CounterStats
    events: Broadcaster
    voice: object
    settings: object


class Offices:
    """The :class:`OfficeScope` of every office, made on first use and kept (thread-safe);
    :meth:`forget` after an office is changed (new name or zone)."""

    def __init__(self, repo, settings, voice, clock_of):
        self.repo, self.settings, self.voice, self.clock_of = repo, settings, voice, clock_of
        self._lock = threading.Lock()
        self._scopes: dict[int, OfficeScope] = {}
        self._events: dict[int, Broadcaster] = {}

    def scope(self, office_id: int | None = None) -> OfficeScope:
        """Office ``office_id``'s scope (None: the first office); raises HTTPException 404
        for an office that does not exist."""
        if office_id is None:
            office_id = self.repo.default_office().id
        with self._lock:
            found = self._scopes.get(office_id)
        if found is not None:
            return found
        office = self.repo.office(office_id)
        if office is None:
            raise HTTPException(404, f"No office {office_id}.")
        repo = self.repo.for_office(office.id)
        clock = self.clock_of(office.timezone)
        settings = replace(self.settings, office_name=office.name, timezone=office.timezone,
                           retention_days=self.settings.retention_days
                           if office.retention_days is None else office.retention_days)
        with self._lock:
            events = self._events.get(office.id)
            if events is None:  # kept across forget/use_clock: open streams stay subscribed
                events = self._events[office.id] = Broadcaster(
                    watch=partial(self._catch_up, office.id))
            made = OfficeScope(office, repo, clock, CounterRepo(repo), StaffRepo(repo),
                               CounterStats(repo), events, self.voice, settings)
            return self._scopes.setdefault(office.id, made)

    def _catch_up(self, office_id: int) -> None:
        """The watch of office ``office_id``'s display streams (calls of other processes)."""
        catch_up(self.scope(office_id))

    def use_clock(self, clock=None, *, clock_of=None):
        """Every office on ``clock`` from now on, or on ``clock_of(zone)`` (tests: fixed
        clocks); returns ``clock``."""
        with self._lock:
            self.clock_of = clock_of or (lambda _zone: clock)
            self._scopes.clear()
        return clock

    def forget(self, office_id: int) -> None:
        with self._lock:
            self._scopes.pop(office_id, None)

    def all(self) -> list[OfficeScope]:
        return [self.scope(o.id) for o in self.repo.offices()]

    def backfill(self) -> None:
        """Each office's check-ins of its today that are not in the counters' flow yet."""
        for office in self.all():
            backfill(office.repo.sessions, office.clock.today())


def here(request: Request) -> OfficeScope:
    """The office the request works in (module docstring); cached on the request."""
    found = getattr(request.state, "office_scope", None)
    if found is not None:
        return found
    office_id = getattr(request.state, "office_id", None)
    if office_id is None:
        session = current_session(request)
        office_id = session.office_id if session is not None else None
    if office_id is None and not getattr(request.state, "authenticated", False):
        asked = request.query_params.get("office", "")
        office_id = int(asked) if asked.isdigit() and len(asked) < 10 else None
    scope = request.app.state.offices.scope(office_id)
    request.state.office_scope = scope
    return scope


def regency_office(request: Request) -> int:
    """The office a regency admin's API call names (``X-Office``); raises HTTPException 400
    when there are several offices and none is named, 404 for an unknown one."""
    repo = request.app.state.repo
    asked = request.headers.get(OFFICE_HEADER, "").strip()
    if asked:
        office = repo.office(int(asked)) if asked.isdigit() and len(asked) < 10 else None
        if office is None:
            raise HTTPException(404, f"{OFFICE_HEADER}: no office {asked[:20]!r}.")
        return office.id
    if repo.count_offices() > 1:
        raise HTTPException(400, f"A regency admin's token serves every office: name one in "
                                 f"the {OFFICE_HEADER} header (its id; see kiosk-office "
                                 f"offices).")
    return repo.default_office().id
