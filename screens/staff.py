"""Staff mode: PIN pad, staff home (printer, paper, reprint, out of service, sync, reset).

Opened by the hidden gesture on the welcome screen (3 s press on the office
name) and a PIN (:mod:`kiosk.pins`). Indonesian first; English through the
``staff`` gettext domain (the staff member chooses on the staff home).

Every action is a method of :class:`kiosk.desks.StaffDesk` (the work, its audit line with
the role that logged in, and the words to show); this module only shows the results.
Desk calls can block (Argon2 PIN hashing, printer status and printing, fsynced settings and
audit lines, reading kiosk.ini and the menu), so they run on one long-lived worker thread;
results come back through ``LobbyApp.on_ui`` (never to a stopped app).
The admin PIN also shows "Ubah menu layanan", the menu editor (:mod:`screens.admin`).
Staff screens close themselves after ``[staff] idle_timeout_s`` without a touch.
"""
from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor


from kiosk import pins
from kiosk.desks import StaffDesk, staff as desk_words, staffwords
from kiosk.errors import KioskError
from kiosk.i18n import translator
from screens import staffshots
from screens.admin import SCREENS as ADMIN_SCREENS, AdminMode
from screens.staff_confirm import ConfirmScreen
from screens.staff_home import StaffHomeScreen
from screens.staff_pin import PinScreen
from screens.staff_reprint import ReprintScreen

log = logging.getLogger(__name__)
_CLASSES = {"staff_pin": PinScreen, "staff_home": StaffHomeScreen,
            "staff_reprint": ReprintScreen, "staff_confirm": ConfirmScreen}
SCREENS = tuple(_CLASSES)


class StaffMode:
    """Staff-side state of the app; the interface :class:`screens.app.LobbyApp` uses.

    ``open_pin()`` (gesture), ``tick(idle_s)`` (every second), ``refresh()``
    (after print results), ``resident_status()``, ``exit_allowed`` and
    ``screenshots(shot)``.
    """

    def __init__(self, app):
        self.app = app
        self.exit_allowed = False
        self.role = None
        self.lang = "id"
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="staff")
        self._pending = 0
        self._confirm_action = self._confirm_back = None
        self._locked_until = 0.0  # time.monotonic() when the pad unlocks
        self.desk = StaffDesk(app.runtime)  # as "staff" until a PIN says who logged in
        self.admin = AdminMode(self)  # the menu editor, for the admin role only
        app.bind(on_stop=lambda *_a: self.shutdown())
        self._show_service_state(self.desk.out_of_service())

    # -- plumbing ------------------------------------------------------------
    @property
    def rt(self):
        return self.app.runtime

    def screen(self, name):
        """The screen ``name``; staff screens are built on first use (faster cold start)."""
        sm = self.app.sm
        if name in SCREENS and not sm.has_screen(name):
            sm.add_widget(_CLASSES[name](name=name, lang=self.lang))
        return sm.get_screen(name)

    def t(self, message, **kwargs) -> str:
        return translator(self.lang, "staff")(message, **kwargs)

    def say(self, words) -> str:
        """``words`` (:class:`kiosk.desks.Words`, from a desk) in the staff language."""
        return words.render(self.t)

    def active(self) -> bool:
        return self.app.sm.current in SCREENS + ADMIN_SCREENS

    def idle(self) -> bool:
        """True when no staff work is waiting on the worker (tests, screenshots)."""
        return self._pending == 0

    def _run(self, work, done=None):
        """``work()`` on the staff worker; ``done(value)`` then on the Kivy thread.

        An exception becomes a plain message on the staff home, never a traceback.
        """
        self._pending += 1
        future = self._pool.submit(work)

        def back():
            self._pending -= 1
            try:
                value = future.result()
            except Exception as exc:
                log.exception("staff action failed")
                text = str(exc) if isinstance(exc, KioskError) else type(exc).__name__
                self._say(self.t("Gagal: {error}", error=text))
                return
            if done is not None:
                done(value)
        future.add_done_callback(lambda _f: self.app.on_ui(back))

    def _built(self):
        return [self.app.sm.get_screen(n) for n in SCREENS if self.app.sm.has_screen(n)]

    def _say(self, text):
        for screen in self._built():
            if hasattr(screen, "message") and screen.name != "staff_pin":
                screen.message = text

    def _go(self, name):
        self.screen(name)
        self.app.sm.current = name

    def shutdown(self):
        self._pool.shutdown(wait=False, cancel_futures=True)

    # -- PIN -----------------------------------------------------------------
    def open_pin(self):
        """The hidden gesture: show the PIN pad (only from the welcome screen)."""
        if self.app.sm.current != "welcome":
            return
        log.info("staff gesture")
        pad = self.screen("staff_pin")
        pad.clear()
        pad.usable, pad.message = False, ""
        self._set_lang("id")
        self._go("staff_pin")
        self._run(self.desk.pad_state, self._pad_state)

    def _pad_state(self, state):
        pad = self.screen("staff_pin")
        if state.locked_s > 0 and not state.damaged and state.roles:
            self._lock_pad(state.locked_s)
        else:
            pad.usable = state.words is None
            pad.message = "" if state.words is None else self.say(state.words)

    def _lock_pad(self, locked_s):
        self._locked_until = time.monotonic() + locked_s
        pad = self.screen("staff_pin")
        pad.usable = False
        pad.clear()
        pad.message = self.say(desk_words.locked_words(locked_s))

    def submit_pin(self):
        pad = self.screen("staff_pin")
        if not pad.usable or not pins.valid_pin(pad.entered):
            return
        pin, pad.usable = pad.entered, False
        pad.clear()
        pad.message = self.say(desk_words.CHECKING_PIN)
        self._run(lambda: self.desk.login(pin), self._pin_checked)

    def _pin_checked(self, login):
        pad = self.screen("staff_pin")
        if self.app.sm.current != "staff_pin":
            return  # the pad timed out meanwhile
        check = login.check
        if check.ok:
            self.role = check.role
            self.desk = self.desk.as_role(check.role)
            pad.message = ""
            self.screen("staff_home").role = check.role
            self.screen("staff_home").message = ""
            self._go("staff_home")
            self.refresh(ask_printer=True)
        elif check.reason == pins.LOCKED:
            self._lock_pad(check.locked_s)
        else:
            pad.usable = check.reason == pins.WRONG
            pad.message = self.say(login.words)

    def cancel_pin(self):
        self.close(reason="cancel")

    # -- idle, close ---------------------------------------------------------
    def tick(self, idle_s):
        if not self.active():
            return
        if idle_s > self.app.kiosk_config.staff.idle_timeout_s:
            log.info("staff mode idle for %.0f s: back to welcome", idle_s)
            self.close(reason="idle")
            return
        if self.app.sm.current == "staff_pin" and self._locked_until:
            left = self._locked_until - time.monotonic()
            if left <= 0:
                self._locked_until = 0.0
                pad = self.screen("staff_pin")
                pad.usable, pad.message = True, ""
            else:
                self._lock_pad(left)

    def close(self, reason="done"):
        """Leave staff mode for the welcome screen."""
        if self.role is not None:
            desk = self.desk
            self._run(lambda: desk.logout(reason))
        self.role = None
        self.desk = self.desk.as_role("staff")
        self._confirm_action = None
        self.admin.reset()
        if self.app.sm.has_screen("staff_pin"):
            self.screen("staff_pin").clear()
        self._set_lang("id")
        self.app.flow.reset()

    def set_lang(self, lang):
        self._set_lang(lang)
        self.refresh()

    def _set_lang(self, lang):
        self.lang = lang
        for screen in self._built():
            screen.lang = lang

    # -- refresh -------------------------------------------------------------
    def refresh(self, ask_printer=False):
        """Re-read printer, paper, counts, failed slips and sync (worker), then show them."""
        if self.role is None or not self.active():
            return
        self._run(lambda: self.desk.snapshot(ask_printer), self._show)

    def _show(self, snap):
        home = self.screen("staff_home")
        view = staffwords.describe(snap, self.app.kiosk_config, self.rt.menu, self.t,
                                   self.rt.clock)
        for key, value in view.items():
            setattr(home, key, value)
        if self.app.sm.has_screen("staff_reprint"):
            self.screen("staff_reprint").rows = staffwords.reprint_rows(snap, self.rt.menu,
                                                                         self.t)

    def refresh_printer(self):
        if self.role is not None:
            self._run(self.desk.check_printer, self._show)

    # -- printer and paper ---------------------------------------------------
    def test_print(self):
        home = self.screen("staff_home")
        home.busy, home.message = True, self.say(desk_words.PRINTING)

        def done(result):
            home.busy = False
            home.message = self.say(result.words)
            self.refresh()
        self._run(self.desk.test_print, done)

    def reprint(self, ticket_id):
        self._run(lambda: self.desk.reprint(ticket_id), self._said)

    def _said(self, result, refresh=False, ask_printer=False):
        """Show a desk result's words on the staff screens (then refresh)."""
        self._say(self.say(result.words))
        if refresh:
            self.refresh(ask_printer=ask_printer)

    def show_reprint(self):
        self._go("staff_reprint")
        self.refresh()

    def back_home(self):
        self._confirm_action = None
        self._go("staff_home")
        self.refresh()

    def paper_replaced(self):
        """New roll: the counter starts again; waiting jobs are dropped (the desk says so)."""
        self._run(self.desk.paper_replaced,
                  lambda done: self._said(done, refresh=True, ask_printer=True))

    def open_menu_editor(self):
        """The admin's menu editor; AdminMode refuses any role but admin."""
        self.admin.open()

    # -- service, sync -------------------------------------------------------
    def toggle_service(self):
        on = not self.screen("staff_home").out_of_service
        self._run(lambda: self.desk.set_out_of_service(on), self._service_changed)

    def _service_changed(self, done):
        self._show_service_state(done.value)
        self.screen("staff_home").out_of_service = done.value
        self._said(done)

    def _show_service_state(self, on):
        self.screen("welcome").set_out_of_service(on)

    def sync_now(self):
        def done(started):
            self._said(started)
            if started.value:  # the attempt reports within seconds
                self.app.on_ui(self.refresh, 3.0)
        self._run(self.desk.sync_now, done)

    # -- reset, new day, exit ------------------------------------------------
    def reset_kiosk(self):
        """Reload kiosk.ini and the menu, empty the print queue, back to welcome."""
        app = self.app

        def done(reset):
            if not reset.ok:
                self._said(reset)  # kiosk.ini or the menu is wrong: nothing changed
                return
            cfg = reset.config
            app.kiosk_config = cfg
            app.config_office_title = f"{cfg.office.name}\n{cfg.office.regency}"
            app.languages = list(cfg.kiosk.languages)
            self.close(reason="reset")
        self._say(self.say(desk_words.RELOADING))
        self._run(self.desk.reset, done)

    def acknowledge_alerts(self):
        """Staff have read the alerts: the desk clears them (audited)."""
        self._run(self.desk.acknowledge_alerts, lambda _done: self.refresh())

    def ask_new_day(self):
        self._confirm(desk_words.CONFIRM_NEW_DAY, self._new_day)

    def _new_day(self):
        self._run(self.desk.new_office_day, lambda day: (self.back_home(), self._said(day)))

    def ask_exit(self):
        self._confirm(desk_words.CONFIRM_EXIT, self._exit)

    def _exit(self):
        self._run(self.desk.exit, lambda _words: self._stop_app())

    def _stop_app(self):
        self.exit_allowed = True
        self.app.stop()

    def _confirm(self, question, action, back=None):
        """The second confirmation: ``question`` is (title, body, yes), each desk words or
        plain text (the admin editor's Indonesian); "Batal" calls ``back`` (default: the
        staff home)."""
        screen = self.screen("staff_confirm")
        screen.title, screen.body, screen.confirm_text = (
            w if isinstance(w, str) else self.say(w) for w in question)
        self._confirm_action, self._confirm_back = action, back
        self._go("staff_confirm")

    def confirmed(self):
        action, self._confirm_action = self._confirm_action, None
        if action is not None:
            action()

    def cancelled(self):
        """"Batal" on the confirmation: back where the question came from."""
        back, self._confirm_back = self._confirm_back, None
        if back is None:
            self.back_home()
        else:
            self._confirm_action = None
            back()

    # -- residents' view -----------------------------------------------------
    def resident_status(self) -> str:
        """One discreet line for residents: the paper notice, or "". Network and sync
        state are for staff (staff home), never shown to residents (issue 13)."""
        tr = self.app.tr
        parts = []
        paper = self.desk.paper()
        if paper in ("near_end", "out"):
            parts.append(tr("Kertas hampir habis") if paper == "near_end"
                         else tr("Kertas habis - hubungi petugas"))
        return "  |  ".join(parts)

    # -- docs ----------------------------------------------------------------
    def screenshots(self, shot):
        """Show each staff screen and call ``shot(name)`` (``kiosk screenshots``)."""
        staffshots.take_screenshots(self, shot)
        self.admin.screenshots(shot)
