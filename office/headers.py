"""Security headers on every answer of the office server (ASGI middleware).

Every response: ``X-Frame-Options: DENY``, ``X-Content-Type-Options: nosniff``,
``Referrer-Policy: same-origin`` (no address leaves for another site; not
``no-referrer``, under which browsers send ``Origin: null`` with our own forms and the CSRF
check refuses them). HTML pages also get a Content-Security-Policy
(:data:`PAGE_CSP`): scripts, styles' files, sounds and server-sent events only from this
server, inline styles allowed (the pages carry one ``<style>``), no plugins, forms post only
here, and ``frame-ancestors 'none'`` so no other site can frame a page (clickjacking). The
API documentation pages (``/docs``, ``/redoc``) load their viewer from its CDN and get
:data:`DOCS_CSP` instead.
"""
from __future__ import annotations

PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; media-src 'self'; connect-src 'self'; font-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
            "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'none'")
ALWAYS = [(b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"),
          (b"referrer-policy", b"same-origin")]


class SecurityHeaders:
    """Adds :data:`ALWAYS` to every response and a CSP to every HTML one."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        docs = scope["path"] in ("/docs", "/redoc", "/docs/oauth2-redirect")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() not in {name for name, _ in ALWAYS}]
                headers += ALWAYS
                kind = dict((k.lower(), v) for k, v in headers).get(b"content-type", b"")
                if kind.startswith(b"text/html"):
                    headers.append((b"content-security-policy",
                                    (DOCS_CSP if docs else PAGE_CSP).encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
