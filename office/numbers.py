"""What the office server knows about one kiosk's numbers: its high-water mark per queue
and day, and numbers it gave twice.

* :func:`high_water` answers, in every upload reply, the highest sequence the
  server holds per queue for this kiosk and office day. A kiosk whose files
  were lost (a new disk, a deleted data folder) never issues at or below it
  (:meth:`kiosk.store.Store.raise_high_water`).
* :func:`repeats` finds a kiosk that sent the same number twice in one office
  day under different ticket ids: two residents hold one number because the
  kiosk lost its count. Every ticket is kept; this is only the flag, shown on
  the staff page and sent back to that kiosk (a staff alert there).

Both are derived from the ``checkins`` table; nothing is stored twice.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from .tables import Checkin

#: Most office days one reply reports a high-water mark for.
MAX_DAYS = 7


@dataclass(frozen=True)
class Repeat:
    """``number`` given by ``kiosk_id`` more than once on ``office_day`` (``ids`` sorted)."""

    office_day: str
    kiosk_id: str
    number: str
    ids: tuple


def high_water(repo, kiosk_id: str, office_days) -> dict[str, dict[str, int]]:
    """``{office_day: {queue: highest sequence held}}`` for ``kiosk_id`` on ``office_days``
    (at most :data:`MAX_DAYS`, latest first); days without tickets are left out."""
    days = sorted(set(office_days), reverse=True)[:MAX_DAYS]
    if not days:
        return {}
    query = (select(Checkin.office_day, Checkin.queue, func.max(Checkin.sequence))
             .where(Checkin.kiosk_id == kiosk_id, Checkin.office_day.in_(days))
             .group_by(Checkin.office_day, Checkin.queue))
    out: dict[str, dict[str, int]] = {}
    with repo.sessions() as s:
        for day, queue, seq in s.execute(query):
            out.setdefault(day, {})[queue] = int(seq)
    return out


def repeats(repo, office_days, kiosk_id: str | None = None) -> list[Repeat]:
    """Numbers a kiosk (``kiosk_id``, or any) gave more than once on ``office_days``."""
    days = [office_days] if isinstance(office_days, str) else list(office_days)
    if not days:
        return []
    twice = (select(Checkin.office_day, Checkin.kiosk_id, Checkin.number)
             .where(Checkin.office_day.in_(days))
             .group_by(Checkin.office_day, Checkin.kiosk_id, Checkin.number)
             .having(func.count(Checkin.id) > 1))
    if kiosk_id is not None:
        twice = twice.where(Checkin.kiosk_id == kiosk_id)
    twice = twice.subquery()
    query = (select(Checkin.office_day, Checkin.kiosk_id, Checkin.number, Checkin.id)
             .join(twice, (twice.c.office_day == Checkin.office_day)
                   & (twice.c.kiosk_id == Checkin.kiosk_id) & (twice.c.number == Checkin.number)))
    found: dict[tuple, list] = {}
    with repo.sessions() as s:
        for day, kiosk, number, ticket_id in s.execute(query):
            found.setdefault((day, kiosk, number), []).append(ticket_id)
    return [Repeat(day, kiosk, number, tuple(sorted(ids)))
            for (day, kiosk, number), ids in sorted(found.items())]


def repeat_warning(found: list[Repeat]) -> str | None:
    """Plain Indonesian (English gloss) for staff about ``found``, or None."""
    if not found:
        return None
    shown = ", ".join(f"{r.kiosk_id} {r.number} ({r.office_day})" for r in found[:5])
    more = f" dan {len(found) - 5} lainnya" if len(found) > 5 else ""
    return (f"Nomor berulang: kiosk memberi nomor yang sama dua kali pada hari yang sama "
            f"({shown}{more}); data kiosk mungkin hilang atau rusak. Panggil dengan nama, "
            f"periksa kiosk itu. (A kiosk gave the same number twice in a day; every ticket "
            f"is kept.)")
