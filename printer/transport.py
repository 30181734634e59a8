"""The base every printer transport shares: what the print worker calls, bounded in time.

A transport is a python-escpos printer class (``Network``, ``Usb``, ...) with
:class:`Transport` mixed in first. The worker only calls ``open()``,
``deliver(job)``, ``query_status(n)``, ``interrupt()`` and ``close()``; the
escpos formatting methods still work for anyone who wants them.
"""
from __future__ import annotations

from kiosk.errors import PrinterError

from .status import DLE_EOT, cancelled_error, classify

#: longest wait for one DLE EOT answer, in seconds (capped by ``timeout_s``);
#: printers answer real-time requests within milliseconds
STATUS_REPLY_S = 0.5
#: bytes per write of a slip; the job's cancel token is checked before each one
CHUNK_BYTES = 4096


def fail(exc: BaseException, context: str, transport: str = "") -> PrinterError:
    """A PrinterError for ``exc`` (kind and message from :func:`classify` for
    ``transport``), ``context`` appended."""
    kind, message = classify(exc, transport)
    err = PrinterError(f"{message} [{context}]", kind=kind)
    err.__cause__ = exc
    return err


class Transport:
    """What the print worker needs from every transport (mixed into the escpos class)."""

    kind = "printer"
    timeout_s = 3.0
    #: False for transports with no printer to ask (file, dummy): no DLE EOT is sent
    has_status = True
    #: the job's cancel token (``threading.Event``), set by the worker when it gives the
    #: job up; checked right before every send, so a given-up job never reaches the printer
    cancel = None

    def __del__(self):  # python-escpos closes in __del__; we close explicitly, never from GC
        pass

    def _require(self):
        if not self._device:
            raise PrinterError("Printer belum dibuka (open() belum dipanggil).", kind="error")
        return self._device

    def check_cancel(self) -> None:
        """Raise PrinterError (timeout) if the job was given up."""
        if self.cancel is not None and self.cancel.is_set():
            raise cancelled_error()

    def deliver(self, job) -> None:
        """Send ``job.data`` (ESC/POS bytes) as they are, in :data:`CHUNK_BYTES` writes
        with the cancel token checked before each. Raises PrinterError."""
        data = job.data
        for at in range(0, len(data), CHUNK_BYTES):
            self.check_cancel()
            self._raw(data[at:at + CHUNK_BYTES])

    def query_status(self, n: int, wait_s: float | None = None) -> int | None:
        """One ``DLE EOT n`` answer byte (n in 1, 2, 4), or None if there is none in time.

        Waits at most ``wait_s`` seconds for the answer (default
        :data:`STATUS_REPLY_S`, or ``timeout_s`` if shorter); raises PrinterError
        if the request cannot be sent.
        """
        if not self.has_status:
            return None
        self.check_cancel()
        self._raw(DLE_EOT[n])
        if wait_s is None:
            wait_s = min(STATUS_REPLY_S, self.timeout_s)
        answer = self._read_status(wait_s)
        return answer[-1] if answer else None

    def _read_status(self, timeout_s: float) -> bytes:
        return b""

    def interrupt(self) -> None:
        """Unblock a write in progress on another thread (no-op where writes time out)."""
