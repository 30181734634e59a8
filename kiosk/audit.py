"""The audit log: one JSON line per staff or admin action, in ``data_dir/audit.jsonl``.

Each line: ``{"at": ISO 8601 office time, "role": "staff"|"admin"|..., "action": ...,
...details}``. Lines are appended with one ``O_APPEND`` write and fsynced under
an ``flock`` of the file, so two processes (the running kiosk and ``kiosk
set-pin``) never interleave a line and no line is lost in a power cut. PINs
and personal data are never written.

A damaged tail (a last line without its newline: a power cut mid-write, a full
disk) is cut off before the next entry and kept aside in
``audit.jsonl.tail-<time>``, so a new entry always starts on a clean line and
is never glued to the broken one. The reader skips unreadable lines and counts
them (:func:`read`).
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import StoreError

log = logging.getLogger(__name__)
FILE_NAME = "audit.jsonl"
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class AuditRead:
    """The last entries (oldest first) and how many lines of the file were unreadable."""

    entries: list
    bad_lines: int


def append(data_dir, clock, role: str, action: str, **detail) -> dict:
    """Append one entry stamped with ``clock`` (:class:`kiosk.clock.OfficeClock`: its
    local time, ``at``); returns the entry. Raises StoreError when the file cannot be
    written."""
    entry = {"at": clock.local().isoformat(timespec="seconds"), "role": role,
             "action": action, **detail}
    line = (json.dumps(entry, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    path = Path(data_dir) / FILE_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # one writer at a time across processes
            _cut_damaged_tail(fd, path, clock.stamp())
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)  # releases the flock
    except OSError as exc:
        raise StoreError(f"cannot write the audit log {path} ({exc.strerror or exc}); check "
                         f"free disk space") from exc
    return entry


def _cut_damaged_tail(fd: int, path: Path, stamp: str) -> None:
    """If the file does not end with a newline, keep the unfinished last line aside
    (``audit.jsonl.tail-<stamp>-<pid>``) and cut it off, so the next entry starts clean."""
    size = os.fstat(fd).st_size
    if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
        return
    start = size
    while start > 0:  # back to the last newline, a chunk at a time
        begin = max(0, start - _CHUNK)
        chunk = os.pread(fd, start - begin, begin)
        cut = chunk.rfind(b"\n")
        if cut >= 0:
            start = begin + cut + 1
            break
        start = begin
    tail = os.pread(fd, size - start, start)
    aside = path.with_name(f"{path.name}.tail-{stamp}-{os.getpid()}")
    with open(aside, "wb") as fh:
        fh.write(tail)
        fh.flush()
        os.fsync(fh.fileno())
    os.ftruncate(fd, start)
    os.fsync(fd)
    log.error("audit log %s had a damaged last line (%d bytes); kept aside in %s", path,
              len(tail), aside.name)


def read(data_dir, limit: int = 100, whole: bool = True) -> AuditRead:
    """The last ``limit`` readable entries, oldest first, and the count of unreadable lines
    (skipped) in the whole file, or with ``whole=False`` only among the last ``limit``
    lines (cheap on a long log). Never writes."""
    try:
        lines = (Path(data_dir) / FILE_NAME).read_bytes().splitlines()
    except FileNotFoundError:
        return AuditRead([], 0)
    good, bad = [], 0
    for line in lines if whole else lines[-limit:]:
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            if not isinstance(entry, dict):
                raise ValueError("not an entry")
            good.append(entry)
        except (UnicodeDecodeError, ValueError):
            bad += 1
    return AuditRead(good[-limit:] if limit else [], bad)


def entries(data_dir, limit: int = 100) -> list[dict]:
    """The last ``limit`` entries, oldest first (unreadable lines skipped, see :func:`read`)."""
    return read(data_dir, limit, whole=False).entries
