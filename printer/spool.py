"""The "file" printer: slips saved as ESC/POS bytes plus a PNG preview, for kiosks without hardware.

``[printer] path`` is a spool folder; each job writes ``<name>.bin`` (exactly
the bytes a real printer would get) and ``<name>.png`` (what the paper would
look like). Problems (a path that is a file, no permission, disk full) raise
:class:`kiosk.errors.PrinterError`, which the worker reports; they never
escape the worker.
"""
from __future__ import annotations

import logging
import os
import re
import tempfile
from pathlib import Path

from escpos.printer import Dummy

from kiosk.clock import OfficeClock
from kiosk.errors import PrinterError

from .transport import Transport, fail

log = logging.getLogger(__name__)

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def spool_problem(path) -> str | None:
    """Why the spool folder ``path`` cannot take slips, in plain English, or None if it can.

    For ``kiosk check``: looks without creating anything. A folder that does not
    exist yet is fine when its nearest existing parent is a writable folder (the
    file printer creates it at the first slip).
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        return f"{path} is a file, not a folder; give a folder for the slips"
    if path.is_dir():
        if not os.access(path, os.W_OK | os.X_OK):
            return f"the folder {path} is read-only; give the kiosk's user write permission"
        return None
    parent = next((p for p in path.parents if p.exists()), None)
    if parent is None or not parent.is_dir():
        return f"{path} cannot be created: {parent} is a file, not a folder"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"{path} cannot be created: the folder {parent} is read-only"
    return None


class SpoolPrinter(Transport, Dummy):
    """The "file" printer: each job becomes ``<name>.bin`` + ``<name>.png`` in a spool folder.

    Files are written whole (temporary file, fsync, rename), so a reader never
    sees half a slip; a name already used gets ``-2``, ``-3``, ... Bytes sent
    with ``text()`` etc. instead of :meth:`deliver` are saved as ``raw-<time>.bin``
    on :meth:`close`. ``<time>`` is local office time from ``clock`` (the office clock the
    print worker sets, :func:`printer.devices.open_device`; default the system clock).
    """

    kind = "file"
    clock: OfficeClock | None = None

    def _time(self, fmt: str) -> str:
        return (self.clock or OfficeClock()).local().strftime(fmt)
    has_status = False

    def __init__(self, path, profile=None):
        Dummy.__init__(self, profile=profile)
        self.path = Path(path)

    def open(self, raise_not_found: bool = True) -> None:
        """Create the folder if needed; PrinterError permission or error if unusable."""
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError) as exc:
            raise PrinterError(f"Folder spool printer {self.path} tidak bisa dibuat: sudah ada "
                               f"file dengan nama itu. Perbaiki [printer] path di kiosk.ini.",
                               kind="error") from exc
        except OSError as exc:
            raise fail(exc, str(self.path)) from exc
        if not os.access(self.path, os.W_OK | os.X_OK):
            raise PrinterError(f"Folder spool printer {self.path} tidak bisa ditulis (izin).",
                               kind="permission")
        self._device = True
        self.clear()

    def _free_stem(self, name: str) -> str:
        stem = _SAFE_NAME.sub("_", name).strip("._") or self._time("slip_%Y%m%d_%H%M%S")
        candidate, n = stem, 1
        while (self.path / f"{candidate}.bin").exists():
            n += 1
            candidate = f"{stem}-{n}"
        return candidate

    def _write(self, target: Path, write) -> None:
        # ".tmp-*.bin.part": a half-written slip never matches *.bin or *.png in the folder
        fd, tmp = tempfile.mkstemp(dir=self.path, prefix=".tmp-", suffix=target.suffix + ".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                write(fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    def deliver(self, job) -> None:
        """Write ``<name>.bin`` (exact ESC/POS bytes) and ``<name>.png`` (if ``job.png``)."""
        self._require()
        stem = self._free_stem(job.name or (job.ticket_id or "")[:8])
        try:
            self._write(self.path / f"{stem}.bin", lambda fh: fh.write(job.data))
            if job.png is not None:
                self._write(self.path / f"{stem}.png", lambda fh: job.png.save(fh, "PNG"))
        except Exception as exc:
            raise fail(exc, str(self.path / stem)) from exc
        log.info("slip saved as %s.bin in %s", stem, self.path)

    def close(self) -> None:
        data, was_open = self.output, self._device
        self.clear()
        self._device = False
        if was_open and data:
            stem = self._free_stem(self._time("raw-%Y%m%d-%H%M%S"))
            try:
                self._write(self.path / f"{stem}.bin", lambda fh: fh.write(data))
            except OSError:
                log.exception("could not save raw printer bytes in %s", self.path)
