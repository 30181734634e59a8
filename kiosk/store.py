"""The ticket store: the one writer of the kiosk's data directory.

Layout of ``data_dir``::

    state.json              office day reached, unsynced days, staff settings
    days/YYYY-MM-DD.json    TinyDB file: the tickets of one office day
    days/*.corrupt-*        damaged files moved aside (never silently emptied)
    audit.jsonl             append-only log of staff and admin actions

Partitioning by office day keeps a check-in's commit cost flat as history
grows: a commit rewrites only today's file. Every write goes through
:class:`~kiosk.storage.AtomicJSONStorage` (temp file, fsync, rename), under one
lock. Numbers come from an explicit per-queue counter that is rebuilt from the
committed tickets when a day file is opened, so a restart or a crash can never
hand out a number twice.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo


from . import audit, numbering
from .errors import CheckinError, StoreError
from .models import PRINT_FAILED, PRINT_STATUSES, Ticket
from .dayfile import DayFile as _Day, salvage
from .journal import journal_path
from .storage import CorruptFileError, atomic_write_bytes, read_json, stale_temp_files

log = logging.getLogger(__name__)
_DAY_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.json$")


class DataDirInUse(StoreError):
    """Another process (normally the running kiosk) holds the data directory."""


def _now():
    return datetime.now(timezone.utc)


def _boottime() -> float:
    """Seconds since boot, counting suspend (CLOCK_BOOTTIME; monotonic elsewhere)."""
    return time.clock_gettime(getattr(time, "CLOCK_BOOTTIME", time.CLOCK_MONOTONIC))


#: A wall-clock step this far ahead of elapsed time is a clock jump, not a new day.
CLOCK_JUMP_S = 6 * 3600
#: At start, a clock this many days past the last office day is doubted until staff confirm.
START_GAP_DAYS = 45


class Store:
    """Durable tickets and kiosk state; every public method is thread-safe.

    Args:
        data_dir: folder for the files above; created if missing.
        tz: IANA office time zone.
        kiosk_id: this kiosk's id, written into every ticket.
        number_tag: kiosk tag inside numbers ("" for a single kiosk).
        clock: zero-argument callable returning an aware datetime (tests move time).

    Raises StoreError (plain message naming the folder and the fix) when the
    folder cannot be created or written.
    """

    def __init__(self, data_dir, tz="Asia/Pontianak", kiosk_id="K1", number_tag="", clock=_now,
                 elapsed=None):
        self.dir = Path(data_dir)
        self.tz, self.kiosk_id, self.number_tag, self.clock = tz, kiosk_id, number_tag, clock
        # elapsed-time source for clock-jump detection; a test clock may bring its own
        self.elapsed = elapsed or getattr(clock, "elapsed", _boottime)
        self._last_seen = None  # (wall datetime, elapsed s) at the last office_day()
        self._zone = ZoneInfo(tz)
        self._lock = threading.RLock()
        self._days: dict[str, _Day] = {}
        self._alerts: dict[str, str] = {}  # key -> staff-visible problem, in arrival order
        self._lock_fd = None
        self.days_dir = self.dir / "days"
        # The lock comes before anything is written in the folder: a second process
        # is told "in use" and never touches a file of the running kiosk.
        self._lock_fd = self._take_directory_lock()
        try:
            self._open_files()
        except BaseException:
            self.close()  # releases the lock
            raise

    def _open_files(self) -> None:
        try:
            self.days_dir.mkdir(exist_ok=True)
            probe = self.dir / f".write-test.{os.getpid()}"
            atomic_write_bytes(probe, b"ok")
            probe.unlink()
        except (OSError, StoreError) as exc:
            raise self._not_writable(exc) from None
        for leftover in [*stale_temp_files(self.dir), *stale_temp_files(self.days_dir)]:
            leftover.unlink(missing_ok=True)  # an interrupted atomic write: never the data
        self._state_path = self.dir / "state.json"
        self._state = self._load_state()

    def _not_writable(self, exc) -> StoreError:
        return StoreError(f"data directory {self.dir} is not writable ({exc}). Set "
                          f"[kiosk] data_dir in kiosk.ini to a writable folder, or fix its "
                          f"owner/permissions.")

    def _take_directory_lock(self) -> int:
        """One writer per data directory: a second kiosk process on it is refused.

        Raises DataDirInUse when another process holds it, StoreError when the
        folder or its ``.lock`` file cannot be created.
        """
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.dir / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise self._not_writable(exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise DataDirInUse(f"data directory {self.dir} is in use by another kiosk process "
                               f"(the running kiosk?). While the kiosk runs, use staff mode "
                               f"('Sinkron sekarang', 'Ubah menu layanan', 'Tes cetak'); or "
                               f"stop it first. A second kiosk needs its own [kiosk] "
                               f"data_dir.") from None
        return fd

    # -- state ---------------------------------------------------------------
    def _load_state(self) -> dict:
        try:
            state = read_json(self._state_path)
            if state is not None:
                state = self._checked_state(state)
        except CorruptFileError as exc:
            self._move_aside(exc.path, exc.detail, recovered="rebuilt from the day files")
            state = None
        days = self._day_names()
        if not state or not state.get("office_day"):
            # Rebuild from the files: the latest day on disk is the furthest reached.
            state = {"office_day": days[-1] if days else None, "unsynced_days": days,
                     "settings": (state or {}).get("settings", {})}
        # A day file the index does not know may hold unsynced tickets: look at it.
        state["unsynced_days"] = sorted(set(state["unsynced_days"]) |
                                        {d for d in days if d >= (state["office_day"] or "")})
        return state

    def _checked_state(self, state) -> dict:
        """state.json as this store writes it, else CorruptFileError (moved aside, rebuilt)."""
        day_ok = re.compile(r"^\d{4}-\d{2}-\d{2}$").match
        problem = None
        if not isinstance(state, dict):
            problem = "not an object"
        elif state.get("office_day") is not None and not (
                isinstance(state["office_day"], str) and day_ok(state["office_day"])):
            problem = f"office_day {state.get('office_day')!r} is not a date"
        elif not isinstance(state.get("unsynced_days", []), list) or not all(
                isinstance(d, str) and day_ok(d) for d in state.get("unsynced_days", [])):
            problem = "unsynced_days is not a list of dates"
        elif not isinstance(state.get("settings", {}), dict):
            problem = "settings is not an object"
        if problem:
            raise CorruptFileError(self._state_path, problem)
        state.setdefault("unsynced_days", [])
        state.setdefault("settings", {})
        return state

    def _save_state(self):
        atomic_write_bytes(self._state_path, json.dumps(self._state, ensure_ascii=False,
                                                        indent=1).encode("utf-8"))

    def _day_names(self) -> list[str]:
        return sorted(m.group(1) for p in self.days_dir.iterdir()
                      if (m := _DAY_FILE.match(p.name)))

    def _move_aside(self, path: Path, detail: str,
                    recovered="tiket yang terbaca dipulihkan") -> Path:
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
        target = path.with_name(f"{path.name}.corrupt-{stamp}")
        os.replace(path, target)
        msg = (f"Berkas data rusak dipindahkan: {path.name} -> {target.name} ({detail}); "
               f"{recovered}. Hubungi admin.")
        log.error("damaged data file %s moved aside to %s: %s", path, target, detail)
        self.set_alert(f"damaged:{path.name}", msg)
        return target

    @property
    def alerts(self) -> list[str]:
        """Staff-visible problems (damaged files, clock jumps, clashes), oldest first."""
        with self._lock:
            return list(self._alerts.values())

    def set_alert(self, key: str, text: str | None) -> None:
        """Show (``text``) or clear (None) the staff alert ``key``; thread-safe."""
        with self._lock:
            if text:
                self._alerts[key] = text
            else:
                self._alerts.pop(key, None)

    def update_setting(self, key, change, default=None):
        """Read-modify-write a staff setting in one lock hold; returns the new value."""
        with self._lock:
            value = change(self._state["settings"].get(key, default))
            self._state["settings"][key] = value
            self._save_state()
            return value

    def setting(self, key, default=None):
        """A staff setting kept in state.json (out of service, restock counters, ...)."""
        with self._lock:
            return self._state["settings"].get(key, default)

    def set_setting(self, key, value) -> None:
        """Durably store a JSON-serializable staff setting."""
        with self._lock:
            self._state["settings"][key] = value
            self._save_state()

    # -- days ----------------------------------------------------------------
    def office_day(self, now: datetime | None = None) -> str:
        """Today's office day; never earlier than a day this store already reached.

        The day does not move forward on a clock *jump* (the wall clock ran ahead
        of elapsed time by more than CLOCK_JUMP_S while running, or at start is
        more than START_GAP_DAYS past the last day): numbering stays on the day
        reached and staff are alerted; :meth:`start_new_office_day` moves on.
        """
        with self._lock:
            wall = now or self.clock()
            clock_day = numbering.office_day(wall, self.tz)
            stored = self._state.get("office_day")
            day = numbering.advance_day(clock_day, stored)
            jumped = (day != stored and stored and now is None
                      and self._clock_jumped(wall, stored, clock_day))
            if jumped:
                day = stored  # and keep comparing against the last trusted time
            elif now is None:
                self._last_seen = (wall, self.elapsed())
            if day != stored:
                self._state["office_day"] = day
                self._save_state()
                self._forget_days(keep=day)
            return day

    def _forget_days(self, keep: str) -> None:
        """Close cached day files other than ``keep``: a kiosk that runs for months holds
        only today's tickets in memory (older days reopen on demand)."""
        for name in [d for d in self._days if d != keep]:
            self._days.pop(name).close()

    def _clock_jumped(self, wall, stored: str, clock_day: str) -> bool:
        from datetime import date
        if self._last_seen is not None:
            last_wall, last_elapsed = self._last_seen
            ahead = (wall - last_wall).total_seconds() - (self.elapsed() - last_elapsed)
            suspicious = ahead > CLOCK_JUMP_S
        else:
            gap = (date.fromisoformat(clock_day) - date.fromisoformat(stored)).days
            suspicious = gap > START_GAP_DAYS
        if suspicious:
            msg = (f"Jam kiosk melompat ke {clock_day}; hari kantor tetap {stored}. Periksa "
                   f"jam. Jika tanggal jam benar, pilih 'Mulai hari kantor baru'.")
            if self._alerts.get("clock_jump") != msg:
                log.error("clock jump: wall clock says %s, office day stays %s", clock_day,
                          stored)
                self.set_alert("clock_jump", msg)
        return suspicious

    def start_new_office_day(self) -> str:
        """Staff action: move to a new office day (the clock's day if it is ahead, else the
        day after the current one, for a kiosk whose clock is behind).

        Numbers restart at 001 in a fresh day file; a day already used is never
        reopened, so no number repeats. Returns the new day.
        """
        with self._lock:
            current = self._state.get("office_day") or self.office_day()
            clock_day = numbering.office_day(self.clock(), self.tz)
            day = max(numbering.next_day(current), clock_day)
            self._state["office_day"] = day
            self._save_state()
            self._forget_days(keep=day)
            self.set_alert("clock_jump", None)
            self._last_seen = None
            return day

    def _day(self, day: str) -> _Day:
        d = self._days.get(day)
        if d is None or d.storage.stale:
            path = self.days_dir / f"{day}.json"
            try:
                d = _Day(path)
            except CorruptFileError as exc:
                d = self._recover_day(path, exc.detail)
            if d.seq_problem:
                log.error("%s", d.seq_problem)
                self.set_alert(f"seq:{day}", d.seq_problem)
            self._days[day] = d
        return d

    def _recover_day(self, path: Path, detail: str) -> _Day:
        raw = ""
        for part in (path, journal_path(path)):  # snapshot, then the changes after it
            if part.exists():
                raw += part.read_bytes().decode("utf-8", "replace")
                target = self._move_aside(part, detail)
        recovered, counters = salvage(raw)
        d = _Day(path)
        d.skip_reserved()
        for t in recovered:
            if t.id not in d.doc_ids:
                d.insert(t)
        for q, seq in counters.items():  # numbers seen in unreadable fragments count as issued
            d.counters[q] = max(d.counters.get(q, 0), seq)
        log.error("recovered %d tickets from %s; counters now %s", len(recovered), target,
                  d.counters)
        return d

    # -- check-in ------------------------------------------------------------
    def issue_ticket(self, *, service_code: str, queue: str, language: str,
                     rules_confirmed=(), menu_version: str = "", daily_quota=None,
                     now: datetime | None = None) -> Ticket:
        """Number and durably commit a new ticket; returns it once it is on disk (fsynced).

        ``daily_quota`` is ``(quota, start, end)`` as from
        :func:`kiosk.schedule.quota_now` (start/end ``HH:MM`` or None for the
        whole day) or None. It is checked under the same lock as the numbering,
        so concurrent journeys never exceed it.
        Raises CheckinError(reason="quota") when it is reached, StoreError when
        the disk refuses the write (then nothing was issued).
        """
        with self._lock:
            day = self.office_day(now)  # None: the clock, with clock-jump checks
            now = now or self.clock()
            d = self._day(day)
            if daily_quota is not None and self._used(d, service_code, daily_quota) >= \
                    daily_quota[0]:
                    raise CheckinError("daily quota reached", reason="quota")
            if day not in self._state["unsynced_days"]:  # before the ticket: never an
                self._state["unsynced_days"].append(day)  # issued ticket outside the outbox
                self._save_state()
            seq = d.reserve(queue)  # durable before use: a failure later leaves a gap
            ticket = Ticket(
                id=uuid.uuid4().hex, kiosk_id=self.kiosk_id, office_day=day,
                service_code=service_code, queue=queue, sequence=seq,
                number=numbering.format_number(queue, seq, self.number_tag),
                issued_at=now.astimezone(self._zone).isoformat(timespec="seconds"),
                language=language, rules_confirmed=tuple(tuple(r) for r in rules_confirmed),
                menu_version=menu_version)
            d.insert(ticket)
            return ticket

    @staticmethod
    def _used(d: _Day, service_code, quota) -> int:
        _, start, end = quota
        times = d.issued.get(service_code, ())  # in memory: no table scan under the lock
        return sum(1 for t in times if start is None or start <= t < end)

    def quota_used(self, service_code: str, quota) -> int:
        """Tickets of ``service_code`` today counted against ``quota`` (see issue_ticket)."""
        with self._lock:
            return self._used(self._day(self.office_day()), service_code, quota)

    def set_print_status(self, ticket_id: str, status: str, error: str = "") -> Ticket | None:
        """Record a print outcome; returns the updated ticket, None if unknown."""
        if status not in PRINT_STATUSES:
            raise ValueError(status)
        with self._lock:
            found = self._find(ticket_id)
            if found is None:
                return None
            d, ticket = found
            ticket = ticket.evolve(print_status=status, print_error=error)
            d.update([ticket_id], {"print_status": status, "print_error": error})
            return ticket

    def _find(self, ticket_id):
        for d in self._days.values():
            t = d.get(ticket_id)
            if t is not None:
                return d, t
        for day in reversed(self._day_names()):
            if day not in self._days:
                d = self._day(day)
                t = d.get(ticket_id)
                if t is not None:
                    return d, t
        return None

    def get_ticket(self, ticket_id: str) -> Ticket | None:
        with self._lock:
            found = self._find(ticket_id)
            return found[1] if found else None

    def tickets(self, day: str | None = None) -> list[Ticket]:
        """Tickets of an office day (default today), in issue order."""
        with self._lock:
            return self._day(day or self.office_day()).tickets()

    def last_ticket(self) -> Ticket | None:
        items = self.tickets()
        return items[-1] if items else None

    def failed_today(self) -> list[Ticket]:
        return [t for t in self.tickets() if t.print_status == PRINT_FAILED]

    def counts_today(self) -> dict[str, int]:
        """Tickets issued today per service code."""
        counts: dict[str, int] = {}
        for t in self.tickets():
            counts[t.service_code] = counts.get(t.service_code, 0) + 1
        return counts

    def people_ahead(self, ticket: Ticket, now_serving: int | None = None) -> int:
        """Tickets of the same queue issued before ``ticket`` today and not yet served.

        ``now_serving``: the sequence being served in that queue (from the
        office server), when known.
        """
        served = now_serving or 0
        return max(0, ticket.sequence - 1 - served)

    # -- outbox --------------------------------------------------------------
    def pending_sync(self, limit: int = 200) -> list[Ticket]:
        """Up to ``limit`` committed tickets the office server has not confirmed, oldest first."""
        out: list[Ticket] = []
        with self._lock:
            for day in sorted(self._state["unsynced_days"]):
                d = self._day(day)
                for ticket_id in d.unsynced:
                    out.append(d.get(ticket_id))
                    if len(out) >= limit:
                        return out
        return out

    def pending_count(self) -> int:
        with self._lock:
            return sum(len(self._day(day).unsynced) for day in self._state["unsynced_days"])

    def mark_synced(self, ids, synced_at: str) -> int:
        """Mark tickets confirmed by the server; returns how many changed. One write per day."""
        return self._leave_outbox(ids, {"synced_at": synced_at})

    def set_aside(self, ids, reason: str) -> int:
        """Take tickets the server will never accept (e.g. an id it holds for another
        kiosk) out of the outbox, keeping them and the reason on disk; returns how many."""
        return self._leave_outbox(ids, {"sync_refused": reason})

    def _leave_outbox(self, ids, fields) -> int:
        wanted = list(dict.fromkeys(ids))
        changed = 0
        with self._lock:
            for day in sorted(self._state["unsynced_days"]):
                changed += self._day(day).leave_outbox(wanted, fields)
            self._prune_synced_days()
        return changed

    def _prune_synced_days(self):
        """Drop past days with nothing left to sync from the outbox index."""
        done = [day for day in self._state["unsynced_days"] if day != self._state["office_day"]
                and not self._day(day).unsynced]
        if done:
            for day in done:
                self._state["unsynced_days"].remove(day)
            self._save_state()

    def purge(self, retention_days: int, now: datetime | None = None) -> int:
        """Delete day files older than ``retention_days`` whose tickets are all synced.

        Returns the number of day files removed (PDP: keep data only as long as needed).
        """
        from datetime import date, timedelta
        with self._lock:
            today = date.fromisoformat(self.office_day(now))
            limit = (today - timedelta(days=retention_days)).isoformat()
            self._prune_synced_days()
            removed = 0
            for day in self._day_names():
                if day < limit and day not in self._state["unsynced_days"]:
                    d = self._days.pop(day, None)
                    if d:
                        d.close()
                    for suffix in (".json", ".journal", ".seq"):
                        (self.days_dir / f"{day}{suffix}").unlink(missing_ok=True)
                    removed += 1
            return removed

    # -- audit ---------------------------------------------------------------
    def audit(self, role: str, action: str, **detail) -> None:
        """Append to the audit log (:mod:`kiosk.audit`): who (role), what, when, details."""
        audit.append(self.dir, self.tz, role, action, now=self.clock(), **detail)  # O_APPEND

    def audit_entries(self, limit: int = 100) -> list[dict]:
        return audit.entries(self.dir, limit)

    def close(self) -> None:
        with self._lock:
            for d in self._days.values():
                d.close()
            self._days.clear()
            if self._lock_fd is not None:
                os.close(self._lock_fd)  # releases the directory lock
                self._lock_fd = None
