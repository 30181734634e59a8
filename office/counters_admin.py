"""``/admin/counters``: the admin sets up the counters (loket) and the staff accounts.

A counter has a name (``Loket 2``: the display shows it, the announcement says "loket dua")
and the queues it serves, prefix letters in order (``P, A``: the priority lane first).
A counter can be switched off (it leaves the display and the counter picker; its history
stays). Staff accounts get a password here (at least 10 characters; setting it again lifts
a lockout) or from ``kiosk-office add-staff-account NAME``, and can be switched off.
Admin account sessions only (like the menu page); every POST carries the CSRF token.
"""
from __future__ import annotations

import re
from html import escape

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from .offices import here
from .admin_web import admin_form, admin_session, nav, problems_box
from .admins import hash_password, password_problem
from .counter_repo import CounterError, parse_queues
from .pages import csrf_field, local_time, page, table

router = APIRouter(prefix="/admin", include_in_schema=False)
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def _counter_row(c, csrf: str) -> list[str]:
    checked = " checked" if c.active else ""
    return [f'<form method="post" action="/admin/counters" class="inline">{csrf_field(csrf)}'
            f'<input type="hidden" name="id" value="{c.id}"><input name="name" '
            f'value="{escape(c.name)}" size="16" maxlength="40" required> <input name="queues" '
            f'value="{escape(", ".join(c.queues))}" size="8" required> <label><input '
            f'type="checkbox" name="active" value="1"{checked}> aktif</label> '
            f'<button>Simpan</button></form>']


def _page(request: Request, session, problems=(), notice: str = "") -> str:
    office = here(request)
    counters, clock = office.counters, office.clock
    csrf = session.csrf
    rows = [_counter_row(c, csrf) for c in counters.counters()]
    staff = [[escape(s.name), "aktif" if s.active else "<b>nonaktif</b>",
              local_time(s.last_login_at, clock),
              f'<form method="post" action="/admin/staff/active" class="inline">'
              f'{csrf_field(csrf)}<input type="hidden" name="name" value="{escape(s.name)}">'
              f'<input type="hidden" name="active" value="{0 if s.active else 1}"><button>'
              f'{"Nonaktifkan" if s.active else "Aktifkan"}</button></form>']
             for s in office.staff.staff_accounts()]
    box = problems_box("Tidak disimpan:", problems) if problems else ""
    done = f'<div class="box good" role="status">{notice}</div>' if notice else ""
    return page("Loket dan petugas", f"""<h1>Loket dan petugas <small>(counters and staff)
</small></h1>{nav(session, here(request))}{done}{box}
<h2>Loket <small>(counters: name, queues served in order, on/off)</small></h2>
{table(["Loket"], rows)}
<form method="post" action="/admin/counters">{csrf_field(csrf)}<p><label>Loket baru <span
class="en">(new counter)</span><br><input name="name" placeholder="Loket 3" size="16"
maxlength="40" required></label> <label>Antrian <span class="en">(queues)</span><br><input
name="queues" placeholder="P, A" size="8" required></label> <input type="hidden" name="active"
value="1"> <button class="primary">Tambah <span class="en">(add)</span></button></p></form>
<h2>Akun petugas loket <small>(counter staff accounts)</small></h2>
{table(["Nama", "Status", "Terakhir masuk <span class='en'>(last login)</span>", ""], staff)}
<form method="post" action="/admin/staff">{csrf_field(csrf)}<p><label>Nama <span class="en">
(name)</span><br><input name="name" size="20" maxlength="32" required></label> <label>Kata
sandi <span class="en">(password, 10+ characters)</span><br><input type="password"
name="password" size="24" autocomplete="new-password" required></label> <button
class="primary">Buat / ganti kata sandi <span class="en">(create or set password)</span>
</button></p></form>
<p><a href="/display?office={office.office.id}" target="_blank">Layar ruang tunggu <span class="en">(waiting-room
display)</span></a> · <a href="/loket">Halaman loket <span class="en">(counter page)</span>
</a></p>""")


@router.get("/counters", response_class=HTMLResponse)
def counters_page(request: Request, done: str = ""):
    session = admin_session(request)
    if session is None:
        return RedirectResponse("/admin/login", status_code=303)
    notice = "Tersimpan. <span class='en'>(Saved.)</span>" if done else ""
    return HTMLResponse(_page(request, session, notice=notice))


@router.post("/counters")
async def save_counter(request: Request):
    """Add a counter, or change counter ``id``: name, queues, on/off."""
    form, session = await admin_form(request)
    counter_id = str(form.get("id", ""))
    try:
        queues = parse_queues(str(form.get("queues", "")))
        await run_in_threadpool(
            here(request).counters.save_counter, str(form.get("name", "")), queues,
            active=form.get("active") == "1",
            counter_id=int(counter_id) if counter_id.isdigit() else None)
    except CounterError as exc:
        return HTMLResponse(_page(request, session, [str(exc)]), status_code=422)
    await run_in_threadpool(
        here(request).repo.audit, session.name, "counter-set",
        f"counter {' '.join(str(form.get('name', '')).split())[:60]}: queues "
        f"{','.join(queues)}, {'on' if form.get('active') == '1' else 'off'}")
    return RedirectResponse("/admin/counters?done=1", status_code=303)


@router.post("/staff")
async def save_staff(request: Request):
    """Create a staff account or set its password (argon2; lifts a lockout)."""
    form, session = await admin_form(request)
    name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
    problem = ("the name may use 1-32 letters, digits, '-' or '_'" if not _NAME.match(name)
               else password_problem(password))
    if problem:
        return HTMLResponse(_page(request, session, [problem]), status_code=422)
    hashed = await run_in_threadpool(hash_password, password)
    try:
        here(request).staff.set_staff(name, hashed, actor=session.name)
    except ValueError:
        return HTMLResponse(_page(request, session, [
            f"Nama {name} sudah dipakai di kantor lain; pilih nama lain. (The name is used in "
            f"another office: staff names are unique in the regency.)"]), status_code=422)
    return RedirectResponse("/admin/counters?done=1", status_code=303)


@router.post("/staff/active")
async def staff_active(request: Request):
    """Switch a staff account on or off (off: it cannot log in; its history stays)."""
    form, session = await admin_form(request)
    name, active = str(form.get("name", "")), form.get("active") == "1"
    if here(request).staff.set_staff_active(name, active, actor=session.name) and \
            not active:
        here(request).repo.drop_admin_sessions(name)  # logged out everywhere
    return RedirectResponse("/admin/counters?done=1", status_code=303)
