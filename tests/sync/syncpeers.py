"""Peers for the sync tests: an in-memory outbox, a reply-delaying wrapper for the real
office app, and a raw http.server on 127.0.0.1 that misbehaves on cue."""
import asyncio
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from kiosk import ASSETS_DIR
from kiosk.models import Ticket

MENU_BYTES = (ASSETS_DIR / "menu.json").read_bytes()


class FakeOutbox:
    """The store's three sync verbs over a dict (for 10,000-ticket runs; the real Store
    rewrites a growing day file per issued ticket, too slow to seed 10,000 in a test)."""

    def __init__(self, tickets=()):
        self.lock = threading.Lock()
        self.tickets = {t.id: t for t in tickets}
        self.pending_calls = 0

    def pending_sync(self, limit):
        with self.lock:
            self.pending_calls += 1
            return [t for t in self.tickets.values() if t.synced_at is None][:limit]

    def pending_count(self):
        with self.lock:
            return sum(1 for t in self.tickets.values() if t.synced_at is None)

    def mark_synced(self, ids, synced_at):
        with self.lock:
            for i in ids:
                self.tickets[i] = self.tickets[i].evolve(synced_at=synced_at)
            return len(ids)


def make_tickets(n, kiosk_id="K1"):
    return [Ticket(id=uuid.uuid4().hex, kiosk_id=kiosk_id, office_day="2026-11-29",
                   service_code="ktp-baru", queue="A", sequence=i, number=f"A{i:03d}",
                   issued_at="2026-11-29T08:00:00+07:00", language="id")
            for i in range(1, n + 1)]


class SlowReplies:
    """ASGI wrapper: the first ``times`` check-in uploads are fully processed (stored) by the
    real app, then their reply is held back ``delay_s`` seconds."""

    def __init__(self, app, delay_s=0.0, times=0):
        self.app, self.delay_s, self.times = app, delay_s, times
        self.state = app.state

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] != "/api/v1/checkins" or self.times <= 0:
            return await self.app(scope, receive, send)
        self.times -= 1
        held = []

        async def hold(message):
            held.append(message)
        await self.app(scope, receive, hold)
        await asyncio.sleep(self.delay_s)
        for message in held:
            await send(message)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client abandoned on purpose (hang tests) resets its connection


class RawServer:
    """A raw HTTP peer on 127.0.0.1 answering from ``script``: a list of
    ``(status, headers, body)`` or ``"hang"``; the last entry repeats."""

    def __init__(self):
        self.script, self.requests = [(200, {}, b"{}")], []
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                outer.requests.append((self.command, self.path, dict(self.headers),
                                       self.rfile.read(length)))
                step = outer.script[min(len(outer.requests) - 1, len(outer.script) - 1)]
                if step == "hang":
                    outer.release.wait(10)
                    return
                status, headers, body = step
                self.send_response(status)
                for k, v in {"Content-Length": str(len(body)), **headers}.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = _answer

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    def close(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def json_reply(data, status=200, **headers):
    return (status, {"Content-Type": "application/json", **headers}, json.dumps(data).encode())
