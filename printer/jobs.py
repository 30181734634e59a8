"""What goes into the print worker and what comes out: jobs, results, printer state.

Plain frozen dataclasses, shared by :mod:`printer.worker` (which re-exports
them) and its clients; no I/O here.
"""
from __future__ import annotations

from dataclasses import dataclass

#: print outcomes, from the printer's own DLE EOT answers before and after the slip
PRINTED, NOT_PRINTED, MAYBE_PARTLY = "printed", "not_printed", "maybe_partly"
OUTCOMES = (PRINTED, NOT_PRINTED, MAYBE_PARTLY)


@dataclass(frozen=True)
class PrintJob:
    """Pre-rendered ESC/POS ``data`` for one slip; ``png`` is the preview (file printer).

    ``name`` is the file stem for the file printer, e.g. ``2026-11-29_A001_<id8>``;
    ``length_mm`` the paper the slip takes (for the paper counter, 0 when unknown).
    """

    ticket_id: str | None
    data: bytes
    png: object = None
    name: str = ""
    length_mm: float = 0.0


@dataclass(frozen=True)
class PrintResult:
    """How a job ended. ``kind`` is one of :data:`printer.status.KINDS`; ``message`` is
    plain Indonesian for staff ("" when ok); ``duration_ms`` from pick-up to result.

    ``outcome`` is what the paper shows: :data:`PRINTED` (the printer answered
    "ready" after taking the whole slip, or polling is off and every byte went
    out), :data:`NOT_PRINTED` (nothing of the slip was sent) or
    :data:`MAYBE_PARTLY` (bytes were sent, then the printer stopped, went
    silent or the connection dropped). Defaults to printed/not printed by ``ok``.
    """

    ticket_id: str | None
    ok: bool
    kind: str
    message: str
    duration_ms: float
    outcome: str = ""

    def __post_init__(self):
        if not self.outcome:
            object.__setattr__(self, "outcome", PRINTED if self.ok else NOT_PRINTED)
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES}, got {self.outcome!r}")


@dataclass(frozen=True)
class PrinterStatus:
    """What the worker knows about the printer.

    ``online``/``cover_open`` are None when unknown; ``paper`` is ok, near_end,
    out or unknown (no answer is unknown, never out); ``last_ok_at`` is the office
    clock's ``timestamp()`` (POSIX seconds) of the last printed job; ``queued`` counts
    unfinished jobs.
    ``state`` is the one word for staff (:data:`printer.status.STATES`), derived
    from the same answer or failure as ``last_error``.
    """

    online: bool | None
    paper: str
    cover_open: bool | None
    last_error: str
    last_ok_at: float | None
    queued: int
    state: str = "unknown"
