"""Staff mode: PIN pad, staff home (printer, paper, reprint, out of service, sync, reset).

Opened by the hidden gesture on the welcome screen (3 s press on the office
name) and a PIN (:mod:`kiosk.pins`). Indonesian first; English through the
``staff`` gettext domain (the staff member chooses on the staff home).

Everything that can block (Argon2 PIN hashing, printer status and printing,
fsynced settings and audit lines, reading kiosk.ini and the menu) runs on one
long-lived worker thread; results come back through ``Clock.schedule_once``.
Every staff action is written to the audit log with the role that logged in.
The admin PIN also shows "Ubah menu layanan", the menu editor (:mod:`screens.admin`).
Staff screens close themselves after ``[staff] idle_timeout_s`` without a touch.
"""
from __future__ import annotations

import logging
import math
import time
from concurrent.futures import ThreadPoolExecutor

from kivy.clock import Clock

from kiosk import pins
from kiosk.config import load_config
from kiosk.errors import KioskError
from kiosk.i18n import translator
from screens import staffview
from screens.admin import SCREENS as ADMIN_SCREENS, AdminMode
from screens.staffview import ConfirmScreen, PinScreen, ReprintScreen, StaffHomeScreen

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
        self._confirm_action = None
        self._locked_until = 0.0  # time.monotonic() when the pad unlocks
        self.pins = pins.PinStore.for_config(app.kiosk_config, clock=app.runtime.clock)
        self.admin = AdminMode(self)  # the menu editor, for the admin role only
        app.bind(on_stop=lambda *_a: self.shutdown())
        self._show_service_state(bool(self.store.setting("out_of_service", False)))

    # -- plumbing ------------------------------------------------------------
    @property
    def rt(self):
        return self.app.runtime

    @property
    def store(self):
        return self.app.runtime.store

    def screen(self, name):
        """The screen ``name``; staff screens are built on first use (faster cold start)."""
        sm = self.app.sm
        if name in SCREENS and not sm.has_screen(name):
            sm.add_widget(_CLASSES[name](name=name, lang=self.lang))
        return sm.get_screen(name)

    def t(self, message, **kwargs) -> str:
        return translator(self.lang, "staff")(message, **kwargs)

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

        def back(_dt):
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
        future.add_done_callback(lambda _f: Clock.schedule_once(back))

    def _audit(self, action, **detail):
        """On the worker: one audit line with the logged-in role."""
        self.store.audit(self.role or "staff", action, **detail)

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
        self._run(lambda: (self.pins.roles_set(), self.pins.locked_s(), self.pins.damaged()),
                  self._pad_state)

    def _pad_state(self, state):
        roles, locked_s, damaged = state
        pad = self.screen("staff_pin")
        if damaged:
            pad.usable = False
            pad.message = self.t(pins.DAMAGED_WORDS)
        elif not roles:
            pad.usable = False
            pad.message = self.t("PIN belum diatur. Minta admin menjalankan perintah "
                                 "`kiosk set-pin staff` di komputer kiosk.")
        elif locked_s > 0:
            self._lock_pad(locked_s)
        else:
            pad.usable = True

    def _lock_pad(self, locked_s):
        self._locked_until = time.monotonic() + locked_s
        pad = self.screen("staff_pin")
        pad.usable = False
        pad.clear()
        pad.message = self.t("Terlalu banyak PIN salah. Coba lagi dalam {m} menit.",
                             m=max(1, math.ceil(locked_s / 60)))

    def submit_pin(self):
        pad = self.screen("staff_pin")
        if not pad.usable or not pins.valid_pin(pad.entered):
            return
        pin, pad.usable = pad.entered, False
        pad.clear()
        pad.message = self.t("Memeriksa PIN...")

        def work():
            check = self.pins.verify(pin)
            if check.reason in (pins.WRONG, pins.LOCKED):
                self.store.audit("staff", "pin-wrong", attempts_left=check.attempts_left,
                                 locked=check.reason == pins.LOCKED)
            elif check.ok:
                self.store.audit(check.role, "login")
            return check
        self._run(work, self._pin_checked)

    def _pin_checked(self, check):
        pad = self.screen("staff_pin")
        if self.app.sm.current != "staff_pin":
            return  # the pad timed out meanwhile
        if check.ok:
            self.role = check.role
            pad.message = ""
            self.screen("staff_home").role = check.role
            self.screen("staff_home").message = ""
            self._go("staff_home")
            self.refresh(ask_printer=True)
        elif check.reason == pins.LOCKED:
            self._lock_pad(check.locked_s)
        elif check.reason in (pins.UNSET, pins.DAMAGED):
            self._pad_state(((), 0, check.reason == pins.DAMAGED))
        else:
            pad.usable = True
            pad.message = self.t("PIN salah. Sisa percobaan: {n}.", n=check.attempts_left)

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
            role = self.role
            self._run(lambda: self.store.audit(role, "logout", reason=reason))
        self.role = None
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
        rt = self.rt

        def work():
            status = rt.printer.status(refresh=ask_printer)
            return staffview.Snapshot(
                printer=status, paper=rt.slips.paper_used(), counts=self.store.counts_today(),
                office_day=self.store.office_day(), failed=self.store.failed_today(),
                last=self.store.last_ticket(),
                sync=rt.sync.status() if rt.sync is not None else None,
                alerts=tuple(self.store.alerts),
                out_of_service=bool(self.store.setting("out_of_service", False)),
                new_day_offered=self.store.clock_disagrees())
        self._run(work, self._show)

    def _show(self, snap):
        home = self.screen("staff_home")
        view = staffview.describe(snap, self.app.kiosk_config, self.rt.menu, self.t,
                                 self.rt.clock)
        for key, value in view.items():
            setattr(home, key, value)
        if self.app.sm.has_screen("staff_reprint"):
            self.screen("staff_reprint").rows = staffview.reprint_rows(snap, self.rt.menu, self.t)

    def refresh_printer(self):
        self._run(lambda: self._audit("printer-status"))
        self.refresh(ask_printer=True)

    # -- printer and paper ---------------------------------------------------
    def test_print(self):
        home = self.screen("staff_home")
        home.busy, home.message = True, self.t("Mencetak slip uji coba...")
        rt = self.rt

        def work():
            result = rt.printer.print_now(staffview.test_job(rt))
            self._audit("test-print", ok=result.ok, kind=result.kind)
            return result

        def done(result):
            home.busy = False
            home.message = (self.t("Slip uji coba tercetak.") if result.ok else
                            self.t("Slip uji coba gagal: {error}", error=result.message))
            self.refresh()
        self._run(work, done)

    def reprint(self, ticket_id, number=""):
        rt = self.rt

        def work():
            ok = rt.slips.reprint(ticket_id, rt.menu)
            self._audit("reprint", ticket=number, ticket_id=ticket_id, found=ok)
            return ok
        self._say(self.t("Slip {number} dikirim ke printer.", number=number))
        self._run(work)

    def show_reprint(self):
        self._go("staff_reprint")
        self.refresh()

    def back_home(self):
        self._confirm_action = None
        self._go("staff_home")
        self.refresh()

    def paper_replaced(self):
        """New roll: reset the counter; drop waiting jobs so no old slip prints by itself."""
        rt = self.rt

        def work():
            dropped = rt.printer.clear()
            rt.slips.paper_replaced(rt.clock.local())
            self._audit("paper-replaced", dropped_jobs=dropped)
            return dropped
        self._run(work, lambda dropped: (self._say(self.t(
            "Penghitung kertas diulang dari nol. Slip lama tidak dicetak otomatis; cetak ulang "
            "dari daftar bila perlu.")), self.refresh(ask_printer=True)))

    def open_menu_editor(self):
        """The admin's menu editor; AdminMode refuses any role but admin."""
        self.admin.open()

    # -- service, sync -------------------------------------------------------
    def toggle_service(self):
        on = not self.screen("staff_home").out_of_service

        def work():
            self.store.set_setting("out_of_service", on)
            self._audit("out-of-service" if on else "back-in-service")
            return on
        self._run(work, self._service_changed)

    def _service_changed(self, on):
        self._show_service_state(on)
        self.screen("staff_home").out_of_service = on
        self._say(self.t("Kiosk TIDAK melayani warga.") if on else
                  self.t("Kiosk kembali melayani warga."))

    def _show_service_state(self, on):
        self.screen("welcome").set_out_of_service(on)

    def sync_now(self):
        if self.rt.sync is None:
            return
        self.rt.sync.poke(force=True)
        self._run(lambda: self._audit("sync-now"))
        self._say(self.t("Sinkron dimulai; hasilnya tampil dalam beberapa detik."))
        Clock.schedule_once(lambda _dt: self.refresh(), 3.0)

    # -- reset, new day, exit ------------------------------------------------
    def reset_kiosk(self):
        """Reload kiosk.ini and the menu, empty the print queue, back to welcome."""
        rt, app = self.rt, self.app

        def work():
            cfg = load_config(rt.config.path) if rt.config.path is not None else rt.config
            menu = rt.reload(cfg)  # the installed menu if valid, else the configured file
            dropped = rt.printer.clear()
            self._audit("reset", menu=menu.version, dropped_jobs=dropped)
            return cfg

        def done(cfg):
            app.kiosk_config = cfg
            app.config_office_title = f"{cfg.office.name}\n{cfg.office.regency}"
            app.languages = list(cfg.kiosk.languages)
            self.pins = pins.PinStore.for_config(cfg, clock=self.rt.clock)
            self.close(reason="reset")
        self._say(self.t("Memuat ulang pengaturan..."))
        self._run(work, done)

    def acknowledge_alerts(self):
        """Staff have read the alerts: clear them (they were persisted until now), audited."""
        def work():
            self._audit("alerts-acknowledged", alerts=self.store.acknowledge_alerts())
        self._run(work, lambda _v: self.refresh())

    def ask_new_day(self):
        self._confirm(self.t("Mulai hari kantor baru?"),
                      self.t("Hanya untuk kiosk yang jamnya salah (tanggal tidak berganti). "
                             "Nomor antrian mulai lagi dari 001 untuk hari berikutnya. Hari ini "
                             "tidak dapat dibuka lagi."),
                      self.t("Ya, mulai hari baru"), self._new_day)

    def _new_day(self):
        def work():
            old = self.store.office_day()
            day = self.store.start_new_office_day()
            self._audit("new-office-day", previous=old, day=day)
            return day
        self._run(work, lambda day: (self.back_home(), self._say(
            self.t("Hari kantor sekarang {day}. Nomor berikutnya mulai dari 001.", day=day))))

    def ask_exit(self):
        self._confirm(self.t("Keluar dari aplikasi kiosk?"),
                      self.t("Warga tidak dapat mengambil nomor sampai aplikasi dijalankan "
                             "lagi."), self.t("Ya, keluar"), self._exit)

    def _exit(self):
        def work():
            self._audit("exit-app")
        self._run(work, lambda _v: self._stop_app())

    def _stop_app(self):
        self.exit_allowed = True
        self.app.stop()

    def _confirm(self, title, body, confirm_text, action):
        screen = self.screen("staff_confirm")
        screen.title, screen.body, screen.confirm_text = title, body, confirm_text
        self._confirm_action = action
        self._go("staff_confirm")

    def confirmed(self):
        action, self._confirm_action = self._confirm_action, None
        if action is not None:
            action()

    # -- residents' view -----------------------------------------------------
    def resident_status(self) -> str:
        """One discreet line for residents: the paper notice, or "". Network and sync
        state are for staff (staff home), never shown to residents (issue 13)."""
        rt, tr = self.app.runtime, self.app.tr
        parts = []
        paper = rt.printer.status().paper
        if paper in ("near_end", "out"):
            parts.append(tr("Kertas hampir habis") if paper == "near_end"
                         else tr("Kertas habis - hubungi petugas"))
        return "  |  ".join(parts)

    # -- docs ----------------------------------------------------------------
    def screenshots(self, shot):
        """Show each staff screen and call ``shot(name)`` (``kiosk screenshots``)."""
        staffview.take_screenshots(self, shot)
        self.admin.screenshots(shot)
