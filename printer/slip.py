"""The queue slip: a pure function from a ticket to blocks, and blocks to ESC/POS bytes.

:func:`slip_blocks` lays out the slip a resident takes away (DOMAIN.md "Queue
slip"): office, "Nomor Antrian Anda" above the number in very large type,
service and counter, date and time with the zone label, people ahead and the
estimated wait, the documents to have ready, the 3M reminder, "Layanan
gratis", "please wait until your number is called", a QR code of the ticket id
and a footer. It never prints a NIK, a name or a phone number: the ticket
carries none and :class:`SlipInfo` has no field for them.

Strings are written in Indonesian here and translated with
``kiosk.i18n.translator(ticket.language, "slip")`` (catalog
``assets/locale/<lang>/LC_MESSAGES/slip.po``).

:func:`render_escpos` renders the blocks once into ``escpos.printer.Dummy``
for the configured profile; the worker later sends those bytes unchanged.
:func:`render_png` and :func:`slip_length_mm` live in :mod:`printer.preview`
and are re-exported here.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from escpos.constants import QR_ECLEVEL_M
from escpos.printer import Dummy

from kiosk.i18n import translator
from kiosk.models import Ticket

from .blocks import (CUT_FEED_LINES, ENCODING, QR, Block, Cut, Feed, Rule, Text, fold, paper,
                     rewrap, wrap)
from .preview import render_png, slip_length_mm
from .profiles import load_profile, profile_columns, profile_supports_qr

__all__ = ["SlipInfo", "slip_blocks", "render_escpos", "render_png", "slip_length_mm",
           "profile_supports_qr", "Block"]

log = logging.getLogger(__name__)

# Written in Indonesian, translated at print time (msgids of slip.po).
_MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember")
_DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_RULES_3M = ("Memakai masker", "Mencuci tangan pakai sabun", "Menjaga jarak")
TEST_MARK = "TEST / UJI COBA"

#: largest magnification of the queue number per paper width (GS ! n, 1..8)
_NUMBER_MAX = {58: 5, 80: 6}
#: QR module size in dots per paper width (TM-T20: 1..16)
_QR_MODULE = {58: 5, 80: 6}


@dataclass(frozen=True)
class SlipInfo:
    """What a slip shows besides the ticket itself.

    Office fields come from :class:`kiosk.config.OfficeConfig`; ``service_name``,
    ``counter`` and ``requirements`` are already in the resident's language.
    ``people_ahead`` >= 0; ``wait_min`` is the estimated wait in minutes or None
    when unknown. ``test`` prints a large "TEST / UJI COBA" mark at both ends.
    """

    office_name: str
    regency: str
    address: str
    tz_label: str
    service_name: str
    counter: str
    requirements: tuple[str, ...]
    people_ahead: int
    wait_min: int | None
    test: bool = False


def _lines(text, chars, **style) -> list[Text]:
    width = style.get("width", 1)
    return [Text(line, **style) for line in wrap(text, chars // width)]


def _bullets(items, chars) -> list[Text]:
    out = []
    for item in items:
        out += [Text(line) for line in wrap(item, chars, indent="- ", hanging="  ")]
    return out


def _when(issued_at: str, _) -> tuple[str, str]:
    """("Sabtu, 29 November 2026", "08:15") from an ISO 8601 time; raw text if unparsable."""
    try:
        t = datetime.fromisoformat(issued_at)
    except (TypeError, ValueError):
        return str(issued_at), ""
    date = f"{_(_DAYS[t.weekday()])}, {t.day} {_(_MONTHS[t.month - 1])} {t.year}"
    return date, f"{t:%H:%M}"


def number_magnification(number: str, paper_width_mm: int) -> int:
    """``GS !`` width/height factor (1..6) for the queue number: as large as fits the line."""
    chars = paper(paper_width_mm)[1]
    return max(1, min(_NUMBER_MAX[int(paper_width_mm)], chars // max(1, len(number))))


def slip_blocks(ticket: Ticket, info: SlipInfo, paper_width_mm: int) -> list[Block]:
    """Lay out the queue slip of ``ticket`` for 58 or 80 mm paper.

    Returns a list of :mod:`printer.blocks` blocks whose text lines already fit
    the paper (32 or 48 font-A characters, fewer when magnified); long words are
    split, never cut off. Text is in ``ticket.language`` and folded to code page
    437 (unprintable characters become ``?``). Raises ValueError for a paper
    width other than 58 or 80.
    """
    cols = paper(paper_width_mm)[1]
    translate = translator(ticket.language, "slip")

    def _(message, **kwargs):
        return fold(translate(message, **kwargs))

    out: list[Block] = []
    test_mark = [Text(TEST_MARK, 2, 2, bold=True, align="center", invert=True), Feed()]
    if info.test:
        out += test_mark

    center = {"align": "center"}
    out += _lines(fold(info.office_name).upper(), cols, bold=True, **center)
    out += _lines(fold(info.regency).upper(), cols, bold=True, **center)
    if info.address:
        out += _lines(fold(info.address), cols, **center)
    out.append(Rule("="))

    out += _lines(_("Nomor Antrian Anda"), cols, height=2, bold=True, **center)
    size = number_magnification(ticket.number, paper_width_mm)
    out += _lines(fold(ticket.number), cols, width=size, height=size, bold=True, **center)
    out += _lines(fold(info.service_name), cols, bold=True, **center)
    if info.counter:
        out += _lines(fold(info.counter), cols, width=2, height=2, bold=True, **center)
    out.append(Rule())

    date, clock = _when(ticket.issued_at, _)
    when = f"{date}, {clock} {fold(info.tz_label)}".strip() if clock else date
    if len(when) > cols and clock:
        out += _lines(date, cols, **center) + _lines(when[len(date) + 2:], cols, **center)
    else:
        out += _lines(when, cols, **center)
    out += _lines(_("Antrian di depan Anda: {n} orang", n=max(0, int(info.people_ahead))), cols)
    if info.wait_min is not None:
        out += _lines(_("Perkiraan tunggu: {n} menit", n=max(0, int(info.wait_min))), cols)
    out.append(Rule())

    if info.requirements:
        out += _lines(_("Dokumen yang perlu disiapkan:"), cols, bold=True)
        out += _bullets([fold(r) for r in info.requirements], cols)
        out.append(Rule())
    out += _lines(_("Ingat 3M:"), cols, bold=True)
    out += _bullets([_(rule) for rule in _RULES_3M], cols)
    out.append(Rule())

    out += _lines(_("LAYANAN GRATIS"), cols, width=2, bold=True, **center)
    out += _lines(_("Tidak dipungut biaya apa pun."), cols, **center)
    out.append(Feed())
    out += _lines(_("Mohon menunggu sampai nomor Anda dipanggil."), cols, bold=True, **center)
    out.append(Feed())
    out.append(QR(ticket.id, _QR_MODULE[int(paper_width_mm)]))
    out += _lines(_("Slip ini hanya berlaku hari ini."), cols, **center)
    out += _lines(_("Terima kasih."), cols, **center)
    out += _lines(f"{fold(ticket.kiosk_id)} / {ticket.id[:8]}", cols, **center)
    if info.test:
        out += [Feed()] + test_mark[:1]
    out.append(Cut())
    return out


def _cut_command(prof) -> bytes:
    """Feed to the cutter and cut: ``GS V 65 0`` (full) or ``GS V 66 0`` (partial), per the
    profile's ``paperFullCut``/``paperPartCut``; without a cutter ``ESC d 4`` feeds the slip
    past the tear bar. (python-escpos ``cut()`` feeds six lines first, wasting ~2 cm a slip.)
    """
    if prof.supports("paperFullCut"):
        return b"\x1dVA\x00"
    if prof.supports("paperPartCut"):
        return b"\x1dVB\x00"
    return b"\x1bd" + bytes([CUT_FEED_LINES])


def render_escpos(blocks, profile: str, paper_width_mm: int) -> bytes:
    """ESC/POS bytes of ``blocks`` for a printer of python-escpos ``profile``.

    Rendered once into ``escpos.printer.Dummy(profile=profile)``: ``ESC @``
    (initialise), ``ESC t n`` (code page 437, no further code page switching),
    then per block ``ESC a`` (align), ``GS !`` (size), ``ESC E`` (bold),
    ``GS B`` (invert) and the text; a native QR (``GS ( k``) only if the
    profile has ``qrCode``; the cut only if it has a cutter. Text lines longer
    than the profile's line are re-wrapped. Raises ConfigError for an unknown
    profile.
    """
    prof = load_profile(profile)
    chars = profile_columns(profile, paper_width_mm)
    printer = Dummy(profile=profile)
    printer.hw("INIT")
    encoding = ENCODING if ENCODING in prof.get_code_pages() else None
    if encoding:
        printer.magic.force_encoding(encoding)
    else:
        log.warning("profile %s has no code page 437; printing ASCII only", profile)
    qr_ok = bool(prof.supports("qrCode"))
    for block in rewrap(blocks, chars):
        if isinstance(block, Text):
            big = block.width > 1 or block.height > 1
            printer.set(align=block.align, bold=block.bold, invert=block.invert,
                        normal_textsize=not big, custom_size=big,
                        width=block.width, height=block.height)
            printer.textln(fold(block.text, encoding or "ascii"))
        elif isinstance(block, Rule):
            printer.set_with_default()
            printer.textln(fold(block.char[:1] or "-", encoding or "ascii") * chars)
        elif isinstance(block, Feed):
            printer.ln(block.lines)
        elif isinstance(block, QR) and qr_ok:
            printer.set_with_default(align="center")
            printer.qr(block.data, ec=QR_ECLEVEL_M, size=block.module_dots, native=True)
            printer.ln()
        elif isinstance(block, Cut):
            printer.set_with_default()
            printer._raw(_cut_command(prof))
    return printer.output
