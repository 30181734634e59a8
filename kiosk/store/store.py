"""The ticket store: the one writer of the kiosk's data folder, speaking domain verbs.

:class:`Store` composes the concerns of this package: the locked folder
(:mod:`.datadir`), persisted staff alerts (:mod:`.alerts`), ``state.json``
with the settings and the second copy of number reservations (:mod:`.state`),
the office day (:mod:`.officeday`) and one file per office day (:mod:`.dayfile`).
Here: numbering and committing tickets, the outbox, purging, the audit log.

Numbers never repeat in an office day: a queue's next sequence is above the
highest of the day's tickets, its reservations (``days/<day>.seq`` and the
copy in ``state.json``) and what the office server holds (:meth:`raise_high_water`).
Missing or damaged data on a day that had tickets is damage: moved aside or
recorded, staff told through a persisted alert, numbering continues above.
"""
from __future__ import annotations

import logging
import threading
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

from .. import audit, numbering
from ..clock import DEFAULT_ZONE, OfficeClock
from ..errors import CheckinError
from ..models import PRINT_FAILED, PRINT_STATUSES, Ticket
from .alerts import FILE_NAME as ALERTS_FILE, Alerts
from .datadir import DataDir
from .dayfile import DayFile, day_names
from .days import DayFiles
from .officeday import DayKeeper
from .state import FILE_NAME as STATE_FILE, State

log = logging.getLogger(__name__)


class Store:
    """Durable tickets and kiosk state; every public method is thread-safe.

    Args:
        data_dir: the data folder (see README, "Data lives in"); created if missing.
        tz: IANA office time zone; used only when ``clock`` is not an OfficeClock already.
        kiosk_id: this kiosk's id, written into every ticket.
        number_tag: kiosk tag inside numbers ("" for a single kiosk).
        clock: the office clock (:class:`kiosk.clock.OfficeClock`), or a zero-argument
            callable returning an aware datetime, wrapped in one (``OfficeClock.wrap``);
            None: the system clock. Kept as ``store.clock``; its ``elapsed()`` and
            ``synchronized()`` give boot time and the kernel's NTP state.
        elapsed, synchronized: override the clock's (tests).

    Raises DataDirInUse when another process holds the folder, StoreError (plain
    message naming the folder and the fix) when it cannot be created or written.
    """

    def __init__(self, data_dir, tz=DEFAULT_ZONE, kiosk_id="K1", number_tag="", clock=None,
                 elapsed=None, synchronized=None):
        self.clock = clock = OfficeClock.wrap(clock, tz)
        self.kiosk_id, self.number_tag = kiosk_id, number_tag
        self._lock = threading.RLock()
        self.folder = DataDir(data_dir, self._stamp)  # the lock, before any write
        self.dir, self.days_dir = self.folder.path, self.folder.days
        try:
            self._alerts = Alerts(self.dir / ALERTS_FILE, self.folder.move_aside)
            self._state = State(self.dir / STATE_FILE, day_names(self.days_dir), self._moved,
                                self._alerts.set)
        except BaseException:
            self.folder.close()
            raise
        synced = synchronized or clock.synchronized
        self.days = DayKeeper(self._state, self._alerts, clock, elapsed or clock.elapsed,
                              lambda: bool(synced()))
        self.files = DayFiles(self.days_dir, self._state, self._alerts.set, self._moved)

    def _stamp(self) -> str:
        return self.clock.stamp()

    def _moved(self, path: Path, detail: str, recovered="tiket yang terbaca dipulihkan"):
        target = self.folder.move_aside(path, detail)
        self._alerts.set(f"damaged:{path.name}",
                         f"Berkas data rusak dipindahkan: {path.name} -> {target.name} "
                         f"({detail}); {recovered}. Hubungi admin.")
        return target

    # -- alerts and settings -------------------------------------------------
    @property
    def alerts(self) -> list[str]:
        """Staff-visible problems (damaged files, clock jumps, clashes), oldest first; they
        stay across restarts until their source clears them or staff acknowledge them."""
        return self._alerts.texts()

    def set_alert(self, key: str, text: str | None) -> None:
        """Raise (``text``) or clear (None) the staff alert ``key``; persisted, thread-safe."""
        self._alerts.set(key, text)

    def acknowledge_alerts(self, keys=None) -> list[str]:
        """Staff have looked at the alerts (``keys``, default all); returns the texts cleared."""
        return self._alerts.acknowledge(keys)

    def setting(self, key, default=None):
        """A staff setting kept in state.json (out of service, paper counter, ...)."""
        return self._state.setting(key, default)

    def update_setting(self, key, change, default=None):
        """Read-modify-write a staff setting in one lock hold; returns the new value."""
        with self._lock:
            return self._state.update_setting(key, change, default)

    def set_setting(self, key, value) -> None:
        """Durably store a JSON-serializable staff setting."""
        self.update_setting(key, lambda _old: value)

    # -- office day ----------------------------------------------------------
    def office_day(self, now: datetime | None = None) -> str:
        """Today's office day (see :mod:`kiosk.store.officeday`): never earlier than a day
        already reached; a clock jump is followed only when the time is trusted."""
        with self._lock:
            day, changed = self.days.day(now)
            if changed:
                self._state.save()
                self._forget_days(keep=day)
            return day

    def clock_disagrees(self) -> bool:
        """True while the clock's day and the office day differ: the only time staff are
        offered "Mulai hari kantor baru"."""
        with self._lock:
            self.office_day()
            return self.days.disagrees()

    def start_new_office_day(self) -> str:
        """Staff: move to the clock's day (a held clock jump that is right after all).

        Numbers restart at 001 in a fresh day file. Returns the new day; raises
        NoNewOfficeDay (plain words) when the clock's day is not after the office day.
        """
        with self._lock:
            day = self.days.start_new()
            self._state.save()
            self._forget_days(keep=day)
            return day

    def server_time(self, server_time: str) -> None:
        """The office server's clock from a sync reply (ISO 8601 with offset): a witness
        that a forward clock step is real (:meth:`DayKeeper.server_time`)."""
        try:
            stamp = datetime.fromisoformat(server_time)
        except (TypeError, ValueError):
            return
        if stamp.tzinfo is not None:
            with self._lock:
                self.days.server_time(stamp)

    def _forget_days(self, keep: str) -> None:
        self.files.forget(keep)

    @property
    def _days(self) -> dict:
        """The open day files by office day (today's, plus days reopened on demand)."""
        return self.files.open

    def _day(self, day: str) -> DayFile:
        return self.files.get(day)

    def raise_high_water(self, marks: dict) -> None:
        """Never issue at or below what the office server holds: ``marks`` is
        ``{office_day: {queue: sequence}}`` from a sync reply (see :meth:`DayFiles.floors`)."""
        with self._lock:
            self.files.floors(marks, self._state.office_day or "")

    # -- check-in ------------------------------------------------------------
    def issue_ticket(self, *, service_code: str, queue: str, language: str,
                     rules_confirmed=(), menu_version: str = "", daily_quota=None,
                     now: datetime | None = None, service_names=()) -> Ticket:
        """Number and durably commit a new ticket; returns it once it is on disk (fsynced).

        ``daily_quota`` is ``(quota, start, end)`` as from
        :func:`kiosk.schedule.quota_now` (start/end ``HH:MM`` or None for the
        whole day) or None. It is checked under the same lock as the numbering,
        so concurrent journeys never exceed it. ``service_names``: ``((lang, name), ...)``
        kept on the ticket (:attr:`Ticket.service_names`).
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
            if day not in self._state.unsynced_days:  # before the ticket: never an
                self._state.unsynced_days.append(day)  # issued ticket outside the outbox
                self._state.save()
            before = d.reserved
            seq = d.reserve(queue)  # durable before use: a failure later leaves a gap
            if d.reserved is not before:  # a new block: its second copy, outside days/
                self._state.set_marks("reserved", day, d.reserved)
            ticket = Ticket(
                id=uuid.uuid4().hex, kiosk_id=self.kiosk_id, office_day=day,
                service_code=service_code, queue=queue, sequence=seq,
                number=numbering.format_number(queue, seq, self.number_tag),
                issued_at=self.clock.local(now).isoformat(timespec="seconds"),
                language=language, rules_confirmed=tuple(tuple(r) for r in rules_confirmed),
                menu_version=menu_version,
                service_names=tuple((str(k), str(v)) for k, v in service_names))
            d.insert(ticket)
            return ticket

    @staticmethod
    def _used(d: DayFile, service_code, quota) -> int:
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
            d.update([ticket_id], {"print_status": status, "print_error": error})
            return ticket.evolve(print_status=status, print_error=error)

    def _find(self, ticket_id):
        for d in self._days.values():
            t = d.get(ticket_id)
            if t is not None:
                return d, t
        for day in reversed(day_names(self.days_dir)):
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

    def count_in_queue(self, queue: str, above: int = 0, below: int | None = None) -> int:
        """This kiosk's tickets of ``queue`` today with ``above < sequence < below`` (None:
        no upper bound); in memory, no table scan (:mod:`kiosk.waits` counts with it)."""
        with self._lock:
            return self._day(self.office_day()).count(queue, above, below)

    # -- outbox --------------------------------------------------------------
    def pending_sync(self, limit: int = 200) -> list[Ticket]:
        """Up to ``limit`` committed tickets the office server has not confirmed, oldest first."""
        out: list[Ticket] = []
        with self._lock:
            for day in sorted(self._state.unsynced_days):
                d = self._day(day)
                for ticket_id in d.unsynced:
                    out.append(d.get(ticket_id))
                    if len(out) >= limit:
                        return out
        return out

    def pending_count(self) -> int:
        with self._lock:
            return sum(len(self._day(day).unsynced) for day in self._state.unsynced_days)

    def mark_synced(self, ids, synced_at: str) -> int:
        """Mark tickets confirmed by the server; returns how many changed. One line per day."""
        return self._leave_outbox(ids, {"synced_at": synced_at})

    def set_aside(self, ids, reason: str) -> int:
        """Take tickets the server will never accept (e.g. an id it holds for another
        kiosk) out of the outbox, keeping them and the reason on disk; returns how many."""
        return self._leave_outbox(ids, {"sync_refused": reason})

    def _leave_outbox(self, ids, fields) -> int:
        wanted = list(dict.fromkeys(ids))
        changed = 0
        with self._lock:
            for day in sorted(self._state.unsynced_days):
                changed += self._day(day).leave_outbox(wanted, fields)
            self._prune_synced_days()
        return changed

    def _prune_synced_days(self):
        """Drop past days with nothing left to sync from the outbox index."""
        done = [day for day in self._state.unsynced_days if day != self._state.office_day
                and not self._day(day).unsynced]
        if done:
            for day in done:
                self._state.unsynced_days.remove(day)
            self._state.save()

    def purge(self, retention_days: int, now: datetime | None = None,
              day: str | None = None) -> int:
        """Delete day files older than ``retention_days`` whose tickets are all synced,
        counted back from office day ``day`` (default the office day at ``now``, else
        today's: a caller that read the day already passes it, so one reading counts).

        Returns the number of day files removed (PDP: keep data only as long as needed).
        """
        with self._lock:
            today = date.fromisoformat(day or self.office_day(now))
            limit = (today - timedelta(days=retention_days)).isoformat()
            self._prune_synced_days()
            removed = 0
            for day in day_names(self.days_dir):
                if day < limit and day not in self._state.unsynced_days:
                    self.files.drop(day)  # no compaction: the files go
                    for suffix in (".json", ".journal", ".seq"):
                        (self.days_dir / f"{day}{suffix}").unlink(missing_ok=True)
                    removed += 1
            return removed

    # -- audit ---------------------------------------------------------------
    def audit(self, role: str, action: str, **detail) -> None:
        """Append to the audit log (:mod:`kiosk.audit`): who (role), what, when, details."""
        audit.append(self.dir, self.clock, role, action, **detail)  # O_APPEND

    def audit_entries(self, limit: int = 100) -> list[dict]:
        return audit.entries(self.dir, limit)

    def close(self) -> None:
        """Compact and close the day files, then release the data folder (idempotent)."""
        with self._lock:
            self.files.close_all()
            self.folder.close()
