"""What every office web page shares: the HTML shell, the session cookie and the CSRF check.

A login (staff token or admin password) creates a random session id, sent in
an HttpOnly, SameSite=Strict cookie (Secure over https); the database keeps
only its sha256, with the role, the name, how the person logged in and the
session's CSRF token. Every POST form carries that token in a hidden ``csrf``
field (login forms, before any session, a random one that must equal the
``office_login`` cookie); :func:`read_form` refuses a POST without the right
token, or sent from another site, with :class:`CsrfRefused` (403), and a field holding a
NUL character with :class:`office.bodies.FormRefused` (400).
"""
from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta, timezone
from html import escape
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from .admins import check_login
from .sessions import COOKIE, current_session, hash_token  # noqa: F401  (re-exported)
from .bodies import refuse_nul_in_form

LOGIN_COOKIE = "office_login"
SESSION_HOURS = 12
#: Most form fields read from one POST (the menu editor has about 30 per service).
MAX_FORM_FIELDS = 4000

CSS = """body{font-family:"Noto Sans",Arial,sans-serif;font-size:18px;margin:1.2em auto;
color:#1d1d1d;max-width:72em;padding:0 1em;line-height:1.4}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.3em;margin-top:1.6em;border-bottom:2px solid #ccd}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.35em .6em;
text-align:left;vertical-align:top}th{background:#eef0f4}small,.en{color:#5a5a5a;
font-weight:normal;font-size:.8em}.err{color:#a00000}form.inline{display:inline}
input,select,textarea,button{font:inherit;padding:.35em .5em;border:1px solid #888;
border-radius:6px;box-sizing:border-box}button,.btn{padding:.55em 1.1em;line-height:1.3;
cursor:pointer;background:#f4f4f4;color:#1d1d1d;text-decoration:none;display:inline-block;
border:1px solid #888;border-radius:6px;vertical-align:middle}button.primary{background:#0b5cad;
color:#fff;border-color:#0b5cad;font-weight:bold}.primary .en{color:#e4ecf7}input[type=checkbox]{width:1.4em;height:1.4em;
vertical-align:middle}nav{margin:.6em 0 1em}nav a{margin-right:1.2em}
.box{border:2px solid;border-radius:8px;padding:.6em 1em;margin:1em 0}
.box.bad{border-color:#a00000;background:#fff2f2}.box.good{border-color:#207a35;
background:#effaf1}tr.old td{background:#fff4d6}tr.cur td{background:#effaf1}"""


class CsrfRefused(Exception):
    """A POST without the right CSRF token, or from another site (answered with 403)."""


def page(title: str, body: str, refresh: bool = False) -> str:
    """A whole HTML page (``lang="id"``); ``title`` is escaped here, ``body`` must be."""
    meta = '<meta http-equiv="refresh" content="30">' if refresh else ""
    return (f'<!doctype html><html lang="id"><head><meta charset="utf-8">{meta}'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{CSS}</style></head>"
            f"<body>{body}</body></html>")


def table(head: list[str], rows: list[list[str]], row_classes: list[str] | None = None) -> str:
    """An HTML table; cells are HTML already (escape them first)."""
    if not rows:
        return "<p>Belum ada. <span class='en'>(None yet.)</span></p>"
    th = "".join(f"<th>{h}</th>" for h in head)
    classes = row_classes or [""] * len(rows)
    trs = "".join(f'<tr class="{c}">' + "".join(f"<td>{v}</td>" for v in row) + "</tr>"
                  for row, c in zip(rows, classes))
    return f"<table><tr>{th}</tr>{trs}</table>"


def local_time(iso: str | None, clock) -> str:
    """UTC ISO text as office-local ``YYYY-MM-DD HH:MM:SS`` (escaped), ``-`` when empty."""
    if not iso:
        return "-"
    try:
        return datetime.fromisoformat(iso).astimezone(clock.tz).strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return escape(iso)


def csrf_field(token: str) -> str:
    return f'<input type="hidden" name="csrf" value="{escape(token)}">'


# -- sessions ----------------------------------------------------------------
def start_session(request: Request, response: Response, role: str, name: str, via: str,
                  credential: str = ""):
    """Create a session (a fresh id: any old one of this browser is dropped) and set the cookie.

    ``credential`` binds the session (:meth:`office.db.Repo.web_session`): the token digest
    of a token login; for an account (password) login it is worked out here. The session
    works in the token's or account's office (a regency admin's: the first office).
    """
    repo = request.app.state.repo
    old = request.cookies.get(COOKIE)
    if old:
        repo.drop_web_session(hash_token(old))
    if not credential and via == "password":
        credential = repo.account_fingerprint(role, name)
    office_id, _regency = repo.holder_office(role, name, credential if via == "token" else "")
    sid = secrets.token_urlsafe(32)
    expires = datetime.now(timezone.utc) + timedelta(hours=SESSION_HOURS)
    repo.add_web_session(hash_token(sid), role, expires.isoformat(), name=name, via=via,
                         csrf=secrets.token_urlsafe(32), credential=credential,
                         office_id=office_id or repo.default_office().id)
    response.set_cookie(COOKIE, sid, max_age=SESSION_HOURS * 3600, httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")
    response.delete_cookie(LOGIN_COOKIE)


def end_session(request: Request, response: Response):
    sid = request.cookies.get(COOKIE)
    if sid:
        request.app.state.repo.drop_web_session(hash_token(sid))
    response.delete_cookie(COOKIE)


def login_form_response(request: Request, render, status_code: int = 200) -> HTMLResponse:
    """``render(csrf_token) -> html`` of a login form, with the pre-session CSRF cookie set."""
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
    response = HTMLResponse(render(token), status_code=status_code)
    response.set_cookie(LOGIN_COOKIE, token, max_age=3600, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return response


# -- the CSRF check ----------------------------------------------------------
def _same_origin(request: Request) -> bool:
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", request.url.netloc)


async def read_form(request: Request, *, login: bool = False):
    """The POSTed form, once its ``csrf`` field matched; raises :class:`CsrfRefused`
    (or :class:`office.bodies.FormRefused` for a NUL character in a field).

    ``login``: the form of a login page (compared with the ``office_login``
    cookie); otherwise the token of the browser's session.
    """
    if not _same_origin(request):
        raise CsrfRefused()
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    refuse_nul_in_form(form)
    sent = form.get("csrf")
    if login:
        expected = request.cookies.get(LOGIN_COOKIE)
    else:
        session = current_session(request)
        expected = session.csrf if session else None
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected):
        raise CsrfRefused()
    return form


def csrf_refused_page() -> str:
    return page("Ditolak", """<h1>Permintaan ditolak <small>(request refused, 403)</small></h1>
<p>Formulir ini kedaluwarsa atau tidak dikirim dari halaman server kantor. Buka halaman lagi,
lalu coba sekali lagi. <span class="en">(The form expired or did not come from this server's
page. Open the page again and retry.)</span></p><p><a class="btn" href="/">Kembali</a></p>""")


async def password_login(request: Request, accounts, role: str, home: str, render) -> Response:
    """The POST of a name + password login form (fields ``csrf``, ``name``, ``password``).

    ``accounts``: what :func:`office.admins.check_login` reads (admin or staff accounts);
    on success a ``role`` session (via ``password``) and a redirect to ``home``; else
    ``render(csrf, error) -> html`` again with 401 (wrong) or 429 (locked, until when).
    """
    form = await read_form(request, login=True)
    name, password = str(form.get("name", ""))[:32].strip(), str(form.get("password", ""))
    result = await run_in_threadpool(check_login, accounts, name, password)
    if result.ok:
        response = RedirectResponse(home, status_code=303)
        start_session(request, response, role, name, via="password")
        return response
    if result.locked_until:
        until = result.locked_until.astimezone(request.app.state.clock.tz).strftime("%H:%M:%S")
        msg, status = (f"Terlalu banyak percobaan gagal; akun dikunci sampai {until}. (Too many "
                       f"failed attempts; locked until {until}.)"), 429
    else:
        msg, status = "Nama atau kata sandi salah. (Wrong name or password.)", 401
    return login_form_response(request, lambda csrf: render(csrf, msg), status_code=status)


def form_refused_page(field: str) -> str:
    return page("Ditolak", f"""<h1>Isian ditolak <small>(form refused, 400)</small></h1>
<p>Isian <b>{escape(field)}</b> memuat karakter NUL yang tidak bisa disimpan; tidak ada yang
diubah. Ketik ulang isian itu tanpa menempel teks dari berkas biner. <span class="en">(The
field contains a NUL character; nothing was changed. Type it again.)</span></p>
<p><a class="btn" href="/">Kembali</a></p>""")
