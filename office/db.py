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

from sqlalchemy import and_, case, create_engine, event, func, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from .counter_repo import enqueue
from .counter_tables import QueueItem
from .tables import (AdminRecord, AdminUser, AuditEntry, AuditRecord, Base,  # noqa: F401
                     Checkin, Credential, Kiosk, MenuVersion, NowServing, PublishConflict,
                     SessionInfo, WebSession, utc_now_iso)

ROLES = ("admin", "staff", "kiosk")
#: A kiosk's "last seen" is written at most this often, in seconds.
TOUCH_EVERY_S = 5.0


def make_engine(url: str) -> Engine:
    """Engine for ``url``; creates the tables. SQLite gets WAL and a 10 s busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
    else:
        engine = create_engine(url, pool_pre_ping=True)
    Base.metadata.create_all(engine)
    for index in [*Checkin.__table__.indexes, *QueueItem.__table__.indexes]:
        index.create(engine, checkfirst=True)  # added to databases made before the index
    _upgrade_sessions(engine)
    return engine


def _upgrade_sessions(engine: Engine) -> None:
    """Sessions from before admin accounts lack ``csrf``: drop them (everyone logs in again)."""
    columns = {c["name"] for c in inspect(engine).get_columns("web_sessions")}
    if "csrf" not in columns:
        WebSession.__table__.drop(engine)
        WebSession.__table__.create(engine)


@dataclass(frozen=True)
class UpsertResult:
    """``accepted``: ids now held for this kiosk; ``refused``: ids held by another kiosk;
    ``conflicts``: this kiosk's ids (on the batch's days) whose number another kiosk also
    gave that day; ``clashes``: those numbers with the kiosks involved."""

    accepted: list
    refused: list
    conflicts: list = field(default_factory=list)
    clashes: list = field(default_factory=list)


@dataclass(frozen=True)
class Clash:
    """One ticket number given on ``office_day`` by several kiosks (``kiosks`` sorted):
    two residents hold the same number. Every ticket is stored; this is only the flag."""

    office_day: str
    number: str
    kiosks: tuple
    ids: tuple


class Repo:
    """The office server's domain verbs over one SQLAlchemy engine (thread-safe)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self._touched: dict[str, tuple[float, str]] = {}  # kiosk id -> (monotonic s, version)

    # -- credentials ---------------------------------------------------------
    def add_credential(self, token_hash: str, role: str, name: str, *, replace: bool = False):
        """Store a token hash for ``role``/``name``; ``replace`` drops that holder's old tokens."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        with self.sessions.begin() as s:
            if replace:
                for old in s.scalars(select(Credential).where(Credential.role == role,
                                                              Credential.name == name)):
                    s.delete(old)
            s.add(Credential(token_hash=token_hash, role=role, name=name))
            if role == "kiosk" and s.get(Kiosk, name) is None:
                s.add(Kiosk(id=name))

    def has_role(self, role: str) -> bool:
        with self.sessions() as s:
            return s.scalar(select(func.count()).select_from(Credential)
                            .where(Credential.role == role)) > 0

    def credential(self, token_hash: str) -> tuple[str, str, str] | None:
        """``(role, name, stored_hash)`` for a token hash, or None."""
        with self.sessions() as s:
            row = s.get(Credential, token_hash)
            return (row.role, row.name, row.token_hash) if row else None

    def add_web_session(self, id_hash: str, role: str, expires_at: str, *, name: str = "",
                        via: str = "token", csrf: str = ""):
        with self.sessions.begin() as s:
            s.add(WebSession(id_hash=id_hash, role=role, expires_at=expires_at, name=name,
                             via=via, csrf=csrf))

    def web_session(self, id_hash: str, now_iso: str) -> SessionInfo | None:
        """The live session with this id hash, or None (unknown or expired)."""
        with self.sessions() as s:
            row = s.get(WebSession, id_hash)
            if row is None or row.expires_at <= now_iso:
                return None
            return SessionInfo(row.role, row.name, row.via, row.csrf)

    def drop_web_session(self, id_hash: str):
        with self.sessions.begin() as s:
            row = s.get(WebSession, id_hash)
            if row:
                s.delete(row)

    def drop_admin_sessions(self, name: str):
        """End every browser session of admin account ``name`` (after a password change)."""
        with self.sessions.begin() as s:
            for row in s.scalars(select(WebSession).where(WebSession.via == "password",
                                                          WebSession.name == name)):
                s.delete(row)

    # -- admin accounts ------------------------------------------------------
    def set_admin(self, name: str, password_hash: str) -> bool:
        """Create admin ``name`` or replace its password (clears a lockout); True if created."""
        with self.sessions.begin() as s:
            row = s.get(AdminUser, name)
            created = row is None
            row = row or AdminUser(name=name)
            row.password_hash, row.failures, row.locked_until = password_hash, 0, None
            s.add(row)
        return created

    def admin(self, name: str) -> AdminRecord | None:
        with self.sessions() as s:
            row = s.get(AdminUser, name)
            return AdminRecord(row.name, row.password_hash, row.failures or 0,
                               row.locked_until) if row else None

    def admin_login_failed(self, name: str, lock_until) -> AdminRecord:
        """Count a failed login; ``lock_until(failures) -> ISO | None`` sets the lockout end."""
        with self.sessions.begin() as s:
            s.execute(update(AdminUser).where(AdminUser.name == name)
                      .values(failures=AdminUser.failures + 1))
            row = s.get(AdminUser, name, populate_existing=True)
            row.locked_until = lock_until(row.failures)
        return self.admin(name)

    def admin_login_ok(self, name: str, new_hash: str | None = None):
        """Reset the failure count; store ``new_hash`` when the hash parameters were renewed."""
        with self.sessions.begin() as s:
            row = s.get(AdminUser, name)
            row.failures, row.locked_until, row.last_login_at = 0, None, utc_now_iso()
            if new_hash:
                row.password_hash = new_hash

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
        """Insert tickets not held yet; a ticket id already held stays as it is.

        ``tickets`` are ``Ticket.to_dict()`` shapes, all of ``kiosk_id`` (the
        caller checks). Safe against concurrent retries of the same batch.
        """
        now = utc_now_iso()
        rows = [dict(id=t["id"], kiosk_id=kiosk_id, office_day=t["office_day"],
                     service_code=t["service_code"], queue=t["queue"], sequence=t["sequence"],
                     number=t["number"], issued_at=t["issued_at"], received_at=now,
                     payload=json.dumps(t, ensure_ascii=False, sort_keys=True))
                for t in tickets]
        ids = [r["id"] for r in rows]
        with self.sessions.begin() as s:
            if rows:
                insert = postgresql.insert if self.engine.dialect.name == "postgresql" else \
                    sqlite.insert
                s.execute(insert(Checkin).on_conflict_do_nothing(index_elements=["id"]), rows)
                enqueue(s, rows)  # into the counters' flow, same transaction
            owners = dict(s.execute(select(Checkin.id, Checkin.kiosk_id)
                                    .where(Checkin.id.in_(ids))).all()) if ids else {}
        accepted = [i for i in ids if owners.get(i) == kiosk_id]
        refused = [i for i in ids if owners.get(i) != kiosk_id]
        held = set(accepted)
        days = sorted({r["office_day"] for r in rows if r["id"] in held})
        clashes = self.clashes(days, kiosk_id=kiosk_id) if days else []
        conflicts = sorted({i for c in clashes for i in c.ids})
        return UpsertResult(accepted, refused, conflicts, clashes)

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
                                r.version_after, r.menu_id, r.note, json.loads(r.changes))
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
            row = s.get(NowServing, (office_day, queue)) or NowServing(office_day=office_day,
                                                                      queue=queue)
            row.sequence, row.updated_at = sequence, utc_now_iso()
            s.add(row)

    def now_serving(self, office_day: str) -> dict[str, int]:
        """``{"A": 12, ...}``: last called sequence per queue on ``office_day``."""
        with self.sessions() as s:
            return dict(s.execute(select(NowServing.queue, NowServing.sequence)
                                  .where(NowServing.office_day == office_day)).all())
