"""The audit log: one JSON line per staff or admin action, in ``data_dir/audit.jsonl``.

Each line: ``{"at": ISO 8601 office time, "role": "staff"|"admin"|..., "action": ...,
...details}``. Lines are appended with one ``O_APPEND`` write and fsynced, so
two processes (the running kiosk and ``kiosk set-pin``) never interleave a line
and no line is lost in a power cut. PINs and personal data are never written.
"""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from .errors import StoreError

FILE_NAME = "audit.jsonl"


def append(data_dir, tz: str, role: str, action: str, *, now: datetime | None = None,
           **detail) -> dict:
    """Append one entry; returns it. Raises StoreError when the file cannot be written."""
    now = now or datetime.now(timezone.utc)
    entry = {"at": now.astimezone(ZoneInfo(tz)).isoformat(timespec="seconds"), "role": role,
             "action": action, **detail}
    line = (json.dumps(entry, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    try:
        fd = os.open(Path(data_dir) / FILE_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise StoreError(f"cannot write the audit log ({exc.strerror})") from exc
    return entry


def entries(data_dir, limit: int = 100) -> list[dict]:
    """The last ``limit`` entries, oldest first (unreadable lines skipped)."""
    try:
        lines = (Path(data_dir) / FILE_NAME).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    out = []
    for line in lines[-limit:]:
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out
