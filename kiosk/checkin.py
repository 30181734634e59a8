"""The one transaction a resident triggers: validate -> number -> commit -> jobs.

A :class:`Journey` is one resident's walk through the screens: language,
service, the health rules confirmed one tap at a time. :meth:`CheckinDesk.
check_in` turns it into exactly one committed ticket, however often or fast it
is called (tap storms, double taps, a retry from the screen): the journey
remembers its result under its own lock.

The journey keeps the menu it started with, so a menu update that arrives
mid-journey never changes what the resident is looking at; the next journey
sees the new menu.
"""
from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass, field
from .clock import OfficeClock
from .errors import CheckinError
from .menu import Menu, Service
from .models import HEALTH_RULES, CheckinResult
from . import schedule
from .waits import WaitBoard

log = logging.getLogger(__name__)


@dataclass
class Journey:
    """One resident's journey; mutated only through CheckinDesk and its own methods."""

    language: str
    menu: Menu
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    service_code: str | None = None
    priority: bool = False  # the resident chose the priority lane (lansia, disabilitas, hamil)
    confirmed: dict = field(default_factory=dict)  # rule -> ISO time of the tap
    result: CheckinResult | None = None
    jobs_started: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def service(self) -> Service | None:
        return self.menu.service(self.service_code) if self.service_code else None

    def all_confirmed(self) -> bool:
        return all(rule in self.confirmed for rule in HEALTH_RULES)

    @property
    def queue(self) -> str | None:
        """The queue the ticket will be drawn in: the priority lane when chosen and offered."""
        lane = self.menu.priority_queue() if self.priority else None
        if lane is not None:
            return lane.prefix
        return self.service.queue if self.service else None


class CheckinDesk:
    """Runs journeys against the store.

    Args:
        store: :class:`kiosk.store.Store`.
        menu_provider: zero-argument callable returning the menu in force.
        after_commit: callables ``f(result, service, menu)`` run after each new
            ticket is durable (print job, sync poke); their errors are logged,
            the ticket stays valid.
        waits: :class:`kiosk.waits.WaitBoard` with the office server's figures (default:
            one on ``store`` with none recorded yet).
        clock: the office clock (:class:`kiosk.clock.OfficeClock`; a plain callable is
            wrapped in the store's zone); default the store's own (``store.clock``).
    """

    def __init__(self, store, menu_provider, after_commit=(), waits=None, clock=None):
        self.store, self.menu_provider = store, menu_provider
        self.clock = store.clock if clock is None else OfficeClock.wrap(clock, store.clock.tz)
        self.after_commit = list(after_commit)
        self.waits = waits or WaitBoard(store, clock=self.clock)

    def begin(self, language: str) -> Journey:
        """Start a journey in ``language`` with the menu in force now."""
        return Journey(language=language, menu=self.menu_provider())

    def availability(self, journey: Journey, service: Service):
        """:class:`kiosk.schedule.Availability` of ``service`` right now (hours and quota)."""
        now = self.clock.local()
        quota = schedule.quota_now(service, now)
        used = self.store.quota_used(service.code, quota) if quota else 0
        return schedule.availability(journey.menu, service, now, used)

    def select_service(self, journey: Journey, code: str) -> Service:
        """Choose a service; raises CheckinError(reason=closed|quota|unknown) if not available.

        Hours are checked here, when the resident chooses: a resident who
        chose while open still gets a ticket if closing time passes mid-journey.
        """
        try:
            service = journey.menu.service(code)
        except KeyError:
            raise CheckinError(f"unknown service {code!r}", reason="unknown") from None
        if not service.enabled:
            raise CheckinError(f"service {code} is not offered now", reason="closed")
        avail = self.availability(journey, service)
        if not avail.open:
            raise CheckinError(f"service {code} is {avail.reason}", reason=avail.reason)
        journey.service_code = code
        journey.confirmed.clear()
        return service

    def closing_warning(self, journey: Journey) -> str | None:
        """``"15:00"`` when the resident's turn, if they took a number now, is expected
        after the chosen service closes (:mod:`kiosk.waits`); None otherwise or unknown."""
        service = journey.service
        if service is None:
            return None
        return self.waits.estimate(journey.menu, service, journey.queue).closes

    def confirm_rule(self, journey: Journey, rule: str) -> None:
        """Record the resident's tap confirming one health rule (HEALTH_RULES)."""
        if rule not in HEALTH_RULES:
            raise ValueError(rule)
        journey.confirmed.setdefault(rule, self.clock.local()
                                     .isoformat(timespec="seconds"))

    def check_in(self, journey: Journey, run_jobs: bool = True) -> CheckinResult:
        """Issue the journey's ticket (once) and start its print and sync jobs.

        Blocking (one fsynced write): call it off the UI thread. Returns the same
        CheckinResult on every call for the same journey. With ``run_jobs=False``
        the caller runs :meth:`run_jobs` itself (once the number is on screen). Raises CheckinError
        (reason: no_service | rules | quota) or StoreError (nothing issued).
        """
        with journey._lock:
            if journey.result is not None:
                return journey.result
            service = journey.service
            if service is None:
                raise CheckinError("no service chosen", reason="no_service")
            if not journey.all_confirmed():
                raise CheckinError("health rules not all confirmed", reason="rules")
            quota = schedule.quota_now(service, self.clock.local())
            ticket = self.store.issue_ticket(
                service_code=service.code, queue=journey.queue, language=journey.language,
                rules_confirmed=[(r, journey.confirmed[r]) for r in HEALTH_RULES],
                menu_version=journey.menu.version, daily_quota=quota,
                service_names=tuple(service.names.model_dump(exclude_none=True).items()))
            est = self.waits.estimate(journey.menu, service, ticket.queue, ticket.sequence)
            result = CheckinResult(ticket=ticket, people_ahead=est.people_ahead,
                                   wait_min=est.wait_min, position=est.position)
            journey.result = result
        if run_jobs:
            self.run_jobs(journey)
        return result

    def run_jobs(self, journey: Journey) -> None:
        """Run the after-commit jobs (slip rendering and print, sync poke) of the journey's
        ticket, once. The screens call it after showing the number, so the resident does
        not wait for the slip to be laid out."""
        with journey._lock:
            if journey.result is None or journey.jobs_started:
                return
            journey.jobs_started = True
        result, service = journey.result, journey.service
        for job in self.after_commit:
            try:
                job(result, service, journey.menu)
            except Exception:  # a job failing must never cost the resident the ticket
                log.exception("after-commit job %r failed for %s", job, result.ticket.number)
