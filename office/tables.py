"""The office server's tables (SQLAlchemy 2.x declarative) and the frozen records
:class:`office.db.Repo` returns. Times are ISO 8601 text in UTC."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utc_now_iso() -> str:
    """Now, UTC, ISO 8601 with offset."""
    return datetime.now(timezone.utc).isoformat()


class Base(DeclarativeBase):
    pass


class Office(Base):
    """One office (a Dukcapil main office or a sub-district service point): its name and
    address as shown, its IANA time zone (its office day and display), and how many office
    days of check-ins it keeps (None: the server's ``--retention-days``)."""

    __tablename__ = "offices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Pontianak")
    retention_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[str] = mapped_column(String(40), default=utc_now_iso)


def office_column(nullable: bool = False):
    """``office_id``: the office a row belongs to (:mod:`office.scope` fills it in and filters
    on it); nullable only where None means "the whole regency" (regency admins)."""
    return mapped_column(Integer, nullable=nullable, index=True)


class Credential(Base):
    """A bearer token holder: the admin, a staff member, or a kiosk (name = kiosk id).
    ``office_id`` None: a regency admin's token (every office)."""

    __tablename__ = "credentials"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(8), index=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[str] = mapped_column(String(40), default=utc_now_iso)
    office_id: Mapped[int | None] = office_column(nullable=True)


class Kiosk(Base):
    """A kiosk; its id is unique across the regency (one token binds it to one office)."""

    __tablename__ = "kiosks"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[str] = mapped_column(String(40), default=utc_now_iso)
    last_seen_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    menu_version: Mapped[str] = mapped_column(String(120), default="")
    office_id: Mapped[int] = office_column()


class Checkin(Base):
    """One ticket as uploaded by its kiosk; ``payload`` is the full ``Ticket.to_dict()``."""

    __tablename__ = "checkins"
    #: finds numbers given twice on a day (:meth:`office.db.Repo.clashes`); pages the
    #: staff page, newest first (:meth:`office.db.Repo.checkins_page`)
    __table_args__ = (Index("ix_checkins_day_number", "office_day", "number"),
                      Index("ix_checkins_day_issued", "office_day", "issued_at"))
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
    office_id: Mapped[int] = office_column()


class MenuVersion(Base):
    __tablename__ = "menus"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[str] = mapped_column(String(120))
    etag: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)
    published_at: Mapped[str] = mapped_column(String(40), default=utc_now_iso)
    office_id: Mapped[int] = office_column()


class NowServing(Base):
    __tablename__ = "now_serving"
    office_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_day: Mapped[str] = mapped_column(String(10), primary_key=True)
    queue: Mapped[str] = mapped_column(String(1), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[str] = mapped_column(String(40), default=utc_now_iso)


class WebSession(Base):
    """A logged-in browser; the cookie holds the raw id, we keep its hash.

    ``via`` is ``token`` (staff page login) or ``password`` (an admin account,
    which alone may edit the menu); ``csrf`` is the token every POST form carries;
    ``credential`` binds it to the token or password that opened it.
    """

    __tablename__ = "web_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(8))
    expires_at: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(64), default="")
    via: Mapped[str] = mapped_column(String(8), default="token")
    csrf: Mapped[str] = mapped_column(String(64), default="")
    #: the credential that opened it (:func:`office.access.credential_fingerprint`)
    credential: Mapped[str] = mapped_column(String(64), default="")
    #: the office the session works in (a regency admin may switch it)
    office_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class AdminUser(Base):
    """An admin account of the menu pages: argon2 hash, failed logins, lockout end (UTC ISO)."""

    __tablename__ = "admin_users"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[str] = mapped_column(String(40), default=utc_now_iso)
    last_login_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    #: None: a regency admin (every office)
    office_id: Mapped[int | None] = office_column(nullable=True)


class LoginThrottle(Base):
    """Failed logins in a row from one client address and the end of its lock (UTC ISO)."""

    __tablename__ = "login_throttle"
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[str | None] = mapped_column(String(40), nullable=True)
    updated_at: Mapped[str] = mapped_column(String(40), default=utc_now_iso)


class AuditEntry(Base):
    """One change: who, when, what (``action``: a menu publication with its versions, or
    ``token-add``, ``token-revoke``, ``admin-set``, ``login-lock``, ...), a note, and the
    field-level ``changes`` (JSON list)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(40), default=utc_now_iso, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    version_before: Mapped[str] = mapped_column(String(120), default="")
    version_after: Mapped[str] = mapped_column(String(120))
    menu_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    changes: Mapped[str] = mapped_column(Text, default="[]")
    office_id: Mapped[int | None] = office_column(nullable=True)


@dataclass(frozen=True)
class SessionInfo:
    """A live browser session: ``role`` admin | staff, ``name``, ``via`` token | password;
    ``office_id`` the office it works in, ``regency`` whether it may switch to any office."""

    role: str
    name: str
    via: str
    csrf: str
    office_id: int | None = None
    regency: bool = False


@dataclass(frozen=True)
class AdminRecord:
    name: str
    password_hash: str
    failures: int
    locked_until: str | None
    office_id: int | None = None


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: str
    actor: str
    action: str
    version_before: str
    version_after: str
    menu_id: int | None
    note: str
    changes: list
    office_id: int | None = None


class PublishConflict(Exception):
    """The menu in force changed since the editor was opened; ``current`` is its version."""

    def __init__(self, current: str):
        super().__init__(f"menu changed meanwhile; now {current}")
        self.current = current
