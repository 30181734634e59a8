"""Tables of the counter (loket) side, in the style of :mod:`office.tables`, and the frozen
records :class:`office.counter_repo.CounterRepo` returns. Times are ISO 8601 text in UTC.

* ``staff_accounts``  loket staff: name, argon2 password hash, failed logins, lockout end
* ``counters``        a counter (loket): its name, the queues it serves (``"P,A"``, in that
  order of preference) and the number it shows on the waiting-room display
* ``queue_items``     one row per ticket in the counter flow (made when its check-in arrives,
  or by "call by number" before it does): state ``waiting | called | skipped | done``
* ``counter_actions`` every action at a counter: who, counter, ticket, what, when
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .tables import Base, office_column, utc_now_iso

WAITING, CALLED, SKIPPED, DONE = "waiting", "called", "skipped", "done"
STATES = (WAITING, CALLED, SKIPPED, DONE)


class StaffAccount(Base):
    """A loket staff account: argon2 hash, failed logins, lockout end (UTC ISO)."""

    __tablename__ = "staff_accounts"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[str | None] = mapped_column(String(40), nullable=True)
    active: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[str] = mapped_column(String(40), default=utc_now_iso)
    last_login_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    office_id: Mapped[int] = office_column()


class Counter(Base):
    """A counter (loket). ``queues``: prefix letters joined by commas; ``shown_*``: the number
    the display shows for it (the last one called there on ``shown_day``)."""

    __tablename__ = "counters"
    __table_args__ = (UniqueConstraint("office_id", "name", name="uq_counters_office_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(40))
    queues: Mapped[str] = mapped_column(String(80), default="")
    active: Mapped[int] = mapped_column(Integer, default=1)
    shown_number: Mapped[str] = mapped_column(String(16), default="")
    shown_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    shown_day: Mapped[str] = mapped_column(String(10), default="")
    created_at: Mapped[str] = mapped_column(String(40), default=utc_now_iso)
    office_id: Mapped[int] = office_column()


class QueueItem(Base):
    """One ticket in the counter flow. ``checkin_id`` is the kiosk ticket id (NULL for a
    "call by number" placeholder until its check-in arrives); ``issued_at`` is UTC ISO
    (sortable); ``counter_id`` the counter that called it last; ``target_counter_id`` the
    counter it was transferred to (it then waits only there)."""

    __tablename__ = "queue_items"
    __table_args__ = (
        Index("ix_queue_items_waiting", "office_day", "state", "queue", "issued_at"),
        Index("ix_queue_items_number", "office_day", "number"),
        Index("ix_queue_items_kiosk_state", "office_day", "kiosk_id", "queue", "state",
              "sequence"),
        Index("ix_queue_items_done", "office_day", "state", "done_at"),
        Index("ix_queue_items_called", "office_day", "queue", "called_at"),
        Index("ix_queue_items_target", "office_day", "state", "target_counter_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    checkin_id: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    #: ``office:day/number`` of a "call by number" placeholder (one per number, day, office)
    claim_key: Mapped[str | None] = mapped_column(String(40), unique=True, nullable=True)
    office_day: Mapped[str] = mapped_column(String(10))
    kiosk_id: Mapped[str] = mapped_column(String(32), default="")
    number: Mapped[str] = mapped_column(String(16))
    queue: Mapped[str] = mapped_column(String(1))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    service_code: Mapped[str] = mapped_column(String(32), default="")
    issued_at: Mapped[str] = mapped_column(String(40), default="")
    state: Mapped[str] = mapped_column(String(8), default=WAITING)
    counter_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    target_counter_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    first_called_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    called_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    done_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    calls: Mapped[int] = mapped_column(Integer, default=0)
    staff: Mapped[str] = mapped_column(String(32), default="")
    office_id: Mapped[int] = office_column()


class CounterAction(Base):
    """One action at a counter: ``action`` in call | recall | skip | transfer | done | call-number."""

    __tablename__ = "counter_actions"
    __table_args__ = (Index("ix_counter_actions_day", "office_day", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(40))
    office_day: Mapped[str] = mapped_column(String(10))
    staff: Mapped[str] = mapped_column(String(32))
    counter_id: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(120), default="")
    office_id: Mapped[int] = office_column()


@dataclass(frozen=True)
class CounterInfo:
    """A counter: ``queues`` a tuple of prefix letters in order of preference."""

    id: int
    name: str
    queues: tuple
    active: bool
    shown_number: str
    shown_at: str | None
    shown_day: str


@dataclass(frozen=True)
class Item:
    """A ticket in the counter flow (see :class:`QueueItem`); ``placeholder``: called by
    number before its check-in arrived."""

    id: int
    office_day: str
    number: str
    queue: str
    service_code: str
    kiosk_id: str
    sequence: int
    issued_at: str
    state: str
    counter_id: int | None
    target_counter_id: int | None
    called_at: str | None
    calls: int
    placeholder: bool

    @classmethod
    def of(cls, row: QueueItem) -> "Item":
        return cls(row.id, row.office_day, row.number, row.queue, row.service_code,
                   row.kiosk_id, row.sequence, row.issued_at, row.state, row.counter_id,
                   row.target_counter_id, row.called_at, row.calls, row.checkin_id is None)


@dataclass(frozen=True)
class ActionRecord:
    id: int
    at: str
    staff: str
    counter_id: int
    item_id: int
    number: str
    action: str
    detail: str
