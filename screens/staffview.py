"""The staff screens and what they show, in plain words: printer, paper, counts, sync.

The Screen classes are thin (layout in staff.kv; behaviour in
:class:`screens.staff.StaffMode`). :func:`describe` turns a :class:`Snapshot` (gathered on the staff worker) into
the text properties of :class:`screens.staff.StaffHomeScreen`; it does no I/O.
Also the test slip job, the reprint list rows and the docs screenshots of the
staff screens.
"""
from __future__ import annotations

from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.i18n import translator

class StaffScreen(Screen):
    """Base of the staff screens: ``t('...', root.lang)`` translates in the staff domain."""

    lang = StringProperty("id")

    def t(self, message: str, lang: str | None = None, **kwargs) -> str:
        return translator(lang or self.lang, "staff")(message, **kwargs)


class PinScreen(StaffScreen):
    """Digit keys, masked dots; the digits never leave this object except to be verified."""

    dots = StringProperty("")
    count = NumericProperty(0)
    message = StringProperty("")
    usable = BooleanProperty(True)  # False: no PIN set, locked, or checking
    entered = ""

    def key(self, digit: str) -> None:
        if self.usable and len(self.entered) < 8:
            self._set(self.entered + digit)

    def erase(self) -> None:
        self._set(self.entered[:-1])

    def clear(self) -> None:
        self._set("")

    def _set(self, entered: str) -> None:
        self.entered, self.count = entered, len(entered)
        self.dots = " ".join("\u2022" * self.count)


class StaffHomeScreen(StaffScreen):
    """Filled by :meth:`StaffMode.refresh`; buttons call ``app.staff.<action>()``."""

    role = StringProperty("staff")
    alerts = StringProperty("")
    printer_text = StringProperty("")
    paper_text = StringProperty("")
    paper_warning = StringProperty("")
    counts_text = StringProperty("")
    sync_text = StringProperty("")
    has_sync = BooleanProperty(False)
    out_of_service = BooleanProperty(False)
    new_day_offered = BooleanProperty(False)
    failed = ListProperty([])  # staffview.TicketRow, today's failed prints
    last_number = StringProperty("")
    message = StringProperty("")
    busy = BooleanProperty(False)


class ReprintScreen(StaffScreen):
    """Today's failed slips (and the last ticket), one "Cetak ulang" button each."""

    rows = ListProperty([])
    message = StringProperty("")

    def on_rows(self, *_args):
        fill_reprint_list(self, self.ids.rows_box, self.rows)


class ConfirmScreen(StaffScreen):
    """A second confirmation for actions that cannot be undone."""

    title = StringProperty("")
    body = StringProperty("")
    confirm_text = StringProperty("")


def fill_reprint_list(screen, box, rows) -> None:
    """One row per ticket: its words and a "Cetak ulang" button (Kivy thread)."""
    from kivy.app import App
    from kivy.factory import Factory
    staff = App.get_running_app().staff
    box.clear_widgets()
    if not rows:
        box.add_widget(Factory.StaffText(text=screen.t("Tidak ada slip yang gagal dicetak "
                                                       "hari ini.")))
    for row in rows:
        line = Factory.StaffRow()
        line.ids.words.text = row.text
        line.ids.button.text = screen.t("Cetak ulang")
        line.ids.button.bind(on_release=lambda _b, r=row: staff.reprint(r.ticket_id, r.number))
        box.add_widget(line)


def take_screenshots(mode, shot) -> None:
    """Each staff screen for the docs (``kiosk screenshots``, on its throwaway store).

    Marks the last ticket as failed so the reprint list has a row.
    """
    from kiosk.desks.staff import Login
    from kiosk.pins import OK, PinCheck
    from screens import driver

    def settle():
        driver.pump_until(mode.idle, timeout=20)
        driver.pump(3)

    pad = mode.screen("staff_pin")
    mode.open_pin()
    settle()
    shot("staff_pin_unset")
    pad.usable, pad.message = True, ""
    for digit in "2580":
        pad.key(digit)
    shot("staff_pin")
    pad.clear()
    pad.message = mode.t("PIN salah. Sisa percobaan: {n}.", n=4)
    shot("staff_pin_wrong")
    last = mode.store.last_ticket()
    if last is not None:
        mode.store.set_print_status(last.id, "failed", "Kertas printer habis. Ganti gulungan "
                                                       "kertas, lalu cetak ulang slip.")
    mode._pin_checked(Login(PinCheck(OK, role="staff"), None))
    settle()
    shot("staff_home")
    mode.set_lang("en")
    settle()
    shot("staff_home_en")
    mode.set_lang("id")
    mode.show_reprint()
    settle()
    shot("staff_reprint")
    mode.back_home()
    mode.ask_new_day()
    shot("staff_confirm_new_day")
    mode.back_home()
    settle()
    mode.toggle_service()
    settle()
    shot("staff_home_out_of_service")
    mode.close()
    settle()
    shot("welcome_out_of_service")
    mode.store.set_setting("out_of_service", False)
    mode._show_service_state(False)
