"""The menu in force, the versions before it, and every change in the audit log.

Layout under ``data_dir``::

    menus/current.json              the menu in force (absent: the configured default file)
    menus/history/<stamp>_<version>.json   every menu that was replaced, newest last

A change is validated first, then installed with one atomic rename, so a kiosk
never runs half a menu; journeys already under way keep the menu they started
with (see :mod:`kiosk.checkin`). Every change is written to the audit log with
who (role), what changed (per service and field, before and after) and when.
"""
from __future__ import annotations

import logging
import re
import threading
from datetime import date, datetime, timedelta
from pathlib import Path

from .clock import STAMP_FORMAT, OfficeClock
from .errors import MenuError, StoreError
from .menu import MAX_MENU_BYTES, Menu, _too_large, load_menu, parse_menu
from .storage import atomic_write_bytes

log = logging.getLogger(__name__)


class NoSuchFolder(StoreError):
    """An export names a folder that does not exist (bad input, not a failed write)."""
HISTORY_KEEP = 50


def diff_menus(old: Menu | None, new: Menu) -> list[dict]:
    """Field-level changes from ``old`` to ``new``.

    Returns ``[{"what": "service kk-baru" | "queue B" | "menu", "field": "daily_quota",
    "before": ..., "after": ...}, ...]``; added/removed items have field "(added)" /
    "(removed)".
    """
    if old is None:
        return [{"what": "menu", "field": "(installed)", "before": None, "after": new.version}]
    changes = []

    def compare(what, a: dict, b: dict):
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                changes.append({"what": what, "field": key, "before": a.get(key),
                                "after": b.get(key)})

    def by(items, key):
        return {getattr(i, key): i.model_dump(by_alias=True) for i in items}

    for kind, items_old, items_new, key in (("queue", old.queues, new.queues, "prefix"),
                                            ("service", old.services, new.services, "code")):
        a, b = by(items_old, key), by(items_new, key)
        for k in sorted(set(a) | set(b)):
            if k not in a:
                changes.append({"what": f"{kind} {k}", "field": "(added)", "before": None,
                                "after": b[k]})
            elif k not in b:
                changes.append({"what": f"{kind} {k}", "field": "(removed)", "before": a[k],
                                "after": None})
            else:
                compare(f"{kind} {k}", a[k], b[k])
    top_old = old.model_dump(by_alias=True, exclude={"queues", "services"})
    top_new = new.model_dump(by_alias=True, exclude={"queues", "services"})
    compare("menu", top_old, top_new)
    return changes


class MenuLibrary:
    """Owns ``data_dir/menus``; thread-safe.

    Args:
        data_dir: the kiosk's data directory.
        default_path: the configured menu file, used while no menu was installed.
        audit: ``f(role, action, **detail)`` (:meth:`kiosk.store.Store.audit`).
        clock: the office clock (:class:`kiosk.clock.OfficeClock`) for the time stamps in
            file names and new version names; default the system clock.

    Raises MenuError from the constructor only when neither the installed menu
    nor the default file is valid.
    """

    def __init__(self, data_dir, default_path, audit=lambda *a, **k: None, clock=None):
        self.clock = clock or OfficeClock()
        self.dir = Path(data_dir) / "menus"
        self.history_dir = self.dir / "history"
        self.history_dir.mkdir(parents=True, exist_ok=True)
        self.default_path = Path(default_path)
        self.audit = audit
        self._lock = threading.Lock()
        self.problem = None  # plain words when the installed menu was unusable at start
        self.current = self._load_current()

    def reload(self, default_path) -> Menu:
        """Staff reset: re-read the installed menu (or the new default file) under the same
        lock an install takes, so a sync install under way cannot race a second library."""
        with self._lock:
            self.default_path = Path(default_path)
            self.problem = None
            self.current = self._load_current()
            return self.current

    @property
    def current_path(self) -> Path:
        return self.dir / "current.json"

    def _load_current(self) -> Menu:
        """The installed menu, else the default file. A damaged installed menu is moved
        aside (``current.json.corrupt-<time>``, kept for a look), ``problem`` says so, and
        the default menu serves until a good one is installed or downloaded."""
        if self.current_path.exists():
            try:
                return load_menu(self.current_path)
            except MenuError as exc:
                aside = self.current_path.with_name(
                    f"current.json.corrupt-{self.clock.stamp()}")
                try:
                    self.current_path.replace(aside)
                    where = f"dipindahkan ke {aside.name}"
                except OSError as move:
                    where = f"tidak dapat dipindahkan: {move.strerror or move}"
                log.error("installed menu unusable (%s), using %s: %s", where,
                          self.default_path, exc)
                self.problem = (f"Menu terpasang rusak ({where}); memakai menu bawaan sampai "
                                f"menu baru dipasang atau diunduh ({exc})")
        return load_menu(self.default_path)

    def install(self, raw: bytes | str, *, role: str, source: str) -> Menu:
        """Validate ``raw`` and make it the menu in force; the replaced one goes to history.

        Returns the new Menu. Raises MenuError (nothing changed) when invalid.
        """
        data = raw.encode("utf-8") if isinstance(raw, str) else raw
        new = parse_menu(data, source)
        with self._lock:
            old = self.current
            self._keep(old)
            atomic_write_bytes(self.current_path, data)
            self.current = new
        self.audit(role, "menu-install", source=source, before=old.version, after=new.version,
                   changes=diff_menus(old, new)[:200])
        log.info("menu %s installed from %s by %s", new.version, source, role)
        return new

    def _keep(self, menu: Menu) -> None:
        stamp = self._history_stamp()
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", menu.version)[:60]
        atomic_write_bytes(self.history_dir / f"{stamp}_{safe}.json",
                           menu.to_json().encode("utf-8"))
        kept = sorted(self.history_dir.glob("*.json"))
        for old in kept[:-HISTORY_KEEP]:
            old.unlink(missing_ok=True)

    def _history_stamp(self) -> str:
        """The clock's stamp (local ``%Y%m%dT%H%M%S%f``), or one microsecond after the newest
        in the history when that is not earlier (a clock set back, two installs in one
        clock reading): the history stays in install order and no file is overwritten."""
        stamp = self.clock.stamp()
        kept = sorted(p.stem.split("_", 1)[0] for p in self.history_dir.glob("*.json"))
        if kept and kept[-1] >= stamp:
            try:
                last = datetime.strptime(kept[-1], STAMP_FORMAT)
            except ValueError:  # a file named by hand; the clock's stamp serves
                return stamp
            stamp = (last + timedelta(microseconds=1)).strftime(STAMP_FORMAT)
        return stamp

    def history(self) -> list[tuple[str, Path]]:
        """``[(version, path), ...]`` of replaced menus, newest first."""
        out = []
        for path in sorted(self.history_dir.glob("*.json"), reverse=True):
            out.append((path.stem.split("_", 1)[1] if "_" in path.stem else path.stem, path))
        return out

    def restore(self, path: Path, *, role: str) -> Menu:
        """Bring back a menu from :meth:`history` (the current one goes to history)."""
        path = Path(path)
        if path.parent != self.history_dir:
            raise MenuError(f"{path}: not a saved menu version", path=str(path))
        return self.install(path.read_bytes(), role=role, source=f"restore {path.name}")

    # -- files on a USB stick, versions -------------------------------------
    def import_file(self, path, *, role: str) -> Menu:
        """Install the menu file at ``path`` (e.g. on a USB stick) through :meth:`install`.

        Every attempt is audited (action ``menu-import``, ``ok`` and the problems).
        Returns the new Menu; raises MenuError (nothing changed) when the file
        cannot be read, is larger than MAX_MENU_BYTES or is not a valid menu.
        """
        path = Path(path)
        try:
            if path.stat().st_size > MAX_MENU_BYTES:  # say the real size; never read junk
                raise _too_large(str(path), path.stat().st_size)
            with path.open("rb") as fh:  # parse_menu refuses it if it grew meanwhile
                raw = fh.read(MAX_MENU_BYTES + 1)
            menu = self.install(raw, role=role, source=f"import {path}")
        except OSError as exc:
            problem = f"cannot read the file ({exc.strerror or exc})"
            self.audit(role, "menu-import", path=str(path), ok=False, problems=[problem])
            raise MenuError(f"{path}: {problem}", path=str(path), problems=[problem]) from None
        except MenuError as exc:
            self.audit(role, "menu-import", path=str(path), ok=False,
                       problems=list(exc.problems)[:20])
            raise
        self.audit(role, "menu-import", path=str(path), ok=True, version=menu.version)
        return menu

    def export(self, path, *, role: str) -> Path:
        """Write the menu in force as JSON to ``path`` (a folder: ``menu-<version>.json`` in it).

        Atomic (temp file, fsync, rename); audited as ``menu-export``. Returns the
        file written; raises :class:`NoSuchFolder` (a StoreError) when the folder named does
        not exist (a path ending in ``/`` names a folder), StoreError when it cannot be written.
        """
        menu, names_folder = self.current, str(path).endswith(("/", "\\"))
        path = Path(path)
        folder = path.is_dir()
        if folder:
            path = path / f"menu-{re.sub(r'[^A-Za-z0-9._-]', '_', menu.version)[:60]}.json"
        try:
            missing = path if names_folder and not folder else (
                None if path.parent.is_dir() else path.parent)
            if missing is not None:
                raise NoSuchFolder(f"{missing}: folder not found; plug in the USB stick or make "
                                   f"the folder first, or give an existing folder or file name")
            atomic_write_bytes(path, menu.to_json().encode("utf-8"))
        except StoreError as exc:
            self.audit(role, "menu-export", path=str(path), ok=False, error=str(exc))
            raise
        self.audit(role, "menu-export", path=str(path), ok=True, version=menu.version)
        return path

    def next_version(self, day: date | None = None) -> str:
        """A new version string ``YYYY-MM-DD.N``: one more than any N of ``day`` (default the
        clock's local date) in force or in the history."""
        day = day or self.clock.local().date()
        prefix = day.isoformat() + "."
        versions = [self.current.version] + [v for v, _ in self.history()]
        n = max((int(v[len(prefix):]) for v in versions
                 if v.startswith(prefix) and v[len(prefix):].isdigit()), default=0)
        return f"{prefix}{n + 1}"
