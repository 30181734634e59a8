"""What goes into the print worker and what comes out: jobs, results, printer state.

Plain frozen dataclasses, shared by :mod:`printer.worker` (which re-exports
them) and its clients; no I/O here.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PrintJob:
    """Pre-rendered ESC/POS ``data`` for one slip; ``png`` is the preview (file printer).

    ``name`` is the file stem for the file printer, e.g. ``2026-11-29_A001_<id8>``.
    """

    ticket_id: str | None
    data: bytes
    png: object = None
    name: str = ""


@dataclass(frozen=True)
class PrintResult:
    """How a job ended. ``kind`` is one of :data:`printer.status.KINDS`; ``message`` is
    plain Indonesian for staff ("" when ok); ``duration_ms`` from pick-up to result."""

    ticket_id: str | None
    ok: bool
    kind: str
    message: str
    duration_ms: float


@dataclass(frozen=True)
class PrinterStatus:
    """What the worker knows about the printer.

    ``online``/``cover_open`` are None when unknown; ``paper`` is ok, near_end,
    out or unknown (no answer is unknown, never out); ``last_ok_at`` is the
    ``time.time()`` of the last printed job; ``queued`` counts unfinished jobs.
    """

    online: bool | None
    paper: str
    cover_open: bool | None
    last_error: str
    last_ok_at: float | None
    queued: int
