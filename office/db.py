"""Repository verbs of the office server over SQLAlchemy 2.x (tables: :mod:`office.tables`).

SQLite file by default (``sqlite:///office.db``), PostgreSQL by URL
(``postgresql+psycopg://user@host/db``). Times are stored as ISO 8601 text
in UTC (``2026-11-29T01:02:03.456789+00:00``): portable and sortable.

Tokens are never stored: only their sha256 hex digest (:mod:`office.auth`);
admin passwords only as argon2 hashes (:mod:`office.admins`). Every menu
publication writes an ``audit_log`` row in the same transaction.
Check-ins are keyed by the kiosk's ticket ``id`` (uuid4), so an upload retried
after a lost reply inserts nothing new (``INSERT ... ON CONFLICT DO NOTHING``).
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from .access import ROLES, AccessRepo, credential_fingerprint  # noqa: F401
from .counter_repo import enqueue
from .engine import Sessions, make_engine  # noqa: F401
from .office_repo import OfficeRepo
from . import scope  # noqa: F401  (the office filters on every session)
from .counter_tables import QueueItem
from .tables import (AdminRecord, AdminUser, AuditEntry, AuditRecord, Base,  # noqa: F401
                     Checkin, Credential, Kiosk, LoginThrottle, MenuVersion, NowServing,
                     PublishConflict, SessionInfo, WebSession, utc_now_iso)

#: Ticket fields fixed when the kiosk issued it: a resent ticket must carry the same values.
FIXED_FIELDS = ("kiosk_id", "office_day", "service_code", "queue", "sequence", "number",
                "issued_at", "language", "rules_confirmed", "menu_version")
#: The kiosk's print state of a ticket: a resent ticket may bring newer values (stored).
PRINT_FIELDS = ("print_status", "print_error")
#: A kiosk's "last seen" is written at most this often, in seconds.
TOUCH_EVERY_S = 5.0


@dataclass(frozen=True)
class UpsertResult:
    """``accepted``: ids now held for this kiosk; ``refused``: ids held by another kiosk;
    ``conflicts``: this kiosk's ids (on the batch's days) whose number another kiosk also
    gave that day; ``clashes``: those numbers with the kiosks involved."""

    accepted: list
    refused: list
    conflicts: list = field(default_factory=list)
    clashes: list = field(default_factory=list)


class TicketChanged(Exception):
    """Held tickets resent with other content; ``changes`` is
    ``[{"id": ..., "field": ..., "stored": ..., "sent": ...}, ...]``."""

    def __init__(self, changes: list[dict]):
        super().__init__(f"{len({c['id'] for c in changes})} ticket(s) changed under a held id")
        self.changes = changes


@dataclass(frozen=True)
class Clash:
    """One ticket number given on ``office_day`` by several kiosks (``kiosks`` sorted):
    two residents hold the same number. Every ticket is stored; this is only the flag."""

    office_day: str
    number: str
    kiosks: tuple
    ids: tuple


class Repo(OfficeRepo, AccessRepo):
    """The office server's domain verbs over one SQLAlchemy engine (thread-safe); who may
    do what (tokens, sessions, admin accounts, login throttle, audit) is :class:`AccessRepo`,
    the offices :class:`OfficeRepo`. ``Repo(engine)`` sees every office (the regency);
    :meth:`~OfficeRepo.for_office` gives the one of one office, which the pages and the API
    use (:mod:`office.offices`)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.sessions = Sessions(engine)
        self._touched: dict[str, tuple[float, str]] = {}  # kiosk id -> (monotonic s, version)

    # -- kiosks --------------------------------------------------------------
    def touch_kiosk(self, kiosk_id: str, menu_version: str | None = None):
        """Record that ``kiosk_id`` was seen now, and the menu version it runs (if told).

        Written at most every :data:`TOUCH_EVERY_S` seconds per kiosk unless the
        menu version changes (a draining kiosk makes many requests a second).
        """
        now = time.monotonic()
        last = self._touched.get(kiosk_id)
        if last and now - last[0] < TOUCH_EVERY_S and menu_version in (None, "", last[1]):
            return
        self._touched[kiosk_id] = (now, menu_version or (last[1] if last else ""))
        with self.sessions.begin() as s:
            row = s.get(Kiosk, kiosk_id) or Kiosk(id=kiosk_id)
            row.last_seen_at = utc_now_iso()
            if menu_version:
                row.menu_version = menu_version[:120]
            s.add(row)

    def kiosks(self) -> list[Kiosk]:
        with self.sessions() as s:
            return list(s.scalars(select(Kiosk).order_by(Kiosk.id)))

    # -- check-ins -----------------------------------------------------------
    def upsert_checkins(self, kiosk_id: str, tickets: list[dict]) -> UpsertResult:
        """Insert tickets not held yet; a ticket id already held keeps its content.

        ``tickets`` are ``Ticket.to_dict()`` shapes, all of ``kiosk_id`` (the
        caller checks). Safe against concurrent retries of the same batch. A ticket
        resent with its print state changed (``print_status``, ``print_error``)
        updates the stored copy. Raises :class:`TicketChanged` (nothing of the batch
        stored) when a held ticket of this kiosk comes back with any of
        :data:`FIXED_FIELDS` changed: one id cannot name two check-ins.
        """
        now = utc_now_iso()
        rows = [dict(id=t["id"], kiosk_id=kiosk_id, office_day=t["office_day"],
                     service_code=t["service_code"], queue=t["queue"], sequence=t["sequence"],
                     number=t["number"], issued_at=t["issued_at"], received_at=now,
                     payload=json.dumps(t, ensure_ascii=False, sort_keys=True))
                for t in tickets]
        ids = [r["id"] for r in rows]
        with self.sessions.begin() as s:
            inserted: set = set()
            if rows:
                insert = postgresql.insert if self.engine.dialect.name == "postgresql" else \
                    sqlite.insert
                inserted = set(s.scalars(
                    insert(Checkin).on_conflict_do_nothing(index_elements=["id"])
                    .returning(Checkin.id), rows))
                enqueue(s, rows)  # into the counters' flow, same transaction
            owners = dict(s.execute(select(Checkin.id, Checkin.kiosk_id)
                                    .where(Checkin.id.in_(ids))).all()) if ids else {}
            resent = [t for t in tickets if t["id"] not in inserted
                      and owners.get(t["id"]) == kiosk_id]
            if resent:
                self._check_resent(s, resent)
        accepted = [i for i in ids if owners.get(i) == kiosk_id]
        refused = [i for i in ids if owners.get(i) != kiosk_id]
        held = set(accepted)
        days = sorted({r["office_day"] for r in rows if r["id"] in held})
        clashes = self.clashes(days, kiosk_id=kiosk_id) if days else []
        conflicts = sorted({i for c in clashes for i in c.ids})
        return UpsertResult(accepted, refused, conflicts, clashes)

    @staticmethod
    def _check_resent(s: Session, resent: list[dict]):
        """Compare resent tickets with the stored copies (in the upload's transaction)."""
        sent = {t["id"]: t for t in resent}
        changes = []
        for row in s.scalars(select(Checkin).where(Checkin.id.in_(list(sent)))):
            stored, new = json.loads(row.payload), sent[row.id]
            changes += [{"id": row.id, "field": f, "stored": stored[f], "sent": new.get(f)}
                        for f in FIXED_FIELDS if f in stored and stored[f] != new.get(f)]
            if not changes and any(stored.get(f) != new.get(f) for f in PRINT_FIELDS):
                stored.update({f: new.get(f) for f in PRINT_FIELDS})
                row.payload = json.dumps(stored, ensure_ascii=False, sort_keys=True)
        if changes:
            raise TicketChanged(changes)

    def clashes(self, office_days, kiosk_id: str | None = None) -> list[Clash]:
        """Numbers given by more than one kiosk on ``office_days`` (a derived flag: nothing
        is stored twice or dropped). With ``kiosk_id``, only numbers that kiosk gave, and
        ``ids`` are that kiosk's tickets; else ``ids`` are all tickets of the number."""
        days = [office_days] if isinstance(office_days, str) else list(office_days)
        doubled = (select(Checkin.office_day, Checkin.number)
                   .where(Checkin.office_day.in_(days))
                   .group_by(Checkin.office_day, Checkin.number)
                   .having(func.count(Checkin.kiosk_id.distinct()) > 1))
        if kiosk_id is not None:
            doubled = doubled.having(
                func.sum(case((Checkin.kiosk_id == kiosk_id, 1), else_=0)) > 0)
        doubled = doubled.subquery()
        query = (select(Checkin.office_day, Checkin.number, Checkin.id, Checkin.kiosk_id)
                 .join(doubled, and_(doubled.c.office_day == Checkin.office_day,
                                     doubled.c.number == Checkin.number)))
        found: dict[tuple, tuple[set, set]] = {}
        with self.sessions() as s:
            for day, number, ticket_id, holder in s.execute(query):
                kiosks, ids = found.setdefault((day, number), (set(), set()))
                kiosks.add(holder)
                if kiosk_id is None or holder == kiosk_id:
                    ids.add(ticket_id)
        return [Clash(day, number, tuple(sorted(k)), tuple(sorted(i)))
                for (day, number), (k, i) in sorted(found.items())]

    def checkins_of_day(self, office_day: str) -> list[Checkin]:
        with self.sessions() as s:
            return list(s.scalars(select(Checkin).where(Checkin.office_day == office_day)
                                  .order_by(Checkin.queue, Checkin.issued_at)))

    def checkins_page(self, office_day: str, *, queue: str | None = None,
                      kiosk_id: str | None = None, offset: int = 0, limit: int = 100
                      ) -> tuple[list[Checkin], int]:
        """One page of ``office_day``'s check-ins, newest first, optionally of one ``queue``
        and/or one kiosk: ``(rows, total matching)``."""
        where = [Checkin.office_day == office_day]
        if queue:
            where.append(Checkin.queue == queue)
        if kiosk_id:
            where.append(Checkin.kiosk_id == kiosk_id)
        with self.sessions() as s:
            total = s.scalar(select(func.count()).select_from(Checkin).where(*where))
            rows = list(s.scalars(select(Checkin).where(*where)
                                  .order_by(Checkin.issued_at.desc(), Checkin.id)
                                  .offset(offset).limit(limit)))
        return rows, total

    def checkin_counts(self, office_day: str) -> dict[str, dict[str, int]]:
        """``{"service": {code: n}, "queue": {letter: n}, "kiosk": {id: n}}`` on ``office_day``."""
        out: dict[str, dict[str, int]] = {"service": {}, "queue": {}, "kiosk": {}}
        with self.sessions() as s:
            for code, queue, kiosk, n in s.execute(
                    select(Checkin.service_code, Checkin.queue, Checkin.kiosk_id, func.count())
                    .where(Checkin.office_day == office_day)
                    .group_by(Checkin.service_code, Checkin.queue, Checkin.kiosk_id)):
                for kind, key in (("service", code), ("queue", queue), ("kiosk", kiosk)):
                    out[kind][key] = out[kind].get(key, 0) + n
        return out

    def purge_before(self, first_kept_day: str, *, actor: str, note: str = "") -> dict:
        """Delete check-ins, their counter queue items and "now serving" rows of office days
        before ``first_kept_day`` (the counters' action log stays, as the audit does),
        expired browser sessions and login-throttle rows idle for a day, in one transaction
        with an audit entry (``retention``) when anything went. Returns the counts."""
        stale = (datetime.now(timezone.utc) - timedelta(days=1)).isoformat()
        with self.sessions.begin() as s:
            counts = {
                "checkins": s.execute(delete(Checkin).where(
                    Checkin.office_day < first_kept_day)).rowcount,
                "now_serving": s.execute(delete(NowServing).where(
                    NowServing.office_day < first_kept_day)).rowcount,
                "queue_items": s.execute(delete(QueueItem).where(
                    QueueItem.office_day < first_kept_day)).rowcount,
                "web_sessions": s.execute(delete(WebSession).where(
                    WebSession.expires_at < utc_now_iso())).rowcount,
                "login_throttle": s.execute(delete(LoginThrottle).where(
                    LoginThrottle.updated_at < stale)).rowcount}
            if counts["checkins"] or counts["now_serving"]:
                self._audit(s, actor, "retention",
                            f"{counts['checkins']} check-ins before {first_kept_day} deleted"
                            + (f" ({note})" if note else ""),
                            [{"what": "checkins", "field": "deleted", "before": None,
                              "after": counts["checkins"]}])
        return counts

    def count_checkins(self) -> int:
        with self.sessions() as s:
            return s.scalar(select(func.count()).select_from(Checkin))

    # -- menu ----------------------------------------------------------------
    def publish_menu(self, version: str, etag: str, body: str, *, actor: str = "",
                     action: str = "api", note: str = "", describe=None,
                     base_id: int | None = None) -> tuple[MenuVersion, bool]:
        """Store ``body`` as the menu in force, with its audit entry, in one transaction.

        ``describe(old_body | None) -> list[dict]`` gives the field-level changes
        (:func:`kiosk.menus.diff_menus`). Returns ``(row, created)``; the same body
        as the current one adds nothing (``created`` False). Raises
        :class:`PublishConflict` when ``base_id`` is given and no longer current.
        """
        with self.sessions.begin() as s:
            current = self._current_menu(s)
            if base_id is not None and (current.id if current else 0) != base_id:
                raise PublishConflict(current.version if current else "-")
            if current and current.etag == etag:
                return current, False
            row = MenuVersion(version=version, etag=etag, body=body)
            s.add(row)
            s.flush()
            changes = describe(current.body if current else None) if describe else []
            s.add(AuditEntry(actor=actor[:64], action=action, note=note[:200],
                             version_before=current.version if current else "",
                             version_after=version, menu_id=row.id,
                             changes=json.dumps(changes[:300], ensure_ascii=False,
                                                default=str)))
            return row, True

    def version_used(self, version: str) -> bool:
        """Whether any menu was ever published under ``version``."""
        with self.sessions() as s:
            return s.scalar(select(func.count()).select_from(MenuVersion)
                            .where(MenuVersion.version == version)) > 0

    def menu_by_id(self, menu_id: int) -> MenuVersion | None:
        with self.sessions() as s:
            return s.get(MenuVersion, menu_id)

    def menu_versions(self, limit: int = 100) -> list[MenuVersion]:
        """Published menus, newest first (bodies included; a menu is a few kB)."""
        with self.sessions() as s:
            return list(s.scalars(select(MenuVersion).order_by(MenuVersion.id.desc())
                                  .limit(limit)))

    def audit_entries(self, limit: int = 200) -> list[AuditRecord]:
        """Audit log, newest first."""
        with self.sessions() as s:
            rows = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))
            return [AuditRecord(r.id, r.at, r.actor, r.action, r.version_before,
                                r.version_after, r.menu_id, r.note, json.loads(r.changes),
                                r.office_id)
                    for r in rows]

    def current_menu(self) -> MenuVersion | None:
        with self.sessions() as s:
            return self._current_menu(s)

    @staticmethod
    def _current_menu(s: Session):
        return s.scalar(select(MenuVersion).order_by(MenuVersion.id.desc()).limit(1))

    # -- now serving ---------------------------------------------------------
    def set_now_serving(self, office_day: str, queue: str, sequence: int):
        with self.sessions.begin() as s:
            row = s.get(NowServing, (self.office_id, office_day, queue)) or \
                NowServing(office_day=office_day, queue=queue)
            row.sequence, row.updated_at = sequence, utc_now_iso()
            s.add(row)

    def now_serving(self, office_day: str) -> dict[str, int]:
        """``{"A": 12, ...}``: last called sequence per queue on ``office_day``."""
        with self.sessions() as s:
            return dict(s.execute(select(NowServing.queue, NowServing.sequence)
                                  .where(NowServing.office_day == office_day)).all())
