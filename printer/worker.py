"""The print worker: one thread, a fresh connection per job, and a deadline on everything.

Screens and the CLI hand over :class:`PrintJob` objects whose ESC/POS bytes
were rendered beforehand (:func:`printer.slip.render_escpos`); the worker only
moves bytes. For each job it

1. opens a new connection (``device_factory(cfg)``, default
   :func:`printer.devices.open_device`), so a printer that was unplugged,
   reset or closed an idle socket is simply reconnected;
2. if ``cfg.status_polling``, asks ``DLE EOT`` 1, 2 and 4 and does not send the
   job to a printer that reports paper out, cover open or offline: a stopped
   printer would keep the slip in its buffer and print a burst of old slips when
   the paper is replaced;
3. sends the bytes and closes the connection.

Steps 1-3 run in a disposable daemon thread; when ``cfg.job_deadline_s`` passes
the worker interrupts and abandons it, reports ``timeout`` and serves the next
job. A failed job is reported (``on_result``) and dropped, never retried by
itself; staff reprint it.

``on_result`` is called on the worker thread: a Kivy client must hop to the
main thread (``Clock.schedule_once``). An exception it raises is logged.
"""
from __future__ import annotations

import collections
import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

from kiosk.errors import PrinterError

from .devices import open_device
from .status import MESSAGES, classify, parse_status, refusal

log = logging.getLogger(__name__)

#: jobs waiting at most; further submits are reported as failed at once
MAX_QUEUED = 50
#: abandoned I/O threads still alive before new jobs are refused (printer wedged)
MAX_STUCK = 2


@dataclass(frozen=True)
class PrintJob:
    """Pre-rendered ESC/POS ``data`` for one slip; ``png`` is the preview (file printer).

    ``name`` is the file stem for the file printer, e.g. ``2026-11-29_A001_<id8>``.
    """

    ticket_id: str | None
    data: bytes
    png: object = None
    name: str = ""


@dataclass(frozen=True)
class PrintResult:
    """How a job ended. ``kind`` is one of :data:`printer.status.KINDS`; ``message`` is
    plain Indonesian for staff ("" when ok); ``duration_ms`` from pick-up to result."""

    ticket_id: str | None
    ok: bool
    kind: str
    message: str
    duration_ms: float


@dataclass(frozen=True)
class PrinterStatus:
    """What the worker knows about the printer.

    ``online``/``cover_open`` are None when unknown; ``paper`` is ok, near_end,
    out or unknown (no answer is unknown, never out); ``last_ok_at`` is the
    ``time.time()`` of the last printed job; ``queued`` counts unfinished jobs.
    """

    online: bool | None
    paper: str
    cover_open: bool | None
    last_error: str
    last_ok_at: float | None
    queued: int


_UNKNOWN = {"online": None, "paper": "unknown", "cover_open": None}
_UNREACHABLE = ("busy", "permission", "not_found", "timeout", "offline")


class _Task:
    """A queued job or status request; ``done`` is set when ``result`` is final."""

    def __init__(self, job: PrintJob | None, notify: bool):
        self.job, self.notify = job, notify
        self.result = None
        self.done = threading.Event()


class PrintWorker:
    """The kiosk's one print thread. Thread-safe; see the module docstring.

    Args:
        cfg: :class:`kiosk.config.PrinterConfig` (timeouts in seconds).
        on_result: called with a :class:`PrintResult` for every submitted job.
        device_factory: ``f(cfg) -> open device`` with ``deliver(job)``, ``close()``
            and optionally ``query_status(n)`` / ``interrupt()``; tests inject fakes.
    """

    def __init__(self, cfg, on_result: Callable[[PrintResult], None] | None = None,
                 device_factory=None):
        self._cfg = cfg
        self._on_result = on_result
        self._factory = device_factory or open_device
        self._cond = threading.Condition()
        self._tasks: collections.deque[_Task] = collections.deque()
        self._busy = 0
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._state = dict(_UNKNOWN, last_error="", last_ok_at=None)
        self._stuck: list[threading.Thread] = []
        self._warned_silent = False

    # -- lifecycle -----------------------------------------------------------
    def start(self) -> None:
        """Start the print thread (idempotent)."""
        with self._cond:
            self._stopping = False  # a thread still finishing its last job keeps serving
            if self._thread and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._loop, name="print-worker", daemon=True)
            self._thread.start()

    def stop(self, timeout_s: float = 2.0) -> None:
        """Stop after the current job (waits at most ``timeout_s``); queued jobs are
        reported as not printed."""
        with self._cond:
            self._stopping = True
            dropped = self._take_jobs()
            questions, self._tasks = list(self._tasks), collections.deque()
            self._cond.notify_all()
        self._fail_all(dropped, "Kiosk berhenti sebelum slip dicetak.")
        for task in questions:
            task.done.set()
        thread = self._thread
        if thread and thread is not threading.current_thread():
            thread.join(timeout_s)
            if thread.is_alive():
                log.warning("print worker still busy after %.1f s; leaving it", timeout_s)

    def _running(self) -> bool:
        return bool(self._thread and self._thread.is_alive() and not self._stopping)

    # -- public verbs --------------------------------------------------------
    def submit(self, job: PrintJob) -> None:
        """Queue ``job``; returns at once. Its result goes to ``on_result``.

        Never raises for printer trouble; a full queue (:data:`MAX_QUEUED`) is
        reported through ``on_result`` on the calling thread.
        """
        with self._cond:
            if sum(t.job is not None for t in self._tasks) < MAX_QUEUED:
                self._tasks.append(_Task(job, notify=True))
                self._cond.notify()
                return
        self._report(PrintResult(job.ticket_id, False, "busy",
                                 "Antrian cetak penuh: printer tidak mencetak. Periksa printer.",
                                 0.0))

    def print_now(self, job: PrintJob, timeout_s: float | None = None) -> PrintResult:
        """Print ``job`` and wait for its result (for ``kiosk print-test``).

        Runs on the caller's thread with ``timeout_s`` (default
        ``cfg.job_deadline_s``) as the job deadline when the worker is not running.
        When it is, the job queues behind the others and the wait is bounded by
        ``timeout_s`` plus one job deadline per job ahead; a job still waiting then
        is withdrawn and reported as timeout. Does not call ``on_result``.
        """
        limit = timeout_s if timeout_s is not None else self._cfg.job_deadline_s
        if not self._running():
            return self._print(job, deadline_s=limit)
        task = _Task(job, notify=False)
        with self._cond:
            ahead = self._busy + sum(t.job is not None for t in self._tasks)
            self._tasks.append(task)
            self._cond.notify()
        if task.done.wait(limit + ahead * self._cfg.job_deadline_s + 0.5):
            return task.result
        with self._cond:
            if task in self._tasks:
                self._tasks.remove(task)
        return PrintResult(job.ticket_id, False, "timeout",
                           "Printer sibuk: slip belum dicetak dalam batas waktu.", limit * 1000)

    def status(self, refresh: bool = False) -> PrinterStatus:
        """The printer's state; with ``refresh`` (and ``cfg.status_polling``) ask it first.

        The question (DLE EOT 1, 2, 4) runs on the worker thread ahead of waiting
        jobs (after the job being sent, if any), or on the caller's thread when the
        worker is not running; the wait is bounded by twice ``cfg.job_deadline_s``.
        Never raises; without an answer the previous state is returned.
        """
        if refresh and self._cfg.status_polling:
            if self._running():
                task = _Task(None, notify=False)
                with self._cond:
                    self._tasks.appendleft(task)
                    self._cond.notify()
                task.done.wait(self._cfg.job_deadline_s * 2 + 0.5)
            else:
                self._refresh()
        with self._cond:
            queued = self._busy + sum(t.job is not None for t in self._tasks)
            return PrinterStatus(queued=queued, **self._state)

    def clear(self) -> int:
        """Drop every waiting job (staff "reset"); each is reported as not printed.

        Returns how many were dropped. A job being sent right now finishes.
        """
        with self._cond:
            dropped = self._take_jobs()
        self._fail_all(dropped, "Dibatalkan petugas: antrian cetak dikosongkan.")
        return len(dropped)

    def reconfigure(self, cfg) -> None:
        """Use ``cfg`` from the next job on (staff reload of kiosk.ini); status becomes unknown.

        Waiting jobs keep the bytes they were rendered with.
        """
        with self._cond:
            self._cfg = cfg
            self._state.update(_UNKNOWN, last_error="")
            self._warned_silent = False

    # -- the thread ----------------------------------------------------------
    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._tasks and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                task = self._tasks.popleft()
                self._busy = int(task.job is not None)
            try:
                if task.job is None:
                    self._refresh()
                else:
                    task.result = self._print(task.job, self._cfg.job_deadline_s)
                    if task.notify:
                        self._report(task.result)
            except Exception:  # a bug here must not kill printing for the day
                log.exception("print worker task failed")
                if task.job is not None and task.result is None:
                    task.result = PrintResult(task.job.ticket_id, False, "error",
                                              MESSAGES["error"], 0.0)
            finally:
                with self._cond:
                    self._busy = 0
                task.done.set()

    def _take_jobs(self) -> list[_Task]:
        jobs = [t for t in self._tasks if t.job is not None]
        for task in jobs:
            self._tasks.remove(task)
        return jobs

    def _fail_all(self, tasks, message: str) -> None:
        for task in tasks:
            task.result = PrintResult(task.job.ticket_id, False, "error", message, 0.0)
            if task.notify:
                self._report(task.result)
            task.done.set()

    def _report(self, result: PrintResult) -> None:
        if self._on_result is None:
            return
        try:
            self._on_result(result)
        except Exception:
            log.exception("on_result callback failed for ticket %s", result.ticket_id)

    # -- one bounded I/O session ---------------------------------------------
    def _session(self, cfg, action, deadline_s: float):
        """Open a device, ``action(device)``, close; all in a daemon thread bounded by
        ``deadline_s``. Returns action's value; raises PrinterError (timeout at the deadline)."""
        self._stuck = [t for t in self._stuck if t.is_alive()]
        if len(self._stuck) >= MAX_STUCK:
            raise PrinterError("Printer macet: sambungan sebelumnya belum lepas. Matikan dan "
                               "nyalakan printer, atau cabut dan pasang lagi kabelnya.",
                               kind="timeout")
        box: dict = {}
        done = threading.Event()

        def run():
            device = None
            try:
                device = box["device"] = self._factory(cfg)
                box["value"] = action(device)
            except BaseException as exc:
                box["error"] = exc
            finally:
                if device is not None:
                    try:
                        device.close()
                    except Exception:
                        log.debug("closing the printer failed", exc_info=True)
                done.set()

        thread = threading.Thread(target=run, name="print-io", daemon=True)
        thread.start()
        if not done.wait(deadline_s):
            device = box.get("device")
            if device is not None and hasattr(device, "interrupt"):
                try:
                    device.interrupt()
                except Exception:
                    log.debug("interrupting the printer failed", exc_info=True)
            self._stuck.append(thread)
            raise PrinterError(f"Printer tidak selesai dalam {deadline_s:g} detik; pekerjaan "
                               f"cetak dihentikan. Periksa printer (kertas, tutup, kabel).",
                               kind="timeout")
        if "error" in box:
            raise box["error"]
        return box.get("value")

    def _ask(self, device) -> dict:
        """Printer state from DLE EOT 1, 2, 4 (stops at the first unanswered request)."""
        query = getattr(device, "query_status", None)
        answers = {}
        for n in (1, 2, 4):
            answer = query(n) if query else None
            if answer is None:
                break
            answers[n] = answer
        state = parse_status(answers)
        if not answers and getattr(device, "has_status", True) and query:
            if not self._warned_silent:
                log.warning("printer gave no answer to DLE EOT; status unknown (set "
                            "[printer] status_polling = no if this model never answers)")
                self._warned_silent = True
        if state["online"] is None:
            state["online"] = True  # it accepted the connection
        return state

    def _print(self, job: PrintJob, deadline_s: float) -> PrintResult:
        cfg, started = self._cfg, time.monotonic()

        def action(device):
            state = self._ask(device) if cfg.status_polling else dict(_UNKNOWN)
            stop = refusal(state)
            if stop:
                return state, stop
            device.deliver(job)
            return state, None

        try:
            state, stop = self._session(cfg, action, deadline_s)
            kind, message = (stop, MESSAGES[stop]) if stop else ("ok", "")
        except Exception as exc:
            kind, message = classify(exc)
            state = dict(_UNKNOWN, online=False if kind in _UNREACHABLE else None)
        elapsed = (time.monotonic() - started) * 1000
        self._record(state, kind, message)
        if kind == "ok":
            log.info("printed ticket %s in %.0f ms", job.ticket_id, elapsed)
        else:
            log.warning("ticket %s not printed (%s): %s", job.ticket_id, kind, message)
        return PrintResult(job.ticket_id, kind == "ok", kind, message, round(elapsed, 1))

    def _refresh(self) -> None:
        cfg = self._cfg
        try:
            state = self._session(cfg, self._ask, cfg.job_deadline_s)
            kind, message = "ok", ""
        except Exception as exc:
            kind, message = classify(exc)
            state = dict(_UNKNOWN, online=False if kind in _UNREACHABLE else None)
        self._record(state, kind, message, printed=False)

    def _record(self, state: dict, kind: str, message: str, printed: bool = True) -> None:
        with self._cond:
            self._state.update(state)
            if kind == "ok":
                self._state["last_error"] = ""
                if printed:
                    self._state["last_ok_at"] = time.time()
            else:
                self._state["last_error"] = message


