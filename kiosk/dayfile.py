"""One office day's ticket file: TinyDB over the atomic storage, plus the day's
in-memory counters (last sequence per queue) and outbox index, rebuilt on open.

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
from .storage import AtomicJSONStorage

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
        self.path = path
        self.db = TinyDB(path, storage=AtomicJSONStorage)
        self.table = self.db.table("tickets", cache_size=0)
        self.counters: dict[str, int] = {}
        self.doc_ids: dict[str, int] = {}
        self.unsynced: dict[str, None] = {}  # ids still in the outbox, in issue order
        for doc in self.table.all():
            self._index(doc)

    def _index(self, doc):
        self.doc_ids[doc["id"]] = doc.doc_id
        q = doc["queue"]
        self.counters[q] = max(self.counters.get(q, 0), int(doc["sequence"]))
        if doc.get("synced_at") is None and not doc.get("sync_refused"):
            self.unsynced[doc["id"]] = None

    def insert(self, ticket: Ticket):
        doc_id = self.table.insert(ticket.to_dict())
        self.doc_ids[ticket.id] = doc_id
        self.counters[ticket.queue] = max(self.counters.get(ticket.queue, 0), ticket.sequence)
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
