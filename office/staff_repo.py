"""Loket staff accounts: the repository verbs over ``staff_accounts``
(:mod:`office.counter_tables`).

The login verbs carry the names :func:`office.admins.check_login` calls (``admin``,
``admin_login_failed``, ``admin_login_ok``), so staff logins follow the admin accounts' rules:
argon2 hashes, a lockout after failed logins in a row, unknown names costing the same work.
A switched-off account cannot log in.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select, update

from .access import AccessRepo
from .counter_tables import StaffAccount
from .tables import AdminRecord


class StaffRepo:
    """Staff accounts over the office :class:`office.db.Repo`'s engine (thread-safe)."""

    def __init__(self, repo):
        self.repo, self.sessions = repo, repo.sessions

    def set_staff(self, name: str, password_hash: str, *, actor: str = "cli") -> bool:
        """Create staff account ``name`` (in the repository's office, else the first office) or
        set its password (re-enables it; its sessions end, being bound to the old password);
        True if created. Audited (``staff-set``). Raises ValueError when ``name`` is taken in
        another office (staff names are unique in the regency)."""
        with self.sessions.begin() as s:
            row = s.get(StaffAccount, name)
            if row is None and s.execute(select(StaffAccount.name).where(
                    StaffAccount.name == name).execution_options(all_offices=True)).first():
                raise ValueError(f"staff name {name} is used in another office; staff names "
                                 f"are unique in the regency: pick another")
            created = row is None
            row = row or StaffAccount(name=name, office_id=self.repo.office_id
                                      or self.repo.default_office().id)
            row.password_hash, row.failures, row.locked_until, row.active = \
                password_hash, 0, None, 1
            s.add(row)
            AccessRepo._audit(s, actor, "staff-set", f"staff account {name}: "
                              + ("created" if created else "new password"))
        return created

    def admin(self, name: str) -> AdminRecord | None:
        """The active staff account ``name`` as a login record, or None."""
        with self.sessions() as s:
            row = s.get(StaffAccount, name)
            if row is None or not row.active:
                return None
            return AdminRecord(row.name, row.password_hash, row.failures or 0, row.locked_until,
                               row.office_id)

    def admin_login_failed(self, name: str, lock_until) -> AdminRecord:
        with self.sessions.begin() as s:
            s.execute(update(StaffAccount).where(StaffAccount.name == name)
                      .values(failures=StaffAccount.failures + 1))
            row = s.get(StaffAccount, name, populate_existing=True)
            row.locked_until = lock_until(row.failures)
        return self.admin(name)

    def admin_login_ok(self, name: str, new_hash: str | None = None):
        with self.sessions.begin() as s:
            row = s.get(StaffAccount, name)
            row.failures, row.locked_until = 0, None
            row.last_login_at = datetime.now(timezone.utc).isoformat()
            if new_hash:
                row.password_hash = new_hash

    def staff_accounts(self) -> list[StaffAccount]:
        with self.sessions() as s:
            return list(s.scalars(select(StaffAccount).order_by(StaffAccount.name)))

    def set_staff_active(self, name: str, active: bool, *, actor: str = "cli") -> bool:
        """Enable or disable staff account ``name``; False when there is no such account.
        Audited (``staff-set``)."""
        with self.sessions.begin() as s:
            row = s.get(StaffAccount, name)
            if row is None:
                return False
            row.active = int(active)
            AccessRepo._audit(s, actor, "staff-set", f"staff account {name}: "
                              + ("switched on" if active else "switched off"))
            return True
