"""Who may do what on the office server: tokens, browser sessions, admin accounts, the login
throttle per client address, and the audit log of every change to them.

Tokens are stored only as sha256 digests (:mod:`office.auth`), admin passwords only as
argon2 hashes (:mod:`office.admins`). A browser session remembers the credential that
opened it (:func:`credential_fingerprint`): the token's digest for a token login, a digest
of the account's password hash for an admin or staff account login. The session ends as
soon as that credential is revoked or replaced (or the staff account switched off). Mixed into :class:`office.db.Repo`.
"""
from __future__ import annotations

import hashlib
import json

from sqlalchemy import delete, func, select, update

from .counter_tables import StaffAccount
from .tables import (AdminRecord, AdminUser, AuditEntry, Credential, Kiosk, LoginThrottle,
                     SessionInfo, WebSession, utc_now_iso)

ROLES = ("admin", "staff", "kiosk")


def credential_fingerprint(password_hash: str) -> str:
    """What a password session is bound to: sha256 hex of the account's password hash (a new
    password, or new hash parameters, give a new fingerprint)."""
    return hashlib.sha256(("pw:" + password_hash).encode("utf-8")).hexdigest()


class AccessRepo:
    """Repository verbs of credentials, sessions, admin accounts, the throttle and the audit
    log; needs ``self.sessions`` (a sessionmaker), given by :class:`office.db.Repo`."""

    # -- audit ---------------------------------------------------------------
    @staticmethod
    def _audit(s, actor: str, action: str, note: str, changes=(), office_id: int | None = None):
        """An audit entry in session ``s``: of ``office_id``, else of the session's office
        (:mod:`office.scope`), else of the regency (None)."""
        s.add(AuditEntry(actor=actor[:64], action=action[:16], note=note[:200],
                         version_before="", version_after="", office_id=office_id,
                         changes=json.dumps(list(changes)[:300], ensure_ascii=False,
                                            default=str)))

    def audit(self, actor: str, action: str, note: str, changes=()):
        """Write one audit entry (who, what, a note, field-level ``changes``) on its own."""
        with self.sessions.begin() as s:
            self._audit(s, actor, action, note, changes)

    # -- credentials ---------------------------------------------------------
    def add_credential(self, token_hash: str, role: str, name: str, *, replace: bool = False,
                       actor: str = "cli", office_id: int | None = -1):
        """Store a token hash for ``role``/``name`` of office ``office_id`` (default: this
        repository's office, else the first office; None only for a regency admin's token);
        ``replace`` drops that holder's old tokens (their browser sessions end with them).
        Audited as ``token-add``. Raises ValueError for an unknown role, a kiosk or staff
        token without an office, or a kiosk id already used in another office."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        if office_id == -1:
            office_id = self.office_id or self.default_office().id
        if office_id is None and role != "admin":
            raise ValueError(f"a {role} token belongs to one office")
        with self.sessions.begin() as s:
            if role == "kiosk":
                kiosk = s.execute(select(Kiosk).where(Kiosk.id == name)
                                  .execution_options(all_offices=True)).scalar()
                if kiosk is not None and kiosk.office_id != office_id:
                    raise ValueError(f"kiosk {name} belongs to office {kiosk.office_id}; kiosk "
                                     f"ids are unique in the regency: pick another id")
            dropped = 0
            if replace:  # that holder's tokens of the same office (or of the regency)
                dropped = s.execute(delete(Credential).where(
                    Credential.role == role, Credential.name == name,
                    Credential.office_id.is_(None) if office_id is None
                    else Credential.office_id == office_id)).rowcount
            s.add(Credential(token_hash=token_hash, role=role, name=name, office_id=office_id))
            if role == "kiosk" and kiosk is None:
                s.add(Kiosk(id=name, office_id=office_id))
            self._audit(s, actor, "token-add", f"{role} {name}: new token"
                        + (f", {dropped} old token(s) revoked" if dropped else ""),
                        office_id=office_id)

    def revoke_credentials(self, role: str, name: str, *, actor: str = "cli") -> int:
        """Revoke every token of ``role``/``name`` (of this repository's office when it is
        scoped); returns how many. Browser sessions opened with them end; a kiosk gets 401 on
        its next sync. Audited as ``token-revoke``."""
        held = [Credential.role == role, Credential.name == name]
        if self.office_id is not None:  # a scoped repository revokes in its office only
            held.append(Credential.office_id == self.office_id)
        with self.sessions.begin() as s:
            office = s.scalar(select(Credential.office_id).where(*held).limit(1))
            count = s.execute(delete(Credential).where(*held)).rowcount
            if count:
                self._audit(s, actor, "token-revoke", f"{role} {name}: {count} token(s) revoked",
                            office_id=office)
        return count

    def credential_holders(self) -> list[tuple[str, str, int, str, int | None]]:
        """``[(role, name, tokens, newest created_at, office_id), ...]`` sorted by role and
        name (office_id None: a regency admin's)."""
        with self.sessions() as s:
            return [tuple(r) for r in s.execute(
                select(Credential.role, Credential.name, func.count(), func.max(
                    Credential.created_at), Credential.office_id)
                .group_by(Credential.role, Credential.name, Credential.office_id)
                .order_by(Credential.role, Credential.name, Credential.office_id))]

    def has_role(self, role: str) -> bool:
        with self.sessions() as s:
            return s.scalar(select(func.count()).select_from(Credential)
                            .where(Credential.role == role)) > 0

    def credential(self, token_hash: str) -> tuple[str, str, str, int | None] | None:
        """``(role, name, stored_hash, office_id)`` for a token hash, or None."""
        with self.sessions() as s:
            row = s.get(Credential, token_hash)
            return (row.role, row.name, row.token_hash, row.office_id) if row else None

    # -- browser sessions ----------------------------------------------------
    def add_web_session(self, id_hash: str, role: str, expires_at: str, *, name: str = "",
                        via: str = "token", csrf: str = "", credential: str = "",
                        office_id: int | None = None):
        """``credential``: the token digest (``via`` token) or :func:`credential_fingerprint`
        of the password hash (``via`` password) the session is bound to; ``office_id`` the
        office it works in."""
        with self.sessions.begin() as s:
            s.add(WebSession(id_hash=id_hash, role=role, expires_at=expires_at, name=name,
                             via=via, csrf=csrf, credential=credential, office_id=office_id))

    def set_session_office(self, id_hash: str, office_id: int):
        """Move a (regency admin's) browser session to office ``office_id``."""
        with self.sessions.begin() as s:
            s.execute(update(WebSession).where(WebSession.id_hash == id_hash)
                      .values(office_id=office_id))

    def holder_office(self, role: str, name: str, token_hash: str = "") -> tuple[int | None,
                                                                                 bool]:
        """``(office_id, regency)`` of a token (``token_hash``) or of account ``role``/``name``:
        regency is True for an admin bound to no office."""
        with self.sessions() as s:
            if token_hash:
                row = s.get(Credential, token_hash)
            else:
                row = s.get(AdminUser if role == "admin" else StaffAccount, name)
            office = row.office_id if row is not None else None
            return office, row is not None and role == "admin" and office is None

    def web_session(self, id_hash: str, now_iso: str) -> SessionInfo | None:
        """The live session with this id hash, or None (unknown, expired, or its credential
        revoked or replaced since the login)."""
        with self.sessions() as s:
            row = s.get(WebSession, id_hash)
            if row is None or row.expires_at <= now_iso or not self._bound(s, row):
                return None
            if row.via == "token":
                regency = s.get(Credential, row.credential).office_id is None
            else:
                regency = row.role == "admin" and s.get(AdminUser, row.name).office_id is None
            return SessionInfo(row.role, row.name, row.via, row.csrf, row.office_id, regency)

    @staticmethod
    def _account_fingerprint(s, role: str, name: str) -> str:
        """:func:`credential_fingerprint` of an admin or (active) staff account, or ""."""
        if role == "admin":
            account = s.get(AdminUser, name)
        else:
            account = s.get(StaffAccount, name)
            account = account if account is not None and account.active else None
        return credential_fingerprint(account.password_hash) if account is not None else ""

    def account_fingerprint(self, role: str, name: str) -> str:
        """What a password login of ``role`` account ``name`` is bound to ("" if none)."""
        with self.sessions() as s:
            return self._account_fingerprint(s, role, name)

    @classmethod
    def _bound(cls, s, row: WebSession) -> bool:
        if row.via == "token":
            held = s.get(Credential, row.credential or "")
            return held is not None and held.role == row.role
        if row.via == "password":
            return bool(row.credential) and \
                cls._account_fingerprint(s, row.role, row.name) == row.credential
        return False

    def drop_web_session(self, id_hash: str):
        with self.sessions.begin() as s:
            s.execute(delete(WebSession).where(WebSession.id_hash == id_hash))

    def drop_admin_sessions(self, name: str):
        """End every browser session of admin account ``name`` (after a password change)."""
        with self.sessions.begin() as s:
            s.execute(delete(WebSession).where(WebSession.via == "password",
                                               WebSession.name == name))

    # -- admin accounts ------------------------------------------------------
    def set_admin(self, name: str, password_hash: str, *, actor: str = "cli",
                  office_id: int | None = -1) -> bool:
        """Create admin ``name`` of office ``office_id`` (default: this repository's office,
        else the first; None: a regency admin) or replace its password (its office stays);
        True if created. Audited."""
        if office_id == -1:
            office_id = self.office_id or self.default_office().id
        with self.sessions.begin() as s:
            row = s.get(AdminUser, name)
            created = row is None
            row = row or AdminUser(name=name, office_id=office_id)
            row.password_hash, row.failures, row.locked_until = password_hash, 0, None
            s.add(row)
            self._audit(s, actor, "admin-set", f"admin account {name}: "
                        + ("created" if created else "new password"), office_id=row.office_id)
        return created

    def admin(self, name: str) -> AdminRecord | None:
        with self.sessions() as s:
            row = s.get(AdminUser, name)
            return AdminRecord(row.name, row.password_hash, row.failures or 0,
                               row.locked_until, row.office_id) if row else None

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

    # -- login throttle per client address -----------------------------------
    def throttle_locked_until(self, address: str) -> str | None:
        """UTC ISO end of the lock on ``address``, or None (never locked, or the row is gone)."""
        with self.sessions() as s:
            row = s.get(LoginThrottle, address[:64])
            return row.locked_until if row else None

    def throttle_failed(self, address: str, lock_until) -> tuple[int, str | None]:
        """Count a failed login from ``address``; ``lock_until(failures) -> ISO | None``.
        Returns ``(failures in a row, lock end)``. A new lock is audited (``login-lock``)."""
        address = address[:64]
        with self.sessions.begin() as s:
            row = s.get(LoginThrottle, address, with_for_update=True)
            if row is None:
                row = LoginThrottle(address=address, failures=0)
                s.add(row)
            row.failures = (row.failures or 0) + 1
            row.locked_until, row.updated_at = lock_until(row.failures), utc_now_iso()
            if row.locked_until:
                self._audit(s, f"address:{address}", "login-lock",
                            f"{row.failures} failed logins in a row from {address}; logins "
                            f"from it refused until {row.locked_until}")
            return row.failures, row.locked_until

    def throttle_clear(self, address: str):
        """A good login from ``address``: forget its failures."""
        with self.sessions.begin() as s:
            s.execute(delete(LoginThrottle).where(LoginThrottle.address == address[:64]))
