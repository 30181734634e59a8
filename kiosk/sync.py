"""Offline-first sync with the office server: the background worker.

* :class:`SyncWorker` drains the store's outbox in batches on its own thread
  (never the UI thread), fetches the menu with ``ETag`` in the same attempt,
  and backs off with jitter while the server is unreachable. The HTTP side,
  timeouts and the error boundary are :class:`~kiosk.sync_client.SyncClient`
  (re-exported here).
* ``kiosk sync --once`` (:func:`lobby.sync_once.sync_once_command`, above the core)
  runs one attempt of this worker and reports it to staff.

One attempt has one deadline (``[server] attempt_deadline_s``) for every
batch and the menu check together, name lookups included
(:meth:`SyncClient.attempt`). After a failure the next attempt waits a
doubling, jittered delay; new tickets (:meth:`SyncWorker.poke`) do not cut it
short, staff "Sinkron sekarang" (``poke(force=True)``) does.

Exactly once: the ticket ``id`` is the idempotency key (the server upserts by
it) and the worker marks synced only ids the server listed as accepted; a lost
reply means the batch is sent again and the server stores nothing new. Ids the
server refuses (held for another kiosk) are set aside in the store, kept on
disk with the reason, so they never block the outbox. So are ids the server
already holds with other content (HTTP 409, nothing of that batch stored: one id
names one check-in): each leaves the outbox with the difference as its reason,
staff get an alert naming its number, and the batch goes again without it.
Numbers another kiosk also gave the same day (two kiosks sharing a
``[kiosk] number_tag``) are stored by the server all the same; the worker puts a
plain warning in ``SyncStatus.conflict_warning`` for the staff screen.

Messages for staff (``SyncStatus.last_error``, ``menu_error``, the report) are
plain Indonesian first, with a short English gloss.
"""
from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from dataclasses import replace
from .clock import OfficeClock
from .errors import KioskError, MenuError, SyncError
from .menu import parse_menu
from .sync_client import (KINDS, OFFLINE_KINDS, SyncClient, UploadReply, aware_iso,
                          parse_retry_after)
from .sync_errors import TicketsChanged, changed_words, clash_warning
from .sync_status import SyncReport, SyncStatus

__all__ = ["KINDS", "SyncClient", "SyncReport", "SyncStatus", "SyncWorker", "UploadReply",
           "clash_warning", "parse_retry_after"]

log = logging.getLogger(__name__)

#: Reason stored with a ticket the server refused (``Store.set_aside``).
REFUSED_REASON = ("Server kantor menyimpan id tiket ini untuk kiosk lain; tiket disisihkan dan "
                  "tetap tersimpan di kiosk. (Id held by another kiosk; set aside.)")


class SyncWorker:
    """Drains the outbox to the office server on a background thread.

    Args:
        client: a :class:`SyncClient` (or anything with ``upload``/``fetch_menu``).
        store: has ``pending_sync(limit) -> list[Ticket]``, ``mark_synced(ids, synced_at_iso)``
            and ``pending_count() -> int`` (:class:`kiosk.store.Store`); if it also has
            ``set_aside(ids, reason)``, ids the server refuses leave the outbox through it.
        on_status: ``f(SyncStatus)``, called on the worker thread after each attempt.
        clock: monotonic seconds (tests may pass a fake).
        office_clock: the office clock (:class:`kiosk.clock.OfficeClock`) for the server's
            clock skew and ``last_success_at``; default the store's (``store.clock``), else
            the system clock.
        on_menu: ``f(menu_bytes, etag)``, called on the worker thread with a new menu that
            passed :func:`kiosk.menu.parse_menu`; the app applies it between journeys.
        on_reply: ``f(UploadReply)``, called on the worker thread with every upload reply
            (the runtime keeps its counter figures: :meth:`kiosk.waits.WaitBoard.record`);
            its errors are logged, sync goes on.
        menu_version: the version the kiosk runs, a string or a zero-argument callable.
        menu_etag: ETag of the menu the kiosk runs (None: download it once).
        batch_size, interval_s, max_backoff_s: default from ``client.cfg`` (ServerConfig).
        backoff_base_s: first wait after a failure (s), doubling up to ``max_backoff_s``.
        rng: ``() -> float in [0, 1)`` for the jitter.
    """

    def __init__(self, client, store, on_status=None, clock=time.monotonic, *, on_menu=None,
                 on_reply=None, menu_version="", menu_etag=None, batch_size=None, interval_s=None,
                 max_backoff_s=None, backoff_base_s=None, rng=random.random,
                 office_clock=None):
        cfg = getattr(client, "cfg", None)
        self.office_clock = office_clock or getattr(store, "clock", None) or OfficeClock()
        self.client, self.store, self.on_status, self.on_menu = client, store, on_status, on_menu
        self.on_reply = on_reply
        self.clock, self.rng = clock, rng
        self.batch_size = batch_size or getattr(cfg, "batch_size", 200)
        self.interval_s = interval_s or getattr(cfg, "interval_s", 30.0)
        self.max_backoff_s = max_backoff_s or getattr(cfg, "max_backoff_s", 300.0)
        self.backoff_base_s = backoff_base_s or min(5.0, self.interval_s)
        self._menu_version = menu_version
        self._status = SyncStatus(menu_etag=menu_etag)
        self._failures = 0
        self._not_before = 0.0
        self._lock = threading.Lock()          # guards _status
        self._attempt_lock = threading.Lock()  # one attempt at a time (worker or CLI)
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None

    # -- control -------------------------------------------------------------
    def start(self) -> "SyncWorker":
        """Start the background thread (idempotent)."""
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="sync-worker", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout_s: float = 5.0) -> None:
        """Ask the thread to end and wait up to ``timeout_s`` (an attempt ends by its deadline)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def poke(self, force: bool = False) -> None:
        """Try now: a new ticket (``force`` False) or staff "sync now" (``force`` True).

        After a failed attempt (server error, 401, offline) a new ticket does not
        cut the backoff short: the next attempt waits for its jittered delay, so a
        busy lobby does not hammer a failing server. ``force`` does; a server's
        Retry-After holds either way.
        """
        if force or self._failures == 0:
            self._wake.set()

    def status(self) -> SyncStatus:
        """The latest :class:`SyncStatus` (no I/O)."""
        with self._lock:
            return self._status

    # -- one attempt ---------------------------------------------------------
    def sync_once(self) -> SyncReport:
        """Upload every pending ticket in batches, then check for a new menu.

        Returns a :class:`SyncReport`; never raises for network or server
        trouble (that is in ``report.error``). Store errors propagate.
        """
        with self._attempt_lock:
            started = self.clock()
            progress, menu, err = [0, 0, 0, 0], "skipped", None
            attempt = getattr(self.client, "attempt", None)  # one deadline for it all
            try:
                with attempt() if attempt else contextlib.nullcontext():
                    self._drain(progress)
                    menu = "skipped" if self._time_up() else self._check_menu()
            except SyncError as exc:
                err = exc
                log.warning("sync attempt failed (%s): %s", exc.kind, exc)
            backlog = self.store.pending_count()
            report = SyncReport(progress[0], progress[1], backlog, menu, str(err) if err else None,
                                err.kind if err else None, err.retry_after_s if err else None,
                                self.clock() - started, set_aside=progress[2],
                                conflicts=self.status().conflicts if progress[3] else 0)
            self._record(report)
        self._notify()
        return report

    def _time_up(self) -> bool:
        left = getattr(self.client, "time_left", None)
        remaining = left() if left is not None else None
        return remaining is not None and remaining <= 0

    def _version(self) -> str:
        return self._menu_version() if callable(self._menu_version) else self._menu_version

    def _drain(self, progress: list) -> None:
        """Upload batches until none is left; ``progress`` = [tickets confirmed, requests,
        tickets set aside, replies with number clashes]. Stops early when a batch moves
        nothing out of the outbox. With nothing to send, one empty upload asks the server
        for this kiosk's high-water mark of today (a kiosk whose files were lost)."""
        for _ in range(self.store.pending_count() // self.batch_size + 2):
            if self._time_up():  # the attempt's deadline: the rest goes in the next one
                break
            batch = self.store.pending_sync(self.batch_size)
            if not batch and (progress[1] or not self._asks_high_water()):
                break
            try:
                reply = self.client.upload(batch, self._version(), **self._office_day())
            except TicketsChanged as exc:  # nothing stored: set those aside, send the rest
                progress[1] += 1
                moved = self._set_aside_changed(batch, exc.changes)
                if not moved:
                    raise
                progress[2] += moved
                continue
            self._took_reply(reply)
            self._took_numbers(reply)
            if not batch:
                break
            progress[1] += 1
            if reply.clashes or reply.conflict_ids:
                progress[3] += 1
                self._took_clashes(reply)
            ids = {t.id for t in batch}
            accepted = [i for i in reply.accepted_ids if i in ids]
            if accepted:
                self.store.mark_synced(accepted, reply.server_time)
                progress[0] += len(accepted)
            aside = self._set_aside([i for i in reply.refused_ids if i in ids])
            progress[2] += aside
            if not accepted and not aside:
                break

    def _asks_high_water(self) -> bool:
        return hasattr(self.store, "raise_high_water")

    def _office_day(self) -> dict:
        day = getattr(self.store, "office_day", None)
        return {"office_day": day()} if day is not None and self._asks_high_water() else {}

    def _took_numbers(self, reply: UploadReply) -> None:
        """Never issue at or below what the server holds; the server's clock as a witness
        of a clock step (:meth:`kiosk.store.Store.server_time`); a repeat for staff."""
        if self._asks_high_water():
            self.store.server_time(reply.server_time)
            if reply.high_water:
                self.store.raise_high_water(reply.high_water)
        if reply.repeat_warning:
            log.error("office server: %s", reply.repeat_warning)
            self._set(repeat_warning=reply.repeat_warning)

    def _set_aside(self, refused: list) -> int:
        """Take refused ids out of the outbox (if the store can); returns how many left it."""
        if not refused:
            return 0
        log.error("office server refused %d ticket ids held by another kiosk: %s",
                  len(refused), ", ".join(refused[:5]))
        set_aside = getattr(self.store, "set_aside", None)
        if set_aside is None:
            return 0
        moved = set_aside(refused, REFUSED_REASON)
        with self._lock:
            self._status = replace(self._status, set_aside=self._status.set_aside + moved)
        return moved

    def _set_aside_changed(self, batch: list, changes: list) -> int:
        """Tickets of ``batch`` the server holds with other content (HTTP 409) leave the
        outbox with their reason, and staff get an alert naming each number; returns how
        many left (0: the store cannot set aside, or the ids are not in the batch)."""
        changed = [t for t in batch if t.id in {c["id"] for c in changes}]
        set_aside = getattr(self.store, "set_aside", None)
        if not changed or set_aside is None:
            return 0
        moved = 0
        for ticket in changed:
            reason, alert = changed_words(ticket, changes)
            log.error("office server holds ticket %s (%s) with other content: %s",
                      ticket.number, ticket.id, reason)
            moved += set_aside([ticket.id], reason)
            if hasattr(self.store, "set_alert"):
                self.store.set_alert(f"ticket_changed:{ticket.id}", alert)
        self._set(set_aside=self.status().set_aside + moved)
        return moved

    def _took_clashes(self, reply: UploadReply) -> None:
        """Remember (for the staff screen) that other kiosks gave this kiosk's numbers."""
        warning = clash_warning(reply.clashes) or (
            "Nomor ganda: kiosk lain memberi nomor antrian yang sama dengan kiosk ini — "
            "periksa number_tag di kiosk.ini. (Duplicate ticket numbers.)")
        log.error("office server: %d ticket numbers of this kiosk were also given by another "
                  "kiosk: %s", len(reply.conflict_ids), warning)
        with self._lock:
            self._status = replace(self._status, conflict_warning=warning,
                                   conflicts=max(self._status.conflicts,
                                                 len(reply.conflict_ids)))

    def _took_reply(self, reply: UploadReply) -> None:
        if self.on_reply is not None:
            try:
                self.on_reply(reply)
            except Exception:  # the figures are a nicety: never stop the upload for them
                log.exception("keeping the office server's figures failed")
        skew = (aware_iso(reply.server_time) - self.office_clock.now()).total_seconds()
        with self._lock:
            self._status = replace(self._status, now_serving=dict(reply.now_serving),
                                   server_clock_skew_s=round(skew, 3))

    def _check_menu(self) -> str:
        etag = self.status().menu_etag
        body, new_etag = self.client.fetch_menu(etag, self._version())
        if body is None:
            return "unchanged" if new_etag else "none"
        try:
            parse_menu(body, source="menu from the office server")
        except MenuError as exc:
            log.error("refused the menu served by the office server: %s", exc)
            self._set(menu_error=f"Menu dari server kantor ditolak; menu yang sekarang tetap "
                                 f"dipakai. (Menu refused.) {exc}")
            return "refused"
        if self.on_menu is not None:
            try:
                self.on_menu(body, new_etag)
            except Exception as exc:  # the app's callback must not end the worker
                log.exception("applying the new menu failed")
                self._set(menu_error=f"Menu baru tidak dapat dipasang; menu yang sekarang "
                                     f"tetap dipakai. (Menu not applied.) {exc}")
                return "refused"
        self._set(menu_error=None, menu_etag=new_etag)
        return "updated"

    # -- status and timing ---------------------------------------------------
    def _set(self, **changes) -> None:
        with self._lock:
            self._status = replace(self._status, **changes)

    def _record(self, report: SyncReport) -> None:
        if report.ok:
            self._failures = 0
            self._set(online=True, last_error=None, error_kind=None, backlog=report.backlog,
                      last_success_at=self.office_clock.now().isoformat(timespec="seconds"))
            return
        self._failures += 1
        if report.retry_after_s is not None:
            self._not_before = self.clock() + min(report.retry_after_s, self.max_backoff_s)
        self._set(online=report.error_kind not in OFFLINE_KINDS, last_error=report.error,
                  error_kind=report.error_kind, backlog=report.backlog)

    def _notify(self) -> None:
        if self.on_status is None:
            return
        try:
            self.on_status(self.status())
        except Exception:
            log.exception("on_status callback failed")

    def next_delay_s(self, report: SyncReport | None) -> float:
        """Seconds until the next attempt after ``report`` (None: the attempt crashed).

        Healthy: ``interval_s`` (0 if a drain was cut short with progress). Failing:
        ``backoff_base_s * 2**(n-1)`` capped at ``max_backoff_s``, times a jitter
        in [0.5, 1), and never before a server's Retry-After.
        """
        if report is not None and report.ok:
            return 0.0 if report.backlog and report.uploaded else self.interval_s
        n = max(1, self._failures)
        capped = min(self.max_backoff_s, self.backoff_base_s * 2 ** min(n - 1, 32))
        delay = capped * (0.5 + 0.5 * self.rng())
        return max(delay, self._not_before - self.clock())

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            report = None
            try:
                report = self.sync_once()
            except Exception as exc:  # a store failure must not end the thread
                log.exception("sync attempt crashed")
                self._failures += 1
                detail = f": {exc}" if isinstance(exc, KioskError) else ""  # plain words
                self._set(last_error=f"Sinkronisasi terhenti karena kesalahan di kiosk{detail}; "
                                     f"tiket tetap tersimpan dan dicoba lagi. Rinciannya ada di "
                                     f"log kiosk. (Internal error.)",
                          error_kind="internal")
                self._notify()
            self._wake.wait(self.next_delay_s(report))
            hold = self._not_before - self.clock()
            if hold > 0 and not self._stop.is_set():
                self._stop.wait(min(hold, self.max_backoff_s))
