"""From a committed ticket to a print job, and from a print result back to the store.

:class:`SlipService` is the after-commit job the check-in desk runs: it builds
the slip's :class:`printer.slip.SlipInfo` in the resident's language, renders
the ESC/POS bytes once (and a PNG preview for the file printer), and hands the
job to the :class:`printer.worker.PrintWorker`. When the worker reports, it
records ``print_status`` on the ticket and tells its listeners (the screens,
through Clock, and the staff restock counter).
"""
from __future__ import annotations

import logging
from datetime import datetime

from printer.slip import SlipInfo, render_escpos, render_png, slip_blocks, slip_length_mm
from printer.worker import PrintJob, PrintResult

from .models import PRINT_FAILED, PRINT_PRINTED, CheckinResult, Ticket

log = logging.getLogger(__name__)


class SlipService:
    """Renders and queues slips; records outcomes.

    Args:
        config: :class:`kiosk.config.Config`.
        store: :class:`kiosk.store.Store`.
        worker: a started :class:`printer.worker.PrintWorker` whose ``on_result``
            is :meth:`on_result` (wired by :func:`make_slip_service`).
    """

    def __init__(self, config, store, worker=None):
        self.config, self.store, self.worker = config, store, worker
        self.listeners = []  # callables f(ticket: Ticket | None, result: PrintResult)
        self._lengths_mm: dict = {}  # ticket id -> paper length of its queued slip
        self.test_mode = False  # selftest: every slip carries the TEST mark

    # -- building ------------------------------------------------------------
    def info(self, ticket: Ticket, menu, people_ahead: int, wait_min, test=False) -> SlipInfo:
        office = self.config.office
        try:
            service = menu.service(ticket.service_code)
            name = service.names.get(ticket.language)
            counter = menu.counter_for(service, ticket.queue)
            reqs = tuple(service.requirements.get(ticket.language))
        except KeyError:
            name, counter, reqs = ticket.service_code, "", ()
        return SlipInfo(office_name=office.name, regency=office.regency, address=office.address,
                        tz_label=office.timezone_label, service_name=name, counter=counter,
                        requirements=reqs, people_ahead=people_ahead, wait_min=wait_min,
                        test=test or self.test_mode)

    def job(self, ticket: Ticket, info: SlipInfo) -> PrintJob:
        width, profile = self.config.printer.width_mm, self.config.printer.profile
        blocks = slip_blocks(ticket, info, width)
        data = render_escpos(blocks, profile, width)
        png = render_png(blocks, width, profile) if self.config.printer.type == "file" else None
        day = ticket.office_day
        name = f"{day}_{ticket.number}_{ticket.id[:8]}{'_TEST' if info.test else ''}"
        self._lengths_mm[ticket.id] = slip_length_mm(blocks, width, profile)
        return PrintJob(ticket_id=ticket.id, data=data, png=png, name=name)

    # -- after commit --------------------------------------------------------
    def __call__(self, result: CheckinResult, service, menu) -> None:
        """After-commit job for :class:`kiosk.checkin.CheckinDesk`: queue the slip."""
        self.submit(result.ticket, menu, result.people_ahead, result.wait_min)

    def submit(self, ticket: Ticket, menu, people_ahead: int, wait_min=None, test=False):
        """Render and queue a slip; never raises for printer trouble (reported via on_result)."""
        try:
            job = self.job(ticket, self.info(ticket, menu, people_ahead, wait_min, test))
        except Exception as exc:  # a layout bug must not lose the ticket
            log.exception("could not render slip for %s", ticket.number)
            self.on_result(PrintResult(ticket.id, False, "error",
                                       f"Slip tidak dapat dibuat: {exc}", 0.0))
            return
        self.worker.submit(job)

    def reprint(self, ticket_id: str, menu) -> bool:
        """Staff reprint of a ticket of today; False if it is unknown."""
        ticket = self.store.get_ticket(ticket_id)
        if ticket is None:
            return False
        ahead = self.store.people_ahead(ticket)
        self.submit(ticket, menu, ahead, None)
        return True

    def on_result(self, result: PrintResult) -> None:
        """Print worker callback (worker thread): record the outcome, count paper, notify."""
        ticket = None
        if result.ticket_id:
            status = PRINT_PRINTED if result.ok else PRINT_FAILED
            try:
                ticket = self.store.set_print_status(result.ticket_id, status,
                                                     "" if result.ok else result.message)
            except Exception:
                log.exception("could not record print status of %s", result.ticket_id)
        length = self._lengths_mm.pop(result.ticket_id, 0.0)
        if result.ok:
            self._count_paper(length)
        for listener in list(self.listeners):
            try:
                listener(ticket, result)
            except Exception:
                log.exception("print listener failed")

    # -- paper restock counter ----------------------------------------------
    def _count_paper(self, length_mm: float):
        def add(used):
            used = used or {"slips": 0, "mm": 0.0, "since": None}
            return {**used, "slips": used.get("slips", 0) + 1,
                    "mm": round(used.get("mm", 0.0) + length_mm, 1)}
        try:  # one lock hold: a "paper replaced" at the same moment is never undone
            self.store.update_setting("paper", add)
        except Exception:
            log.exception("could not update the paper counter")

    def paper_used(self) -> dict:
        """``{"slips": n, "mm": length used, "since": ISO time of the last refill,
        "left_pct": estimated % of the roll left}`` since staff pressed "paper replaced"."""
        used = dict(self.store.setting("paper", {"slips": 0, "mm": 0.0, "since": None}))
        roll_mm = self.config.printer.roll_length_m * 1000
        used["left_pct"] = max(0, round(100 * (1 - used.get("mm", 0) / roll_mm)))
        return used

    def paper_replaced(self, now: datetime) -> None:
        self.store.set_setting("paper", {"slips": 0, "mm": 0.0,
                                         "since": now.isoformat(timespec="seconds")})
