"""Build the office server's FastAPI app from its settings.

``create_app(OfficeSettings(db_url="sqlite:///office.db"))`` returns an ASGI
app with the JSON API (:mod:`office.api`), the staff page (:mod:`office.web`),
the admin pages (:mod:`office.admin_web`, :mod:`office.audit_web`,
:mod:`office.counters_admin`), the loket pages (:mod:`office.loket_web`), the
waiting-room display (:mod:`office.display_web`), a 403 page for forms without
their CSRF token, a 400 page for form fields holding a NUL, 422 answers that never
fail on values JSON cannot hold (:mod:`office.bodies`), and a request body limit
(413 above ``max_body_bytes``, checked both on the ``Content-Length`` header and on
the bytes actually received, chunked or not; an HTML page for the browser pages),
the login throttle per client address (:mod:`office.throttle`) and security headers
on every answer (:mod:`office.headers`).
"""
from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy.exc import OperationalError
from platformdirs import user_cache_dir

from . import (admin_web, api, audit_web, counters_admin, display_web, loket_web, offices_web,
               web)
from .bodies import FormRefused, validation_error
from .db import Repo, make_engine
from .headers import SecurityHeaders
from .offices import Offices
from .retention import OfficesRetention
from .pages import CsrfRefused, csrf_refused_page, form_refused_page, page
from .staff_repo import StaffRepo
from .throttle import LoginThrottle
from .voice import Voice

#: Largest request body accepted, in bytes (a 500-ticket batch is about 350 kB).
MAX_BODY_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class OfficeSettings:
    """``db_url``: SQLAlchemy URL; ``timezone``: IANA zone of the office day;
    ``retention_days``: see :mod:`office.retention`."""

    db_url: str = "sqlite:///office.db"
    timezone: str = "Asia/Pontianak"
    max_body_bytes: int = MAX_BODY_BYTES
    #: shown on the waiting-room display
    office_name: str = "Disdukcapil Kabupaten Barito Timur"
    #: where announcement WAVs are cached ("": the user's cache folder, dukcapil-office/voice)
    voice_dir: str = ""
    #: office days of check-ins kept, older ones deleted daily; 0 keeps all (the default
    #: here; ``kiosk-office serve`` passes ``--retention-days``, default 90)
    retention_days: int = 0
    #: seconds a SQLite write waits for another one's lock before the request gets 503
    busy_timeout_s: float = 10.0


class OfficeClock:
    """Now and today in the office time zone."""

    def __init__(self, tz: str):
        self.tz = ZoneInfo(tz)

    def now(self) -> datetime:
        return datetime.now(self.tz)

    def now_iso(self) -> str:
        """ISO 8601 with offset, millisecond precision (``2026-11-29T08:01:02.345+07:00``)."""
        return self.now().isoformat(timespec="milliseconds")

    def today(self) -> str:
        return self.now().date().isoformat()


class _TooLarge(HTTPException):
    """Raised into the app when the streamed body passes the limit; FastAPI lets an
    HTTPException through its body parsing (any other error there becomes a 400)."""

    def __init__(self):
        super().__init__(413, "Request body too large")


class BodyLimit:
    """ASGI middleware: answer 413 to a body over ``max_bytes`` (declared or streamed,
    e.g. chunked). Whatever the app answers after the limit was passed is replaced."""

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or ()).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.max_bytes:
            return await self._refuse(send, scope)
        seen = 0
        started = over = False

        async def counting_receive():
            nonlocal seen, over
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                over = True
                raise _TooLarge()
            return message

        async def tracking_send(message):
            nonlocal started
            if over and not started:
                return  # the app's own answer to the cut body: ours goes instead
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            pass
        if over and not started:
            await self._refuse(send, scope)

    async def _refuse(self, send, scope):
        limit_mb = self.max_bytes / (1024 * 1024)
        if scope.get("path", "").startswith("/api/"):
            kind = b"application/json"
            body = json.dumps({"detail": f"Request body too large (limit {self.max_bytes} "
                                         f"bytes)."})
        else:
            kind = b"text/html; charset=utf-8"
            body = page("Terlalu besar", f"""<h1>Berkas terlalu besar <small>(too large, 413)
</small></h1><p>Kiriman lebih dari {limit_mb:.0f} MB ditolak; tidak ada yang diubah. Menu yang
benar hanya beberapa kB: apakah ini berkas yang tepat? <span class="en">(Over {limit_mb:.0f}
MB is refused; nothing was changed.)</span></p><p><a class="btn" href="/admin/menu">Kembali
<span class="en">(back)</span></a></p>""")
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", kind), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body.encode()})


#: Seconds a client is told to wait (``Retry-After``) when the database is busy.
BUSY_RETRY_AFTER_S = 2


async def database_busy(request: Request, exc: OperationalError):
    """503 with ``Retry-After`` when SQLite stayed locked past its busy timeout (or
    PostgreSQL could not serialize); the request's transaction was rolled back, nothing of it
    is stored. Any other database error is raised on (a 500, logged)."""
    text = str(exc.orig or exc).lower()
    if "locked" not in text and "busy" not in text and "could not serialize" not in text:
        raise exc
    detail = "Database busy; nothing was stored. Retry after the given seconds."
    headers = {"Retry-After": str(BUSY_RETRY_AFTER_S)}
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": detail}, status_code=503, headers=headers)
    return HTMLResponse(page("Sibuk", f"""<h1>Server sedang sibuk <small>(busy, 503)</small>
</h1><p>Tidak ada yang disimpan; coba lagi sebentar lagi. <span class="en">({detail})</span>
</p>"""), status_code=503, headers=headers)


@asynccontextmanager
async def _lifespan(app: FastAPI):
    """While the server runs: the daily retention job (:mod:`office.retention`)."""
    task = asyncio.create_task(app.state.retention.loop())
    try:
        yield
    finally:
        task.cancel()


def create_app(settings: OfficeSettings | None = None, *, repo: Repo | None = None) -> FastAPI:
    """The office server app. ``repo`` overrides ``settings.db_url`` (tests share one)."""
    settings = settings or OfficeSettings()
    app = FastAPI(title="Dukcapil kiosk office server", version="1", lifespan=_lifespan,
                  description="Receives kiosk check-ins and publishes the service menu.")
    app.state.settings = settings
    app.state.repo = repo or Repo(make_engine(
        settings.db_url, busy_timeout_s=settings.busy_timeout_s,
        default_office={"name": settings.office_name, "timezone": settings.timezone}))
    app.state.staff = StaffRepo(app.state.repo)  # staff logins: names are regency-wide
    app.state.voice = Voice(settings.voice_dir or
                            Path(user_cache_dir("dukcapil-office")) / "voice")
    app.state.offices = Offices(app.state.repo, settings, app.state.voice, OfficeClock)
    app.state.offices.backfill()  # today's check-ins from before the loket pages
    app.state.clock = app.state.offices.scope().clock  # the first office's (login locks)
    app.state.retention = OfficesRetention(app.state.offices)
    for module in (api, web, admin_web, audit_web, counters_admin, loket_web, display_web,
                   offices_web):
        app.include_router(module.router)

    @app.exception_handler(CsrfRefused)
    async def _csrf_refused(request: Request, exc: CsrfRefused) -> HTMLResponse:
        return HTMLResponse(csrf_refused_page(), status_code=403)

    @app.exception_handler(FormRefused)
    async def _form_refused(request: Request, exc: FormRefused) -> HTMLResponse:
        return HTMLResponse(form_refused_page(exc.field), status_code=400)

    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(OperationalError, database_busy)

    @app.exception_handler(admin_web.NotAdmin)
    async def _not_admin(request: Request, exc: admin_web.NotAdmin) -> HTMLResponse:
        return admin_web.forbidden()
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(LoginThrottle)
    app.add_middleware(SecurityHeaders)
    return app
