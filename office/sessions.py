"""Token digests and the browser session cookie: what both the request's office
(:mod:`office.offices`) and the pages (:mod:`office.pages`) need, below both of them.

* :func:`hash_token`: sha256 hex digest; the database keeps digests, never tokens.
* :data:`COOKIE`: the session cookie's name; :func:`current_session` reads it.
"""
from __future__ import annotations

import hashlib

from .db import SessionInfo, utc_now_iso

COOKIE = "office_session"


def hash_token(token: str) -> str:
    """sha256 hex digest of ``token``: what the database keeps instead of the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def current_session(request) -> SessionInfo | None:
    """The browser's live session (``request``: a Starlette request), or None."""
    sid = request.cookies.get(COOKIE)
    if not sid or len(sid) > 128:
        return None
    return request.app.state.repo.web_session(hash_token(sid), utc_now_iso())
