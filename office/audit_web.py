"""The audit page ``/admin/audit``: every menu change, the versions kept, and restoring one.

Each audit row shows who (admin account, or ``token:<name>`` for the API),
when (office time), the versions before and after, and the field-level
changes (:func:`kiosk.menus.diff_menus`). Restoring a kept version publishes
its content again under a new version string, so kiosks and the audit log
can tell it apart from the version it copies.
"""
from __future__ import annotations

import json
from html import escape

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from kiosk.errors import MenuError

from .offices import here
from .admin_web import ACTIONS, admin_form, admin_session, nav, problems_box
from .pages import csrf_field, local_time, page, table
from .publish import publish, suggest_version, with_version

router = APIRouter(prefix="/admin", include_in_schema=False)
#: Changes listed per audit row before "+N more".
SHOW_CHANGES = 25


def _value(value) -> str:
    if value is None:
        return "<i>(kosong)</i>"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return escape(text if len(text) <= 90 else text[:87] + "...")


def _change(c: dict) -> str:
    what, field = escape(str(c.get("what"))), str(c.get("field"))
    if field == "(added)":
        return f"{what}: <b>ditambahkan</b> <span class='en'>(added)</span>"
    if field == "(removed)":
        return f"{what}: <b>dihapus</b> <span class='en'>(removed)</span>"
    if field == "(installed)":
        return f"menu pertama, versi {_value(c.get('after'))}"
    return (f"{what} · {escape(field)}: {_value(c.get('before'))} &rarr; "
            f"<b>{_value(c.get('after'))}</b>")


def _changes(changes: list) -> str:
    items = "".join(f"<li>{_change(c)}</li>" for c in changes[:SHOW_CHANGES])
    more = (f"<li>... +{len(changes) - SHOW_CHANGES} lagi <span class='en'>(more)</span></li>"
            if len(changes) > SHOW_CHANGES else "")
    return f"<ul>{items}{more}</ul>" if items else "-"


def _audit_page(request: Request, session, problems=()) -> str:
    repo, clock = here(request).repo, here(request).clock
    entries = repo.audit_entries(200)
    rows = [[local_time(a.at, clock), escape(a.actor),
             escape(ACTIONS.get(a.action, a.action)) + (f"<br><small>{escape(a.note)}</small>"
                                                        if a.note else ""),
             f"{escape(a.version_before or '-')} &rarr; <b>{escape(a.version_after)}</b>",
             _changes(a.changes)] for a in entries]
    by = {a.menu_id: a.actor for a in entries}
    versions = repo.menu_versions(100)
    current_id = versions[0].id if versions else None
    vrows, classes = [], []
    for m in versions:
        restore = ("<b>berlaku</b> <span class='en'>(in force)</span>" if m.id == current_id else
                   f'<form class="inline" method="post" action="/admin/menu/restore">'
                   f'{csrf_field(session.csrf)}<input type="hidden" name="menu_id" '
                   f'value="{m.id}"><button>Pulihkan <span class="en">(restore)</span>'
                   f"</button></form>")
        vrows.append([str(m.id), escape(m.version), local_time(m.published_at, clock),
                      escape(by.get(m.id, "-")),
                      f'<a href="/admin/menu/download?id={m.id}">Unduh</a>', restore])
        classes.append("cur" if m.id == current_id else "")
    box = problems_box("Tidak dapat dipulihkan:", problems) if problems else ""
    return page("Riwayat & audit", f"""<h1>Riwayat &amp; audit menu <small>(history and audit
log)</small></h1>{nav(session, here(request))}{box}
<h2>Versi tersimpan <small>(kept versions; restoring publishes a copy as the newest)</small></h2>
{table(["#", "Versi", "Diterbitkan <span class='en'>(published)</span>", "Oleh <span class='en'>"
        "(by)</span>", "Berkas", ""], vrows, classes)}
<h2>Log audit <small>(every change, newest first)</small></h2>
{table(["Waktu <span class='en'>(when)</span>", "Admin", "Tindakan <span class='en'>(action)"
        "</span>", "Versi", "Perubahan <span class='en'>(changes: before &rarr; after)</span>"],
       rows)}""")


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request):
    session = admin_session(request)
    if session is None:
        return RedirectResponse("/admin/login", status_code=303)
    return HTMLResponse(_audit_page(request, session))


@router.post("/menu/restore")
async def restore(request: Request):
    """Publish kept version ``menu_id`` again, under the next suggested version string."""
    form, session = await admin_form(request)
    repo = here(request).repo
    menu_id = str(form.get("menu_id", ""))
    old = repo.menu_by_id(int(menu_id)) if menu_id.isdigit() else None
    if old is None:
        return HTMLResponse(_audit_page(request, session, ["no such version"]), status_code=404)
    version = suggest_version(repo, here(request).clock.today())
    try:
        await run_in_threadpool(publish, repo, with_version(old.body, version),
                                actor=session.name, action="restore", source=f"version #{old.id}",
                                note=f"dari versi {old.version} (#{old.id})")
    except MenuError as exc:  # stored under a schema this server no longer reads
        return HTMLResponse(_audit_page(request, session, exc.problems), status_code=422)
    return RedirectResponse("/admin/menu?done=restored", status_code=303)
