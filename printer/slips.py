"""From a committed ticket to a print job, and from a print result back to the store.

:class:`SlipService` is the after-commit job the check-in desk runs: it builds
the slip's :class:`printer.slip.SlipInfo` in the resident's language, renders
the ESC/POS bytes once (and a PNG preview for the file printer), and hands the
job to the :class:`printer.worker.PrintWorker`. When the worker reports, it
records ``print_status`` on the ticket (``failed`` for "not printed" and for
"maybe partly printed": both are in the staff reprint list, with the reason)
and tells its listeners (the screens, through Clock). Every slip that put
paper out, test prints included, is counted on the paper counter
(:meth:`SlipService.count_paper`, the worker's ``on_paper``). A staff reprint
is marked "SALINAN / COPY" and repeats the original's lines (people ahead and
the wait as printed then). People ahead and the wait come from :mod:`kiosk.waits`
(the check-in result); without them the slip gives the position among this kiosk's
tickets of the queue today and says the estimate is not available.
"""
from __future__ import annotations

import collections
import logging
import threading
from dataclasses import replace
from datetime import datetime

from kiosk.models import PRINT_FAILED, PRINT_PRINTED, CheckinResult, Ticket

from .profiles import profile_columns
from .slip import SlipInfo, render_escpos, render_png, slip_blocks, slip_length_mm
from .worker import PrintJob, PrintResult

log = logging.getLogger(__name__)

#: slips whose original lines are kept for a reprint (about a busy office day)
KEEP_ORIGINALS = 2000


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
        self._originals: collections.OrderedDict = collections.OrderedDict()  # id -> SlipInfo
        self._originals_lock = threading.Lock()
        self.test_mode = False  # selftest: every slip carries the TEST mark

    # -- building ------------------------------------------------------------
    def info(self, ticket: Ticket, menu, people_ahead: int | None, wait_min, test=False,
             position: int | None = None) -> SlipInfo:
        """The slip's lines for ``ticket`` in its language; ``people_ahead`` / ``wait_min``
        (minutes) None when unknown, then ``position`` is printed instead."""
        office = self.config.office
        # the name as issued (a later menu may rename or delete the service); what to
        # bring and the counter from the menu while it still has the service
        name = ticket.service_name(ticket.language)
        try:
            service = menu.service(ticket.service_code)
            if not ticket.service_names:  # a ticket from before names were kept
                name = service.names.get(ticket.language)
            counter = menu.counter_for(service, ticket.queue, ticket.language)
            reqs = tuple(service.requirements.get(ticket.language))
            docs = tuple(service.documents.get(ticket.language))
        except KeyError:
            counter, reqs, docs = "", (), ()
        return SlipInfo(office_name=office.name, regency=office.regency, address=office.address,
                        tz_label=office.timezone_label, service_name=name, counter=counter,
                        requirements=reqs, documents=docs, people_ahead=people_ahead,
                        wait_min=wait_min, position=position, test=test or self.test_mode)

    def _blocks(self, ticket: Ticket, info: SlipInfo):
        width, profile = self.config.printer.width_mm, self.config.printer.profile
        return slip_blocks(ticket, info, width, profile_columns(profile, width))

    def preview_png(self, ticket: Ticket, info: SlipInfo) -> bytes:
        """The slip as PNG bytes, laid out as :meth:`job` prints it (PIL only)."""
        import io
        out = io.BytesIO()
        render_png(self._blocks(ticket, info), self.config.printer.width_mm,
                   self.config.printer.profile).save(out, format="PNG")
        return out.getvalue()

    def job(self, ticket: Ticket, info: SlipInfo) -> PrintJob:
        """The print job of ``ticket``: laid out for the profile's columns, rendered once."""
        width, profile = self.config.printer.width_mm, self.config.printer.profile
        blocks = self._blocks(ticket, info)
        data = render_escpos(blocks, profile, width)
        png = render_png(blocks, width, profile) if self.config.printer.type == "file" else None
        mark = "_TEST" if info.test else "_COPY" if info.copy else ""
        name = f"{ticket.office_day}_{ticket.number}_{ticket.id[:8]}{mark}"
        return PrintJob(ticket_id=ticket.id, data=data, png=png, name=name,
                        length_mm=slip_length_mm(blocks, width, profile))

    # -- after commit --------------------------------------------------------
    def __call__(self, result: CheckinResult, service, menu) -> None:
        """After-commit job for :class:`kiosk.checkin.CheckinDesk`: queue the slip."""
        self.submit(result.ticket, menu, result.people_ahead, result.wait_min,
                    position=result.position)

    def submit(self, ticket: Ticket, menu, people_ahead: int | None, wait_min=None, test=False,
               info: SlipInfo | None = None, position: int | None = None):
        """Render and queue a slip (``info`` given: exactly those lines); never raises for
        printer trouble (reported via on_result)."""
        try:
            if info is None:
                info = self.info(ticket, menu, people_ahead, wait_min, test, position)
                self._keep(ticket.id, info)
            job = self.job(ticket, info)
        except Exception as exc:  # a layout bug must not lose the ticket
            log.exception("could not render slip for %s", ticket.number)
            self.on_result(PrintResult(ticket.id, False, "error",
                                       f"Slip tidak dapat dibuat: {exc}", 0.0))
            return
        self.worker.submit(job)

    def _keep(self, ticket_id: str, info: SlipInfo) -> None:
        with self._originals_lock:
            self._originals[ticket_id] = info
            while len(self._originals) > KEEP_ORIGINALS:
                self._originals.popitem(last=False)

    def reprint(self, ticket_id: str, menu) -> bool:
        """Staff reprint of a ticket of today, marked "SALINAN / COPY"; False if unknown.

        The copy repeats the original slip's lines (people ahead and the wait as
        printed then). After a restart the original is gone from memory: the copy
        gives the ticket's position among this kiosk's tickets of its queue today and
        says the estimate is not available (today's figures say nothing of who was
        ahead of a ticket already issued; no wait is invented).
        """
        ticket = self.store.get_ticket(ticket_id)
        if ticket is None:
            return False
        with self._originals_lock:
            original = self._originals.get(ticket_id)
        if original is None:
            place = self.store.count_in_queue(ticket.queue, below=ticket.sequence) + 1 \
                if ticket.office_day == self.store.office_day() else None
            original = self.info(ticket, menu, None, None, position=place)
        self.submit(ticket, menu, original.people_ahead, original.wait_min,
                    info=replace(original, copy=True, test=False))
        return True

    def on_result(self, result: PrintResult) -> None:
        """Print worker callback (worker thread): record the outcome, notify listeners.

        Anything but "printed" is stored as ``failed`` with the message (staff
        reprint list)."""
        ticket = None
        if result.ticket_id:
            status = PRINT_PRINTED if result.ok else PRINT_FAILED
            try:
                ticket = self.store.set_print_status(result.ticket_id, status,
                                                     "" if result.ok else result.message)
            except Exception:
                log.exception("could not record print status of %s", result.ticket_id)
        for listener in list(self.listeners):
            try:
                listener(ticket, result)
            except Exception:
                log.exception("print listener failed")

    # -- paper restock counter ----------------------------------------------
    def count_paper(self, job: PrintJob, result: PrintResult | None = None) -> None:
        """Print worker ``on_paper`` hook: one more slip of ``job.length_mm`` on the counter
        (printed or maybe partly printed; test prints too). Never raises."""
        length_mm = job.length_mm

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
