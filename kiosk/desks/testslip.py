"""The one TEST slip: staff "Tes cetak", ``kiosk print-test`` and the admin's sample slip.

A test slip is never stored as a ticket: id all zeros, the first service residents see
(the first by order when none is enabled), issued now on the office clock, in Indonesian,
marked TEST by :meth:`printer.slips.SlipService.info`. Number ``<queue>000`` for a test
print, ``<queue>001`` (three people ahead) for the admin's sample of a draft menu.
"""
from __future__ import annotations

from kiosk.models import Ticket

TEST_TICKET_ID = "0" * 32


def ticket(runtime, menu=None, sequence: int = 0) -> Ticket:
    """A TEST ticket of ``menu`` (default the menu in force) at ``sequence``."""
    menu = menu if menu is not None else runtime.menu
    service = (menu.visible_services() or sorted(menu.services, key=lambda s: s.order))[0]
    now = runtime.clock.local()
    return Ticket(id=TEST_TICKET_ID, kiosk_id=runtime.config.kiosk.id,
                  office_day=now.date().isoformat(), service_code=service.code,
                  queue=service.queue, sequence=sequence,
                  number=f"{service.queue}{sequence:03d}",
                  issued_at=now.isoformat(timespec="seconds"), language="id")


def job(runtime):
    """The print job of a TEST slip (``<queue>000``) on the configured printer's layout."""
    slips = runtime.slips
    test = ticket(runtime)
    return slips.job(test, slips.info(test, runtime.menu, 0, None, test=True))


def sample_png(runtime, menu, ahead: int = 3) -> bytes:
    """PNG bytes of the TEST slip ``<queue>001`` of ``menu`` (a draft) with ``ahead``
    people ahead and the wait from the service's average minutes (preview only)."""
    sample = ticket(runtime, menu, sequence=1)
    service = menu.service(sample.service_code)
    info = runtime.slips.info(sample, menu, ahead, round(ahead * service.avg_service_min),
                              test=True)
    return runtime.slips.preview_png(sample, info)
