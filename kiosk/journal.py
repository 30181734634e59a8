"""A TinyDB Storage for one office day: a snapshot plus an append-only journal.

Files, for ``days/2026-11-30.json``::

    2026-11-30.json       snapshot: ``{"tickets": {"<doc id>": {ticket fields}}}``,
                          written atomically (temp file, fsync, rename, fsync dir)
    2026-11-30.journal    one JSON line per change since the snapshot, each
                          appended with one ``O_APPEND`` write and fsynced:
                          ``{"t": "tickets", "id": "7", "doc": {...}}``       (a document)
                          ``{"t": "tickets", "ids": ["3", "4"], "set": {...}}`` (fields)

Why: TinyDB's own write path rewrites the whole file on every change, so a
commit costs more as the day fills (measured here: p95 31 ms at 4,000 tickets
of the day, 56 ms at 5,000). :meth:`JournalStorage.append_doc` /
:meth:`append_update` cost one short line and one fsync whatever the size of
the day. TinyDB's ``Table.insert`` itself rebuilds the whole table dict on
every call (1.4 ms at 5,000 documents in memory), so the day file
(:mod:`kiosk.store.dayfile`) commits through ``append_*`` and keeps TinyDB's
interface for reading: ``TinyDB(path, storage=JournalStorage)`` sees every
committed ticket, and its ``write`` is a compaction.

:meth:`JournalStorage.read` replays the journal over the snapshot. Replaying
is idempotent (a line sets a document or fields), so a crash between a
compaction's snapshot and its journal removal loses and duplicates nothing.
A last line that is an entry cut short (possibly followed by zeros) is a write
torn by a power cut before its fsync returned (never acknowledged): it is
ignored and counted in ``torn_tail``; the next compaction drops it. Any other
unreadable line is damage: :class:`~kiosk.storage.CorruptFileError`.
"""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from tinydb.storages import Storage

from .errors import StoreError
from .storage import CorruptFileError, atomic_write_bytes, fsync_dir, read_json

log = logging.getLogger(__name__)

JOURNAL_SUFFIX = ".journal"


def journal_path(path: Path) -> Path:
    """The journal beside the snapshot ``path`` (``X.json`` -> ``X.journal``)."""
    return Path(path).with_suffix(JOURNAL_SUFFIX)


def _encode(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _torn_write(tail: bytes) -> bool:
    """What a power cut can leave of an unfinished append: a prefix of an entry, possibly
    followed by zeros (blocks allocated, not yet written); anything else is damage."""
    text = tail.rstrip(b"\x00")
    start = b'{"t":'
    return text.startswith(start) or start.startswith(text)


class JournalStorage(Storage):
    """TinyDB storage: an atomic snapshot plus an fsynced append-only journal.

    ``path`` is the snapshot (its folder must exist). Attributes after
    :meth:`read`: ``journal_lines`` (changes replayed), ``torn_tail`` (True when
    a torn last line was ignored). The last state read or written stays in
    memory (this process is the only writer: the data folder is locked).

    Raises :class:`CorruptFileError` from ``read`` for a damaged snapshot or
    journal, :class:`StoreError` from writes the disk refuses (nothing is then
    held in memory that is not on disk).
    """

    def __init__(self, path, **_ignored):
        self.path = Path(path)
        self.journal = journal_path(self.path)
        self._cache: dict | None = None
        self._fd: int | None = None
        self.journal_lines = 0
        self.torn_tail = False
        self.stale = False  # a failed append could not be undone: reopen before trusting

    # -- Storage interface ---------------------------------------------------
    def read(self):
        if self._cache is None:
            data = read_json(self.path)
            lines = self._journal_lines()
            if data is None and not lines:
                return None
            data = {} if data is None else data
            if not isinstance(data, dict):
                raise CorruptFileError(self.path, "not an object")
            for entry in lines:
                self._apply(data, entry)
            self.journal_lines = len(lines)
            self._cache = data
        return self._cache

    def write(self, data):
        """Compaction: ``data`` becomes the snapshot, then the journal is removed."""
        self._close_journal()
        try:
            atomic_write_bytes(self.path, _encode(data).encode("utf-8"))
            if self.journal.exists():
                self.journal.unlink()
                fsync_dir(self.path.parent)
        except (OSError, StoreError, TypeError, ValueError) as exc:
            self._cache = None  # the disk is the truth again
            if isinstance(exc, StoreError):
                raise
            raise StoreError(f"{self.path}: cannot write ({exc})") from exc
        self._cache = data
        self.journal_lines, self.torn_tail = 0, False

    def close(self):
        self._close_journal()
        self._cache = None

    # -- appends -------------------------------------------------------------
    def append_doc(self, table: str, doc_id, doc: dict) -> None:
        """Durably set document ``doc_id`` of ``table`` (one fsynced journal line)."""
        self._append({"t": table, "id": str(doc_id), "doc": doc})
        self._tables().setdefault(table, {})[str(doc_id)] = doc

    def append_update(self, table: str, doc_ids, fields: dict) -> None:
        """Durably set ``fields`` on the documents ``doc_ids`` of ``table`` (one line)."""
        ids = [str(i) for i in doc_ids]
        self._append({"t": table, "ids": ids, "set": fields})
        docs = self._tables().setdefault(table, {})
        for i in ids:
            if i in docs:
                docs[i] = {**docs[i], **fields}

    def table(self, name: str) -> dict:
        """The live documents of table ``name``, ``{doc id (str): doc}``; do not mutate."""
        return self._tables().setdefault(name, {})

    def _tables(self) -> dict:
        if self._cache is None:
            self._cache = self.read() or {}
        return self._cache

    def _append(self, entry: dict) -> None:
        line = (_encode(entry) + "\n").encode("utf-8")
        size = None
        try:
            if self._fd is None:
                created = not self.journal.exists()
                self._fd = os.open(self.journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                if created:
                    fsync_dir(self.path.parent)  # the new name survives a power cut
            size = os.fstat(self._fd).st_size
            written = os.write(self._fd, line)
            if written != len(line):
                raise OSError(28, "short write (disk full?)")
            os.fsync(self._fd)
        except OSError as exc:
            self._undo(size)
            raise StoreError(f"{self.journal}: cannot write ({exc.strerror or exc}); check "
                             f"free disk space and that the data directory is writable") from exc
        self.journal_lines += 1

    def _undo(self, size) -> None:
        """After a failed append: cut the journal back to ``size`` so the change is not
        there; if even that fails, forget the cache (``stale``: re-read before trusting)."""
        try:
            if size is not None and self._fd is not None:
                os.ftruncate(self._fd, size)
                return
        except OSError:
            pass
        finally:
            self._close_journal()
        if size is not None:
            self._cache = None
            self.stale = True

    def _close_journal(self):
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    # -- replay --------------------------------------------------------------
    def _journal_lines(self) -> list:
        try:
            raw = self.journal.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StoreError(f"{self.journal}: cannot read ({exc.strerror or exc})") from exc
        parts = raw.split(b"\n")
        tail = parts.pop()  # after the last newline: empty unless a write was torn
        entries = []
        for number, part in enumerate(parts, 1):
            try:
                entries.append(self._checked(json.loads(part)))
            except (UnicodeDecodeError, ValueError, TypeError):
                if number == len(parts) and not tail.strip():
                    tail = part  # an unreadable last line is a torn write too
                    break
                raise CorruptFileError(self.journal, f"line {number} unreadable") from None
        if tail.strip(b"\x00 \n") and not _torn_write(tail):
            raise CorruptFileError(self.journal, "last line is not a cut-off entry")
        if tail.strip():
            self.torn_tail = True
            log.warning("%s: ignored a torn last line (%d bytes; a write cut by a power "
                        "loss, never acknowledged)", self.journal, len(tail))
        return entries

    @staticmethod
    def _checked(entry):
        if not (isinstance(entry, dict) and isinstance(entry.get("t"), str) and (
                (isinstance(entry.get("id"), str) and isinstance(entry.get("doc"), dict)) or
                (isinstance(entry.get("ids"), list) and isinstance(entry.get("set"), dict)))):
            raise ValueError("not a journal entry")
        return entry

    def _apply(self, data: dict, entry: dict) -> None:
        table = data.setdefault(entry["t"], {})
        if not isinstance(table, dict):
            raise CorruptFileError(self.path, f"table {entry['t']!r} is not an object")
        if "doc" in entry:
            table[entry["id"]] = entry["doc"]
            return
        for doc_id in entry["ids"]:
            if isinstance(table.get(str(doc_id)), dict):
                table[str(doc_id)] = {**table[str(doc_id)], **entry["set"]}
