"""The open office-day files of a store: opened on demand with every copy of the day's
high-water mark, recovered when damaged, closed cleanly with their exact counts.

A day file opens with the reservations copied in ``state.json`` (beside its
``.seq``), the exact counts recorded at its last clean close (then dropped: an
open day that crashes has none) and the office server's floors. What it finds
missing is damage, said to staff in a persisted alert (:mod:`.alerts`).
"""
from __future__ import annotations

import logging
from pathlib import Path

from ..journal import journal_path
from ..storage import CorruptFileError
from .dayfile import DayFile, salvage

log = logging.getLogger(__name__)


class DayFiles:
    """Open :class:`DayFile` objects by office day; the store calls it under its lock.

    Args:
        days_dir: ``data_dir/days``.
        state: :class:`kiosk.store.state.State` (reservation copies, clean closes, floors).
        alert: ``f(key, text)``.
        move_aside: ``f(path, detail) -> Path`` for a damaged file (it alerts too).
    """

    def __init__(self, days_dir: Path, state, alert, move_aside):
        self.dir, self.state, self.alert, self.move_aside = days_dir, state, alert, move_aside
        self.open: dict[str, DayFile] = {}

    def get(self, day: str) -> DayFile:
        """The day file of ``day``, opened (and checked) on first use."""
        d = self.open.get(day)
        if d is None or d.storage.stale:
            path = self.dir / f"{day}.json"
            mirror = self.state.marks("reserved", day) or {}
            exact = self.state.marks("closed", day)
            try:
                d = DayFile(path, mirror, exact=exact)
            except CorruptFileError as exc:
                d = self._recover(path, exc.detail, mirror)
            self.state.set_marks("closed", day, None)  # open now: a crash is not a close
            for key, problem in ((f"seq:{day}", d.seq_problem), (f"lost:{day}", d.lost)):
                if problem:
                    log.error("%s", problem)
                    self.alert(key, f"Data hari {day} tidak lengkap: {problem}; nomor "
                                    f"dilanjutkan di atas nomor terakhir. Hubungi admin.")
            self._apply_floors(d, day, self.state.marks("floors", day) or {})
            self.open[day] = d
        return d

    def _recover(self, path: Path, detail: str, mirror: dict) -> DayFile:
        raw = ""
        for part in (path, journal_path(path)):  # snapshot, then the changes after it
            if part.exists():
                raw += part.read_bytes().decode("utf-8", "replace")
                self.move_aside(part, detail)
        recovered, counters = salvage(raw)
        d = DayFile(path, mirror)
        d.skip_reserved()
        for t in recovered:
            if t.id not in d.doc_ids:
                d.insert(t)
        d.raise_floor(counters)  # numbers seen in unreadable fragments count as issued
        log.error("recovered %d tickets from %s; counters now %s", len(recovered), path,
                  d.counters)
        return d

    def _apply_floors(self, d: DayFile, day: str, floors: dict) -> None:
        moved = d.raise_floor(floors)
        if moved:
            shown = ", ".join(f"{q}{n:03d}" for q, n in sorted(moved.items()))
            self.alert(f"floor:{day}", f"Server kantor sudah menyimpan nomor sampai {shown} "
                                       f"dari kiosk ini untuk {day}, lebih dari data kiosk: "
                                       f"data kiosk hilang. Nomor dilanjutkan di atasnya.")

    def floors(self, marks: dict, today: str) -> None:
        """Office server marks ``{office_day: {queue: sequence}}``: kept in state.json for
        ``today`` and later days and applied to open days; a mark above the kiosk's own
        count means the kiosk lost data, and staff are told."""
        for day, queues in marks.items():
            if day < today:
                continue
            known = self.state.marks("floors", day) or {}
            higher = {q: int(n) for q, n in queues.items() if int(n) > known.get(q, 0)}
            if higher:
                self.state.set_marks("floors", day, {**known, **higher})
            if day in self.open:
                self._apply_floors(self.open[day], day, higher)

    def close(self, day: str) -> None:
        """Compact and close ``day``, recording its exact counts (a clean close)."""
        d = self.open.pop(day)
        d.close()
        if not d.storage.stale:
            self.state.set_marks("closed", day, d.counters)

    def forget(self, keep: str) -> None:
        """Close every day but ``keep``: a kiosk that runs for months holds only today's
        tickets in memory (older days reopen on demand)."""
        for day in [d for d in self.open if d != keep]:
            self.close(day)

    def drop(self, day: str) -> None:
        """Forget ``day`` without compacting (its files are being deleted)."""
        d = self.open.pop(day, None)
        if d is not None:
            d.storage.close()

    def close_all(self) -> None:
        for day in list(self.open):
            try:
                self.close(day)
            except Exception:  # the journal holds every change: reopening recovers
                log.exception("closing office day %s", day)
        self.open.clear()
