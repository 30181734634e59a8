"""The admin pages: log in with an admin account, edit / upload / restore the service menu.

``/admin/login``: name + password (:mod:`office.admins`, lockout after failures).
``/admin/menu``: the menu in force and its version, which kiosks run which
version (old ones highlighted), the editor, the JSON upload and download.
``/admin/audit``: every change (who, when, field-level before/after) and the
versions kept, each of which can be restored as the newest version.

Only a session from an admin-account login may change the menu; a staff or
admin *token* login gets 403. Every POST needs the session's CSRF token. A
refused menu changes nothing and is shown again, as typed, with its problems.
"""
from __future__ import annotations

import json
from html import escape

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kiosk import ASSETS_DIR
from kiosk.errors import MenuError
from kiosk.menu import MAX_MENU_BYTES, parse_menu

from .offices import here
from .db import PublishConflict
from .menu_form import fields_to_menu, form_fields, menu_bytes, menu_to_fields
from .menu_view import EDITOR_CSS, editor
from .pages import (csrf_field, current_session, local_time, login_form_response, page,
                    password_login, read_form, table)
from .publish import publish, suggest_version

router = APIRouter(prefix="/admin", include_in_schema=False)

ACTIONS = {"edit": "ubah lewat formulir", "upload": "unggah berkas", "restore": "pulihkan",
           "api": "API (token)", "token-add": "token baru", "token-revoke": "token dicabut",
           "admin-set": "akun admin", "login-lock": "alamat dikunci (gagal masuk)",
           "staff-set": "akun petugas", "counter-set": "loket", "retention": "retensi data",
           "office-set": "kantor"}


def admin_session(request: Request):
    session = current_session(request)
    return session if session and session.role == "admin" and session.via == "password" else None


class NotAdmin(Exception):
    """A POST of the admin pages from a session that is not an admin account's (403)."""


async def admin_form(request: Request):
    """``(form, session)`` of an admin page POST: CSRF checked (:func:`read_form`), then the
    session must be an admin account's, else :class:`NotAdmin`."""
    form = await read_form(request)
    session = admin_session(request)
    if session is None:
        raise NotAdmin()
    return form, session


def forbidden() -> HTMLResponse:
    return HTMLResponse(page("Ditolak", """<h1>Tidak diizinkan <small>(forbidden, 403)</small></h1>
<p>Hanya akun admin (nama dan kata sandi) yang boleh mengubah menu.
<span class="en">(Only an admin account may change the menu.)</span></p>
<p><a class="btn" href="/admin/login">Masuk sebagai admin</a></p>"""), status_code=403)


def nav(session, office=None) -> str:
    """The admin pages' menu bar: the pages, the office worked in (a regency admin's link to
    every office), who is logged in and the logout button."""
    where = f'Kantor <b>{escape(office.office.name)}</b> ' if office is not None else ""
    offices = '<a href="/admin/offices">Semua kantor</a>' if session.regency else ""
    return (f'<nav><a href="/admin/menu">Menu layanan</a><a href="/admin/audit">Riwayat &amp; '
            f'audit</a><a href="/admin/counters">Loket &amp; petugas</a><a href="/">Halaman '
            f'petugas</a>{offices} {where}Masuk sebagai <b>{escape(session.name)}'
            f'</b> <form class="inline" method="post" action="/logout">'
            f'{csrf_field(session.csrf)}<button>Keluar</button></form></nav>')


def problems_box(title: str, problems) -> str:
    items = "".join(f"<li>{escape(p)}</li>" for p in problems)
    return (f'<div class="box bad" role="alert"><b>{title}</b> <span class="en">(nothing was '
            f'changed)</span><ul>{items}</ul></div>')


# -- login ---------------------------------------------------------------------
def _login_page(csrf: str, error: str = "") -> str:
    err = f'<div class="box bad" role="alert">{escape(error)}</div>' if error else ""
    return page("Masuk admin", f"""<h1>Admin menu layanan <small>(menu admin log in)</small></h1>
{err}<form method="post" action="/admin/login">{csrf_field(csrf)}
<p><label>Nama admin <span class="en">(name)</span><br><input name="name" size="30"
autocomplete="username" required maxlength="32"></label></p>
<p><label>Kata sandi <span class="en">(password)</span><br><input type="password" name="password"
size="30" autocomplete="current-password" required></label></p>
<button type="submit" class="primary">Masuk <span class="en">(Log in)</span></button></form>
<p><small>Petugas loket masuk dengan token di <a href="/">halaman petugas</a>.</small></p>""")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request):
    return login_form_response(request, _login_page)


@router.post("/login")
async def login(request: Request):
    """Check name and password; a session cookie on success, else the form again (401/429)."""
    return await password_login(request, request.app.state.repo, "admin", "/admin/menu",
                                _login_page)


# -- the menu page ---------------------------------------------------------------
def _kiosks(request: Request, current) -> str:
    repo, clock = here(request).repo, here(request).clock
    rows, classes = [], []
    for k in repo.kiosks():
        if not k.menu_version:
            status, cls = "belum melapor <span class='en'>(not reported)</span>", ""
        elif current and k.menu_version == current.version:
            status, cls = "terbaru <span class='en'>(current)</span>", "cur"
        else:
            status, cls = "<b>VERSI LAMA</b> <span class='en'>(old version)</span>", "old"
        rows.append([escape(k.id), escape(k.menu_version or "-"), status,
                     local_time(k.last_seen_at, clock)])
        classes.append(cls)
    return table(["Kiosk", "Versi menu <span class='en'>(menu version)</span>", "Status",
                  "Terakhir terlihat <span class='en'>(last seen)</span>"], rows, classes)


def _menu_page(request: Request, session, *, fields=None, problems=(), upload_problems=(),
               notice: str = "") -> str:
    repo, clock = here(request).repo, here(request).clock
    current = repo.current_menu()
    suggested = suggest_version(repo, clock.today())
    if current is None:
        body = (ASSETS_DIR / "menu.json").read_text(encoding="utf-8")
        info = ("<p>Belum ada menu terbit; formulir berisi menu bawaan. <span class='en'>(No "
                "menu published yet; the form holds the default menu.)</span></p>")
    else:
        body = current.body
        by = next((a.actor for a in repo.audit_entries(50) if a.menu_id == current.id), "-")
        info = (f"<p>Versi <b>{escape(current.version)}</b>, diterbitkan "
                f"{local_time(current.published_at, clock)} oleh {escape(by)}. "
                f'<a class="btn" href="/admin/menu/download">Unduh menu (JSON) <span '
                f'class="en">(download)</span></a></p>')
    if fields is None:
        fields = menu_to_fields(json.loads(body))
        fields["version"] = suggested
    box = problems_box("Menu tidak disimpan. Perbaiki hal berikut:", problems) if problems else ""
    up_box = (problems_box("Berkas tidak diterbitkan:", upload_problems) if upload_problems
              else "")
    done = f'<div class="box good" role="status">{notice}</div>' if notice else ""
    return page("Menu layanan", f"""<style>{EDITOR_CSS}</style>
<h1>Menu layanan <small>(service menu)</small></h1>{nav(session, here(request))}{done}
<h2>Menu berlaku <small>(menu in force)</small></h2>{info}
<h2>Kiosk <small>(which kiosk runs which version)</small></h2>{_kiosks(request, current)}
<h2>Ubah menu <small>(edit the menu)</small></h2>{box}
{editor(fields, list(problems), session.csrf, current.id if current else 0, suggested)}
<h2>Unggah berkas menu <small>(upload a menu JSON file)</small></h2>{up_box}
<form method="post" action="/admin/menu/upload" enctype="multipart/form-data">
{csrf_field(session.csrf)}<p><input type="file" name="file" accept=".json,application/json"
required> <button type="submit" class="primary">Unggah &amp; terbitkan <span class="en">(upload
&amp; publish)</span></button></p></form>""")


_NOTICES = {"published": "Menu baru diterbitkan: versi <b>{v}</b>. Kiosk mengambilnya pada sinkron "
                         "berikutnya. <span class='en'>(Published; kiosks fetch it on their next "
                         "sync.)</span>",
            "same": "Tidak ada perubahan; menu berlaku tetap versi <b>{v}</b>. <span "
                    "class='en'>(No change.)</span>",
            "restored": "Versi lama dipulihkan sebagai versi terbaru <b>{v}</b>. <span "
                        "class='en'>(Restored as the newest version.)</span>"}


@router.get("/menu", response_class=HTMLResponse)
def menu_page(request: Request, done: str = ""):
    session = admin_session(request)
    if session is None:
        return RedirectResponse("/admin/login", status_code=303)
    current = here(request).repo.current_menu()
    notice = _NOTICES.get(done, "").format(v=escape(current.version if current else "-"))
    return HTMLResponse(_menu_page(request, session, notice=notice))


def _publish_result(done) -> RedirectResponse:
    return RedirectResponse("/admin/menu?done=" + ("published" if done.created else "same"),
                            status_code=303)


@router.post("/menu")
async def publish_form(request: Request):
    """Publish the edited menu; on problems the form comes back as typed (422)."""
    form, session = await admin_form(request)
    fields = form_fields(form)
    data, problems = fields_to_menu(fields)
    raw = menu_bytes(data)
    base = fields.get("base", "")
    try:
        if problems:  # the form's own problems, with parse_menu's on the rest
            try:
                parse_menu(raw, "form")
            except MenuError as more:
                problems += [p for p in more.problems if p not in problems]
            raise MenuError("form", problems=problems)
        done = await run_in_threadpool(
            publish, here(request).repo, raw, actor=session.name, action="edit",
            source="form", base_id=int(base) if base.isdigit() else -1, new_version_only=True)
    except MenuError as exc:
        return HTMLResponse(_menu_page(request, session, fields=fields,
                                       problems=exc.problems), status_code=422)
    except PublishConflict as exc:
        msg = (f"Menu telah diubah orang lain sejak halaman ini dibuka (sekarang versi "
               f"{exc.current}). Salin perubahan Anda, buka halaman lagi, lalu ulangi. "
               f"(The menu changed meanwhile.)")
        return HTMLResponse(_menu_page(request, session, fields=fields, problems=[msg]),
                            status_code=409)
    return _publish_result(done)


@router.post("/menu/upload")
async def upload(request: Request):
    """Publish an uploaded menu JSON file (validated exactly like the API)."""
    form, session = await admin_form(request)
    item = form.get("file")
    raw = await item.read(MAX_MENU_BYTES + 1) if hasattr(item, "read") else b""
    name = getattr(item, "filename", "") or "berkas"
    try:
        if not raw:
            raise MenuError("empty", problems=["no file was chosen, or the file is empty"])
        done = await run_in_threadpool(publish, here(request).repo, raw,
                                       actor=session.name, action="upload", source=name[:80],
                                       note=name[:80], new_version_only=True)
    except MenuError as exc:
        return HTMLResponse(_menu_page(request, session, upload_problems=exc.problems),
                            status_code=422)
    return _publish_result(done)


@router.get("/menu/download")
def download(request: Request, id: int = 0):
    """The menu in force (or version ``id``) as a JSON file, byte for byte as published."""
    if admin_session(request) is None:
        return RedirectResponse("/admin/login", status_code=303)
    repo = here(request).repo
    row = repo.menu_by_id(id) if id else repo.current_menu()
    if row is None:
        return HTMLResponse(page("Tidak ada", "<p>Menu tidak ditemukan. (No such menu.)</p>"),
                            status_code=404)
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in row.version)[:60]
    return Response(row.body.encode("utf-8"), media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="menu-{safe}.json"'})
