"""Code pages: which characters a printer profile can print, and writing text in them.

A python-escpos profile lists the code pages its printer has (``ESC t n``
slots, ``escpos/capabilities.json``). A slip starts in the first of
:data:`PREFERRED` the profile has, PC858 (PC850 with the euro sign: "Rp 5.000 €",
"Ærø") else PC437. A character the start page lacks is written from another
page of the same profile (``ESC t`` switch, then back); a character no page
of the profile has is folded (typographic quotes and dashes to ASCII, an
accent dropped) or printed as ``?``. :func:`menu_print_warnings` tells the
menu author about those characters before a resident sees ``??``.

Source of the code page tables: python-escpos ``escpos/capabilities.json``
(profiles) and ``escpos.magicencode.Encoder`` (character maps).
"""
from __future__ import annotations

import functools
import unicodedata

from escpos.magicencode import Encoder

from .blocks import PUNCT_TO_ASCII
from .profiles import load_profile

#: start code page of a slip, first one the profile has
PREFERRED = ("CP858", "CP437")


@functools.lru_cache(maxsize=16)
def _encoder(profile: str) -> Encoder:
    pages = {name: slot for name, slot in load_profile(profile).get_code_pages().items()
             if name != "Unknown"}
    return Encoder(pages)


def code_pages(profile: str) -> list[str]:
    """Names of the code pages of ``profile`` in ``ESC t`` slot order.

    Raises ConfigError for an unknown profile.
    """
    enc = _encoder(profile)
    return sorted(enc.codepages, key=lambda name: int(enc.codepages[name]))


def primary_code_page(profile: str) -> str | None:
    """The code page a slip starts in: the first of :data:`PREFERRED` in ``profile``, or
    None when it has neither (then only ASCII is printed)."""
    pages = code_pages(profile)
    return next((name for name in PREFERRED if name in pages), None)


@functools.lru_cache(maxsize=16384)
def page_for(char: str, profile: str) -> str | None:
    """The code page of ``profile`` to print ``char`` with (the start page when it can),
    ``""`` for printable ASCII, or None when no page of the profile has it."""
    if " " <= char < "\x7f" or char == "\n":
        return ""
    enc = _encoder(profile)
    for name in [primary_code_page(profile) or ""] + code_pages(profile):
        if name and ord(char) >= 128 and enc.can_encode(name, char):
            return name
    return None


def fold(text: str, profile: str) -> str:
    """``text`` reduced to what ``profile`` can print; never raises.

    Control characters become spaces (no text can smuggle a printer command);
    typographic punctuation becomes ASCII; a character no code page has loses
    its accent when that makes it printable, else becomes ``?``.
    """
    out = []
    for char in str(text).translate(PUNCT_TO_ASCII):
        if unicodedata.category(char) == "Cc":
            out.append(" ")
        elif page_for(char, profile) is not None:
            out.append(char)
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", char)
                           if not unicodedata.combining(c))
            ok = base and all(page_for(c, profile) is not None for c in base)
            out.append(base if ok else "?")
    return "".join(out)


def unprintable(text: str, profile: str) -> list[str]:
    """Characters of ``text`` that ``profile`` prints as ``?`` (in order, no repeats)."""
    seen: list[str] = []
    for char in str(text).translate(PUNCT_TO_ASCII):
        if char != "?" and char not in seen and fold(char, profile) == "?":
            seen.append(char)
    return seen


def write(printer, text: str, profile: str) -> None:
    """Write ``text`` (already :func:`fold`-ed) to an escpos ``printer`` of ``profile``:
    runs of characters in the current code page as they are, an ``ESC t`` switch only
    for a character the current page lacks. Unprintable characters become ``?``."""
    magic = printer.magic
    run, run_page = "", magic.encoding
    for char in text:
        page = page_for(char, profile)
        if page is None:
            char, page = "?", ""
        if page == "" or page == run_page or (
                run_page and magic.encoder.can_encode(run_page, char)):
            run += char
            continue
        if run:
            magic.write_with_encoding(run_page, run)
        run, run_page = char, page
    if run:
        magic.write_with_encoding(run_page or magic.encoding, run)


def menu_print_warnings(menu, profile: str) -> list[str]:
    """One line per menu text a slip would print with ``?`` on ``profile``.

    Looks at what a slip prints from the menu: each enabled service's names
    (id, en), its documents, and the counter names. Returns plain sentences
    (Indonesian, English in brackets) naming the service, the field and the
    characters, e.g. ``Layanan ktp-baru, nama (en): 😀 tidak bisa dicetak ...``.
    Raises ConfigError for an unknown profile.
    """
    warnings = []

    def check(where: str, text: str) -> None:
        bad = unprintable(text, profile)
        if bad:
            warnings.append(f"{where}: {' '.join(bad)} tidak bisa dicetak printer {profile} "
                            f"(tercetak '?'); ganti dengan huruf biasa. (Characters no code "
                            f"page of the printer has.)")

    for service in menu.services:
        for lang in ("id", "en"):
            check(f"Layanan {service.code}, nama ({lang})", service.names.get(lang))
            for i, line in enumerate(service.requirements.get(lang), 1):
                check(f"Layanan {service.code}, dokumen {i} ({lang})", line)
        try:
            check(f"Layanan {service.code}, loket", menu.counter_for(service, service.queue))
        except KeyError:
            pass
    return list(dict.fromkeys(warnings))
