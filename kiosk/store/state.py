"""``state.json``: the office day reached, the outbox index, staff settings and the
second copy of each day's number reservations.

Shape (written atomically on every change)::

    {"office_day": "2026-11-30",                 # never moves backwards
     "unsynced_days": ["2026-11-29", ...],      # days whose file still holds unsynced tickets
     "settings": {"out_of_service": false, "paper": {...}, "menu_etag": ...},
     "reserved": {"2026-11-30": {"A": 50}},     # copy of days/<day>.seq (block ends)
     "floors": {"2026-11-30": {"A": 12}},       # numbers the office server holds: never reissue
     "closed": {"2026-11-29": {"A": 31}}}       # exact counts at a clean close (see dayfile)

**Fail safe.** A damaged state.json (or one missing beside day files that had
tickets) is moved aside and rebuilt from the day files; the settings it held
are lost, so the kiosk comes back *out of service* with a staff alert, and
stays so until staff look and switch service back on.
"""
from __future__ import annotations

import json
import re
import threading
from pathlib import Path

from ..storage import CorruptFileError, atomic_write_bytes, read_json

FILE_NAME = "state.json"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: Reservation copies and server floors are kept for this many days before the office day.
KEEP_MARKS_DAYS = 3

MARKS = ("reserved", "floors", "closed")
FAIL_SAFE = ("Pengaturan kiosk ({name}) {what}: kiosk TIDAK MELAYANI sampai staf memeriksa. "
             "Periksa pengaturan (penghitung kertas mulai dari nol), lalu nyalakan layanan "
             "lagi di mode staf.")


def _marks_ok(marks) -> bool:
    return isinstance(marks, dict) and all(
        isinstance(day, str) and _DAY.match(day) and isinstance(queues, dict) and all(
            isinstance(q, str) and isinstance(n, int) and not isinstance(n, bool)
            for q, n in queues.items()) for day, queues in marks.items())


def check_state(state, path) -> dict:
    """``state`` as this store writes it (defaults filled in), else CorruptFileError."""
    problem = None
    if not isinstance(state, dict):
        problem = "not an object"
    elif state.get("office_day") is not None and not (
            isinstance(state["office_day"], str) and _DAY.match(state["office_day"])):
        problem = f"office_day {state.get('office_day')!r} is not a date"
    elif not isinstance(state.get("unsynced_days", []), list) or not all(
            isinstance(d, str) and _DAY.match(d) for d in state.get("unsynced_days", [])):
        problem = "unsynced_days is not a list of dates"
    elif not isinstance(state.get("settings", {}), dict):
        problem = "settings is not an object"
    elif not all(_marks_ok(state.get(k, {})) for k in MARKS):
        problem = "reserved/floors/closed are not numbers per day and queue"
    if problem:
        raise CorruptFileError(path, problem)
    for key, empty in (("unsynced_days", []), ("settings", {})):
        state.setdefault(key, empty)
    for key in MARKS:
        state.setdefault(key, {})
    return state


class State:
    """The state file of one data folder. Callers hold the store's lock for changes.

    Args:
        path: ``state.json``.
        day_names: office days with a file in ``days/``, sorted.
        move_aside: ``f(path, detail) -> Path`` for a damaged file.
        alert: ``f(key, text)`` to tell staff.
    """

    def __init__(self, path, day_names, move_aside, alert):
        self.path = Path(path)
        self._lock = threading.RLock()
        what = None
        try:
            data = read_json(self.path)
            data = None if data is None else check_state(data, self.path)
            if data is None and day_names:
                what = "hilang padahal ada tiket"
        except CorruptFileError as exc:
            target = move_aside(self.path, exc.detail)
            what = f"rusak, dipindahkan ke {target.name} ({exc.detail})"
            data = None
        if not data or not data.get("office_day"):
            # Rebuild from the files: the latest day on disk is the furthest reached.
            kept = data or {}
            data = check_state({"office_day": day_names[-1] if day_names else None,
                                "unsynced_days": list(day_names),
                                "settings": kept.get("settings", {}),
                                **{k: kept.get(k, {}) for k in MARKS}}, self.path)
        if what:  # fail safe: settings that decide service are unknown
            data["settings"]["out_of_service"] = True
            alert(f"damaged:{self.path.name}", FAIL_SAFE.format(name=self.path.name, what=what))
        # A day file the index does not know may hold unsynced tickets: look at it.
        data["unsynced_days"] = sorted(set(data["unsynced_days"]) |
                                       {d for d in day_names if d >= (data["office_day"] or "")})
        self.data = data
        if what:
            self.save()

    def save(self) -> None:
        """Write the state atomically; raises StoreError."""
        atomic_write_bytes(self.path, json.dumps(self.data, ensure_ascii=False,
                                                 indent=1).encode("utf-8"))

    @property
    def office_day(self) -> str | None:
        return self.data.get("office_day")

    @property
    def unsynced_days(self) -> list:
        return self.data["unsynced_days"]

    def marks(self, kind: str, day: str) -> dict | None:
        """``reserved``, ``floors`` or ``closed`` of ``day``: ``{queue: sequence}``, or
        None when there is no entry for the day."""
        found = self.data[kind].get(day)
        return None if found is None else dict(found)

    def set_marks(self, kind: str, day: str, marks: dict | None) -> None:
        """Keep ``marks`` for ``day`` (None: drop them), durably; old days are pruned."""
        if marks is None:
            if self.data[kind].pop(day, None) is None:
                return
        else:
            self.data[kind][day] = dict(marks)
        keep = sorted(self.data[kind])[-(KEEP_MARKS_DAYS + 1):]
        self.data[kind] = {d: self.data[kind][d] for d in keep}
        self.save()

    # -- settings ------------------------------------------------------------
    def setting(self, key, default=None):
        with self._lock:
            return self.data["settings"].get(key, default)

    def update_setting(self, key, change, default=None):
        """Read-modify-write a setting in one lock hold; returns the new value."""
        with self._lock:
            value = change(self.data["settings"].get(key, default))
            self.data["settings"][key] = value
            self.save()
            return value
