"""The staff page ``GET /``: today's check-ins, the menu in force, the kiosks.

Server-rendered HTML, Indonesian first (English in small type), no
JavaScript; it reloads itself every 30 s. Protected by a login form: an admin
or staff token, exchanged for a random session id in an HttpOnly,
SameSite=Strict cookie (the database keeps only the id's sha256, 12 h).
"""
from __future__ import annotations

import json
import secrets
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from html import escape

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from .auth import hash_token, lookup
from .db import utc_now_iso

router = APIRouter(include_in_schema=False)

COOKIE = "office_session"
SESSION_HOURS = 12

_CSS = """body{font-family:sans-serif;margin:1.5em;color:#222;max-width:70em}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.5em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;
text-align:left}th{background:#f2f2f2}small,.en{color:#666;font-weight:normal}
.err{color:#a00}form.inline{display:inline}"""


def _page(title: str, body: str, refresh: bool = False) -> str:
    meta = '<meta http-equiv="refresh" content="30">' if refresh else ""
    return (f'<!doctype html><html lang="id"><head><meta charset="utf-8">{meta}'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{_CSS}</style></head>"
            f"<body>{body}</body></html>")


def _login_form(error: str = "") -> str:
    err = f'<p class="err">{escape(error)}</p>' if error else ""
    return _page("Masuk", f"""<h1>Server Kantor Dukcapil <small>Office server</small></h1>
{err}<form method="post" action="/login">
<label>Token admin atau petugas <span class="en">(admin or staff token)</span><br>
<input type="password" name="token" size="50" autocomplete="current-password" required></label>
<button type="submit">Masuk <span class="en">(Log in)</span></button></form>""")


def _session_role(request: Request) -> str | None:
    sid = request.cookies.get(COOKIE)
    if not sid:
        return None
    return request.app.state.repo.web_session_role(hash_token(sid), utc_now_iso())


def _local(iso: str | None, clock) -> str:
    if not iso:
        return "-"
    try:
        return datetime.fromisoformat(iso).astimezone(clock.tz).strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return escape(iso)


def _table(head: list[str], rows: list[list[str]]) -> str:
    if not rows:
        return "<p>Belum ada. <span class='en'>(None yet.)</span></p>"
    th = "".join(f"<th>{h}</th>" for h in head)
    trs = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{th}</tr>{trs}</table>"


def _service_names(menu_row) -> dict[str, str]:
    if menu_row is None:
        return {}
    try:
        data = json.loads(menu_row.body)
        return {s["code"]: s["names"]["id"] for s in data.get("services", [])}
    except (ValueError, KeyError, TypeError):
        return {}


def _dashboard(request: Request) -> str:
    repo, clock = request.app.state.repo, request.app.state.clock
    today = clock.today()
    menu_row = repo.current_menu()
    names = _service_names(menu_row)
    by_service = defaultdict(list)
    for c in repo.checkins_of_day(today):
        by_service[c.service_code].append(c)
    sections = []
    for code in sorted(by_service):
        rows = [[escape(c.number), escape(c.kiosk_id), _local(c.issued_at, clock),
                 _local(c.received_at, clock)] for c in by_service[code]]
        title = escape(names.get(code, code))
        sections.append(f"<h3>{title} <small>({escape(code)}, {len(rows)})</small></h3>"
                        + _table(["Nomor", "Kiosk", "Diambil <span class='en'>(issued)</span>",
                                  "Tersinkron <span class='en'>(synced)</span>"], rows))
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
    total = sum(len(v) for v in by_service.values())
    return _page("Server Kantor Dukcapil", f"""
<h1>Server Kantor Dukcapil <small>Office server</small>
<form class="inline" method="post" action="/logout"><button>Keluar</button></form></h1>
<h2>Check-in hari ini, {escape(today)} <small>(today: {total})</small></h2>{''.join(sections)
    or "<p>Belum ada check-in hari ini. <span class='en'>(No check-ins today.)</span></p>"}
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
    if _session_role(request) is None:
        return HTMLResponse(_login_form())
    return HTMLResponse(_dashboard(request))


@router.post("/login")
def login(request: Request, token: str = Form(..., max_length=256)):
    """Exchange an admin or staff token for a session cookie; 401 with the form on failure."""
    repo = request.app.state.repo
    who = lookup(repo, token.strip())
    if who is None or who.role not in ("admin", "staff"):
        return HTMLResponse(_login_form("Token tidak dikenal. (Unknown token.)"), status_code=401)
    sid = secrets.token_urlsafe(32)
    expires = datetime.now(timezone.utc) + timedelta(hours=SESSION_HOURS)
    repo.add_web_session(hash_token(sid), who.role, expires.isoformat())
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(COOKIE, sid, max_age=SESSION_HOURS * 3600, httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")
    return response


@router.post("/logout")
def logout(request: Request):
    sid = request.cookies.get(COOKIE)
    if sid:
        request.app.state.repo.drop_web_session(hash_token(sid))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE)
    return response
