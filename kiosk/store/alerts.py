"""Staff alerts that survive a restart: ``data_dir/alerts.json``.

An alert is a plain Indonesian sentence under a key (``damaged:state.json``,
``clock_jump``, ``number_repeat``...). It stays, across restarts, until its
source clears it (a condition that ended: the clock is right again, the menu
loads) or staff acknowledge it on the staff screen; damage is never cleared by
its source, so a restart cannot hide it. The file is written atomically on
every change (alerts are rare)::

    {"version": 1, "alerts": {"<key>": "<text>", ...}}   # in the order raised
"""
from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from ..errors import StoreError
from ..storage import CorruptFileError, atomic_write_bytes, read_json

log = logging.getLogger(__name__)
FILE_NAME = "alerts.json"


def read_alerts(path: Path) -> dict[str, str]:
    """The alerts in ``path`` (absent: {}). Raises CorruptFileError when damaged; never writes."""
    data = read_json(path)
    if data is None:
        return {}
    alerts = data.get("alerts") if isinstance(data, dict) else None
    if not isinstance(alerts, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in alerts.items()):
        raise CorruptFileError(path, "not a table of alerts")
    return dict(alerts)


class Alerts:
    """The persisted staff alerts of one data folder; thread-safe.

    Args:
        path: ``alerts.json``.
        move_aside: ``f(path, detail) -> Path`` for a damaged file (it is then rebuilt,
            with an alert saying so).
    """

    def __init__(self, path, move_aside):
        self.path = Path(path)
        self._lock = threading.RLock()
        try:
            self._alerts = read_alerts(self.path)
        except CorruptFileError as exc:
            target = move_aside(self.path, exc.detail)
            self._alerts = {}
            self.set(f"damaged:{self.path.name}",
                     f"Berkas peringatan rusak dipindahkan: {self.path.name} -> {target.name} "
                     f"({exc.detail}); peringatan lama mungkin hilang. Periksa kiosk.")

    def texts(self) -> list[str]:
        """The alert texts, oldest first."""
        with self._lock:
            return list(self._alerts.values())

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._alerts.get(key)

    def set(self, key: str, text: str | None) -> None:
        """Raise (``text``) or clear (None) alert ``key``; written to disk when it changes.

        A failed write is logged and the alert kept in memory (it is shown all the same).
        """
        with self._lock:
            if (self._alerts.get(key) or None) == (text or None):
                return
            if text:
                self._alerts[key] = text
            else:
                self._alerts.pop(key, None)
            self._save()

    def acknowledge(self, keys=None) -> list[str]:
        """Staff have looked: clear ``keys`` (default all); returns the texts cleared."""
        with self._lock:
            keys = list(self._alerts) if keys is None else [k for k in keys if k in self._alerts]
            gone = [self._alerts.pop(k) for k in keys]
            if gone:
                self._save()
            return gone

    def _save(self) -> None:
        data = {"version": 1, "alerts": self._alerts}
        try:
            atomic_write_bytes(self.path, json.dumps(data, ensure_ascii=False,
                                                     indent=1).encode("utf-8"))
        except StoreError as exc:
            log.error("could not save staff alerts: %s", exc)
