"""Build the office server's FastAPI app from its settings.

``create_app(OfficeSettings(db_url="sqlite:///office.db"))`` returns an ASGI
app with the JSON API (:mod:`office.api`), the staff page (:mod:`office.web`),
the admin pages (:mod:`office.admin_web`, :mod:`office.audit_web`,
:mod:`office.counters_admin`), the loket pages (:mod:`office.loket_web`), the
waiting-room display (:mod:`office.display_web`), a 403 page
for forms without their CSRF token, and a request body limit (413 above
``max_body_bytes``, checked both on the ``Content-Length`` header and on the
bytes actually received; an HTML page for the browser pages).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from platformdirs import user_cache_dir

from . import admin_web, api, audit_web, counters_admin, display_web, loket_web, web
from .counter_repo import CounterRepo, backfill
from .counter_stats import CounterStats
from .db import Repo, make_engine
from .events import Broadcaster
from .staff_repo import StaffRepo
from .voice import Voice
from .pages import CsrfRefused, csrf_refused_page, page

#: Largest request body accepted, in bytes (a 500-ticket batch is about 350 kB).
MAX_BODY_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class OfficeSettings:
    """``db_url``: SQLAlchemy URL; ``timezone``: IANA zone of the office day."""

    db_url: str = "sqlite:///office.db"
    timezone: str = "Asia/Pontianak"
    max_body_bytes: int = MAX_BODY_BYTES
    #: shown on the waiting-room display
    office_name: str = "Disdukcapil Kabupaten Barito Timur"
    #: where announcement WAVs are cached ("": the user's cache folder, dukcapil-office/voice)
    voice_dir: str = ""


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


class _TooLarge(Exception):
    pass


class BodyLimit:
    """ASGI middleware: answer 413 to a body over ``max_bytes`` (declared or streamed)."""

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or ()).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.max_bytes:
            return await self._refuse(send, scope)
        seen = 0
        started = False

        async def counting_receive():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise _TooLarge()
            return message

        async def tracking_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
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


def create_app(settings: OfficeSettings | None = None, *, repo: Repo | None = None) -> FastAPI:
    """The office server app. ``repo`` overrides ``settings.db_url`` (tests share one)."""
    settings = settings or OfficeSettings()
    app = FastAPI(title="Dukcapil kiosk office server", version="1",
                  description="Receives kiosk check-ins and publishes the service menu.")
    app.state.settings = settings
    app.state.repo = repo or Repo(make_engine(settings.db_url))
    app.state.clock = OfficeClock(settings.timezone)
    app.state.counters = CounterRepo(app.state.repo)
    app.state.staff = StaffRepo(app.state.repo)
    backfill(app.state.repo.sessions, app.state.clock.today())  # today's, from before loket
    app.state.stats = CounterStats(app.state.repo)
    app.state.events = Broadcaster()
    app.state.voice = Voice(settings.voice_dir or
                            Path(user_cache_dir("dukcapil-office")) / "voice")
    for module in (api, web, admin_web, audit_web, counters_admin, loket_web, display_web):
        app.include_router(module.router)

    @app.exception_handler(CsrfRefused)
    async def _csrf_refused(request: Request, exc: CsrfRefused) -> HTMLResponse:
        return HTMLResponse(csrf_refused_page(), status_code=403)

    @app.exception_handler(admin_web.NotAdmin)
    async def _not_admin(request: Request, exc: admin_web.NotAdmin) -> HTMLResponse:
        return admin_web.forbidden()
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return app
