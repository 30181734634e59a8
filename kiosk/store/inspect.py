"""``kiosk check`` for the data folder: read every data file and report, never move, rewrite
or lock anything (it works while the kiosk runs, and the next real start still finds the
damage and raises its alerts)."""
from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass, field
from pathlib import Path

from .. import audit
from ..errors import KioskError
from ..storage import CorruptFileError, read_json
from .alerts import FILE_NAME as ALERTS_FILE, read_alerts
from .dayfile import DayFile, day_names
from .state import FILE_NAME as STATE_FILE, check_state

#: The latest office days whose files are read (older ones are synced history).
DAYS_READ = 7


@dataclass
class DataReport:
    """What :func:`inspect_data_dir` found: ``in_use`` (a process holds the folder),
    ``problems`` (plain sentences naming the file), ``alerts`` (staff alerts waiting on
    disk), ``days`` (office days read)."""

    in_use: bool = False
    problems: list = field(default_factory=list)
    alerts: list = field(default_factory=list)
    days: list = field(default_factory=list)


def _held(folder: Path) -> bool:
    try:
        fd = os.open(folder / ".lock", os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)  # a shared lock taken for a moment, nothing written


def _read_day(path: Path, problems: list) -> None:
    """Open a day read-only (no compaction) and note what is wrong with it."""
    try:
        day = DayFile(path, compact=False)
        if day.lost:
            problems.append(f"{path.name}: {day.lost}")
        if day.seq_problem:
            problems.append(f"{path.name}: {day.seq_problem}")
        day.storage.close()
    except (CorruptFileError, KioskError) as exc:
        problems.append(f"{path.name}: rusak / damaged ({getattr(exc, 'detail', exc)})")


def inspect_data_dir(data_dir, pins_file: str = "pins.json") -> DataReport:
    """Read the data folder ``data_dir`` and report (see :class:`DataReport`). Never writes."""
    folder = Path(data_dir)
    report = DataReport()
    existing = next((p for p in (folder, *folder.parents) if p.exists()), folder)
    if not (existing.is_dir() and os.access(existing, os.W_OK | os.X_OK)):
        report.problems.append(f"{folder}: tidak dapat ditulis / not writable; set [kiosk] "
                               f"data_dir in kiosk.ini to a writable folder, or fix its "
                               f"owner/permissions")
    if not folder.is_dir():
        return report
    report.in_use = _held(folder)
    problems = report.problems
    days = day_names(folder / "days") if (folder / "days").is_dir() else []
    try:
        state = read_json(folder / STATE_FILE)
        if state is None and days:
            problems.append(f"{STATE_FILE}: hilang padahal ada tiket / missing beside day "
                            f"files (the kiosk will start out of service)")
        elif state is not None:
            check_state(state, folder / STATE_FILE)
    except CorruptFileError as exc:
        problems.append(f"{STATE_FILE}: rusak / damaged ({exc.detail}); the kiosk will move "
                        f"it aside and start out of service")
    try:
        report.alerts = list(read_alerts(folder / ALERTS_FILE).values())
    except CorruptFileError as exc:
        problems.append(f"{ALERTS_FILE}: rusak / damaged ({exc.detail})")
    report.days = days[-DAYS_READ:]
    for day in report.days:
        _read_day(folder / "days" / f"{day}.json", problems)
    from ..pins import PinStore  # reads only
    if PinStore(folder / pins_file).damaged():
        problems.append(f"{pins_file}: rusak / damaged; set the PINs again with "
                        f"`kiosk set-pin staff` and `kiosk set-pin admin`")
    log = folder / audit.FILE_NAME
    found = audit.read(folder, limit=0)
    if found.bad_lines:
        problems.append(f"{audit.FILE_NAME}: {found.bad_lines} baris tak terbaca / unreadable "
                        f"lines (skipped)")
    if log.exists() and log.stat().st_size and not log.read_bytes().endswith(b"\n"):
        problems.append(f"{audit.FILE_NAME}: baris terakhir terpotong / damaged last line "
                        f"(kept aside at the next entry)")
    current = folder / "menus" / "current.json"
    if current.exists():
        from ..menu import load_menu
        try:
            load_menu(current)
        except KioskError as exc:
            problems.append(f"menus/current.json: rusak / unusable ({exc}); the kiosk will "
                            f"move it aside and use the default menu")
    return report
