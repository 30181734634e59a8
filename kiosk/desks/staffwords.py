"""What the staff home says, in plain words: printer, paper, counts, sync, reprint list.

Pure functions of a :class:`Snapshot` (gathered by :meth:`kiosk.desks.StaffDesk.snapshot`
off the UI thread), the configuration, the menu, a staff-domain translator ``t`` and the
office clock (:class:`kiosk.clock.OfficeClock`, for local times). No I/O, no Kivy: the
staff screens only copy the returned strings into their properties.
"""
from __future__ import annotations

from dataclasses import dataclass

from kiosk.clock import OfficeClock

#: below this estimated % of the roll left, warn (printers without a paper sensor)
LOW_PAPER_PCT = 10

#: the printer kinds of kiosk.ini ``[printer] type``, in staff words
KIND = {"usb": "USB", "serial": "serial (COM)", "network": "jaringan (LAN)",
        "file": "berkas (tanpa kertas, untuk uji)", "dummy": "uji (tidak mencetak)"}

#: the one state word per :data:`printer.status.STATES` (README "Printer states")
PRINTER_STATES = {
    "ready": "Siap", "near_end": "Kertas hampir habis", "paper_out": "Kertas habis",
    "cover_open": "Tutup printer terbuka", "offline": "Tidak terhubung",
    "silent": "Tidak menjawab", "busy": "Dipakai program lain",
    "permission": "Tidak ada izin", "not_found": "Tidak ditemukan", "error": "Gangguan",
    "unknown": "Belum diketahui (belum ada cetakan)",
}


@dataclass(frozen=True)
class Snapshot:
    """Everything the staff home shows, read off the UI thread."""

    printer: object  # printer.worker.PrinterStatus
    paper: dict  # SlipService.paper_used()
    counts: dict  # {service code: tickets today}
    office_day: str  # YYYY-MM-DD
    failed: tuple  # Ticket, today's failed prints
    last: object  # Ticket | None
    sync: object  # SyncStatus | None (no office server)
    alerts: tuple  # str, waiting staff alerts
    out_of_service: bool
    new_day_offered: bool = False  # the clock's day and the office day disagree


@dataclass(frozen=True)
class TicketRow:
    """One row of the reprint list: the ticket and its words."""

    ticket_id: str
    number: str
    text: str


def local_text(iso: str | None, clock, fmt: str = "%d-%m-%Y %H:%M") -> str:
    """ISO time ``iso`` in office time as ``fmt`` ("" for none; ``iso`` itself if unreadable)."""
    if not iso:
        return ""
    try:
        return clock.parse(iso).strftime(fmt)
    except ValueError:
        return iso


def printer_words(status, cfg, t, clock=None) -> str:
    """Printer type, state and last error, e.g. "Printer: USB\\nKeadaan: Siap"; the state
    word comes from ``status.state``, the same answer or failure as the error line.
    ``clock``: the office clock for the last print's time (default one in ``cfg``'s zone)."""
    p = cfg.printer
    where = {"network": f" {p.host}:{p.port}", "file": f"\n{p.path}",
             "serial": f" {p.device}"}.get(p.type, "")
    state = t(PRINTER_STATES.get(status.state, PRINTER_STATES["unknown"]))
    lines = [t("Jenis: {kind}", kind=t(KIND.get(p.type, p.type)) + where),
             t("Keadaan: {state}", state=state)]
    if status.queued:
        lines.append(t("Menunggu dicetak: {n} slip", n=status.queued))
    if status.last_ok_at:
        when = (clock or OfficeClock(cfg.office.timezone)).from_timestamp(status.last_ok_at)
        lines.append(t("Terakhir berhasil: {when}", when=when.strftime("%H:%M")))
    lines.append(t("Gangguan terakhir: {error}", error=status.last_error or t("tidak ada")))
    return "\n".join(lines)


def paper_words(status, paper: dict, cfg, clock, t) -> tuple[str, str]:
    """(paper counter text, warning or ""); the warning comes from the count when the
    printer has no paper sensor."""
    since = local_text(paper.get("since"), clock) or t("belum pernah dicatat")
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


def service_name(menu, code: str) -> str:
    """The Indonesian name of service ``code``, or the code when the menu lacks it."""
    try:
        return menu.service(code).names.get("id")
    except KeyError:
        return code


def ticket_service(menu, ticket) -> str:
    """The Indonesian service name ``ticket`` was issued with (kept after the menu renames
    or deletes the service); the menu's name for a ticket from before names were kept."""
    return ticket.service_name("id") if ticket.service_names else \
        service_name(menu, ticket.service_code)


def counts_words(counts: dict, office_day: str, menu, t) -> str:
    lines = [t("Hari kantor {day}", day=office_day),
             t("Jumlah: {n} tiket", n=sum(counts.values()))]
    for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        try:
            name = f"{menu.service(code).queue} - {service_name(menu, code)}"
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
               when=local_text(sync.last_success_at, clock) or t("belum pernah")),
             t("Menunggu dikirim: {n} tiket", n=sync.backlog)]
    if sync.last_error:
        lines.append(t("Gangguan terakhir: {error}", error=sync.last_error))
    return "\n".join(lines)


def describe(snap: Snapshot, cfg, menu, t, clock) -> dict:
    """The staff home's text properties for ``snap``: ``{property name: value}``."""
    paper, warning = paper_words(snap.printer, snap.paper, cfg, clock, t)
    return {"alerts": "\n".join(snap.alerts),
            "printer_text": printer_words(snap.printer, cfg, t, clock),
            "paper_text": paper, "paper_warning": warning,
            "counts_text": counts_words(snap.counts, snap.office_day, menu, t),
            "sync_text": sync_words(snap.sync, clock, t), "has_sync": snap.sync is not None,
            "out_of_service": snap.out_of_service, "failed": list(snap.failed),
            "new_day_offered": snap.new_day_offered,
            "last_number": snap.last.number if snap.last else ""}


def reprint_rows(snap: Snapshot, menu, t) -> list[TicketRow]:
    """Failed slips of today, then the last ticket (if it is not among them)."""
    def row(ticket, note):
        return TicketRow(ticket.id, ticket.number, f"{ticket.number}   "
                         f"{ticket.issued_at[11:16]}   "
                         f"{ticket_service(menu, ticket)}\n{note}")

    rows = [row(x, t("Gagal: {error}", error=x.print_error or t("tidak diketahui")))
            for x in snap.failed]
    last = snap.last
    if last is not None and all(r.ticket_id != last.id for r in rows):
        rows.append(row(last, t("Tiket terakhir")))
    return rows
