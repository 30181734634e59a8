"""Repository verbs of the offices themselves (mixed into :class:`office.db.Repo`): list, read,
create and change offices, and the repository scoped to one of them (:meth:`for_office`)."""
from __future__ import annotations

import copy
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select

from .engine import Sessions
from .tables import Office


@dataclass(frozen=True)
class OfficeRecord:
    """An office: ``timezone`` an IANA name; ``retention_days`` None = the server's default."""

    id: int
    name: str
    address: str
    timezone: str
    retention_days: int | None

    @classmethod
    def of(cls, row: Office) -> "OfficeRecord":
        return cls(row.id, row.name, row.address, row.timezone, row.retention_days)


class OfficeError(ValueError):
    """An office that cannot be saved, in plain words (Indonesian, English in brackets)."""


def check_office(name: str, timezone: str, retention_days: int | None) -> tuple[str, str]:
    """``(name, timezone)`` cleaned; raises :class:`OfficeError` naming the field and fix."""
    name = " ".join((name or "").split())
    if not name or len(name) > 120:
        raise OfficeError("Nama kantor wajib diisi, paling banyak 120 huruf. (An office needs "
                          "a name of at most 120 characters.)")
    try:
        ZoneInfo((timezone or "").strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise OfficeError(f"Zona waktu '{timezone[:40]}' tidak dikenal; contoh: Asia/Jakarta, "
                          f"Asia/Pontianak, Asia/Makassar, Asia/Jayapura. (Unknown IANA time "
                          f"zone.)") from None
    if retention_days is not None and retention_days < 0:
        raise OfficeError("Lama simpan (hari) tidak boleh negatif. (Retention days cannot be "
                          "negative.)")
    return name, timezone.strip()


class OfficeRepo:
    """Needs ``self.sessions`` (:class:`office.engine.Sessions`) and ``self.engine``."""

    office_id: int | None = None

    def for_office(self, office_id: int):
        """This repository scoped to office ``office_id`` (:mod:`office.scope`): every query
        sees, and every row written goes to, that office only."""
        scoped = copy.copy(self)
        scoped.sessions, scoped.office_id = Sessions(self.engine, office_id), office_id
        return scoped

    def offices(self) -> list[OfficeRecord]:
        """Every office, oldest first (the first is the default one)."""
        with self.sessions() as s:
            return [OfficeRecord.of(r) for r in s.scalars(select(Office).order_by(Office.id))]

    def office(self, office_id: int | None) -> OfficeRecord | None:
        """Office ``office_id``; None (or an unknown id) gives None."""
        if office_id is None:
            return None
        with self.sessions() as s:
            row = s.get(Office, office_id)
            return OfficeRecord.of(row) if row else None

    def default_office(self) -> OfficeRecord:
        """The first office (made by the migration when there was none)."""
        with self.sessions() as s:
            return OfficeRecord.of(s.scalar(select(Office).order_by(Office.id).limit(1)))

    def count_offices(self) -> int:
        with self.sessions() as s:
            return s.scalar(select(func.count()).select_from(Office))

    def save_office(self, name: str, timezone: str, *, address: str = "",
                    retention_days: int | None = None, office_id: int | None = None,
                    actor: str = "cli") -> OfficeRecord:
        """Create an office, or change office ``office_id``; audited (``office-set``) with each
        field before and after. Raises :class:`OfficeError` (bad name, zone, retention or an
        unknown ``office_id``)."""
        name, timezone = check_office(name, timezone, retention_days)
        with self.sessions.begin() as s:
            row = s.get(Office, office_id) if office_id is not None else Office()
            if row is None:
                raise OfficeError(f"Kantor {office_id} tidak ada. (No office {office_id}.)")
            before = OfficeRecord.of(row) if office_id is not None else None
            row.name, row.timezone, row.address = name, timezone, (address or "").strip()[:200]
            row.retention_days = retention_days
            s.add(row)
            s.flush()
            after = OfficeRecord.of(row)
            changes = [{"what": f"office {row.id}", "field": f,
                        "before": getattr(before, f) if before else None,
                        "after": getattr(after, f)}
                       for f in ("name", "address", "timezone", "retention_days")
                       if before is None or getattr(before, f) != getattr(after, f)]
            self._audit(s, actor, "office-set", f"office {row.id} {name}: "
                        + ("created" if before is None else "changed"), changes,
                        office_id=row.id)
            return after
