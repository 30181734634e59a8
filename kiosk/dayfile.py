"""One office day's ticket file: TinyDB over the atomic storage, plus the day's
in-memory counters (last sequence per queue) and outbox index, rebuilt on open.

Beside ``YYYY-MM-DD.json`` sits ``YYYY-MM-DD.seq``: per queue, the end of the
block of sequences *reserved* so far (hi/lo allocation, :data:`BLOCK` at a time),
written atomically before the first ticket of each block. Normally the counters
come from the tickets themselves; if the day file is lost or damaged, numbering
continues after the reserved block, so a number handed out is never handed out
again (a gap of up to BLOCK numbers is the price). The extra write costs one
commit in BLOCK.

:func:`salvage` recovers what it can from a damaged day file: every complete
ticket document, and the highest sequence per queue seen even in fragments, so
a number that was issued is never issued again.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from tinydb import TinyDB

from .models import Ticket
from .storage import AtomicJSONStorage, CorruptFileError, atomic_write_bytes, read_json

BLOCK = 10
# One ticket document holds no nested object, so a complete one matches this.
_DOC = re.compile(r"\{[^{}]*\}")
_SEQ = re.compile(r'"queue"\s*:\s*"([A-Z])"\s*,\s*"sequence"\s*:\s*(\d+)')


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
    """One office day's TinyDB file plus its in-memory counters and index."""

    def __init__(self, path: Path):
        """Open (or start) the day file at ``path``.

        Raises CorruptFileError when the file is not JSON *or* not the shape this
        store writes (``{"tickets": {"<doc id>": {ticket fields}}}``).
        """
        self.path = path
        self.seq_path = path.with_suffix(".seq")
        self.db = TinyDB(path, storage=AtomicJSONStorage)
        self.counters: dict[str, int] = {}
        self.doc_ids: dict[str, int] = {}
        self.unsynced: dict[str, None] = {}  # ids still in the outbox, in issue order
        self.issued: dict[str, list[str]] = {}  # service code -> local HH:MM of each ticket
        self.seq_problem = None
        self.reserved: dict[str, int] = {}
        try:
            raw = self.db.storage.read()
            if raw is not None and (not isinstance(raw, dict) or not all(
                    isinstance(t, dict) for t in raw.values())):
                raise ValueError("not a table of tickets")
            self.table = self.db.table("tickets", cache_size=0)
            for doc in self.table.all():
                self._index(doc)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            self.db.close()
            raise CorruptFileError(path, f"unexpected content: {exc}") from None
        self._load_reservations()

    def _index(self, doc):
        q, seq = doc["queue"], int(doc["sequence"])
        if not (isinstance(q, str) and isinstance(doc["id"], str)):
            raise ValueError("a ticket without a queue letter or id")
        self.doc_ids[doc["id"]] = doc.doc_id
        self.counters[q] = max(self.counters.get(q, 0), seq)
        self.issued.setdefault(doc["service_code"], []).append(doc["issued_at"][11:16])
        if doc.get("synced_at") is None and not doc.get("sync_refused"):
            self.unsynced[doc["id"]] = None

    def _load_reservations(self):
        try:
            reserved = read_json(self.seq_path) or {}
            if not isinstance(reserved, dict):
                raise ValueError
            self.reserved = {str(q): int(seq) for q, seq in reserved.items()}
        except (CorruptFileError, ValueError, TypeError):
            self.seq_problem = f"{self.seq_path.name} rusak; nomor dilanjutkan dari tiket"

    def skip_reserved(self) -> None:
        """After losing tickets (damaged file): continue after every reserved block."""
        for q, end in self.reserved.items():
            self.counters[q] = max(self.counters.get(q, 0), end)

    def reserve(self, queue: str) -> int:
        """The next sequence of ``queue``; its block is durably reserved before use."""
        seq = self.counters.get(queue, 0) + 1
        if seq > self.reserved.get(queue, 0):
            reserved = {**self.reserved, queue: seq + BLOCK - 1}
            atomic_write_bytes(self.seq_path, json.dumps(reserved).encode("utf-8"))
            self.reserved = reserved
        self.counters[queue] = seq
        return seq

    def insert(self, ticket: Ticket):
        doc_id = self.table.insert(ticket.to_dict())
        self.doc_ids[ticket.id] = doc_id
        self.counters[ticket.queue] = max(self.counters.get(ticket.queue, 0), ticket.sequence)
        self.issued.setdefault(ticket.service_code, []).append(ticket.issued_at[11:16])
        if ticket.synced_at is None:
            self.unsynced[ticket.id] = None

    def leave_outbox(self, ids, fields: dict) -> int:
        """Write ``fields`` on the tickets ``ids`` of this day and drop them from the outbox."""
        doc_ids = [self.doc_ids[i] for i in ids if i in self.doc_ids]
        if doc_ids:
            self.table.update(fields, doc_ids=doc_ids)
            for i in ids:
                self.unsynced.pop(i, None)
        return len(doc_ids)

    def get(self, ticket_id):
        doc_id = self.doc_ids.get(ticket_id)
        if doc_id is None:
            return None
        doc = self.table.get(doc_id=doc_id)
        return Ticket.from_dict(doc) if doc else None

    def tickets(self) -> list[Ticket]:
        return [Ticket.from_dict(d) for d in self.table.all()]
