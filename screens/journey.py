"""The resident's path through the screens: welcome -> services -> rules -> ticket.

:class:`JourneyFlow` holds the current :class:`kiosk.checkin.Journey` and
moves between screens. The check-in itself (one fsynced write) runs on one
long-lived worker thread; its result comes back through ``Clock``.
"""
from __future__ import annotations

import logging
import math
from concurrent.futures import ThreadPoolExecutor

from babel.dates import format_datetime
from kivy.clock import Clock
from kivy.utils import escape_markup

from kiosk.errors import CheckinError, KioskError
from kiosk.schedule import QUOTA
from kiosk.waits import wait_lines

log = logging.getLogger(__name__)


def bring_text(tr, requirements, documents) -> str:
    """Kivy markup for the ticket screen: the service's requirements (conditions) and the
    documents to bring, each under its own heading (the slip uses the same two headings);
    menu text is escaped. "" when the service lists neither."""
    parts = []
    for title, lines in ((tr("Syarat:"), requirements),
                         (tr("Dokumen yang perlu dibawa:"), documents)):
        if lines:
            parts.append("[b]" + escape_markup(title) + "[/b]\n" +
                         "\n".join("- " + escape_markup(line) for line in lines))
    return "\n".join(parts)


class JourneyFlow:
    """Flow control between screens; ``app`` gives the runtime, the ScreenManager and text."""

    def __init__(self, app):
        self.app = app
        self.journey = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="checkin")
        self._return_ev = None
        self._return_at = 0.0

    @property
    def desk(self):
        return self.app.runtime.desk

    def screen(self, name):
        return self.app.sm.get_screen(name)

    def go(self, name):
        self.app.sm.current = name

    # -- steps ---------------------------------------------------------------
    def start(self, lang: str) -> None:
        if self.app.sm.current != "welcome":
            return
        self.app.lang = lang
        self.journey = self.desk.begin(lang)
        self.screen("services").show(self.journey, lambda s: self.desk.availability(
            self.journey, s), self.describe)
        self.go("services")

    def describe(self, service, avail) -> str:
        tr, menu = self.app.tr, self.journey.menu
        if avail.open:
            text = tr("{counter} - antrian {queue}",
                      counter=menu.counter_for(service, lang=self.app.lang), queue=service.queue)
            if avail.remaining is not None:
                text += "\n" + tr("Sisa kuota hari ini: {n}", n=avail.remaining)
            return text
        head = tr("Kuota hari ini habis") if avail.reason == QUOTA else tr("Tutup")
        if avail.next_opening is not None:
            when = format_datetime(avail.next_opening, "EEEE HH:mm", locale=self.app.lang)
            head += "\n" + tr("Buka lagi {when}", when=when)
        return head

    def choose(self, code: str) -> None:
        if self.journey is None or self.app.sm.current != "services":
            return
        try:
            service = self.desk.select_service(self.journey, code)
        except CheckinError as exc:
            log.info("service %s refused: %s", code, exc.reason)
            return  # the button already says closed / quota reached
        closes = self.desk.closing_warning(self.journey)  # told before the number is taken
        self.screen("rules").show(self.journey, service.names.get(self.journey.language),
                                  closes or "")
        self.go("rules")

    def back(self) -> None:
        current = self.app.sm.current
        if current == "rules" and not self.screen("rules").busy:
            self.go("services")
        elif current == "services":
            self.reset()

    def take_number(self) -> None:
        rules = self.screen("rules")
        journey = self.journey
        if journey is None or rules.busy or not journey.all_confirmed():
            return
        rules.busy = True
        future = self._pool.submit(self.desk.check_in, journey, False)

        def committed(f):
            self.app.on_ui(lambda: self._checked_in(journey, f))
            if f.exception() is None:  # the slip is laid out and queued after the number shows
                try:
                    self._pool.submit(self.desk.run_jobs, journey)
                except RuntimeError:  # shutting down: run them here, the ticket must print
                    self.desk.run_jobs(journey)
        future.add_done_callback(committed)

    def _checked_in(self, journey, future) -> None:
        if journey is not self.journey:
            return  # the resident left (idle reset); the ticket stays committed
        rules = self.screen("rules")
        try:
            result = future.result()
        except CheckinError as exc:
            rules.busy = False
            rules.error = (self.app.tr("Maaf, kuota hari ini untuk layanan ini sudah habis.")
                           if exc.reason == "quota" else
                           self.app.tr("Maaf, nomor belum dapat diambil. Silakan hubungi petugas."))
            return
        except (KioskError, OSError):
            log.exception("check-in failed")
            rules.busy = False
            rules.error = self.app.tr("Maaf, kiosk sedang bermasalah. Silakan hubungi petugas.")
            return
        self.show_ticket(result)

    def show_ticket(self, result) -> None:
        tr, menu = self.app.tr, self.journey.menu
        service = menu.service(result.ticket.service_code)
        lang = self.journey.language
        screen = self.screen("ticket")
        screen.result = result
        screen.number = result.ticket.number
        screen.service_title = service.names.get(lang)
        screen.counter = menu.counter_for(service, result.ticket.queue, lang)
        screen.ahead_text = "\n".join(wait_lines(tr, result.people_ahead, result.wait_min,
                                                 result.position, result.ticket.queue))
        screen.documents = bring_text(tr, service.requirements.get(lang),
                                      service.documents.get(lang))
        self.print_update(result.ticket.id, result.ticket.print_status, "")
        self._return_at = self.app.ui_clock() + self.app.kiosk_config.kiosk.ticket_screen_s
        screen.seconds_left = self.app.kiosk_config.kiosk.ticket_screen_s
        self.go("ticket")
        self._cancel_return()
        self._return_ev = Clock.schedule_interval(self._count_down, 0.25)

    def print_update(self, ticket_id, status, message) -> None:
        """Reflect a print outcome (pending | printed | partly | failed) on the ticket
        screen, if it shows that ticket."""
        screen = self.screen("ticket")
        if screen.result is None or screen.result.ticket.id != ticket_id:
            return
        tr = self.app.tr
        screen.print_state = status
        partly = tr("Slip mungkin terpotong. Catat nomor Anda, minta petugas cetak ulang.")
        screen.print_text = {
            "pending": tr("Slip sedang dicetak..."),
            "printed": tr("Silakan ambil slip antrian Anda di bawah layar"),
            "partly": partly,
        }.get(status, tr("Slip tidak tercetak. Catat nomor Anda dan hubungi petugas."))

    def _count_down(self, dt):
        """Whole seconds left on the ticket screen (``app.ui_clock``); the "Selesai (N)"
        text is set, and re-rendered, only when N changes."""
        screen = self.screen("ticket")
        left = max(0, math.ceil(self._return_at - self.app.ui_clock()))
        if left != screen.seconds_left:
            screen.seconds_left = left
        if left <= 0:
            self.reset()
            return False

    def _cancel_return(self):
        if self._return_ev is not None:
            self._return_ev.cancel()
            self._return_ev = None

    def reset(self) -> None:
        """Back to welcome; the selection is cleared (idle timeout, Selesai, Kembali)."""
        self._cancel_return()
        self.journey = None
        self.screen("ticket").result = None
        rules = self.screen("rules")
        rules.busy, rules.error, rules.journey = False, "", None
        self.app.lang = "id"
        self.go("welcome")

    def shutdown(self):
        self._cancel_return()
        self._pool.shutdown(wait=True)
