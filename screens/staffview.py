"""The staff screens and what they show, in plain words: printer, paper, counts, sync.

The Screen classes are thin (layout in staff.kv; behaviour in
:class:`screens.staff.StaffMode`). :func:`describe` turns a :class:`Snapshot` (gathered on the staff worker) into
the text properties of :class:`screens.staff.StaffHomeScreen`; it does no I/O.
Also the test slip job, the reprint list rows and the docs screenshots of the
staff screens.
"""
from __future__ import annotations

from dataclasses import dataclass

from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.clock import OfficeClock
from kiosk.i18n import translator

#: below this estimated % of the roll left, warn (printers without a paper sensor)
LOW_PAPER_PCT = 10

_KIND = {"usb": "USB", "serial": "serial (COM)", "network": "jaringan (LAN)",
         "file": "berkas (tanpa kertas, untuk uji)", "dummy": "uji (tidak mencetak)"}


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


@dataclass(frozen=True)
class Snapshot:
    """Everything the staff home shows, read off the UI thread."""

    printer: object  # printer.worker.PrinterStatus
    paper: dict  # SlipService.paper_used()
    counts: dict
    office_day: str
    failed: list
    last: object  # Ticket | None
    sync: object  # SyncStatus | None
    alerts: tuple
    out_of_service: bool
    new_day_offered: bool = False  # the clock's day and the office day disagree


@dataclass(frozen=True)
class TicketRow:
    ticket_id: str
    number: str
    text: str


def _local(iso: str | None, clock, fmt="%d-%m-%Y %H:%M") -> str:
    """``iso`` (ISO 8601; no offset: UTC) in the office clock's local time, as ``fmt``."""
    if not iso:
        return ""
    try:
        return clock.parse(iso).strftime(fmt)
    except ValueError:
        return iso


#: the one state word per :data:`printer.status.STATES` (README "Printer states")
PRINTER_STATES = {
    "ready": "Siap", "near_end": "Kertas hampir habis", "paper_out": "Kertas habis",
    "cover_open": "Tutup printer terbuka", "offline": "Tidak terhubung",
    "silent": "Tidak menjawab", "busy": "Dipakai program lain",
    "permission": "Tidak ada izin", "not_found": "Tidak ditemukan", "error": "Gangguan",
    "unknown": "Belum diketahui (belum ada cetakan)",
}


def printer_words(status, cfg, t, clock=None) -> str:
    """Printer type, state and last error, e.g. "Printer: USB\\nKeadaan: Siap"; the state
    word comes from ``status.state``, the same answer or failure as the error line.
    ``clock``: the office clock for the last print's time (default one in ``cfg``'s zone)."""
    p = cfg.printer
    where = {"network": f" {p.host}:{p.port}", "file": f"\n{p.path}",
             "serial": f" {p.device}"}.get(p.type, "")
    state = t(PRINTER_STATES.get(status.state, PRINTER_STATES["unknown"]))
    lines = [t("Jenis: {kind}", kind=t(_KIND.get(p.type, p.type)) + where),
             t("Keadaan: {state}", state=state)]
    if status.queued:
        lines.append(t("Menunggu dicetak: {n} slip", n=status.queued))
    if status.last_ok_at:
        lines.append(t("Terakhir berhasil: {when}",
                       when=(clock or OfficeClock(cfg.office.timezone))
                       .from_timestamp(status.last_ok_at).strftime("%H:%M")))
    lines.append(t("Gangguan terakhir: {error}", error=status.last_error or t("tidak ada")))
    return "\n".join(lines)


def paper_words(status, paper: dict, cfg, clock, t) -> tuple[str, str]:
    """(paper counter text, warning or ""); the warning comes from the count when the
    printer has no paper sensor."""
    since = _local(paper.get("since"), clock) or t("belum pernah dicatat")
    text = t("{n} slip sejak kertas diganti ({since}).\nTerpakai sekitar {m} m dari "
             "{roll} m; perkiraan sisa {pct}%.", n=paper.get("slips", 0), since=since,
             m=f"{paper.get('mm', 0) / 1000:.1f}", roll=f"{cfg.printer.roll_length_m:g}",
             pct=paper.get("left_pct", 100))
    warning = ""
    if status.paper == "out":
        warning = t("Kertas habis: pasang gulungan baru, lalu tekan \"Kertas sudah diganti\".")
    elif status.paper == "near_end":
        warning = t("Sensor printer: kertas hampir habis. Siapkan gulungan baru.")
    elif status.paper == "unknown" and paper.get("left_pct", 100) <= LOW_PAPER_PCT:
        warning = t("Perkiraan: kertas hampir habis. Siapkan gulungan baru.")
    return text, warning


def counts_words(counts: dict, office_day: str, menu, t) -> str:
    lines = [t("Hari kantor {day}", day=office_day),
             t("Jumlah: {n} tiket", n=sum(counts.values()))]
    for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        try:
            service = menu.service(code)
            name = f"{service.queue} - {service.names.get('id')}"
        except KeyError:
            name = code
        lines.append(f"{name}: {n}")
    return "\n".join(lines)


def sync_words(sync, clock, t) -> str:
    if sync is None:
        return t("Server kantor tidak diatur: kiosk bekerja luring (offline).")
    state = {True: t("Terhubung"), False: t("Tidak terhubung")}.get(sync.online,
                                                                   t("Belum dicoba"))
    lines = [t("Keadaan: {state}", state=state),
             t("Terakhir berhasil: {when}",
               when=_local(sync.last_success_at, clock) or t("belum pernah")),
             t("Menunggu dikirim: {n} tiket", n=sync.backlog)]
    if sync.last_error:
        lines.append(t("Gangguan terakhir: {error}", error=sync.last_error))
    return "\n".join(lines)


def describe(snap: Snapshot, cfg, menu, t, clock) -> dict:
    """The StaffHomeScreen properties for ``snap``; times in ``clock``'s (the office
    clock's) local time."""
    paper, warning = paper_words(snap.printer, snap.paper, cfg, clock, t)
    alerts = "\n".join(snap.alerts)
    return {"alerts": alerts, "printer_text": printer_words(snap.printer, cfg, t, clock),
            "paper_text": paper, "paper_warning": warning,
            "counts_text": counts_words(snap.counts, snap.office_day, menu, t),
            "sync_text": sync_words(snap.sync, clock, t), "has_sync": snap.sync is not None,
            "out_of_service": snap.out_of_service, "failed": list(snap.failed),
            "new_day_offered": snap.new_day_offered,
            "last_number": snap.last.number if snap.last else ""}


def reprint_rows(snap: Snapshot, menu, t) -> list[TicketRow]:
    """Failed slips of today, then the last ticket (if it is not among them)."""
    def name(ticket):
        try:
            return menu.service(ticket.service_code).names.get("id")
        except KeyError:
            return ticket.service_code

    rows = [TicketRow(x.id, x.number, f"{x.number}   {x.issued_at[11:16]}   {name(x)}\n"
                      + t("Gagal: {error}", error=x.print_error or t("tidak diketahui")))
            for x in snap.failed]
    last = snap.last
    if last is not None and all(r.ticket_id != last.id for r in rows):
        rows.append(TicketRow(last.id, last.number, f"{last.number}   {last.issued_at[11:16]}"
                              f"   {name(last)}\n" + t("Tiket terakhir")))
    return rows


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


def test_job(rt):
    """A slip marked TEST (number A000), not stored as a ticket; for the staff test print."""
    from kiosk.models import Ticket
    now = rt.clock.local()
    ticket = Ticket(id="0" * 32, kiosk_id=rt.config.kiosk.id, office_day=now.date().isoformat(),
                    service_code=rt.menu.visible_services()[0].code, queue="A", sequence=0,
                    number="A000", issued_at=now.isoformat(timespec="seconds"), language="id")
    return rt.slips.job(ticket, rt.slips.info(ticket, rt.menu, 0, None, test=True))


def take_screenshots(mode, shot) -> None:
    """Each staff screen for the docs (``kiosk screenshots``, on its throwaway store).

    Marks the last ticket as failed so the reprint list has a row.
    """
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
    mode._pin_checked(PinCheck(OK, role="staff"))
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
