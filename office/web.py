"""The staff page ``GET /``: today's check-ins, the menu in force, the kiosks.

Check-ins are counted per service and listed a page of :data:`PAGE_ROWS` at a time, newest
first, filtered by queue and/or kiosk (``/?queue=A&kiosk=K1&page=2``), so the page stays
small on a busy day (10,000 check-ins: under 100 KB).

Server-rendered HTML, Indonesian first (English in small type), no
JavaScript; it reloads itself every 30 s. Protected by a login form: an admin
or staff token, exchanged for a random session id in an HttpOnly,
SameSite=Strict cookie (the database keeps only the id's sha256, 12 h); every
POST form carries the session's CSRF token (:mod:`office.pages`). The menu
editor for admin accounts is :mod:`office.admin_web`.
"""
from __future__ import annotations

import json
import re
from html import escape
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from . import numbers
from .offices import here
from .auth import hash_token, lookup
from .pages import (csrf_field, current_session, end_session, local_time as _local,
                    login_form_response, page as _page, read_form, start_session,
                    table as _table)

router = APIRouter(include_in_schema=False)


def _login_form(csrf: str, error: str = "") -> str:
    err = f'<p class="err">{escape(error)}</p>' if error else ""
    return _page("Masuk", f"""<h1>Server Kantor Dukcapil <small>Office server</small></h1>
{err}<form method="post" action="/login">{csrf_field(csrf)}
<p><label>Token admin atau petugas <span class="en">(admin or staff token)</span><br>
<input type="password" name="token" size="50" autocomplete="current-password" required></label></p>
<button type="submit" class="primary">Masuk <span class="en">(Log in)</span></button></form>
<p>Admin menu layanan: <a href="/admin/login">masuk dengan nama dan kata sandi</a>
<span class="en">(menu admins: log in with name and password)</span></p>""")


def _service_names(menu_row) -> dict[str, str]:
    if menu_row is None:
        return {}
    try:
        data = json.loads(menu_row.body)
        return {s["code"]: s["names"]["id"] for s in data.get("services", [])}
    except (ValueError, KeyError, TypeError):
        return {}


def _kiosk_list(kiosks) -> str:
    names = [escape(k) for k in kiosks]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " dan " + names[-1]


def clash_box(clashes, limit: int = 20) -> str:
    """The warning over the staff page when kiosks gave the same number (empty if none)."""
    if not clashes:
        return ""
    items = "".join(f"<li>Nomor ganda: {_kiosk_list(c.kiosks)} sama-sama memberi "
                    f"<b>{escape(c.number)}</b> — periksa number_tag di kiosk.ini.</li>"
                    for c in clashes[:limit])
    more = (f"<li>… dan {len(clashes) - limit} nomor ganda lainnya.</li>"
            if len(clashes) > limit else "")
    return (f'<div class="box bad" role="alert"><b>PERHATIAN: {len(clashes)} nomor antrian '
            f'diberikan dua kali hari ini</b> — dua warga memegang nomor yang sama; panggil '
            f'dengan nama atau kiosk. Beri setiap kiosk number_tag sendiri di kiosk.ini lalu '
            f'jalankan ulang kiosknya. <span class="en">(Duplicate ticket numbers today: two '
            f'kiosks share a [kiosk] number_tag. Every ticket is kept.)</span>'
            f'<ul>{items}{more}</ul></div>')


def repeat_box(found) -> str:
    """The warning over the staff page when a kiosk gave one number twice (empty if none)."""
    text = numbers.repeat_warning(found)
    return f'<div class="box bad" role="alert"><b>PERHATIAN:</b> {escape(text)}</div>' \
        if text else ""


#: Check-in rows per page of the staff page (10,000 a day stay well under 100 KB a page).
PAGE_ROWS = 100
_QUEUE = re.compile(r"^[A-Z]$")
_KIOSK = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def _filters(request: Request) -> tuple[str, str, int]:
    """``(queue, kiosk, page)`` from the query; values of the wrong shape are ignored."""
    q = request.query_params
    queue, kiosk, page = q.get("queue", ""), q.get("kiosk", ""), q.get("page", "1")
    return (queue if _QUEUE.match(queue) else "", kiosk if _KIOSK.match(kiosk) else "",
            min(int(page), 10_000) if page.isdigit() and int(page) >= 1 else 1)


def _url(queue: str, kiosk: str, page: int = 1) -> str:
    query = urlencode({k: v for k, v in (("queue", queue), ("kiosk", kiosk),
                                         ("page", page if page > 1 else "")) if v})
    return "/" + ("?" + query if query else "")


def _select(name: str, label: str, chosen: str, options) -> str:
    opts = "".join(f'<option value="{escape(o)}"{" selected" if o == chosen else ""}>'
                   f'{escape(o)} ({n})</option>' for o, n in options)
    return (f'<label>{label} <select name="{name}"><option value="">semua (all)</option>'
            f'{opts}</select></label> ')


def _checkins_section(request: Request, today: str, names: dict, clashes, again=()) -> str:
    """Counts per service, the filter form, and one page of the day's check-ins."""
    repo, clock = here(request).repo, here(request).clock
    queue, kiosk, page = _filters(request)
    counts = repo.checkin_counts(today)
    rows, total = repo.checkins_page(today, queue=queue or None, kiosk_id=kiosk or None,
                                     offset=(page - 1) * PAGE_ROWS, limit=PAGE_ROWS)
    doubled = {c.number for c in clashes} | {r.number for r in again}
    summary = _table(["Layanan <span class='en'>(service)</span>", "Jumlah"],
                     [[escape(names.get(code, code)) + f" <small>({escape(code)})</small>",
                       str(n)] for code, n in sorted(counts["service"].items())])
    form = (f'<form method="get" action="/">'
            f'{_select("queue", "Antrian", queue, sorted(counts["queue"].items()))}'
            f'{_select("kiosk", "Kiosk", kiosk, sorted(counts["kiosk"].items()))}'
            f'<button>Tampilkan <span class="en">(show)</span></button></form>')
    table = _table(["Nomor", "Layanan", "Kiosk", "Diambil <span class='en'>(issued)</span>",
                    "Tersinkron <span class='en'>(synced)</span>"],
                   [[escape(c.number) + (" <b class='err'>GANDA</b>" if c.number in doubled
                                         else ""), escape(c.service_code), escape(c.kiosk_id),
                     _local(c.issued_at, clock), _local(c.received_at, clock)] for c in rows],
                   ["old" if c.number in doubled else "" for c in rows])
    pages = max(1, -(-total // PAGE_ROWS))
    pager = " ".join(
        [f'<a class="btn" href="{escape(_url(queue, kiosk, page - 1))}">&larr; Sebelumnya</a>']
        * (page > 1) + [f"Halaman {min(page, pages)} dari {pages} <small>({total} check-in)"
                        f"</small>"] +
        [f'<a class="btn" href="{escape(_url(queue, kiosk, page + 1))}">Berikutnya &rarr;</a>']
        * (page < pages))
    return (f"<h2>Check-in hari ini, {escape(today)} <small>(today: "
            f"{sum(counts['service'].values())})</small></h2>{summary}"
            f"<h3>Daftar <small>(list, newest first)</small></h3>{form}{table}<p>{pager}</p>")


def _dashboard(request: Request, session) -> str:
    office = here(request)
    repo, clock = office.repo, office.clock
    today = clock.today()
    menu_row = repo.current_menu()
    names = _service_names(menu_row)
    clashes = repo.clashes(today)
    again = numbers.repeats(repo, today)
    serving = [[escape(q), str(n)] for q, n in sorted(repo.now_serving(today).items())]
    kiosks = [[escape(k.id), _local(k.last_seen_at, clock), escape(k.menu_version or "-")]
              for k in repo.kiosks()]
    if menu_row is None:
        menu_html = "<p>Belum ada menu. <span class='en'>(No menu published yet.)</span></p>"
    else:
        menu_html = (f"<p>Versi <b>{escape(menu_row.version)}</b>, diterbitkan "
                     f"{_local(menu_row.published_at, clock)}</p>"
                     + _table(["Kode", "Layanan"], [[escape(c), escape(n)]
                                                    for c, n in names.items()]))
    return _page("Server Kantor Dukcapil", f"""
<h1>{escape(office.office.name)} <small>Server Kantor Dukcapil (office server)</small>
<form class="inline" method="post" action="/logout">{csrf_field(session.csrf)}
<button>Keluar</button></form></h1>
<nav><a href="/admin/menu">Kelola menu layanan <span class="en">(edit service menu, admin
account)</span></a><a href="/loket">Loket <span class="en">(counter page)</span></a><a
href="/display?office={office.office.id}">Layar ruang tunggu <span class="en">(waiting-room display)</span></a></nav>
{clash_box(clashes)}{repeat_box(again)}{_checkins_section(request, today, names, clashes, again)}
<h2>Sedang dilayani <small>(now serving)</small></h2>{_table(["Antrian", "Nomor urut"], serving)}
<h2>Menu berlaku <small>(menu in force)</small></h2>{menu_html}
<h2>Kiosk <small>(kiosks)</small></h2>{_table(
        ["Kiosk", "Terakhir terlihat <span class='en'>(last seen)</span>",
         "Versi menu <span class='en'>(menu version)</span>"], kiosks)}
<p><small>Diperbarui {escape(clock.now().strftime('%H:%M:%S'))}; halaman ini memuat ulang
setiap 30 detik.</small></p>""", refresh=True)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    """The dashboard for a logged-in admin or staff member, else the login form."""
    session = current_session(request)
    if session is None:
        return login_form_response(request, _login_form)
    return HTMLResponse(_dashboard(request, session))


@router.post("/login")
async def login(request: Request):
    """Exchange an admin or staff token for a session cookie; 401 with the form on failure."""
    form = await read_form(request, login=True)
    token = str(form.get("token", ""))[:256]
    who = lookup(request.app.state.repo, token.strip())
    if who is None or who.role not in ("admin", "staff"):
        return login_form_response(
            request, lambda csrf: _login_form(csrf, "Token tidak dikenal. (Unknown token.)"),
            status_code=401)
    response = RedirectResponse("/", status_code=303)
    start_session(request, response, who.role, who.name, via="token",
                  credential=hash_token(token.strip()))
    return response


@router.post("/logout")
async def logout(request: Request):
    """End the session (any login kind) and go back to the login form."""
    if current_session(request) is not None:
        await read_form(request)
    response = RedirectResponse("/", status_code=303)
    end_session(request, response)
    return response
