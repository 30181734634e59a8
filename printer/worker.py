"""The print worker: one thread, a fresh connection per job, and a deadline on everything.

Screens and the CLI hand over :class:`PrintJob` objects whose ESC/POS bytes
were rendered beforehand (:func:`printer.slip.render_escpos`); the worker only
moves bytes. For each job it

1. opens a new connection (``device_factory(cfg)``, default :func:`printer.devices.open_device`),
   so a printer that was unplugged, reset or closed an idle socket is simply reconnected;
2. if ``cfg.status_polling``, asks ``DLE EOT`` 1, 2 and 4 and does not send the
   job to a printer that reports paper out, cover open or offline: a stopped
   printer would keep the slip in its buffer and print a burst of old slips when
   the paper is replaced. A printer that gives no answer at all fails the job
   (nothing sent): with polling on, silence means it is not reading;
3. sends the bytes and, if ``cfg.status_polling``, asks ``DLE EOT`` again (up to
   ``cfg.timeout_s`` for the first answer) to confirm the printer read the slip:
   a printer that accepts the TCP connection but never reads swallows small
   slips into the OS buffers, so a successful send proves nothing. No answer
   fails the job ("Printer tidak menjawab ..."); the paper state stays unknown; 4. closes it.

Every result carries an *outcome* from the printer's own answers: ``printed``
(ready after the whole slip), ``not_printed`` (nothing of the slip was sent:
refused, silent, unreachable) or ``maybe_partly`` (bytes went out, then the
printer reported paper out / cover open / offline, went silent, or the
connection dropped). Only ``printed`` is ``ok``.

Steps 1-4 run in a disposable daemon thread; when ``cfg.job_deadline_s`` passes
the worker sets the job's cancel token, interrupts the device and abandons the
thread, reports ``timeout`` and serves the next job. The job is dead: the token
is checked right before every write and by a network connect still in
progress (which then closes its socket), so it cannot reach the printer later
whatever ``timeout_s`` is. A failed job is reported (``on_result``) and
dropped, never retried by itself; staff reprint it.

``on_paper(job, result)`` is called for every job that put paper out, test
prints (:meth:`PrintWorker.print_now`) included: the paper counter counts all.

``on_result`` is called on the worker thread (a Kivy client hops to the main thread with
``Clock.schedule_once``); an exception it raises is logged.
"""
from __future__ import annotations

import collections
import logging
import threading
import time
from typing import Callable

from kiosk.clock import OfficeClock
from kiosk.errors import PrinterError

from .devices import open_device
from .jobs import MAYBE_PARTLY, NOT_PRINTED, PRINTED, PrintJob, PrintResult, PrinterStatus
from .status import MESSAGES, NO_ANSWER, ask, cancelled_error, classify, refusal, state_of
from .transport import STATUS_REPLY_S

log = logging.getLogger(__name__)

#: jobs waiting at most; further submits are reported as failed at once
MAX_QUEUED = 50
#: abandoned I/O threads still alive before new jobs are refused (printer wedged)
MAX_STUCK = 2


_UNKNOWN = {"online": None, "paper": "unknown", "cover_open": None}
_UNREACHABLE = ("busy", "permission", "not_found", "timeout", "offline")
#: added to the message of a slip that may have come out cut short
PARTLY = "Slip mungkin hanya tercetak sebagian; buang potongannya dan cetak ulang slip."


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
        on_paper: ``f(job, result)`` for every job that put paper out (see module doc).
        clock: the office clock (:class:`kiosk.clock.OfficeClock`) for ``last_ok_at`` and
            file names; default the system clock. Durations use ``time.monotonic``.
    """

    def __init__(self, cfg, on_result: Callable[[PrintResult], None] | None = None,
                 device_factory=None, on_paper=None, clock=None):
        self._cfg = cfg
        self.clock = clock or OfficeClock()
        self._on_result, self.on_paper, self._factory = on_result, on_paper, device_factory
        self._cond = threading.Condition()
        self._tasks: collections.deque[_Task] = collections.deque()
        self._busy = 0
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._state = dict(_UNKNOWN, last_error="", last_ok_at=None, state="unknown")
        self._stuck: list[threading.Thread] = []

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
            return self._print(job, deadline_s=limit, notify=False)
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
            self._state.update(_UNKNOWN, last_error="", state="unknown")

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
                    task.result = self._print(task.job, self._cfg.job_deadline_s, task.notify)
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
    def _open(self, cfg, cancel: threading.Event):
        if self._factory is None:
            return open_device(cfg, cancel, self.clock)
        device = self._factory(cfg)
        try:
            device.cancel = cancel
        except AttributeError:  # a fake without attributes; the worker checks the token too
            pass
        return device

    def _session(self, cfg, action, deadline_s: float):
        """Open a device, ``action(device, cancel)``, close; all in a daemon thread bounded
        by ``deadline_s``. Returns action's value; raises PrinterError (timeout at the
        deadline, after setting the cancel token and interrupting the device)."""
        self._stuck = [t for t in self._stuck if t.is_alive()]
        if len(self._stuck) >= MAX_STUCK:
            raise PrinterError("Printer macet: sambungan sebelumnya belum lepas. Matikan dan "
                               "nyalakan printer, atau cabut dan pasang lagi kabelnya.",
                               kind="timeout")
        box: dict = {}
        done, cancel = threading.Event(), threading.Event()

        def run():
            device = None
            try:
                device = box["device"] = self._open(cfg, cancel)
                box["value"] = action(device, cancel)
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
            cancel.set()  # dead from now on: nothing more reaches the printer
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

    def _print(self, job: PrintJob, deadline_s: float, notify: bool = True) -> PrintResult:
        """Print ``job`` within ``deadline_s``; the outcome comes from the printer's answers
        before and after the slip. A failure is logged as a warning when its result goes
        to ``on_result`` (``notify``), else at info: the caller shows it."""
        cfg, started = self._cfg, time.monotonic()
        sent = threading.Event()  # set right before the first byte of the slip goes out

        def send(device, cancel):
            if cancel.is_set():
                raise cancelled_error()
            sent.set()
            device.deliver(job)

        def action(device, cancel):
            if not cfg.status_polling:
                send(device, cancel)
                return dict(_UNKNOWN), "ok", "", PRINTED
            state, silent = ask(device, cancel)
            if silent:
                return state, "timeout", NO_ANSWER["before"], NOT_PRINTED
            stop = refusal(state)
            if stop:
                return state, stop, MESSAGES[stop], NOT_PRINTED
            send(device, cancel)
            after, silent = ask(device, cancel, max(cfg.timeout_s, STATUS_REPLY_S))
            if silent:
                return after, "timeout", NO_ANSWER["after"], MAYBE_PARTLY
            stop = refusal(after)  # e.g. the roll ran out part-way through this slip
            if stop:
                return after, stop, f"{MESSAGES[stop]} {PARTLY}", MAYBE_PARTLY
            return after, "ok", "", PRINTED

        try:
            state, kind, message, outcome = self._session(cfg, action, deadline_s)
        except Exception as exc:
            kind, message = classify(exc)
            state = dict(_UNKNOWN, online=False if kind in _UNREACHABLE else None)
            outcome = MAYBE_PARTLY if sent.is_set() else NOT_PRINTED
            if outcome == MAYBE_PARTLY:
                message = f"{message} {PARTLY}"
        elapsed = (time.monotonic() - started) * 1000
        self._record(state, kind, message, printed=outcome == PRINTED)
        if kind == "ok":
            log.info("printed ticket %s in %.0f ms", job.ticket_id, elapsed)
        else:
            log.log(logging.WARNING if notify else logging.INFO,
                    "ticket %s %s (%s): %s", job.ticket_id, outcome, kind, message)
        result = PrintResult(job.ticket_id, outcome == PRINTED, kind, message,
                             round(elapsed, 1), outcome)
        try:
            if outcome != NOT_PRINTED and self.on_paper is not None:
                self.on_paper(job, result)
        except Exception:
            log.exception("on_paper callback failed for ticket %s", job.ticket_id)
        return result

    def _refresh(self) -> None:
        cfg = self._cfg
        try:
            state, silent = self._session(cfg, ask, cfg.job_deadline_s)
            kind, message = ("timeout", NO_ANSWER["status"]) if silent else ("ok", "")
            stop = refusal(state)
            if stop and not silent:
                kind, message = stop, MESSAGES[stop]
        except Exception as exc:
            kind, message = classify(exc)
            state = dict(_UNKNOWN, online=False if kind in _UNREACHABLE else None)
        self._record(state, kind, message, printed=False)

    def _record(self, state: dict, kind: str, message: str, printed: bool = True) -> None:
        with self._cond:
            self._state.update(state, state=state_of(kind, state))
            if kind == "ok":
                self._state["last_error"] = ""
                if printed:
                    self._state["last_ok_at"] = self.clock.timestamp()
            else:
                self._state["last_error"] = message


