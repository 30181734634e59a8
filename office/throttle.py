"""The login throttle per client address (ASGI middleware), so nobody can lock an account out
by failing on purpose, and nobody can guess on and on from one address.

Every ``POST .../login`` (the staff page's token login, the admin accounts' login, and any
other login form under that name) is watched: an answer 401 counts a failure for the
client's address, a 303 (logged in) clears it. After :data:`office.admins.FREE_FAILURES`
failures in a row the address is locked (:func:`office.admins.lock_seconds`: 1 minute,
doubling up to 1 hour); while locked, its logins are answered 429 with a page saying until
when, without checking any password. The counts live in the database (table
``login_throttle``), so every server worker sees the same. Behind a reverse proxy, run
uvicorn with ``--proxy-headers --forwarded-allow-ips`` so the address is the browser's.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from fastapi.concurrency import run_in_threadpool

from .admins import lock_seconds
from .pages import page


def _locked_page(until_local: str) -> str:
    return page("Dikunci", f"""<h1>Terlalu banyak percobaan gagal <small>(too many failed
logins, 429)</small></h1><p>Masuk dari alamat ini dikunci sampai <b>{until_local}</b>. Tunggu,
lalu coba lagi dengan token atau kata sandi yang benar. Akun lain dan komputer lain tidak
terkena. <span class="en">(Logins from this address are locked until {until_local}; other
computers are not affected.)</span></p><p><a class="btn" href="/">Kembali</a></p>""")


class LoginThrottle:
    """ASGI middleware over the app; reads ``app.state.repo`` and ``app.state.clock``."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST" or \
                not scope["path"].endswith("/login"):
            return await self.app(scope, receive, send)
        state = scope["app"].state
        address = (scope.get("client") or ("unknown", 0))[0] or "unknown"
        now = datetime.now(timezone.utc)
        until = await run_in_threadpool(state.repo.throttle_locked_until, address)
        if until and datetime.fromisoformat(until) > now:
            return await self._refuse(send, datetime.fromisoformat(until), state.clock)
        status = 0

        async def watching_send(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watching_send)
        if status == 401:
            def lock_until(failures: int) -> str | None:
                seconds = lock_seconds(failures)
                return (now + timedelta(seconds=seconds)).isoformat() if seconds else None
            await run_in_threadpool(state.repo.throttle_failed, address, lock_until)
        elif status == 303:
            await run_in_threadpool(state.repo.throttle_clear, address)

    @staticmethod
    async def _refuse(send, until: datetime, clock):
        body = _locked_page(until.astimezone(clock.tz).strftime("%H:%M:%S")).encode()
        retry = max(1, int((until - datetime.now(timezone.utc)).total_seconds()))
        await send({"type": "http.response.start", "status": 429, "headers": [
            (b"content-type", b"text/html; charset=utf-8"),
            (b"retry-after", str(retry).encode())]})
        await send({"type": "http.response.body", "body": body})
