"""``/admin/offices``: a regency admin sees every office and works in any of them.

The list shows each office's name, address, time zone, kept days, kiosks and check-ins of its
own today, and the latest changes in every office (the audit log of the regency); a regency
admin adds an office, changes one, or opens one ("Buka": the session then
works in that office on every page: menu, counters, staff, audit, staff page, loket). An
office's admin gets 403 here: an office admin sees and changes only their own office.
"""
from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from .admin_web import admin_form, admin_session, forbidden, nav, problems_box
from .auth import hash_token
from .office_repo import OfficeError
from .offices import here
from .pages import COOKIE, csrf_field, local_time, page, table

router = APIRouter(prefix="/admin", include_in_schema=False)


def _fields(csrf: str, o=None) -> str:
    v = (lambda f: escape(str(getattr(o, f) if getattr(o, f) is not None else ""))) if o \
        else (lambda f: "")
    hidden = f'<input type="hidden" name="id" value="{o.id}">' if o else ""
    return (f'<form method="post" action="/admin/offices" class="inline">{csrf_field(csrf)}'
            f'{hidden}<input name="name" value="{v("name")}" size="26" maxlength="120" '
            f'placeholder="Nama kantor" required> <input name="address" value="{v("address")}" '
            f'size="22" maxlength="200" placeholder="Alamat"> <input name="timezone" '
            f'value="{v("timezone") or "Asia/Pontianak"}" size="14" maxlength="64" required> '
            f'<input name="retention_days" value="{v("retention_days")}" size="4" '
            f'placeholder="hari"> <button{"" if o else " class=primary"}>'
            f'{"Simpan" if o else "Tambah"}</button></form>')


def _page(request: Request, session, problems=()) -> str:
    offices = request.app.state.offices
    rows = []
    for scope in offices.all():
        o = scope.office
        counts = scope.repo.checkin_counts(scope.clock.today())
        kiosks = scope.repo.kiosks()
        opened = (f'<form method="post" action="/admin/offices/open" class="inline">'
                  f'{csrf_field(session.csrf)}<input type="hidden" name="id" value="{o.id}">'
                  f'<button>Buka <span class="en">(open)</span></button></form>')
        rows.append([str(o.id), _fields(session.csrf, o),
                     f'{sum(counts["service"].values())} ({scope.clock.today()})',
                     escape(", ".join(k.id for k in kiosks)) or "-",
                     "<b>sedang dibuka</b>" if o.id == session.office_id else opened])
    names = {scope.office.id: scope.office.name for scope in offices.all()}
    audit = [[local_time(e.at, here(request).clock),
              escape(names.get(e.office_id, "kabupaten (regency)")), escape(e.actor),
              escape(e.action), escape(e.note)]
             for e in request.app.state.repo.audit_entries(limit=30)]
    box = problems_box("Tidak disimpan:", problems) if problems else ""
    return page("Semua kantor", f"""<h1>Semua kantor <small>(all offices of the regency)
</small></h1>{nav(session, here(request))}{box}
<p>Nama, alamat, zona waktu IANA (hari kantor dan layar), lama simpan data (hari; kosong =
bawaan server). <span class="en">(Name, address, IANA time zone, days of check-ins kept.)
</span></p>
{table(["#", "Kantor <span class='en'>(office)</span>",
        "Check-in hari ini <span class='en'>(today)</span>", "Kios", ""], rows)}
<h2>Kantor baru <small>(new office)</small></h2>{_fields(session.csrf)}
<h2>Perubahan terakhir di semua kantor <small>(latest changes, every office)</small></h2>
{table(["Waktu", "Kantor", "Oleh", "Apa", "Catatan"], audit)}""")


@router.get("/offices", response_class=HTMLResponse)
def offices_page(request: Request):
    session = admin_session(request)
    if session is None:
        return RedirectResponse("/admin/login", status_code=303)
    if not session.regency:
        return forbidden()
    return HTMLResponse(_page(request, session))


@router.post("/offices")
async def save_office(request: Request):
    """Add an office (no ``id``) or change office ``id``; audited with each field."""
    form, session = await admin_form(request)
    if not session.regency:
        return forbidden()
    raw_id, days = str(form.get("id", "")), str(form.get("retention_days", "")).strip()
    try:
        if days and not days.isdigit():
            raise OfficeError("Lama simpan ditulis sebagai jumlah hari, mis. 90. (Retention is "
                              "a whole number of days.)")
        done = await run_in_threadpool(lambda: request.app.state.repo.save_office(
            str(form.get("name", "")), str(form.get("timezone", "")),
            address=str(form.get("address", "")), retention_days=int(days) if days else None,
            office_id=int(raw_id) if raw_id.isdigit() else None, actor=session.name))
    except OfficeError as exc:
        return HTMLResponse(_page(request, session, [str(exc)]), status_code=422)
    request.app.state.offices.forget(done.id)
    return RedirectResponse("/admin/offices", status_code=303)


@router.post("/offices/open")
async def open_office(request: Request):
    """Work in office ``id`` from now on (this browser session)."""
    form, session = await admin_form(request)
    if not session.regency:
        return forbidden()
    raw_id = str(form.get("id", ""))
    office = request.app.state.repo.office(int(raw_id)) if raw_id.isdigit() else None
    if office is None:
        return HTMLResponse(_page(request, session, ["Kantor tidak ada. (No such office.)"]),
                            status_code=404)
    request.app.state.repo.set_session_office(hash_token(request.cookies[COOKIE]), office.id)
    return RedirectResponse("/admin/menu", status_code=303)
