"""Admin mode: the touchscreen menu editor, opened from staff mode with the ADMIN PIN only.

Every action is a method of :class:`kiosk.desks.AdminDesk`: edits go into its draft, never
straight into the menu in force; "Pratinjau" shows the draft as residents would see it and
a sample slip; "Simpan" installs it as a new ``YYYY-MM-DD.N`` version (an invalid draft is
refused with its plain problems and nothing changes); import and export of the menu file
on a USB stick, and going back to an earlier version. The desk audits each action and
returns what to show; this module only shows it. Desk calls run on the staff worker
thread (disk, audit lines, slip rendering); results come back through ``Clock``.
"""
from __future__ import annotations

import io
import logging
from types import SimpleNamespace

from kiosk.checkin import Journey
from kiosk.desks import AdminDesk
from screens.admin_files import FilesScreen
from screens.admin_history import HistoryScreen
from screens.admin_menu import MenuListScreen
from screens.admin_preview import PreviewScreen
from screens.admin_queues import QueuesScreen
from screens.admin_service import ServiceEditScreen

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
        self.desk = AdminDesk(self.app.runtime, ROLE)
        self.path = USB_FOLDER

    def screen(self, name):
        sm = self.app.sm
        if not sm.has_screen(name):
            sm.add_widget(_CLASSES[name](name=name))
        return sm.get_screen(name)

    def _go(self, name):
        self.screen(name)
        self.app.sm.current = name

    def _run(self, work, done=None):
        self.staff._run(work, done)

    def reset(self):
        """Forget the draft (staff mode closed)."""
        self.desk.close()

    # -- the list ------------------------------------------------------------
    def open(self):
        """Show the editor; only for the admin role (the staff home hides the entry too)."""
        if self.staff.role != ROLE:
            log.warning("menu editor refused for role %s", self.staff.role)
            return
        self._go("admin_menu")
        self._run(self.desk.start_draft, self.show_list)

    def show_list(self, view):
        """Show a :class:`kiosk.desks.admin.DraftView` on the list screen."""
        screen = self.screen("admin_menu")
        screen.fill(list(view.services), view.queues, self)
        screen.dirty = view.dirty
        screen.version_text = view.version_text
        screen.say(view.message, view.problems)

    def _listed(self, view):
        """After a form was applied: back to the list, unless the desk refused it."""
        if view.problems:
            self.app.sm.current_screen.say(view.message, view.problems)
            return
        self.show_list(view)
        self._go("admin_menu")

    def back_to_staff(self):
        self.staff.back_home()

    def toggle(self, code, enabled):
        self._run(lambda: self.desk.toggle(code, enabled), self.show_list)

    def move(self, code, step):
        self._run(lambda: self.desk.move(code, step), self.show_list)

    def discard(self):
        self._run(self.desk.discard, self.show_list)

    # -- one service, queues and office hours --------------------------------
    def edit(self, code):
        def done(forms):
            self.screen("admin_service").load(*forms)
            self._go("admin_service")
        self._run(lambda: self.desk.service_form(code), done)

    def apply_service(self):
        form = self.screen("admin_service").read()
        self._run(lambda: self.desk.apply_service(form), self._listed)

    def copy_service(self):
        """"Salin jadi layanan baru": the form's changes go into the draft, then a copy of
        this service (queue, counter, hours) opens in the form as "Layanan baru"."""
        screen = self.screen("admin_service")
        if screen.busy:
            return  # a double tap makes one copy
        screen.busy = True
        form = screen.read()

        def work():
            view = self.desk.apply_service(form)
            if view.problems:
                return None, view
            code, view = self.desk.add_service(form["code"])
            return self.desk.service_form(code), view

        def done(result):
            screen.busy = False
            forms, view = result
            if forms is not None:
                screen.load(*forms)
                screen.ids.form_scroll.scroll_y = 1
            screen.say(view.message, view.problems)
        self._run(work, done)

    def delete_service(self):
        """"Hapus layanan ini", after a second confirmation; back to the list."""
        screen = self.screen("admin_service")
        code, name = screen.code, screen.ids.name_id.text.strip() or screen.code

        def delete():
            def done(view):
                if view.problems:
                    self._go("admin_service")
                    screen.say(view.message, view.problems)
                else:
                    self.show_list(view)
                    self._go("admin_menu")
            self._run(lambda: self.desk.delete_service(code), done)
        self.staff._confirm(
            (f"Hapus \"{name}\"?",
             f"{name} ({code}) dihapus dari draf; warga tidak bisa memilihnya lagi setelah "
             f"Simpan. Tiket yang sudah diambil hari ini tetap sah: nomor dan nama "
             f"layanannya tidak berubah, juga saat dicetak ulang.",
             "Ya, hapus"), delete, back=lambda: self._go("admin_service"))

    def edit_queues(self):
        def done(forms):
            self.screen("admin_queues").load(*forms)
            self._go("admin_queues")
        self._run(self.desk.queues_form, done)

    def apply_queues(self):
        rows, office = self.screen("admin_queues").read()
        self._run(lambda: self.desk.apply_queues(rows, office), self._listed)

    def back_to_list(self):
        self._go("admin_menu")
        self._run(self.desk.view, self.show_list)

    # -- preview -------------------------------------------------------------
    def preview(self):
        self.screen("admin_menu").say("Menyiapkan pratinjau...")
        self._run(self.desk.preview, self._show_preview)

    def _show_preview(self, preview):
        from kivy.core.image import Image as CoreImage
        if preview.menu is None:
            self.screen("admin_menu").say("Pratinjau tidak bisa dibuat, draf belum benar:",
                                          preview.problems)
            return
        # the resident's own wording (JourneyFlow.describe) for the draft's journey
        flow = SimpleNamespace(app=self.app, journey=Journey(language="id", menu=preview.menu))
        describe = type(self.app.flow).describe
        services = [(s, s.names.get("id"), describe(flow, s, a), a.open)
                    for s, a in preview.cards]
        texture = CoreImage(io.BytesIO(preview.png), ext="png").texture if preview.png else None
        screen = self.screen("admin_preview")
        screen.title_text = (f"Pratinjau draf: {len(services)} layanan tampil untuk warga"
                             + ("" if services else " (tidak ada layanan aktif!)"))
        screen.show(services, texture)
        screen.say()
        self._go("admin_preview")

    # -- save ----------------------------------------------------------------
    def save(self):
        for name in ("admin_menu", "admin_preview"):
            self.screen(name).busy = True
            self.screen(name).say("Menyimpan...")
        self._run(self.desk.install, self._saved)

    def _saved(self, installed):
        for name in ("admin_menu", "admin_preview"):
            self.screen(name).busy = False
        self._go("admin_menu")
        self._run(lambda: self.desk.view(installed.message, installed.problems),
                  self.show_list)

    # -- USB stick -----------------------------------------------------------
    def show_files(self):
        screen = self.screen("admin_files")
        screen.ids.path.text = self.path
        screen.say("Pasang flashdisk, lalu tekan \"Cari berkas\".")
        self._go("admin_files")
        self.find_files()

    def find_files(self):
        screen = self.screen("admin_files")
        folder = screen.ids.path.text

        def done(paths):
            screen.list_files(paths, self)
            where = paths[0].parent if paths else (folder.strip() or USB_FOLDER)
            screen.say(f"{len(paths)} berkas .json di {where}." if paths else
                       f"Tidak ada berkas .json di {where}.")
        self._run(lambda: self.desk.find_files(folder), done)

    def choose_file(self, path):
        self.screen("admin_files").ids.path.text = path

    def import_file(self):
        screen = self.screen("admin_files")
        path = self.path = screen.ids.path.text.strip()
        screen.busy = True
        screen.say("Memeriksa berkas...")

        def done(installed):
            screen.busy = False
            screen.say(installed.message, installed.problems)
        self._run(lambda: self.desk.import_file(path), done)

    def export_file(self):
        screen = self.screen("admin_files")
        path = self.path = screen.ids.path.text.strip() or USB_FOLDER
        screen.say("Menulis berkas...")
        self._run(lambda: self.desk.export(path),
                  lambda exported: screen.say(exported.message, exported.problems))

    # -- history -------------------------------------------------------------
    def show_history(self):
        screen = self.screen("admin_history")
        screen.say()
        self._go("admin_history")
        self._run(self.desk.history, lambda versions: screen.fill(versions, self))

    def restore(self, path):
        screen = self.screen("admin_history")

        def done(installed):
            if installed.menu is not None:
                self.show_history()
            screen.say(installed.message, installed.problems)
        self._run(lambda: self.desk.restore(path), done)

    # -- docs ----------------------------------------------------------------
    def screenshots(self, shot):
        """The editor screens for the docs (``kiosk screenshots``)."""
        from screens.adminshots import take
        take(self, shot)
