"""What a sync attempt reports (:class:`SyncReport`) and what staff and the screens see of
the worker (:class:`SyncStatus`); re-exported by :mod:`kiosk.sync`."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SyncStatus:
    """What staff and the screens see; a snapshot, cheap to read from any thread.

    ``online``: None until the first attempt; ``last_success_at``: ISO 8601 UTC;
    ``last_error``: plain words or None; ``backlog``: tickets not yet confirmed
    (as of the last attempt); ``now_serving``: ``{"A": 12}``; ``server_clock_skew_s``:
    server clock minus kiosk clock in s; ``menu_error``: why the last menu served
    was refused, or None; ``set_aside``: tickets the server refused (id held by
    another kiosk) taken out of the outbox since the worker started;
    ``conflict_warning``: plain Indonesian for the staff screen when the server
    saw another kiosk give the same numbers as this one (two residents hold one
    number: the kiosks share a ``[kiosk] number_tag``), else None. It stays until
    the worker restarts (the kiosk.ini fix needs a restart anyway);
    ``conflicts``: this kiosk's tickets the server flagged so;
    ``repeat_warning``: plain words when the server holds one number of this kiosk twice
    in a day under different ids (its data was lost), else None.
    """

    online: bool | None = None
    last_success_at: str | None = None
    last_error: str | None = None
    backlog: int = 0
    now_serving: dict = field(default_factory=dict)
    server_clock_skew_s: float | None = None
    error_kind: str | None = None
    menu_error: str | None = None
    menu_etag: str | None = None
    set_aside: int = 0
    conflict_warning: str | None = None
    conflicts: int = 0
    repeat_warning: str | None = None


@dataclass(frozen=True)
class SyncReport:
    """One attempt: ``uploaded`` tickets confirmed in ``batches`` requests, ``backlog`` left,
    ``menu`` in none | unchanged | updated | refused | skipped, ``error`` (plain words),
    ``set_aside``: tickets the server refused and the store took out of the outbox;
    ``conflicts``: this kiosk's tickets whose number another kiosk also gave (stored)."""

    uploaded: int
    batches: int
    backlog: int
    menu: str
    error: str | None = None
    error_kind: str | None = None
    retry_after_s: float | None = None
    duration_s: float = 0.0
    set_aside: int = 0
    conflicts: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None
