"""The staff desk: every staff action as one plain method, without Kivy.

Built from the running parts (:class:`lobby.runtime.KioskRuntime`: store, slips, printer,
menus, sync, config, clock) and the role that logged in. Each action does the work, writes
its own audit line (``data_dir/audit.jsonl``, :meth:`kiosk.store.Store.audit`) with that
role, and returns a frozen result whose :class:`~kiosk.desks.words.Words` the staff screens
show. Methods block (printer, fsync, Argon2): the screens call them on their worker thread,
the ``kiosk`` command directly. Errors a person can act on (a bad kiosk.ini on reset) come
back in the result; anything else raises (:class:`kiosk.errors.KioskError` and its kind).
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from kiosk import pins
from kiosk.config import load_config
from kiosk.errors import ConfigError, MenuError

from .staffwords import Snapshot
from .testslip import job as test_job
from .words import Words, words

log = logging.getLogger(__name__)

#: said while an action runs (the screens show it until the result comes)
PRINTING = words("Mencetak slip uji coba...")
RELOADING = words("Memuat ulang pengaturan...")
CHECKING_PIN = words("Memeriksa PIN...")


@dataclass(frozen=True)
class PadState:
    """What the PIN pad may do: roles with a PIN, lockout seconds left, damaged PIN file;
    ``words`` says why the pad is closed (None: it is open)."""

    roles: tuple
    locked_s: float
    damaged: bool
    words: Words | None


@dataclass(frozen=True)
class Login:
    """A PIN check: ``check`` (:class:`kiosk.pins.PinCheck`) and what the pad says."""

    check: pins.PinCheck
    words: Words | None


@dataclass(frozen=True)
class TestPrint:
    """A test slip's outcome: ``ok``, ``kind`` (printer.status KINDS), ``duration_ms``."""

    ok: bool
    kind: str
    duration_ms: float
    words: Words


@dataclass(frozen=True)
class Reprint:
    """A staff reprint: the ticket was found (and queued, marked SALINAN / COPY)."""

    found: bool
    number: str
    words: Words


@dataclass(frozen=True)
class Done:
    """An action that changes one thing: ``value`` (what it is now) and its words."""

    value: object
    words: Words


@dataclass(frozen=True)
class Reset:
    """Staff reset: ``ok`` with the re-read ``config`` and the menu version in force, or
    not ``ok`` (kiosk.ini or the menu is wrong: nothing changed) with the reason."""

    ok: bool
    config: object
    menu_version: str
    dropped_jobs: int
    words: Words


@dataclass(frozen=True)
class NewDay:
    previous: str
    day: str
    words: Words


#: what the second confirmation of "new office day" and "exit" says: (title, body, yes)
CONFIRM_NEW_DAY = (words("Mulai hari kantor baru?"),
                   words("Hanya untuk kiosk yang jamnya salah (tanggal tidak berganti). Nomor "
                         "antrian mulai lagi dari 001 untuk hari berikutnya. Hari ini tidak "
                         "dapat dibuka lagi."),
                   words("Ya, mulai hari baru"))
CONFIRM_EXIT = (words("Keluar dari aplikasi kiosk?"),
                words("Warga tidak dapat mengambil nomor sampai aplikasi dijalankan lagi."),
                words("Ya, keluar"))


class StaffDesk:
    """Staff actions on ``runtime`` as ``role`` ("staff" or "admin"; the PIN decides)."""

    def __init__(self, runtime, role: str = "staff"):
        self.rt = runtime
        self.role = role
        self.pins = pins.PinStore.for_config(runtime.config, clock=runtime.clock)

    def as_role(self, role: str) -> "StaffDesk":
        """The same desk for ``role`` (after a login)."""
        desk = StaffDesk.__new__(StaffDesk)
        desk.rt, desk.role, desk.pins = self.rt, role, self.pins
        return desk

    @property
    def store(self):
        return self.rt.store

    def _audit(self, action: str, **detail) -> None:
        self.store.audit(self.role, action, **detail)

    # -- PIN -----------------------------------------------------------------
    def pad_state(self) -> PadState:
        """Whether the PIN pad may be used now (reads the PIN file; no audit)."""
        roles, locked_s, damaged = (self.pins.roles_set(), self.pins.locked_s(),
                                    self.pins.damaged())
        said = None
        if damaged:
            said = words(pins.DAMAGED_WORDS)
        elif not roles:
            said = words("PIN belum diatur. Minta admin menjalankan perintah "
                         "`kiosk set-pin staff` di komputer kiosk.")
        elif locked_s > 0:
            said = locked_words(locked_s)
        return PadState(roles, locked_s, damaged, said)

    def login(self, pin: str) -> Login:
        """Check ``pin`` (Argon2, lockout across restarts); audited as ``login`` (the role
        found) or ``pin-wrong`` (attempts left, locked). The PIN is never written."""
        check = self.pins.verify(pin)
        said = None
        if check.reason in (pins.WRONG, pins.LOCKED):
            self.store.audit("staff", "pin-wrong", attempts_left=check.attempts_left,
                             locked=check.reason == pins.LOCKED)
            said = (locked_words(check.locked_s) if check.reason == pins.LOCKED else
                    words("PIN salah. Sisa percobaan: {n}.", n=check.attempts_left))
        elif check.ok:
            self.store.audit(check.role, "login")
        else:
            said = self.pad_state().words
        return Login(check, said)

    def logout(self, reason: str = "done") -> None:
        """Staff mode closed (``done``, ``idle``, ``cancel``, ``reset``); audited."""
        self._audit("logout", reason=reason)

    # -- what the staff home shows -------------------------------------------
    def snapshot(self, ask_printer: bool = False) -> Snapshot:
        """Printer (asked first with ``ask_printer``), paper, counts, failed slips, sync,
        alerts, service state; no audit."""
        rt, store = self.rt, self.store
        return Snapshot(
            printer=rt.printer.status(refresh=ask_printer), paper=rt.slips.paper_used(),
            counts=store.counts_today(), office_day=store.office_day(),
            failed=tuple(store.failed_today()), last=store.last_ticket(),
            sync=rt.sync.status() if rt.sync is not None else None,
            alerts=tuple(store.alerts),
            out_of_service=self.out_of_service(),
            new_day_offered=store.clock_disagrees())

    def out_of_service(self) -> bool:
        """True while staff have stopped serving residents (persisted setting)."""
        return bool(self.store.setting("out_of_service", False))

    def paper(self) -> str:
        """The printer's last known paper state (printer.status: ok | near_end | out |
        unknown); no I/O, for the residents' status line."""
        return self.rt.printer.status().paper

    def check_printer(self) -> Snapshot:
        """Ask the printer for its state now ("Periksa printer"); audited."""
        self._audit("printer-status")
        return self.snapshot(ask_printer=True)

    # -- printer and paper ---------------------------------------------------
    def test_print(self, timeout_s: float | None = None) -> TestPrint:
        """Print the TEST slip (:mod:`kiosk.desks.testslip`) and wait for the outcome
        (at most ``timeout_s``, default the printer's job deadline); audited."""
        result = self.rt.printer.print_now(test_job(self.rt), timeout_s=timeout_s)
        self._audit("test-print", ok=result.ok, kind=result.kind)
        said = (words("Slip uji coba tercetak.") if result.ok else
                words("Slip uji coba gagal: {error}", error=result.message))
        return TestPrint(result.ok, result.kind, result.duration_ms, said)

    def reprint(self, ticket_id: str) -> Reprint:
        """Queue a copy (SALINAN / COPY) of today's ticket ``ticket_id``; audited."""
        ticket = self.store.get_ticket(ticket_id)
        number = ticket.number if ticket is not None else ""
        found = ticket is not None and self.rt.slips.reprint(ticket_id, self.rt.menu)
        self._audit("reprint", ticket=number, ticket_id=ticket_id, found=found)
        said = (words("Slip {number} dikirim ke printer.", number=number) if found else
                words("Tiket tidak ditemukan; tidak ada yang dicetak."))
        return Reprint(found, number, said)

    def paper_replaced(self) -> Done:
        """New roll: the paper counter starts again now; waiting jobs are dropped so no old
        slip prints by itself (they stay in the reprint list). ``value``: jobs dropped."""
        dropped = self.rt.printer.clear()
        self.rt.slips.paper_replaced(self.rt.clock.local())
        self._audit("paper-replaced", dropped_jobs=dropped)
        return Done(dropped, words("Penghitung kertas diulang dari nol. Slip lama tidak "
                                   "dicetak otomatis; cetak ulang dari daftar bila perlu."))

    # -- service, sync -------------------------------------------------------
    def set_out_of_service(self, on: bool) -> Done:
        """Stop (``on``) or resume serving residents; persisted, audited."""
        self.store.set_setting("out_of_service", bool(on))
        self._audit("out-of-service" if on else "back-in-service")
        return Done(bool(on), words("Kiosk TIDAK melayani warga.") if on else
                    words("Kiosk kembali melayani warga."))

    def sync_now(self) -> Done:
        """Start a sync attempt now, cutting a backoff short; audited. ``value``: False
        when no office server is set up (nothing started)."""
        sync = self.rt.sync
        if sync is not None:
            sync.poke(force=True)
        self._audit("sync-now", started=sync is not None)
        return Done(sync is not None, words(
            "Sinkron dimulai; hasilnya tampil dalam beberapa detik.") if sync is not None else
            words("Server kantor tidak diatur: kiosk bekerja luring (offline)."))

    # -- reset, alerts, new day, exit ----------------------------------------
    def reset(self) -> Reset:
        """Reload kiosk.ini and the menu, empty the print queue; audited. A wrong kiosk.ini
        or menu changes nothing and the result says why (``ok`` False)."""
        rt = self.rt
        try:
            cfg = load_config(rt.config.path) if rt.config.path is not None else rt.config
            menu = rt.reload(cfg)  # the installed menu if valid, else the configured file
        except (ConfigError, MenuError) as exc:
            self._audit("reset", ok=False, error=str(exc))
            return Reset(False, rt.config, rt.menu.version, 0,
                         words("Gagal: {error}", error=str(exc)))
        dropped = rt.printer.clear()
        self.pins = pins.PinStore.for_config(cfg, clock=rt.clock)
        self._audit("reset", ok=True, menu=menu.version, dropped_jobs=dropped)
        return Reset(True, cfg, menu.version, dropped,
                     words("Pengaturan dan menu dimuat ulang (menu {version}).",
                           version=menu.version))

    def acknowledge_alerts(self) -> Done:
        """Staff have read the alerts: clear them; audited with their text. ``value``:
        the alerts cleared."""
        cleared = tuple(self.store.acknowledge_alerts())
        self._audit("alerts-acknowledged", alerts=list(cleared))
        return Done(cleared, words("Peringatan dihapus."))

    def new_office_day(self) -> NewDay:
        """Move to the clock's day when the clock and the office day disagree (never past
        it, never reusing a number); audited with the day before and after."""
        old = self.store.office_day()
        day = self.store.start_new_office_day()
        self._audit("new-office-day", previous=old, day=day)
        return NewDay(old, day, words("Hari kantor sekarang {day}. Nomor berikutnya mulai "
                                      "dari 001.", day=day))

    def exit(self) -> Words:
        """Staff leave the kiosk application (the caller stops it); audited."""
        self._audit("exit-app")
        return words("Aplikasi kiosk ditutup.")


def locked_words(locked_s: float) -> Words:
    """"Too many wrong PINs, try again in N minutes" (at least 1)."""
    return words("Terlalu banyak PIN salah. Coba lagi dalam {m} menit.",
                 m=max(1, math.ceil(locked_s / 60)))
