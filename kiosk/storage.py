"""A TinyDB Storage that never leaves a half-written file.

TinyDB's own JSONStorage truncates and rewrites the file in place: a power cut
mid-write leaves an empty or truncated database. :class:`AtomicJSONStorage`
serializes to a temp file in the same directory, flushes and fsyncs it,
``os.replace``-s it over the old file and fsyncs the directory, so a reader
sees either the old or the new state (POSIX rename atomicity).

It keeps the last written document in memory (this process is the only writer,
the store holds a lock), so reads cost nothing; a failed write drops that copy
so the next read comes from disk again. It also keeps each document's encoded
JSON and re-encodes only documents that changed, so a commit costs one new
document's encoding plus the file write, not the whole table's encoding.
This relies on TinyDB's update semantics: a document's fields are replaced,
nested values are never mutated in place.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from tinydb.storages import Storage

from .errors import StoreError


class CorruptFileError(StoreError):
    """A data file exists but is not valid JSON (truncated, zeroed, or edited by hand)."""

    def __init__(self, path, detail):
        super().__init__(f"{path}: damaged data file ({detail})")
        self.path, self.detail = Path(path), detail


def fsync_dir(path: Path) -> None:
    """fsync a directory so a rename inside it survives a power cut."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_prefix(name: str, pid: int | None = None) -> str:
    """Prefix of this process's temp files for ``name``: ``.<name>.<pid>.`` (then random).

    The pid in the name lets a starting kiosk remove only leftovers of dead
    processes (:func:`stale_temp_files`), never a temp file another live
    process (``kiosk set-pin``, ``kiosk check``) is writing.
    """
    return f".{name}.{os.getpid() if pid is None else pid}."


def stale_temp_files(folder: Path) -> list[Path]:
    """Temp files in ``folder`` left by processes that no longer run (or unnamed ones)."""
    stale = []
    for tmp in Path(folder).glob(".*.tmp"):
        parts = tmp.name.split(".")  # "", name..., pid, random, "tmp"
        pid = int(parts[-3]) if len(parts) >= 4 and parts[-3].isdigit() else None
        if pid is None or not _alive(pid):
            stale.append(tmp)
    return stale


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically and durably; raises StoreError on OSError."""
    path = Path(path)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path.name), suffix=".tmp",
                                   dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        tmp = None
        fsync_dir(path.parent)
    except OSError as exc:
        raise StoreError(f"{path}: cannot write ({exc.strerror or exc}); check free disk space "
                         f"and that the data directory is writable") from exc
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def read_json(path: Path):
    """Parse the JSON file at ``path``; None if absent. Raises CorruptFileError, StoreError."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if not raw.strip():
        raise CorruptFileError(path, "empty file")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptFileError(path, str(exc)) from None


class AtomicJSONStorage(Storage):
    """TinyDB storage: atomic, fsynced JSON file with an in-memory copy of the last state.

    ``path`` is created on first write (its directory must exist). ``read``
    raises :class:`CorruptFileError` for a damaged file instead of silently
    starting empty, as TinyDB's JSONStorage would.
    """

    def __init__(self, path, **_ignored):
        self.path = Path(path)
        self._cache = None
        self._fragments: dict = {}  # (table, doc_id) -> (shallow copy of doc, encoded JSON)

    def read(self):
        if self._cache is None:
            self._cache = read_json(self.path)
        return self._cache

    def _encode(self, data) -> bytes:
        old, new, tables = self._fragments, {}, []
        for name, table in data.items():
            pieces = []
            for doc_id, doc in table.items():
                key = (name, doc_id)
                known = old.get(key)
                if known is None or known[0] != doc:
                    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
                    known = (dict(doc), f'"{doc_id}":{text}')
                new[key] = known
                pieces.append(known[1])
            tables.append(f"{json.dumps(name)}:{{{','.join(pieces)}}}")
        self._fragments = new
        return ("{" + ",".join(tables) + "}").encode("utf-8")

    def write(self, data):
        try:
            atomic_write_bytes(self.path, self._encode(data))
        except (StoreError, TypeError, ValueError):
            self._cache = None  # TinyDB mutated our copy; disk is the truth again
            self._fragments = {}
            raise
        self._cache = data

    def close(self):
        self._cache = None
        self._fragments = {}
