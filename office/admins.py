"""Admin accounts of the menu pages: argon2 password hashes, and the lock rule of the login
throttle.

A login is checked by :func:`check_login`; failures are counted per account (for the log)
but never lock the account, or anyone could lock the admin out by failing on purpose.
Instead the client *address* is throttled (:mod:`office.throttle`): after
:data:`FREE_FAILURES` failed logins in a row from one address, logins from it are refused
for :data:`FIRST_LOCK_S` seconds, doubling with each further failure up to
:data:`MAX_LOCK_S` (:func:`lock_seconds`). Unknown names cost the same argon2 work as
known ones.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

log = logging.getLogger(__name__)

#: Failed logins in a row from one address allowed before the address is locked.
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
    """``ok``: the password matched; ``locked_until`` is kept for callers that show a lock
    and is always None here (accounts are not locked; addresses are, by the throttle)."""

    ok: bool
    name: str
    locked_until: datetime | None = None


def check_login(repo, name: str, password: str, now: datetime | None = None) -> LoginResult:
    """Verify ``name``/``password`` against :class:`office.db.Repo`'s admin accounts.

    Counts a failure on a wrong password (logged) and resets the count on a good one;
    ``now`` is accepted for callers that pass a clock and is not needed.
    """
    record = repo.admin(name) if name and len(password) <= MAX_PASSWORD_CHARS else None
    if record is None:
        _verify(_dummy_hash(), password[:MAX_PASSWORD_CHARS])
        return LoginResult(False, name)
    if not _verify(record.password_hash, password):
        after = repo.admin_login_failed(name, lambda failures: None)
        log.warning("admin login failed for %r (%d in a row)", name, after.failures)
        return LoginResult(False, name)
    renewed = hash_password(password) if _hasher.check_needs_rehash(record.password_hash) \
        else None
    repo.admin_login_ok(name, renewed)
    return LoginResult(True, name)


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
