"""User-facing text in Bahasa Indonesia first, English second.

Messages are written in Indonesian in the code (the msgid *is* the Indonesian
text) and translated in gettext catalogs ``assets/locale/<lang>/LC_MESSAGES/
<domain>.po``, read with Babel. One domain per area (``screens``, ``slip``,
``staff``) so catalogs stay small. A message without a translation falls back
to Indonesian, never to an empty string.
"""
from __future__ import annotations

import functools
import logging

from babel.messages.pofile import read_po

from . import ASSETS_DIR

log = logging.getLogger(__name__)
LOCALE_DIR = ASSETS_DIR / "locale"
SOURCE_LANGUAGE = "id"


@functools.lru_cache(maxsize=None)
def _catalog(lang: str, domain: str) -> dict:
    if lang == SOURCE_LANGUAGE:
        return {}
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"
    try:
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
    except FileNotFoundError:
        log.warning("no %s translation catalog at %s; showing Indonesian", lang, path)
        return {}
    return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}


def gettext(lang: str, domain: str, message: str) -> str:
    """``message`` (Indonesian) translated to ``lang``; Indonesian when untranslated."""
    return _catalog(lang, domain).get(message) or message


def translator(lang: str, domain: str):
    """A one-argument ``_()`` for ``lang`` and ``domain``; supports ``str.format`` kwargs.

    >>> _ = translator("en", "slip"); _("Nomor Antrian Anda")
    'Your Queue Number'
    """
    def _(message: str, **kwargs) -> str:
        text = gettext(lang, domain, message)
        return text.format(**kwargs) if kwargs else text
    return _


def reload() -> None:
    """Forget cached catalogs (after an admin changes translations)."""
    _catalog.cache_clear()
