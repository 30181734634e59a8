"""The admin desk: the menu editor's actions as plain methods, without Kivy.

A draft (:mod:`kiosk.desks.draft`, a JSON-shaped dict) is started from the menu in force,
edited (on/off, order, one service's form, queues and office hours), validated with a
preview (the resident's service cards and a sample TEST slip), then installed as a new
``YYYY-MM-DD.N`` version through :class:`kiosk.menus.MenuLibrary`. Menus are imported
from and exported to files (a USB stick, or ``kiosk menu import|export``) and earlier
versions restored. Every method does the work, writes its own audit line (the library
writes ``menu-install``, ``menu-import``, ``menu-export``; the desk ``menu-draft`` and
``menu-restore`` when refused) and returns a frozen value with Indonesian words (admin
screens are Indonesian only). Methods block on disk: the screens run them on their worker.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kiosk.checkin import Journey
from kiosk.errors import KioskError, MenuError
from kiosk.menu import parse_menu
from kiosk.menus import NoSuchFolder

from . import draft as drafts
from .testslip import sample_png

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DraftView:
    """The draft as the editor lists it (copies: safe to read on another thread).

    ``services``: service dicts in display order; ``queues``: ``{prefix: queue dict}``;
    ``dirty``: it differs from the menu in force; ``message`` and ``problems``: what the
    last action says (problems: nothing was changed)."""

    services: tuple
    queues: dict
    dirty: bool
    version_text: str
    message: str
    problems: tuple = ()


@dataclass(frozen=True)
class Preview:
    """The draft checked: ``menu`` (None when invalid, then ``problems``), ``cards``
    ``((Service, Availability), ...)`` as residents would see them, ``png`` a sample slip."""

    menu: object
    cards: tuple
    png: bytes | None
    problems: tuple = ()


@dataclass(frozen=True)
class Installed:
    """A menu installed (``menu``), or refused (``menu`` None, ``problems``: nothing
    changed); ``message`` says which."""

    menu: object
    message: str
    problems: tuple = ()


@dataclass(frozen=True)
class Exported:
    """The file written (``path``) or None with the reason in ``problems``; ``bad_input``:
    the destination named does not exist (the CLI exits 2, not 1)."""

    path: Path | None
    message: str
    problems: tuple = ()
    bad_input: bool = False


@dataclass(frozen=True)
class Version:
    """One replaced menu in the history: its version, file and ``saved_at`` (local)."""

    version: str
    path: Path
    saved_at: str


class AdminDesk:
    """Menu actions on ``runtime`` (its ``menus`` library, looked up each time: a staff
    reset may replace it) as ``role``."""

    def __init__(self, runtime, role: str = "admin"):
        self.rt = runtime
        self.role = role
        self.draft: dict | None = None

    @property
    def library(self):
        return self.rt.menus

    def _audit(self, action: str, **detail) -> None:
        self.rt.store.audit(self.role, action, **detail)

    # -- the draft -------------------------------------------------------------
    def view(self, message: str = "", problems=()) -> DraftView:
        """The draft as listed (started from the menu in force when there is none)."""
        if self.draft is None:
            self.draft = drafts.draft_of(self.library.current)
        current = self.library.current
        dirty = not drafts.same(self.draft, current)
        copy = json.loads(json.dumps(self.draft))
        return DraftView(
            services=tuple(drafts.ordered(copy)), queues={q["prefix"]: q for q in copy["queues"]},
            dirty=dirty, version_text=(f"Menu berlaku: versi {current.version}.  " +
                                       ("Draf: ADA PERUBAHAN, belum disimpan." if dirty
                                        else "Draf: belum ada perubahan.")),
            message=message, problems=tuple(problems))

    def start_draft(self) -> DraftView:
        """Open the editor: keep the draft of this session, or start one from the menu in
        force; audited (``menu-draft``, ``change`` = ``start``)."""
        started = self.draft is None
        view = self.view()
        self._audit("menu-draft", change="start" if started else "resume",
                    version=self.library.current.version)
        return view

    def discard(self) -> DraftView:
        """Forget the changes: the draft is the menu in force again; audited."""
        self.draft = drafts.draft_of(self.library.current)
        self._audit("menu-draft", change="discard")
        return self.view("Draf dikembalikan ke menu yang berlaku.")

    def close(self) -> None:
        """Staff mode closed: the draft is forgotten (no audit: logout is)."""
        self.draft = None

    def toggle(self, code: str, enabled: bool) -> DraftView:
        """Turn service ``code`` on or off in the draft; audited."""
        self.view()
        drafts.set_enabled(self.draft, code, enabled)
        self._audit("menu-draft", change="enabled", service=code, after=bool(enabled))
        return self.view(f"Layanan {code} {'diaktifkan' if enabled else 'dinonaktifkan'} "
                         f"di draf (belum disimpan).")

    def move(self, code: str, step: int) -> DraftView:
        """Move service ``code`` ``step`` places (-1 up, +1 down) in the draft; audited."""
        self.view()
        moved = drafts.move(self.draft, code, step)
        self._audit("menu-draft", change="order", service=code, step=step, moved=moved)
        return self.view(f"Urutan {code} diubah di draf." if moved else
                         f"{code} sudah di {'atas' if step < 0 else 'bawah'}.")

    def add_service(self, from_code: str) -> tuple[str, DraftView]:
        """Add a copy of service ``from_code`` to the draft (:func:`draft.add_service`:
        queue, counter, hours copied; named "Layanan baru"; off until the admin turns it
        on); returns ``(new code, view)``; audited (``change`` = ``add``)."""
        self.view()
        code = drafts.add_service(self.draft, from_code)
        self._audit("menu-draft", change="add", service=code, copied_from=from_code)
        name = drafts.service(self.draft, code)["names"]["id"]
        return code, self.view(f"Salinan {from_code} masuk draf sebagai \"{name}\" ({code}), "
                               f"masih nonaktif. Ubah nama dan persyaratan, aktifkan, lalu "
                               f"Simpan.")

    def delete_service(self, code: str) -> DraftView:
        """Remove service ``code`` from the draft (the screens ask first); the only service
        is kept, with the reason in ``problems``. Audited (``change`` = ``delete``)."""
        self.view()
        if code not in {s.get("code") for s in self.draft["services"]}:
            return self.view("Belum bisa dipakai:", (f"Layanan {code} sudah tidak ada di "
                                                     f"draf.",))
        name = drafts.service(self.draft, code).get("names", {}).get("id", code)
        deleted = drafts.delete_service(self.draft, code)
        self._audit("menu-draft", change="delete", service=code, ok=deleted)
        if not deleted:
            return self.view("Belum bisa dipakai:", ("Menu perlu paling sedikit satu "
                                                     "layanan; layanan ini tidak dihapus.",))
        return self.view(f"{name} ({code}) dihapus dari draf. Tekan Simpan agar berlaku; "
                         f"tiket yang sudah diambil tetap sah dengan nama layanannya.")

    def service_form(self, code: str) -> tuple[dict, list]:
        """(the text fields of service ``code``, the queues' fields) to edit; no audit."""
        self.view()
        return drafts.service_form(self.draft, code), drafts.queues_form(self.draft)

    def queues_form(self) -> tuple[list, dict]:
        """(the queues' fields, the office hours' fields) to edit; no audit."""
        self.view()
        return drafts.queues_form(self.draft), drafts.hours_form(self.draft["office_hours"])

    def apply_service(self, form: dict) -> DraftView:
        """Write one service's edited ``form`` into the draft; problems (nothing written)
        when a number or time cannot be read. Audited with the problems."""
        self.view()
        problems = drafts.apply_service_form(self.draft, form)
        self._audit("menu-draft", change="service", service=form["code"], ok=not problems,
                    problems=problems)
        if problems:
            return self.view("Belum bisa dipakai:", problems)
        return self.view(f"Perubahan {form['code']} masuk draf. Tekan Simpan agar berlaku.")

    def apply_queues(self, rows: list, office: dict) -> DraftView:
        """Write the queues' counters and names and the office hours into the draft;
        audited with the problems (then nothing is written)."""
        self.view()
        problems = drafts.apply_queues_form(self.draft, rows, office)
        self._audit("menu-draft", change="queues", ok=not problems, problems=problems)
        if problems:
            return self.view("Belum bisa dipakai:", problems)
        return self.view("Antrian dan jam kantor masuk draf. Tekan Simpan agar berlaku.")

    def preview(self) -> Preview:
        """Validate the draft and show it as residents would: service cards and a sample
        TEST slip; audited (``menu-draft``, ``change`` = ``validate``, ok, problems)."""
        self.view()
        try:
            menu = parse_menu(drafts.dumps(self.draft), "draf")
        except MenuError as exc:
            problems = tuple(exc.problems or (str(exc),))
            self._audit("menu-draft", change="validate", ok=False, problems=list(problems))
            return Preview(None, (), None, problems)
        journey = Journey(language="id", menu=menu)
        cards = tuple((s, self.rt.desk.availability(journey, s))
                      for s in menu.visible_services())
        self._audit("menu-draft", change="validate", ok=True)
        return Preview(menu, cards, self.sample_slip(menu))

    def sample_slip(self, menu=None) -> bytes:
        """PNG of the TEST slip ``<queue>001`` of ``menu`` (default the menu in force)."""
        return sample_png(self.rt, menu if menu is not None else self.library.current)

    def install(self) -> Installed:
        """Install the draft as the next ``YYYY-MM-DD.N`` version (office day); the library
        audits ``menu-install``; a refused draft is audited here and changes nothing."""
        self.view()
        data = json.loads(drafts.dumps(self.draft))  # a snapshot of the draft
        data["version"] = self.library.next_version(self.rt.clock.local().date())
        try:
            menu = self.library.install(drafts.dumps(data), role=self.role,
                                        source="kiosk editor")
        except MenuError as exc:
            problems = tuple(exc.problems or (str(exc),))
            self._audit("menu-install", source="kiosk editor", ok=False,
                        problems=list(problems)[:20])
            return Installed(None, "Menu TIDAK disimpan; tidak ada yang berubah. Perbaiki "
                                   "dulu:", problems)
        self.draft = drafts.draft_of(menu)
        return Installed(menu, f"Menu versi {menu.version} disimpan. Berlaku untuk warga "
                               f"berikutnya.")

    # -- files -------------------------------------------------------------------
    def find_files(self, folder) -> tuple:
        """``*.json`` files under ``folder`` (a USB stick); reads only, no audit."""
        folder = str(folder).strip() or "/media"
        if folder.lower().endswith(".json"):
            folder = str(Path(folder).parent)
        return tuple(drafts.find_menu_files(folder))

    def import_file(self, path) -> Installed:
        """Install the menu file ``path`` (audited by the library, refused or not); the
        draft becomes the new menu."""
        try:
            menu = self.library.import_file(path, role=self.role)
        except MenuError as exc:
            return Installed(None, "Berkas DITOLAK; menu tidak berubah. Alasannya:",
                             tuple(exc.problems or (str(exc),)))
        self.draft = drafts.draft_of(menu)
        return Installed(menu, f"Menu versi {menu.version} dari berkas dipasang. Berlaku "
                               f"untuk warga berikutnya.")

    def export(self, path) -> Exported:
        """Write the menu in force to ``path``: a file, or ``menu-<version>.json`` inside an
        existing folder; atomic; audited by the library (ok or not)."""
        try:
            written = self.library.export(path, role=self.role)
        except KioskError as exc:
            return Exported(None, "Ekspor GAGAL; tidak ada berkas yang ditulis:", (str(exc),),
                            bad_input=isinstance(exc, NoSuchFolder))
        return Exported(written, f"Menu versi {self.library.current.version} disalin ke "
                                 f"{written}.")

    def history(self) -> tuple:
        """Replaced menus, newest first (:class:`Version`); reads only."""
        return tuple(Version(v, p, saved_at(p)) for v, p in self.library.history())

    def restore(self, path) -> Installed:
        """Bring back the replaced menu at ``path`` (the one in force goes to history);
        audited by the install, or here as ``menu-restore`` when it cannot be."""
        try:
            menu = self.library.restore(path, role=self.role)
        except (MenuError, OSError) as exc:
            problems = tuple(getattr(exc, "problems", ()) or (str(exc),))
            self._audit("menu-restore", path=str(path), ok=False, problems=list(problems))
            return Installed(None, "Versi ini tidak bisa dikembalikan:", problems)
        self.draft = drafts.draft_of(menu)
        return Installed(menu, f"Versi {menu.version} berlaku lagi untuk warga berikutnya.")


def saved_at(path) -> str:
    """``30-11-2026 09:15`` from a history file name (``<stamp>_<version>.json``)."""
    try:
        return datetime.strptime(Path(path).stem.split("_", 1)[0][:15],
                                 "%Y%m%dT%H%M%S").strftime("%d-%m-%Y %H:%M")
    except ValueError:
        return "?"
