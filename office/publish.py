"""Publishing a menu: validate, diff against the menu in force, store with an audit entry.

Used by the JSON API (``PUT /api/v1/menu``) and the admin pages. Nothing is
stored unless :func:`kiosk.menu.parse_menu` accepts the bytes; the new
version and its audit entry (who, when, field-level changes from
:func:`kiosk.menus.diff_menus`) are written in one transaction.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass

from kiosk.errors import MenuError
from kiosk.menu import Menu, parse_menu
from kiosk.menus import diff_menus

from .db import MenuVersion, PublishConflict, Repo

log = logging.getLogger(__name__)


def menu_etag(body: bytes) -> str:
    """Strong ETag of a menu body: ``"<32 hex of sha256>"``."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


@dataclass(frozen=True)
class Published:
    """``row``: the menu in force afterwards; ``created``: False when the body was the same."""

    row: MenuVersion
    menu: Menu
    created: bool


class VersionReused(MenuError):
    """A changed menu names a version published before (nothing stored)."""


def suggest_version(repo: Repo, today: str) -> str:
    """The next date-based version, ``<today>.<n>`` with ``n`` one past any used today."""
    used = [m.version for m in repo.menu_versions(limit=500)]
    pattern = re.compile(re.escape(today) + r"\.(\d+)$")
    numbers = [int(m.group(1)) for v in used if (m := pattern.match(v))]
    return f"{today}.{max(numbers, default=0) + 1}"


def _describe(new: Menu):
    def describe(old_body: str | None) -> list[dict]:
        old = None
        if old_body is not None:
            try:
                old = parse_menu(old_body, "menu in force")
            except MenuError:  # stored under an older schema: record the whole new menu
                old = None
        return diff_menus(old, new)
    return describe


def _same_menu(body: str, menu: Menu) -> bool:
    try:
        return parse_menu(body, "menu in force") == menu
    except MenuError:
        return False


def publish(repo: Repo, raw: bytes, *, actor: str, action: str, source: str = "menu",
            note: str = "", base_id: int | None = None, new_version_only: bool = False
            ) -> Published:
    """Validate ``raw`` and make it the menu in force.

    Args:
        actor: who (admin account name, or ``token:<name>`` for the API).
        action: ``edit`` | ``upload`` | ``restore`` | ``api``.
        base_id: id of the menu the editor started from; another one in force meanwhile
            raises :class:`~office.db.PublishConflict`.
        new_version_only: refuse a changed menu whose version string was used before; a
            menu equal to the one in force (however formatted) publishes nothing.

    Raises MenuError (``problems`` in plain words) with nothing stored; its subclass
    :class:`VersionReused` for a reused version under ``new_version_only``.
    """
    menu = parse_menu(raw, source)
    etag = menu_etag(raw)
    if new_version_only:
        current = repo.current_menu()
        if current is not None and _same_menu(current.body, menu):
            return Published(current, menu, False)
        if repo.version_used(menu.version):
            raise VersionReused(f"{source}: version {menu.version} was used before; give the "
                                f"changed menu a new version", path=source,
                                problems=[f"version '{menu.version}' was published before; "
                                          f"give this menu a new version (e.g. the suggested "
                                          f"one) so the kiosks' versions can be told apart"])
    row, created = repo.publish_menu(menu.version, etag, raw.decode("utf-8"), actor=actor,
                                     action=action, note=note, describe=_describe(menu),
                                     base_id=base_id)
    if created:
        log.info("menu %s published by %s (%s)", menu.version, actor, action)
    return Published(row, menu, created)


def with_version(body: str, version: str) -> bytes:
    """A stored menu body with its ``version`` replaced (for a restore), as UTF-8 JSON."""
    data = json.loads(body)
    data["version"] = version
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


__all__ = ["Published", "PublishConflict", "VersionReused", "menu_etag", "publish", "suggest_version",
           "with_version"]
