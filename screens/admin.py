"""Admin mode: the touchscreen menu editor, opened from staff mode with the ADMIN PIN only.

Every edit goes into a draft (:mod:`screens.admindraft`), never straight into
the menu in force. "Pratinjau" shows the draft as residents would see it and a
sample slip; "Simpan" hands the draft to :meth:`kiosk.menus.MenuLibrary.install`
with a new ``YYYY-MM-DD.N`` version: an invalid draft is refused with its
plain problems and nothing changes; a valid one applies to the next journey
(a journey under way keeps the menu it started with). Import and export of
the menu file on a USB stick, and going back to an earlier version, go
through the same library, which writes every change to the audit log.

Disk work (install, import, export, history, slip rendering, quota counts)
runs on the staff worker thread; results come back through ``Clock``.
"""
from __future__ import annotations

import io
import json
import logging
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

from kiosk.checkin import Journey
from kiosk.errors import KioskError, MenuError
from kiosk.menu import parse_menu
from kiosk.models import Ticket
from screens import admindraft as drafts
from screens.adminview import (FilesScreen, HistoryScreen, MenuListScreen, PreviewScreen,
                               QueuesScreen, ServiceEditScreen)

log = logging.getLogger(__name__)
ROLE = "admin"
USB_FOLDER = "/media"
_CLASSES = {"admin_menu": MenuListScreen, "admin_service": ServiceEditScreen,
            "admin_queues": QueuesScreen, "admin_preview": PreviewScreen,
            "admin_files": FilesScreen, "admin_history": HistoryScreen}
SCREENS = tuple(_CLASSES)


class AdminMode:
    """The menu editor; :class:`screens.staff.StaffMode` owns it and its worker."""

    def __init__(self, staff):
        self.staff = staff
        self.app = staff.app
        self.draft = None  # dict while the editor has been opened in this staff session
        self.path = USB_FOLDER

    @property
    def library(self):
        return self.app.runtime.menus  # looked up each time: a staff reset replaces it

    def screen(self, name):
        sm = self.app.sm
        if not sm.has_screen(name):
            sm.add_widget(_CLASSES[name](name=name))
        return sm.get_screen(name)

    def _go(self, name):
        self.screen(name)
        self.app.sm.current = name

    def reset(self):
        """Forget the draft (staff mode closed)."""
        self.draft = None

    # -- the list ------------------------------------------------------------
    def open(self):
        """Show the editor; only for the admin role (the staff home hides the entry too)."""
        if self.staff.role != ROLE:
            log.warning("menu editor refused for role %s", self.staff.role)
            return
        if self.draft is None:
            self.draft = drafts.draft_of(self.library.current)
        self.show_list()
        self.screen("admin_menu").say()
        self._go("admin_menu")

    def show_list(self, message=None, problems=()):
        screen = self.screen("admin_menu")
        queues = {q["prefix"]: q for q in self.draft["queues"]}
        screen.fill(drafts.ordered(self.draft), queues, self)
        current = self.library.current
        screen.dirty = not drafts.same(self.draft, current)
        screen.version_text = (f"Menu berlaku: versi {current.version}.  " +
                               ("Draf: ADA PERUBAHAN, belum disimpan." if screen.dirty
                                else "Draf: belum ada perubahan."))
        if message is not None:
            screen.say(message, problems)

    def back_to_staff(self):
        self.staff.back_home()

    def toggle(self, code, enabled):
        drafts.set_enabled(self.draft, code, enabled)
        self.show_list(f"Layanan {code} {'diaktifkan' if enabled else 'dinonaktifkan'} "
                       f"di draf (belum disimpan).")

    def move(self, code, step):
        moved = drafts.move(self.draft, code, step)
        self.show_list(f"Urutan {code} diubah di draf." if moved else
                       f"{code} sudah di {'atas' if step < 0 else 'bawah'}.")

    def discard(self):
        self.draft = drafts.draft_of(self.library.current)
        self.show_list("Draf dikembalikan ke menu yang berlaku.")

    # -- one service, queues and office hours --------------------------------
    def edit(self, code):
        screen = self.screen("admin_service")
        screen.load(drafts.service_form(self.draft, code), drafts.queues_form(self.draft))
        self._go("admin_service")

    def apply_service(self):
        screen = self.screen("admin_service")
        problems = drafts.apply_service_form(self.draft, screen.read())
        if problems:
            screen.say("Belum bisa dipakai:", problems)
            return
        self.show_list(f"Perubahan {screen.code} masuk draf. Tekan Simpan agar berlaku.")
        self._go("admin_menu")

    def edit_queues(self):
        screen = self.screen("admin_queues")
        screen.load(drafts.queues_form(self.draft),
                    drafts.hours_form(self.draft["office_hours"]))
        self._go("admin_queues")

    def apply_queues(self):
        screen = self.screen("admin_queues")
        rows, office = screen.read()
        problems = drafts.apply_queues_form(self.draft, rows, office)
        if problems:
            screen.say("Belum bisa dipakai:", problems)
            return
        self.show_list("Antrian dan jam kantor masuk draf. Tekan Simpan agar berlaku.")
        self._go("admin_menu")

    def back_to_list(self):
        self.show_list()
        self._go("admin_menu")

    # -- preview -------------------------------------------------------------
    def preview(self):
        raw = drafts.dumps(self.draft)
        rt = self.app.runtime
        self.screen("admin_menu").say("Menyiapkan pratinjau...")

        def work():
            try:
                menu = parse_menu(raw, "draf")
            except MenuError as exc:
                return None, exc.problems, None
            journey = Journey(language="id", menu=menu)
            cards = [(s, rt.desk.availability(journey, s)) for s in menu.visible_services()]
            return menu, cards, sample_slip_png(rt, menu)
        self.staff._run(work, self._show_preview)

    def _show_preview(self, result):
        from kivy.core.image import Image as CoreImage
        menu, cards, png = result
        if menu is None:
            self.show_list("Pratinjau tidak bisa dibuat, draf belum benar:", cards)
            return
        # the resident's own wording (JourneyFlow.describe) for the draft's journey
        flow = SimpleNamespace(app=self.app, journey=Journey(language="id", menu=menu))
        describe = type(self.app.flow).describe
        services = [(s, s.names.get("id"), describe(flow, s, a), a.open) for s, a in cards]
        texture = CoreImage(io.BytesIO(png), ext="png").texture if png else None
        screen = self.screen("admin_preview")
        screen.title_text = (f"Pratinjau draf: {len(services)} layanan tampil untuk warga"
                             + ("" if services else " (tidak ada layanan aktif!)"))
        screen.show(services, texture)
        screen.say()
        self._go("admin_preview")

    # -- save ----------------------------------------------------------------
    def save(self):
        draft = drafts.dumps(self.draft)  # a snapshot: later taps do not change what is saved
        rt = self.app.runtime
        for name in ("admin_menu", "admin_preview"):
            self.screen(name).busy = True
            self.screen(name).say("Menyimpan...")

        def work():
            library = self.library
            data = json.loads(draft)
            data["version"] = library.next_version(rt.clock.local().date())
            try:
                return library.install(drafts.dumps(data), role=ROLE, source="kiosk editor"), ()
            except MenuError as exc:
                return None, exc.problems or (str(exc),)
        self.staff._run(work, self._saved)

    def _saved(self, result):
        menu, problems = result
        for name in ("admin_menu", "admin_preview"):
            self.screen(name).busy = False
        if menu is None:
            self.show_list("Menu TIDAK disimpan; tidak ada yang berubah. Perbaiki dulu:",
                           problems)
        else:
            self.draft = drafts.draft_of(menu)
            self.show_list(f"Menu versi {menu.version} disimpan. Berlaku untuk warga "
                           f"berikutnya.")
        self._go("admin_menu")

    # -- USB stick -----------------------------------------------------------
    def show_files(self):
        screen = self.screen("admin_files")
        screen.ids.path.text = self.path
        screen.say("Pasang flashdisk, lalu tekan \"Cari berkas\".")
        self._go("admin_files")
        self.find_files()

    def find_files(self):
        screen = self.screen("admin_files")
        folder = screen.ids.path.text.strip() or USB_FOLDER
        if folder.lower().endswith(".json"):
            folder = str(Path(folder).parent)

        def done(paths):
            screen.list_files(paths, self)
            screen.say(f"{len(paths)} berkas .json di {folder}." if paths else
                       f"Tidak ada berkas .json di {folder}.")
        self.staff._run(lambda: drafts.find_menu_files(folder), done)

    def choose_file(self, path):
        self.screen("admin_files").ids.path.text = path

    def import_file(self):
        screen = self.screen("admin_files")
        path = self.path = screen.ids.path.text.strip()
        screen.busy = True
        screen.say("Memeriksa berkas...")

        def work():
            try:
                return self.library.import_file(path, role=ROLE), ()
            except MenuError as exc:
                return None, exc.problems or (str(exc),)

        def done(result):
            menu, problems = result
            screen.busy = False
            if menu is None:
                screen.say("Berkas DITOLAK; menu tidak berubah. Alasannya:", problems)
                return
            self.draft = drafts.draft_of(menu)
            screen.say(f"Menu versi {menu.version} dari berkas dipasang. Berlaku untuk warga "
                       f"berikutnya.")
        self.staff._run(work, done)

    def export_file(self):
        screen = self.screen("admin_files")
        path = self.path = screen.ids.path.text.strip() or USB_FOLDER
        screen.say("Menulis berkas...")

        def work():
            try:
                return self.library.export(path, role=ROLE), None
            except KioskError as exc:
                return None, str(exc)

        def done(result):
            written, error = result
            if written:
                screen.say(f"Menu versi {self.library.current.version} disalin ke {written}.")
            else:
                screen.say("Ekspor GAGAL; tidak ada berkas yang ditulis:", (error,))
        self.staff._run(work, done)

    # -- history -------------------------------------------------------------
    def show_history(self):
        screen = self.screen("admin_history")
        screen.say()
        self._go("admin_history")
        self.staff._run(lambda: [(v, p, saved_at(p)) for v, p in self.library.history()],
                        lambda versions: screen.fill(versions, self))

    def restore(self, path):
        screen = self.screen("admin_history")

        def work():
            try:
                return self.library.restore(path, role=ROLE), ()
            except (MenuError, OSError) as exc:
                return None, getattr(exc, "problems", ()) or (str(exc),)

        def done(result):
            menu, problems = result
            if menu is None:
                screen.say("Versi ini tidak bisa dikembalikan:", problems)
                return
            self.draft = drafts.draft_of(menu)
            self.show_history()
            screen.say(f"Versi {menu.version} berlaku lagi untuk warga berikutnya.")
        self.staff._run(work, done)

    # -- docs ----------------------------------------------------------------
    def screenshots(self, shot):
        """The editor screens for the docs (``kiosk screenshots``)."""
        from screens.adminshots import take
        take(self, shot)


def saved_at(path) -> str:
    """``30-11-2026 09:15`` from a history file name (``<stamp>_<version>.json``)."""
    try:
        return datetime.strptime(path.stem.split("_", 1)[0][:15],
                                 "%Y%m%dT%H%M%S").strftime("%d-%m-%Y %H:%M")
    except ValueError:
        return "?"


def sample_slip_png(rt, menu) -> bytes | None:
    """PNG bytes of a slip marked TEST for ticket 001 of the draft's first service
    (worker thread: PIL only, no Kivy)."""
    from printer.slip import render_png, slip_blocks
    services = menu.visible_services() or sorted(menu.services, key=lambda s: s.order)
    service = services[0]
    now = rt.clock.local()
    ticket = Ticket(id="0" * 32, kiosk_id=rt.config.kiosk.id, office_day=now.date().isoformat(),
                    service_code=service.code, queue=service.queue, sequence=1,
                    number=f"{service.queue}001", issued_at=now.isoformat(timespec="seconds"),
                    language="id")
    ahead = 3
    info = rt.slips.info(ticket, menu, ahead, round(ahead * service.avg_service_min), test=True)
    width, profile = rt.config.printer.width_mm, rt.config.printer.profile
    out = io.BytesIO()
    render_png(slip_blocks(ticket, info, width), width, profile).save(out, format="PNG")
    return out.getvalue()
