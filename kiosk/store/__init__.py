"""The ticket store: the one writer of the kiosk's data directory.

Layout of ``data_dir``::

    .lock                   held (flock) by the one process that owns the folder
    state.json              office day reached, unsynced days, staff settings,
                            a copy of each day's number reservations, server floors
    alerts.json             staff alerts, kept until acknowledged
    days/YYYY-MM-DD.json    one office day's tickets (snapshot) ...
    days/YYYY-MM-DD.journal ... and the changes since, one fsynced line each
    days/YYYY-MM-DD.seq     the day's number reservations (hi/lo blocks)
    *.corrupt-<time>        damaged files moved aside (never silently emptied)
    audit.jsonl             append-only log of staff and admin actions

Modules, one concern each: :mod:`.datadir` (lock, moving aside), :mod:`.alerts`,
:mod:`.state`, :mod:`.officeday`, :mod:`.dayfile`, :mod:`.store` (the
:class:`Store` facade: tickets and outbox), :mod:`.inspect` (read-only check).
"""
from .datadir import DataDirInUse
from .inspect import inspect_data_dir
from .officeday import NoNewOfficeDay
from .store import Store

__all__ = ["DataDirInUse", "NoNewOfficeDay", "Store", "inspect_data_dir"]
