"""One office day's tickets: a :class:`~kiosk.journal.JournalStorage` (snapshot +
append-only journal, compacted when the day is opened), plus the day's in-memory
counters (last sequence per queue) and outbox index, rebuilt on open. A commit
appends one fsynced line, so it costs the same at the first and the 5,000th
ticket of the day.

Beside ``YYYY-MM-DD.json`` sits ``YYYY-MM-DD.seq``: per queue, the end of the
block of sequences *reserved* so far (hi/lo allocation, :data:`BLOCK` at a time),
written atomically before the first ticket of each block; the store keeps a
second copy in ``state.json`` (outside ``days/``). Normally the counters come
from the tickets themselves; when the tickets stop short of the last reserved
block (the day file was lost, emptied or damaged), numbering continues after
the reserved block, so a number handed out is never handed out again (a gap of
up to BLOCK numbers is the price). The extra writes cost one commit in BLOCK
(4 %, so the p95 commit is a plain append).

:func:`salvage` recovers what it can from a damaged day file: every complete
ticket document, and the highest sequence per queue seen even in fragments, so
a number that was issued is never issued again.
"""
from __future__ import annotations

import bisect
import json
import logging
import re
from pathlib import Path

from ..journal import JournalStorage, journal_path
from ..errors import StoreError
from ..models import Ticket
from ..storage import CorruptFileError, atomic_write_bytes, read_json

log = logging.getLogger(__name__)
BLOCK = 25
SKIPS = "skips"  # {"<queue>": {"queue", "sequence": last number passed over, "skip": true}}
# One ticket document holds no nested object, so a complete one matches this.
_DOC = re.compile(r"\{[^{}]*\}")
_SEQ = re.compile(r'"queue"\s*:\s*"([A-Z])"\s*,\s*"sequence"\s*:\s*(\d+)')


_DAY_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.(?:json|journal|seq)$")


def day_names(days_dir: Path) -> list[str]:
    """Office days with a ticket file, journal or reservations in ``days_dir``, sorted."""
    return sorted({m.group(1) for p in Path(days_dir).iterdir()
                   if (m := _DAY_FILE.match(p.name))})


def salvage(raw: str) -> tuple[list[Ticket], dict[str, int]]:
    """``(complete tickets, {queue: highest sequence seen})`` from damaged file text."""
    tickets = []
    for m in _DOC.finditer(raw):
        try:
            tickets.append(Ticket.from_dict(json.loads(m.group(0))))
        except (ValueError, TypeError, KeyError):
            continue
    counters: dict[str, int] = {}
    for m in _SEQ.finditer(raw):
        q, seq = m.group(1), int(m.group(2))
        counters[q] = max(counters.get(q, 0), seq)
    return tickets, counters


class DayFile:
    """One office day's tickets plus its in-memory counters and index.

    Attributes: ``counters`` ({queue: last sequence issued}), ``reserved``
    ({queue: end of the reserved block}), ``unsynced`` (ids in the outbox, in
    issue order), ``seq_problem`` / ``lost`` (plain words when the reservations
    file is damaged or tickets are missing below it, else None).
    """

    def __init__(self, path: Path, mirror: dict | None = None, compact: bool = True,
                 exact: dict | None = None):
        """Open (or start) the day file at ``path``; compacts its journal.

        ``mirror``: the reservations of this day as kept elsewhere ({queue: block end},
        from state.json); the higher of it and the ``.seq`` file counts. ``compact``
        False: read only (``kiosk check``), the journal stays as it is.

        Raises CorruptFileError when the snapshot or journal is not readable *or*
        not the shape this store writes (``{"tickets": {"<doc id>": {fields}}}``).
        """
        self.path, self.writable = path, compact
        self.seq_path = path.with_suffix(".seq")
        self.storage = JournalStorage(path)
        self.counters: dict[str, int] = {}
        self.doc_ids: dict[str, str] = {}
        self.unsynced: dict[str, None] = {}  # ids still in the outbox, in issue order
        self.issued: dict[str, list[str]] = {}  # service code -> local HH:MM of each ticket
        self.sequences: dict[str, list[int]] = {}  # queue -> its tickets' sequences, sorted
        self.seq_problem = self.lost = None
        self.reserved: dict[str, int] = {}
        self.seq_missing = False
        try:
            raw = self.storage.read()
            if raw is not None and (not isinstance(raw, dict) or not all(
                    isinstance(t, dict) for t in raw.values())):
                raise ValueError("not a table of tickets")
            for key, doc in self.docs.items():
                self._index(key, doc)
            for doc in self.storage.table(SKIPS).values():  # numbers passed over on purpose
                q = doc["queue"]
                self.counters[q] = max(self.counters.get(q, 0), int(doc["sequence"]))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            self.storage.close()
            raise CorruptFileError(path, f"unexpected content: {exc}") from None
        except CorruptFileError:
            self.storage.close()
            raise
        self._next_id = max((int(k) for k in self.docs), default=0) + 1
        self._compact()  # when the day is opened (and before any append: no torn tail left)
        self._load_reservations(mirror or {}, exact)
        self._compact()  # the skips just journaled, if any

    def _compact(self) -> None:
        if self.writable and (self.storage.journal_lines or self.storage.torn_tail):
            self.storage.write(self.storage.read())

    @property
    def docs(self) -> dict:
        return self.storage.table("tickets")

    @property
    def exists(self) -> bool:
        """True when a snapshot or journal of this day is on disk."""
        return self.path.exists() or journal_path(self.path).exists()

    def _index(self, key, doc):
        q, seq = doc["queue"], int(doc["sequence"])
        if not (isinstance(q, str) and isinstance(doc["id"], str)) or not str(key).isdigit():
            raise ValueError("a ticket without a queue letter or id")
        self.doc_ids[doc["id"]] = str(key)
        self.counters[q] = max(self.counters.get(q, 0), seq)
        self.issued.setdefault(doc["service_code"], []).append(doc["issued_at"][11:16])
        bisect.insort(self.sequences.setdefault(q, []), seq)
        if doc.get("synced_at") is None and not doc.get("sync_refused"):
            self.unsynced[doc["id"]] = None

    def _load_reservations(self, mirror: dict, exact: dict | None):
        try:
            reserved = read_json(self.seq_path)
            self.seq_missing = reserved is None
            if not isinstance(reserved or {}, dict):
                raise ValueError
            self.reserved = {str(q): int(seq) for q, seq in (reserved or {}).items()}
        except (CorruptFileError, ValueError, TypeError):
            self.seq_problem = (f"{self.seq_path.name} rusak; nomor dilanjutkan dari tiket "
                                f"dan cadangan di state.json")
            self.seq_missing = True
        for q, end in mirror.items():
            self.reserved[q] = max(self.reserved.get(q, 0), int(end))
        if exact is not None:  # closed cleanly: the exact count of each queue is known
            short = {q: n for q, n in exact.items() if self.counters.get(q, 0) < n}
        else:  # after a crash the last block may hold numbers issued then lost: skip it
            short = {q: end for q, end in self.reserved.items()
                     if self.counters.get(q, 0) < end - BLOCK}
        if short:
            self.lost = (f"tiket hilang dari {self.path.name} (nomor sampai "
                         f"{', '.join(f'{q}{n:03d}' for q, n in sorted(short.items()))} "
                         f"pernah diberikan atau dicadangkan)")
        if short or exact is None:
            self.skip_reserved()
        elif self.seq_missing and self.counters and not self.seq_problem:
            self.seq_problem = f"{self.seq_path.name} hilang; nomor dilanjutkan dari tiket"

    def skip_reserved(self) -> None:
        """Continue after every reserved block (tickets lost, or a crash that may have
        lost the block's last ones). The skip is journaled (table ``skips``), so a crash
        after the next reservation does not look like lost tickets."""
        for q, end in self.reserved.items():
            if self.counters.get(q, 0) < end:
                if self.writable:
                    self.storage.append_doc(SKIPS, q, {"queue": q, "sequence": end,
                                                       "skip": True})
                self.counters[q] = end

    def raise_floor(self, floors: dict) -> dict:
        """Never issue at or below ``floors`` ({queue: sequence}, e.g. what the office server
        holds); returns the queues that moved up, with their new counter."""
        moved = {}
        for q, seq in floors.items():
            if int(seq) > self.counters.get(q, 0):
                self.counters[q] = moved[q] = int(seq)
        return moved

    def reserve(self, queue: str) -> int:
        """The next sequence of ``queue``; its block is durably reserved before use."""
        seq = self.counters.get(queue, 0) + 1
        if seq > self.reserved.get(queue, 0) or self.seq_missing:
            reserved = {**self.reserved, queue: max(seq + BLOCK - 1, self.reserved.get(queue, 0))}
            atomic_write_bytes(self.seq_path, json.dumps(reserved).encode("utf-8"))
            self.reserved, self.seq_missing = reserved, False
        self.counters[queue] = seq
        return seq

    def insert(self, ticket: Ticket):
        """Durably add ``ticket`` (one fsynced journal line); raises StoreError."""
        key = str(self._next_id)
        self.storage.append_doc("tickets", key, ticket.to_dict())
        self._next_id += 1
        self.doc_ids[ticket.id] = key
        self.counters[ticket.queue] = max(self.counters.get(ticket.queue, 0), ticket.sequence)
        self.issued.setdefault(ticket.service_code, []).append(ticket.issued_at[11:16])
        bisect.insort(self.sequences.setdefault(ticket.queue, []), ticket.sequence)
        if ticket.synced_at is None:
            self.unsynced[ticket.id] = None

    def update(self, ids, fields: dict) -> int:
        """Durably write ``fields`` on the tickets ``ids`` of this day; returns how many."""
        keys = [self.doc_ids[i] for i in ids if i in self.doc_ids]
        if keys:
            self.storage.append_update("tickets", keys, fields)
        return len(keys)

    def leave_outbox(self, ids, fields: dict) -> int:
        """Write ``fields`` on the tickets ``ids`` of this day and drop them from the outbox."""
        changed = self.update(ids, fields)
        if changed:
            for i in ids:
                self.unsynced.pop(i, None)
        return changed

    def count(self, queue: str, above: int = 0, below: int | None = None) -> int:
        """Tickets of ``queue`` with ``above < sequence < below`` (None: no upper bound)."""
        seqs = self.sequences.get(queue, [])
        end = len(seqs) if below is None else bisect.bisect_left(seqs, below)
        return max(0, end - bisect.bisect_right(seqs, above))

    def get(self, ticket_id):
        doc = self.docs.get(self.doc_ids.get(ticket_id, ""))
        return Ticket.from_dict(doc) if doc else None

    def tickets(self) -> list[Ticket]:
        return [Ticket.from_dict(d) for d in self.docs.values()]

    def close(self) -> None:
        """Compact (a clean stop leaves one snapshot) and release the journal."""
        try:
            if self.storage.journal_lines and not self.storage.stale:
                self.storage.write(self.storage.read())
        except StoreError as exc:  # the journal still holds every change: nothing is lost
            log.warning("could not compact %s at close: %s", self.path, exc)
        finally:
            self.storage.close()
