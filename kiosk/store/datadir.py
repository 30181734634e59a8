"""The data folder: one process at a time, and damaged files moved aside (never emptied).

The lock (``flock`` on ``data_dir/.lock``) is taken before anything else is
written in the folder, so a second process (a second kiosk, ``kiosk sync
--once`` while the kiosk runs) is told "in use" and touches nothing. Temp files
carry their writer's pid (:func:`kiosk.storage.temp_prefix`); only leftovers of
processes that no longer run are removed.
"""
from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

from ..errors import StoreError
from ..storage import atomic_write_bytes, stale_temp_files

log = logging.getLogger(__name__)


class DataDirInUse(StoreError):
    """Another process (normally the running kiosk) holds the data directory."""


class DataDir:
    """The locked data folder ``path`` with its ``days/`` subfolder.

    Args:
        path: the folder (created if missing).
        stamp: zero-argument callable giving a sortable time text for moved-aside names.

    Raises DataDirInUse when another process holds it, StoreError (naming the
    folder and the fix) when it cannot be created or written.
    """

    def __init__(self, path, stamp):
        self.path = Path(path)
        self.days = self.path / "days"
        self.stamp = stamp
        self._fd = self._lock()
        try:
            self.days.mkdir(exist_ok=True)
            probe = self.path / f".write-test.{os.getpid()}"
            atomic_write_bytes(probe, b"ok")
            probe.unlink()
        except (OSError, StoreError) as exc:
            self.close()
            raise self._not_writable(exc) from None
        for leftover in [*stale_temp_files(self.path), *stale_temp_files(self.days)]:
            leftover.unlink(missing_ok=True)  # an interrupted atomic write: never the data

    def _not_writable(self, exc) -> StoreError:
        return StoreError(f"data directory {self.path} is not writable ({exc}). Set "
                          f"[kiosk] data_dir in kiosk.ini to a writable folder, or fix its "
                          f"owner/permissions.")

    def _lock(self) -> int:
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise self._not_writable(exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise DataDirInUse(f"data directory {self.path} is in use by another kiosk process "
                               f"(the running kiosk?). While the kiosk runs, use staff mode "
                               f"('Sinkron sekarang', 'Ubah menu layanan', 'Tes cetak'); or "
                               f"stop it first. A second kiosk needs its own [kiosk] "
                               f"data_dir.") from None
        return fd

    def move_aside(self, path: Path, detail: str) -> Path:
        """Rename the damaged ``path`` to ``<name>.corrupt-<time>`` beside it; returns it."""
        target = path.with_name(f"{path.name}.corrupt-{self.stamp()}")
        os.replace(path, target)
        log.error("damaged data file %s moved aside to %s: %s", path, target, detail)
        return target

    def close(self) -> None:
        """Release the lock (idempotent)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
