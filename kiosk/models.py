"""Frozen records the core hands out: tickets and check-in results.

The dict shape of :class:`Ticket` (``to_dict``) is also the JSON the kiosk
uploads to the office server (``POST /api/v1/checkins``).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

PRINT_PENDING, PRINT_PRINTED, PRINT_FAILED = "pending", "printed", "failed"
PRINT_STATUSES = (PRINT_PENDING, PRINT_PRINTED, PRINT_FAILED)

#: The health rules a resident confirms, one tap each (DOMAIN.md, 3M).
HEALTH_RULES = ("mask", "handwash", "distance")


@dataclass(frozen=True)
class Ticket:
    """One queue ticket, as committed to disk.

    Fields:
        id: uuid4 hex string; the sync identity and idempotency key.
        kiosk_id: the issuing kiosk (kiosk.ini ``[kiosk] id``).
        office_day: ``YYYY-MM-DD`` in the office time zone.
        service_code: menu code, e.g. ``ktp-baru``.
        queue: queue prefix letter, e.g. ``A`` (shared by several services).
        sequence: 1-based position in that queue on that office day, per kiosk.
        number: what the resident sees and hears called, e.g. ``A001`` or ``A2-001``.
        issued_at: ISO 8601 with UTC offset, office time zone.
        language: ``id`` or ``en``.
        rules_confirmed: ((rule, ISO time confirmed), ...) for every HEALTH_RULES entry.
        print_status: pending | printed | failed.
        print_error: last print error in plain words, or "".
        synced_at: ISO 8601 time the office server confirmed it, or None.
        menu_version: version of the menu the ticket was issued under.
        service_names: ((language, name), ...) of the service when it was issued: a
            ticket keeps its service's name after the menu renames or deletes it (slips,
            reprints, staff lists). Stored as a list of pairs, like ``rules_confirmed``
            (no nested object: :func:`kiosk.store.dayfile.salvage` reads flat documents).
    """

    id: str
    kiosk_id: str
    office_day: str
    service_code: str
    queue: str
    sequence: int
    number: str
    issued_at: str
    language: str
    rules_confirmed: tuple = field(default_factory=tuple)
    print_status: str = PRINT_PENDING
    print_error: str = ""
    synced_at: str | None = None
    menu_version: str = ""
    service_names: tuple = field(default_factory=tuple)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["rules_confirmed"] = [list(pair) for pair in self.rules_confirmed]
        d["service_names"] = [list(pair) for pair in self.service_names]
        return d

    def service_name(self, lang: str = "id") -> str:
        """The service's name in ``lang`` (else Indonesian) as issued; the service code
        for a ticket from before names were kept."""
        names = dict(self.service_names)
        return names.get(lang) or names.get("id") or self.service_code

    @classmethod
    def from_dict(cls, d: dict) -> "Ticket":
        known = {f for f in cls.__dataclass_fields__}
        data = {k: v for k, v in d.items() if k in known}
        data["rules_confirmed"] = tuple(tuple(p) for p in d.get("rules_confirmed", ()))
        data["service_names"] = tuple(tuple(p) for p in d.get("service_names") or ())
        return cls(**data)

    def evolve(self, **changes) -> "Ticket":
        return replace(self, **changes)


@dataclass(frozen=True)
class CheckinResult:
    """What a finished check-in hands back to the screen.

    ``people_ahead``: tickets of the queue (every kiosk) before this one not called yet,
    from the office server's recent figures, or None when the kiosk has none;
    ``wait_min``: the estimated wait in whole minutes, or None when not available;
    ``position``: 1-based place among this kiosk's tickets of the queue today (what the
    slip says when people ahead are unknown). The rules: :mod:`kiosk.waits`.
    """

    ticket: Ticket
    people_ahead: int | None
    wait_min: int | None = None
    position: int | None = None
