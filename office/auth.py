"""Bearer tokens: made here, stored only as sha256 digests, checked in one place.

Roles: ``admin`` (publishes menus, sees the staff page), ``staff`` (sets "now
serving", sees the staff page), ``kiosk`` (uploads check-ins, reads the menu;
the credential's name is the kiosk id). A missing or unknown token is 401.
"""
from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from fastapi import HTTPException, Request

from .offices import here, regency_office
from .sessions import hash_token  # noqa: F401  (auth.hash_token for its callers)

#: Header a kiosk may send to report the menu version it runs.
MENU_VERSION_HEADER = "X-Kiosk-Menu-Version"


def new_token() -> str:
    """A fresh random token (43 url-safe characters, 256 bits)."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Principal:
    """Who is calling: ``role`` in admin | staff | kiosk; ``name`` is the kiosk id for kiosks;
    ``office_id`` the office the token is bound to (None: a regency admin)."""

    role: str
    name: str
    office_id: int | None = None


def lookup(repo, token: str) -> Principal | None:
    """The principal holding ``token``, or None.

    The lookup is by digest (an index hit reveals nothing about the token);
    the digest is then compared again in constant time.
    """
    if not token or len(token) > 256:
        return None
    digest = hash_token(token)
    found = repo.credential(digest)
    if found is None or not hmac.compare_digest(found[2], digest):
        return None
    return Principal(found[0], found[1], found[3])


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status_code=401, detail=detail,
                         headers={"WWW-Authenticate": 'Bearer realm="kiosk-office"'})


def require(*roles: str):
    """FastAPI dependency: the caller's :class:`Principal` if its bearer token has one of ``roles``.

    Raises HTTPException 401 (missing, malformed, unknown token, or a role not
    allowed here). The request then works in the token's office
    (:func:`office.offices.here`; a regency admin's token names one in ``X-Office``). A
    kiosk's last-seen time and menu version (``X-Kiosk-Menu-Version``) are recorded on every
    authenticated call.
    """
    def dependency(request: Request) -> Principal:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized("Bearer token required")
        repo = request.app.state.repo
        who = lookup(repo, token.strip())
        if who is None or who.role not in roles:
            raise _unauthorized("Token not valid for this request")
        request.state.authenticated = True
        request.state.office_id = who.office_id if who.office_id is not None else \
            regency_office(request)
        if who.role == "kiosk":
            here(request).repo.touch_kiosk(who.name, request.headers.get(MENU_VERSION_HEADER))
        return who

    dependency.__name__ = "require_" + "_or_".join(roles)
    return dependency
