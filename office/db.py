"""Tables and repository verbs of the office server (SQLAlchemy 2.x).

SQLite file by default (``sqlite:///office.db``), PostgreSQL by URL
(``postgresql+psycopg://user@host/db``). Times are stored as ISO 8601 text
in UTC (``2026-11-29T01:02:03.456789+00:00``): portable and sortable.

Tokens are never stored: only their sha256 hex digest (:mod:`office.auth`).
Check-ins are keyed by the kiosk's ticket ``id`` (uuid4), so an upload retried
after a lost reply inserts nothing new (``INSERT ... ON CONFLICT DO NOTHING``).
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import (Integer, String, Text, create_engine, event, func, select)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

ROLES = ("admin", "staff", "kiosk")
#: A kiosk's "last seen" is written at most this often, in seconds.
TOUCH_EVERY_S = 5.0


def utc_now_iso() -> str:
    """Now, UTC, ISO 8601 with offset."""
    return datetime.now(timezone.utc).isoformat()


class Base(DeclarativeBase):
    pass


class Credential(Base):
    """A bearer token holder: the admin, a staff member, or a kiosk (name = kiosk id)."""

    __tablename__ = "credentials"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(8), index=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[str] = mapped_column(String(40), default=utc_now_iso)


class Kiosk(Base):
    __tablename__ = "kiosks"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[str] = mapped_column(String(40), default=utc_now_iso)
    last_seen_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    menu_version: Mapped[str] = mapped_column(String(120), default="")


class Checkin(Base):
    """One ticket as uploaded by its kiosk; ``payload`` is the full ``Ticket.to_dict()``."""

    __tablename__ = "checkins"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(32), index=True)
    office_day: Mapped[str] = mapped_column(String(10), index=True)
    service_code: Mapped[str] = mapped_column(String(32))
    queue: Mapped[str] = mapped_column(String(1))
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)


class MenuVersion(Base):
    __tablename__ = "menus"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[str] = mapped_column(String(120))
    etag: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)
    published_at: Mapped[str] = mapped_column(String(40), default=utc_now_iso)


class NowServing(Base):
    __tablename__ = "now_serving"
    office_day: Mapped[str] = mapped_column(String(10), primary_key=True)
    queue: Mapped[str] = mapped_column(String(1), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[str] = mapped_column(String(40), default=utc_now_iso)


class WebSession(Base):
    """A logged-in browser on the staff page; the cookie holds the raw id, we keep its hash."""

    __tablename__ = "web_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(8))
    expires_at: Mapped[str] = mapped_column(String(40))


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
    return engine


@dataclass(frozen=True)
class UpsertResult:
    """``accepted``: ids now held for this kiosk; ``refused``: ids held by another kiosk."""

    accepted: list
    refused: list


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

    def add_web_session(self, id_hash: str, role: str, expires_at: str):
        with self.sessions.begin() as s:
            s.add(WebSession(id_hash=id_hash, role=role, expires_at=expires_at))

    def web_session_role(self, id_hash: str, now_iso: str) -> str | None:
        with self.sessions() as s:
            row = s.get(WebSession, id_hash)
            return row.role if row and row.expires_at > now_iso else None

    def drop_web_session(self, id_hash: str):
        with self.sessions.begin() as s:
            row = s.get(WebSession, id_hash)
            if row:
                s.delete(row)

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
            owners = dict(s.execute(select(Checkin.id, Checkin.kiosk_id)
                                    .where(Checkin.id.in_(ids))).all()) if ids else {}
        accepted = [i for i in ids if owners.get(i) == kiosk_id]
        refused = [i for i in ids if owners.get(i) != kiosk_id]
        return UpsertResult(accepted, refused)

    def checkins_of_day(self, office_day: str) -> list[Checkin]:
        with self.sessions() as s:
            return list(s.scalars(select(Checkin).where(Checkin.office_day == office_day)
                                  .order_by(Checkin.queue, Checkin.issued_at)))

    def count_checkins(self) -> int:
        with self.sessions() as s:
            return s.scalar(select(func.count()).select_from(Checkin))

    # -- menu ----------------------------------------------------------------
    def publish_menu(self, version: str, etag: str, body: str) -> MenuVersion:
        """Store ``body`` as the menu in force; the same body as the current one adds nothing."""
        with self.sessions.begin() as s:
            current = self._current_menu(s)
            if current and current.etag == etag:
                return current
            row = MenuVersion(version=version, etag=etag, body=body)
            s.add(row)
            s.flush()
            return row

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
