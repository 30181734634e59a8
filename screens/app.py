"""The Kivy application: the composition root of the screens.

It builds the screens, wires them to a :class:`lobby.runtime.KioskRuntime`
and keeps kiosk-wide state (language, idle timer, status strip). Flow lives
in :mod:`screens.journey`, staff screens in :mod:`screens.staff`.
"""
from __future__ import annotations

import gc
import logging
import time
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty

from babel.dates import format_datetime

from kiosk import schedule
from kiosk.i18n import translator
from screens import sizes
from screens.guard import LobbyScreens
from screens.journey import JourneyFlow
from screens.rules import RulesScreen
from screens.services import ServicesScreen
from screens.stillthere import StillThere
from screens.ticket import TicketScreen
from screens.welcome import WelcomeScreen

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
#: one .kv per screen, after the shared rules (widgets.kv, and parts.kv for staff and admin)
KV_FILES = ("widgets.kv", "welcome.kv", "services.kv", "rules.kv", "ticket.kv",
            "stillthere.kv", "parts.kv", "staff_pin.kv", "staff_home.kv", "staff_reprint.kv",
            "staff_confirm.kv", "admin_menu.kv", "admin_service.kv", "admin_queues.kv",
            "admin_preview.kv", "admin_files.kv", "admin_history.kv")


class LobbyApp(App):
    """The kiosk app. Named so Kivy's kv/ini auto-loading finds nothing of ours."""

    lang = StringProperty("id")
    languages = ListProperty(["id", "en"])
    scale = NumericProperty(1.0)
    # sizes in pixels for the resident screens, worked out from the window and screen_dpi
    # by screens.sizes.units (millimetre minimums: text, targets, the ticket number)
    font_min = NumericProperty(18)
    font_small = NumericProperty(21)
    font_body = NumericProperty(26)
    font_button = NumericProperty(30)
    font_title = NumericProperty(36)
    font_number = NumericProperty(150)
    target = NumericProperty(96)
    gap = NumericProperty(14)
    field_h = NumericProperty(58)
    key_h = NumericProperty(56)
    portrait = BooleanProperty(False)
    status_text = StringProperty("")
    clock_text = StringProperty("")
    config_office_title = StringProperty("")

    def __init__(self, runtime, ui_clock=time.monotonic, freeze_gc=True, **kwargs):
        """``ui_clock``: monotonic seconds for the touch guard (:mod:`screens.guard`) and
        the idle timers (resident and staff); tests pass a clock they move by hand.
        ``freeze_gc``: freeze what exists once started (:meth:`on_start`)."""
        super().__init__(**kwargs)
        self.ui_clock = ui_clock
        self.freeze_gc = freeze_gc
        self.runtime = runtime
        self.kiosk_config = runtime.config
        self.last_touch = ui_clock()
        self.flow = None
        self.stopped = False
        self.staff = None
        self.stop_reason = ""  # set when a signal (SIGTERM, SIGINT) stops the kiosk

    # Kivy's own config machinery is not for business settings (STYLE.md).
    def load_config(self):
        from kivy.config import ConfigParser
        self.config = ConfigParser()  # unnamed: never registered, read or written
        return self.config

    def build(self):
        for name in KV_FILES:
            path = str(HERE / name)
            if (HERE / name).exists() and path not in Builder.files:
                Builder.load_file(path)  # once per process: apps are rebuilt in tests
        cfg = self.kiosk_config
        self.title = "Kiosk Antrian - " + cfg.office.regency
        self.languages = list(cfg.kiosk.languages)
        self.config_office_title = f"{cfg.office.name}\n{cfg.office.regency}"
        self.sm = LobbyScreens(clock=self.ui_clock)
        for screen in (WelcomeScreen(name="welcome"), ServicesScreen(name="services"),
                       RulesScreen(name="rules"), TicketScreen(name="ticket")):
            self.sm.add_widget(screen)
        self.sm.get_screen("services").prepare(self.runtime.menu)  # built before on_start
        self.flow = JourneyFlow(self)
        self.still_there = StillThere()
        from screens.staff import StaffMode
        self.staff = StaffMode(self)
        Window.bind(size=self._resize, on_touch_down=self._touched,
                    on_keyboard=self._key, on_request_close=self._close_requested)
        self._resize(Window, Window.size)
        self.runtime.slips.listeners.append(self._print_result)
        Clock.schedule_interval(self._tick, 1.0)
        self._tick(0)
        return self.sm

    # -- helpers used by .kv -------------------------------------------------
    def tr(self, message: str, lang: str | None = None, **kwargs) -> str:
        """Indonesian ``message`` in ``lang`` (default: the resident's language)."""
        return translator(lang or self.lang, "screens")(message, **kwargs)

    def mm(self, millimetres: float) -> float:
        """Pixels for a physical length on the kiosk screen (kiosk.ini screen_dpi)."""
        return millimetres / 25.4 * self.kiosk_config.kiosk.screen_dpi

    # -- resident flow (called from .kv) -------------------------------------
    def start_journey(self, lang):
        self.flow.start(lang)

    def choose_service(self, code):
        self.flow.choose(code)

    def go_back(self):
        self.flow.back()

    def take_number(self):
        self.flow.take_number()

    def finish_journey(self):
        self.flow.reset()

    def open_staff(self):
        self.staff.open_pin()

    # -- events --------------------------------------------------------------
    def on_lang(self, *_args):
        if self.staff is not None:  # the status strip follows the resident's language
            self.status_text = self.staff.resident_status()

    def _resize(self, window, size):
        for name, value in sizes.units(size, self.kiosk_config.kiosk.screen_dpi).items():
            setattr(self, name, value)

    def _touched(self, window, touch):
        self.last_touch = self.ui_clock()

    def _key(self, window, key, *args):
        return key == 27  # Escape / Android back: swallowed in kiosk mode

    def _close_requested(self, *args, **kwargs):
        # only staff "exit" or a signal may close the window; touch, keys and the window
        # manager may not
        return not (self.staff.exit_allowed or self.stop_reason)

    def stop_on_signal(self, name: str) -> None:
        """Stop the kiosk for the signal ``name`` (e.g. "SIGTERM"); runs on the main thread
        between frames (``lobby.launch.run_kiosk`` schedules it from its signal handler)."""
        if self.stop_reason:
            return
        log.info("%s received: stopping the kiosk", name)
        self.stop_reason = name
        self.stop()

    def _print_result(self, ticket, result):
        # called on the print worker's thread: the widgets change on the next frame, and not
        # at all once the app stopped (a result arriving while a test or `kiosk screenshots`
        # starts the next app would lay out a dead screen's labels with no running app)
        status = {"printed": "printed", "maybe_partly": "partly"}.get(result.outcome, "failed")

        def show():
            self.flow.print_update(result.ticket_id, status, result.message)
            self.staff.refresh()
        self.on_ui(show)

    def on_ui(self, fn, delay_s: float = 0) -> None:
        """Call ``fn()`` on the UI thread in the next frame (or after ``delay_s`` seconds),
        from any thread; never once the app stopped. Workers (print, check-in, staff
        actions) report through this: a result arriving while a test, selftest or `kiosk
        screenshots` starts the next app would otherwise lay out a dead screen's labels
        with no running app."""
        def run(_dt):
            if not self.stopped:
                fn()
        if not self.stopped:
            Clock.schedule_once(run, delay_s)

    def _tick(self, dt):
        now = self.runtime.clock.local()
        label = self.kiosk_config.office.timezone_label
        self.clock_text = now.strftime(f"%d-%m-%Y  %H:%M {label}")
        idle_s = self.ui_clock() - self.last_touch
        current = self.sm.current
        resettable = current in ("services", "rules")
        timeout_s = self.kiosk_config.kiosk.idle_timeout_s
        if resettable and idle_s > timeout_s:
            log.info("idle for %.0f s on %s: back to welcome", idle_s, current)
            self.flow.reset()
            resettable = False
        self.still_there.update(resettable, idle_s, timeout_s)
        self.staff.tick(idle_s)
        self.status_text = self.staff.resident_status()
        self._office_hours(now)

    def _office_hours(self, now):
        """Tell residents on the welcome screen when the whole office is closed.

        Worked out once a minute (and when the menu changes), not on every tick.
        """
        menu = self.runtime.menu
        key = (now.strftime("%Y-%m-%d %H:%M"), menu.version, id(menu))
        if key == getattr(self, "_hours_key", None):
            return
        self._hours_key = key
        lines = []
        if not schedule.office_open(menu, now):
            opening = schedule.next_opening(menu.office_hours, now)
            label = self.kiosk_config.office.timezone_label
            for lang in ("id", "en"):
                line = self.tr("Kantor sedang tutup.", lang)
                if opening:
                    when = format_datetime(opening, "EEEE HH:mm", locale=lang)
                    line += " " + self.tr("Buka lagi {when}", lang, when=f"{when} {label}")
                lines.append(line)
        self.sm.get_screen("welcome").set_office_closed("\n".join(lines))

    def on_start(self):
        # What exists now (screens, menu, fonts, Kivy, the libraries) lives for the whole run:
        # frozen, it is out of the collector's reach, so a full collection during a journey
        # walks only what was made since, not ~115,000 objects (issue 13: 150-190 ms pauses).
        if self.freeze_gc:
            gc.collect()  # ~50 ms once; garbage frozen now would stay until the app stops
            gc.freeze()

    def on_stop(self):
        # a stopped app (tests, selftest, screenshots build several) must not react to the
        # window or the printer any more, and what it froze may be collected again
        self.stopped = True
        if self._print_result in self.runtime.slips.listeners:
            self.runtime.slips.listeners.remove(self._print_result)
        if self.freeze_gc:
            gc.unfreeze()
        Window.unbind(size=self._resize, on_touch_down=self._touched, on_keyboard=self._key,
                      on_request_close=self._close_requested)
        if self.flow is not None:
            self.still_there.hide()
            self.flow.shutdown()
