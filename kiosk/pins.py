"""Staff and admin PINs: hashed with Argon2id, with a lockout that survives restarts.

The PINs live in ``<data_dir>/pins.json``, written atomically::

    {"version": 1,
     "pins": {"staff": "$argon2id$...", "admin": "$argon2id$..."},
     "failures": 2,              # wrong PINs in a row
     "locked_until": 1764470000.0}  # POSIX seconds (office clock) when the lockout ends, or null

Two roles with separate PINs: ``staff`` (front desk) and ``admin`` (IT /
head of office). Both open staff mode; only the admin PIN also opens the menu
editor (``screens/admin.py``). The audit log records which one was used. A PIN
is 4 to 8 digits.

**A fresh kiosk has no PIN.** The staff gesture then shows "PIN belum diatur"
and the command to run; staff mode stays closed until someone with shell
access runs ``kiosk set-pin staff`` (or ``admin``). **A damaged pins.json**
(not JSON, or not the shape above) never falls open and is not "no PIN":
:meth:`PinStore.verify` answers ``damaged``, the pad says "Berkas PIN rusak"
with the same command, and setting a PIN keeps the damaged file aside as
``pins.json.corrupt-<time>``.

After ``max_pin_attempts`` wrong PINs in a row the pad is locked for
``lockout_s`` seconds; the count and the end of the lockout are on disk, so
restarting the app does not reset them. A clock set back cannot stretch the
lockout beyond ``lockout_s`` from now.

Hashing is slow on purpose (tens to hundreds of ms): call :meth:`PinStore.verify`
from a worker thread, never from a UI thread. No Kivy import here.
"""
from __future__ import annotations

import getpass
import json
import logging
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .clock import OfficeClock
from .errors import KioskError, StoreError
from .storage import CorruptFileError, atomic_write_bytes, read_json

log = logging.getLogger(__name__)

ROLES = ("staff", "admin")
PIN_FILE = "pins.json"
_PIN = re.compile(r"[0-9]{4,8}")  # ASCII digits only: the pad has no others

#: reasons a :class:`PinCheck` can carry
OK, WRONG, LOCKED, UNSET, DAMAGED = "ok", "wrong", "locked", "unset", "damaged"

#: What staff read when pins.json is damaged (Indonesian; English in the staff catalog).
DAMAGED_WORDS = "Berkas PIN rusak; atur ulang PIN dengan kiosk set-pin."


class PinError(KioskError):
    """A PIN was refused when setting it (format, mismatch) or the PIN file is unusable."""


@dataclass(frozen=True)
class PinCheck:
    """The outcome of :meth:`PinStore.verify`.

    ``reason``: ok | wrong | locked | unset | damaged. ``role``: the role whose PIN matched
    (None unless ok). ``attempts_left``: wrong PINs allowed before the lockout.
    ``locked_s``: seconds of lockout left (0 when not locked).
    """

    reason: str
    role: str | None = None
    attempts_left: int = 0
    locked_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.reason == OK


def valid_pin(pin: str) -> bool:
    """True for 4 to 8 ASCII digits."""
    return bool(_PIN.fullmatch(pin or ""))


class PinStore:
    """The PIN file of one data directory; thread-safe.

    Args:
        path: the ``pins.json`` file (its folder is created when a PIN is set).
        max_attempts: wrong PINs in a row before a lockout (StaffConfig.max_pin_attempts).
        lockout_s: lockout length in seconds (StaffConfig.lockout_s).
        clock: the office clock (:class:`kiosk.clock.OfficeClock`): ``timestamp()``, POSIX
            seconds, for the lockout (it must survive restarts) and ``stamp()`` for the
            name of a damaged file kept aside; default the system clock.
        hasher: an ``argon2.PasswordHasher``; tests pass a cheap one.

    The file is read on every call, so a PIN set with ``kiosk set-pin`` while
    the kiosk runs takes effect at once.
    """

    def __init__(self, path, max_attempts: int = 5, lockout_s: float = 300.0,
                 clock=None, hasher: PasswordHasher | None = None):
        self.path = Path(path)
        self.max_attempts, self.lockout_s = max_attempts, lockout_s
        self.clock = clock or OfficeClock()
        self.hasher = hasher or PasswordHasher()
        self._lock = threading.Lock()

    @classmethod
    def for_config(cls, config, **kwargs) -> "PinStore":
        """The PIN store of ``config`` (kiosk.ini): ``<data_dir>/pins.json``, [staff] limits."""
        staff = config.staff
        return cls(Path(config.kiosk.data_dir) / PIN_FILE, staff.max_pin_attempts,
                   staff.lockout_s, **kwargs)

    # -- file ----------------------------------------------------------------
    def _read(self) -> dict:
        damaged = {"version": 1, "pins": {}, "failures": 0, "locked_until": None,
                   "damaged": True}
        try:
            data = read_json(self.path)
            if data is None:
                return {**damaged, "damaged": False}
            pins = data["pins"] if "pins" in data else {}
            if not isinstance(pins, dict) or not all(
                    isinstance(h, str) and h.startswith("$argon2") for h in pins.values()):
                raise ValueError("pins is not a table of Argon2 hashes")
            until = data.get("locked_until")
            return {"version": 1, "pins": {r: h for r, h in pins.items() if r in ROLES},
                    "failures": int(data.get("failures") or 0),
                    "locked_until": None if until is None else float(until), "damaged": False}
        except (CorruptFileError, ValueError, TypeError, KeyError, AttributeError) as exc:
            # Never fall open, and never "no PIN": staff mode stays closed until set again.
            log.error("PIN file %s damaged (%s); set the PINs again with `kiosk set-pin`",
                      self.path, exc)
            return damaged

    def _write(self, data: dict) -> None:
        if data.get("damaged") and self.path.exists():  # keep the damaged file for a look
            self.path.replace(self.path.with_name(
                f"{self.path.name}.corrupt-{self.clock.stamp()}"))
        data = {k: v for k, v in data.items() if k != "damaged"}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(self.path, json.dumps(data, indent=1).encode("utf-8"))

    def _locked_s(self, data: dict, now: float) -> float:
        until = data.get("locked_until")
        if not until:
            return 0.0
        return max(0.0, min(float(until) - now, self.lockout_s))

    # -- queries -------------------------------------------------------------
    def roles_set(self) -> tuple[str, ...]:
        """The roles that have a PIN, e.g. ``("staff",)``; empty on a fresh kiosk."""
        with self._lock:
            return tuple(r for r in ROLES if r in self._read()["pins"])

    def damaged(self) -> bool:
        """True when pins.json exists but cannot be read (no PIN works until set again)."""
        with self._lock:
            return bool(self._read()["damaged"])

    def locked_s(self) -> float:
        """Seconds of lockout left (0 when the pad is usable)."""
        with self._lock:
            return self._locked_s(self._read(), self.clock.timestamp())

    # -- verbs ---------------------------------------------------------------
    def set_pin(self, role: str, pin: str) -> None:
        """Hash and store ``pin`` for ``role``; clears failures and any lockout.

        Raises PinError for an unknown role or a PIN that is not 4-8 digits,
        StoreError when the file cannot be written.
        """
        if role not in ROLES:
            raise PinError(f"unknown role {role!r}: use staff or admin")
        if not valid_pin(pin):
            raise PinError("a PIN is 4 to 8 digits (0-9)")
        digest = self.hasher.hash(pin)
        with self._lock:
            data = self._read()
            others = {r: h for r, h in data["pins"].items() if r != role}
            if self._match(others, pin) is not None:
                raise PinError("the staff and admin PINs must differ (the same PIN would "
                               "always open staff mode, never the menu editor)")
            data["pins"][role] = digest
            data["failures"], data["locked_until"] = 0, None
            self._write(data)  # a damaged file goes aside first

    def verify(self, pin: str) -> PinCheck:
        """Check ``pin`` against every role's PIN (slow: run it off the UI thread).

        Returns a :class:`PinCheck`. A wrong PIN is counted on disk; the
        ``max_attempts``-th starts the lockout. While locked, nothing is hashed
        and the attempt is not counted. Raises StoreError only if the count
        cannot be written.
        """
        with self._lock:
            data = self._read()
            now = self.clock.timestamp()
            if data["damaged"]:
                return PinCheck(DAMAGED)
            if not data["pins"]:
                return PinCheck(UNSET)
            left = self._locked_s(data, now)
            if left > 0:
                return PinCheck(LOCKED, locked_s=left)
            if data["locked_until"]:  # an expired lockout: a fresh series of attempts
                data["failures"], data["locked_until"] = 0, None
            role = self._match(data["pins"], pin) if valid_pin(pin) else None
            if role is not None:
                if data["failures"] or data["locked_until"] is not None:
                    data["failures"], data["locked_until"] = 0, None
                    self._write(data)
                return PinCheck(OK, role=role, attempts_left=self.max_attempts)
            data["failures"] += 1
            if data["failures"] >= self.max_attempts:
                data["locked_until"] = now + self.lockout_s
                self._write(data)
                return PinCheck(LOCKED, locked_s=self.lockout_s)
            self._write(data)
            return PinCheck(WRONG, attempts_left=self.max_attempts - data["failures"])

    def _match(self, pins: dict, pin: str) -> str | None:
        for role in ROLES:
            digest = pins.get(role)
            if not digest:
                continue
            try:
                if self.hasher.verify(digest, pin):
                    return role
            except (VerificationError, InvalidHashError):
                continue
        return None


# -- `kiosk set-pin staff|admin` ---------------------------------------------
def _ask_pin(stdin) -> tuple[str, str]:
    """The PIN and its confirmation: getpass on a terminal, else lines from ``stdin``.

    From a script, one line is enough (``echo 1234 | kiosk set-pin``); a second
    non-empty line, if given, must match.
    """
    if stdin.isatty():
        first = getpass.getpass("PIN baru / new PIN (4-8 angka): ")
        second = getpass.getpass("Ulangi PIN / repeat PIN: ")
        return first.strip(), second.strip()
    lines = [line.strip() for line in stdin.read().splitlines() if line.strip()]
    first = lines[0] if lines else ""
    return first, lines[1] if len(lines) > 1 else first


def set_pin_command(config, role: str = "staff", stdin=None, out=None) -> int:
    """Set the ``role`` PIN of the kiosk in ``config``; the ``kiosk set-pin`` command.

    Asks twice with getpass on a terminal, or reads the PIN from ``stdin`` when
    it is not a terminal. Prints one plain line; the change is written to the
    audit log (role ``admin``, action ``set-pin``, never the PIN). Returns 0 on
    success, 1 when the PIN is refused (format, mismatch), 2 when it cannot be
    stored.
    """
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    first, second = _ask_pin(stdin)
    if first != second:
        print("PIN tidak sama; tidak ada yang diubah. / The PINs differ; nothing changed.",
              file=out)
        return 1
    if not valid_pin(first):
        print("PIN harus 4-8 angka; tidak ada yang diubah. / A PIN is 4-8 digits; nothing "
              "changed.", file=out)
        return 1
    try:
        PinStore.for_config(config).set_pin(role, first)
        _audit_set_pin(config, role)
    except PinError as exc:
        print(f"PIN ditolak; tidak ada yang diubah. / PIN refused; nothing changed: {exc}",
              file=out)
        return 1
    except (StoreError, OSError) as exc:
        print(f"PIN tidak dapat disimpan / the PIN could not be saved: {exc}", file=out)
        return 2
    print(f"PIN {role} disimpan di {Path(config.kiosk.data_dir) / PIN_FILE}. / "
          f"The {role} PIN is set.", file=out)
    return 0


def _audit_set_pin(config, role: str) -> None:
    """Audit ``set-pin``; safe while the kiosk runs (one O_APPEND line, see kiosk.audit)."""
    from . import audit
    audit.append(config.kiosk.data_dir, OfficeClock(config.office.timezone), "shell", "set-pin",
                 target=role, via="cli")