"""Admin accounts of the menu pages: argon2 password hashes and a lockout after failures.

A login is checked by :func:`check_login`. After :data:`FREE_FAILURES`
failed logins in a row the account is locked for :data:`FIRST_LOCK_S`
seconds, doubling with each further failure up to :data:`MAX_LOCK_S`; a
locked account refuses even the right password until the lock ends. A good
login resets the count. Unknown names cost the same argon2 work as known ones.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

log = logging.getLogger(__name__)

#: Failed logins in a row allowed before the account is locked.
FREE_FAILURES = 5
#: First lock, in seconds; each further failure doubles it, up to MAX_LOCK_S.
FIRST_LOCK_S = 60
MAX_LOCK_S = 3600
#: Shortest password accepted by ``kiosk-office add-admin``.
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 256

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """argon2id hash (PHC string with its own salt and parameters) of ``password``."""
    return _hasher.hash(password)


def password_problem(password: str) -> str | None:
    """Why ``password`` is not acceptable, in plain words, or None."""
    if len(password) < MIN_PASSWORD_CHARS:
        return f"the password needs at least {MIN_PASSWORD_CHARS} characters"
    if len(password) > MAX_PASSWORD_CHARS:
        return f"the password may have at most {MAX_PASSWORD_CHARS} characters"
    return None


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("not-a-password-of-anyone")


def lock_seconds(failures: int) -> int:
    """Lock length after ``failures`` failed logins in a row (0: not locked)."""
    if failures < FREE_FAILURES:
        return 0
    return min(MAX_LOCK_S, FIRST_LOCK_S * 2 ** (failures - FREE_FAILURES))


@dataclass(frozen=True)
class LoginResult:
    """``ok``: the password matched an unlocked account; ``locked_until``: UTC datetime of the
    lock's end when the account is locked (None otherwise)."""

    ok: bool
    name: str
    locked_until: datetime | None = None


def check_login(repo, name: str, password: str, now: datetime | None = None) -> LoginResult:
    """Verify ``name``/``password`` against :class:`office.db.Repo`'s admin accounts.

    Counts a failure (and maybe locks) on a wrong password; refuses without
    checking while locked. ``now`` is an aware datetime (default: now, UTC).
    """
    now = now or datetime.now(timezone.utc)
    record = repo.admin(name) if name and len(password) <= MAX_PASSWORD_CHARS else None
    if record is None:
        _verify(_dummy_hash(), password[:MAX_PASSWORD_CHARS])
        return LoginResult(False, name)
    if record.locked_until and datetime.fromisoformat(record.locked_until) > now:
        return LoginResult(False, name, datetime.fromisoformat(record.locked_until))
    if not _verify(record.password_hash, password):
        def until(failures: int) -> str | None:
            seconds = lock_seconds(failures)
            return (now + timedelta(seconds=seconds)).isoformat() if seconds else None
        after = repo.admin_login_failed(name, until)
        log.warning("admin login failed for %r (%d in a row)", name, after.failures)
        locked = datetime.fromisoformat(after.locked_until) if after.locked_until else None
        return LoginResult(False, name, locked)
    renewed = hash_password(password) if _hasher.check_needs_rehash(record.password_hash) \
        else None
    repo.admin_login_ok(name, renewed)
    return LoginResult(True, name)


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
