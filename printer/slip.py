"""The queue slip: a pure function from a ticket to blocks, and blocks to ESC/POS bytes.

:func:`slip_blocks` lays out the slip a resident takes away (DOMAIN.md "Queue
slip"): office, "Nomor Antrian Anda" above the number in very large type,
service and counter, date and time with the zone label, people ahead and the
estimated wait, the documents to have ready, the 3M reminder, "Layanan
gratis", "please wait until your number is called", a QR code a counter can
use to find the ticket (:func:`qr_payload`) and a footer. A reprint carries a
"SALINAN / COPY" mark at both ends and otherwise the original's lines. It
never prints a NIK, a name or a phone number: the ticket carries none and :class:`SlipInfo` has no field for them.

Strings are written in Indonesian here and translated with
``kiosk.i18n.translator(ticket.language, "slip")`` (catalog
``assets/locale/<lang>/LC_MESSAGES/slip.po``).

:func:`render_escpos` renders the blocks once into ``escpos.printer.Dummy``
for the configured profile, in its code pages (:mod:`printer.codepages`: PC858
where the profile has it); the worker later sends those bytes unchanged.
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
from kiosk.waits import wait_lines

from . import codepages
from .blocks import CUT_FEED_LINES, PUNCT_TO_ASCII, QR, Block, Cut, Feed, Rule, Text, paper, \
    rewrap, wrap
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
COPY_MARK = "SALINAN / COPY"
#: first field of the QR payload (format version 1, see :func:`qr_payload`)
QR_TAG = "DKQ1"

#: largest magnification of the queue number per paper width (GS ! n, 1..8)
_NUMBER_MAX = {58: 5, 80: 6}
#: QR module size in dots per paper width (TM-T20: 1..16)
_QR_MODULE = {58: 5, 80: 6}


@dataclass(frozen=True)
class SlipInfo:
    """What a slip shows besides the ticket itself.

    Office fields come from :class:`kiosk.config.OfficeConfig`; ``service_name``,
    ``counter``, ``requirements`` (conditions to meet) and ``documents`` (what to
    bring) are already in the resident's language.
    ``people_ahead`` >= 0, or None when unknown (then ``position``, the place among the
    kiosk's tickets of the queue today, is printed instead); ``wait_min`` is the estimated
    wait in minutes, or None: "Perkiraan waktu tunggu belum tersedia" (rules and wording:
    :mod:`kiosk.waits`). ``test`` prints a large "TEST / UJI COBA" mark at both ends,
    ``copy`` a "SALINAN / COPY" mark (staff reprint).
    """

    office_name: str
    regency: str
    address: str
    tz_label: str
    service_name: str
    counter: str
    requirements: tuple[str, ...]
    people_ahead: int | None
    wait_min: int | None
    test: bool = False
    copy: bool = False
    documents: tuple[str, ...] = ()
    position: int | None = None


def qr_payload(ticket: Ticket) -> str:
    """What the slip's QR code holds: ``DKQ1|<office_day>|<kiosk_id>|<number>|<id>``.

    E.g. ``DKQ1|2026-11-29|K1|A001|3f2b8c1e9a7d4e6fb0c1d2e3f4a5b6c7``. A counter's
    scanner splits on ``|``: office day, kiosk and number find the ticket on the
    office server's staff page (the number alone repeats every day and per kiosk
    tag); the id (uuid4 hex) is the exact record. No personal data.
    """
    return "|".join((QR_TAG, ticket.office_day, ticket.kiosk_id, ticket.number, ticket.id))


def parse_qr_payload(text: str) -> dict:
    """``{"office_day", "kiosk_id", "number", "id"}`` from a scanned :func:`qr_payload`.

    Raises ValueError for anything else.
    """
    parts = str(text).strip().split("|")
    if len(parts) != 5 or parts[0] != QR_TAG:
        raise ValueError(f"not a queue slip QR code ({QR_TAG}|day|kiosk|number|id)")
    return dict(zip(("office_day", "kiosk_id", "number", "id"), parts[1:]))


def clean(text) -> str:
    """Typographic punctuation to ASCII, control characters to spaces; the code page fold
    happens at render time (:func:`printer.codepages.fold`)."""
    text = str(text).translate(PUNCT_TO_ASCII)
    return "".join(" " if c < " " or c == "\x7f" else c for c in text)


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


def number_magnification(number: str, paper_width_mm: int, columns: int | None = None) -> int:
    """``GS !`` width/height factor (1..6) for the queue number: as large as fits one line
    of ``columns`` characters (default: the paper's; pass the profile's, e.g. 42 on a
    TM-T88V, from :func:`printer.profiles.profile_columns`)."""
    chars = columns or paper(paper_width_mm)[1]
    return max(1, min(_NUMBER_MAX[int(paper_width_mm)], chars // max(1, len(number))))


def slip_blocks(ticket: Ticket, info: SlipInfo, paper_width_mm: int,
                columns: int | None = None) -> list[Block]:
    """Lay out the queue slip of ``ticket`` for 58 or 80 mm paper.

    Returns a list of :mod:`printer.blocks` blocks whose text lines already fit
    ``columns`` font-A characters (default the paper's 32 or 48; pass the
    profile's, :func:`printer.profiles.profile_columns`), fewer when magnified;
    long words are split, never cut off. Text is in ``ticket.language``, with
    control characters removed; the renderers fold it to the profile's code
    pages. Raises ValueError for a paper width other than 58 or 80.
    """
    cols = columns or paper(paper_width_mm)[1]
    translate = translator(ticket.language, "slip")
    fold = clean

    def _(message, **kwargs):
        return fold(translate(message, **kwargs))

    out: list[Block] = []
    test_mark = [Text(TEST_MARK, 2, 2, bold=True, align="center", invert=True), Feed()]
    copy_mark = [Text(COPY_MARK, 2, 2, bold=True, align="center", invert=True), Feed()]
    if info.test:
        out += test_mark
    if info.copy:
        out += copy_mark

    center = {"align": "center"}
    out += _lines(fold(info.office_name).upper(), cols, bold=True, **center)
    out += _lines(fold(info.regency).upper(), cols, bold=True, **center)
    if info.address:
        out += _lines(fold(info.address), cols, **center)
    out.append(Rule("="))

    out += _lines(_("Nomor Antrian Anda"), cols, height=2, bold=True, **center)
    size = number_magnification(ticket.number, paper_width_mm, cols)
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
    for line in wait_lines(_, info.people_ahead, info.wait_min, info.position, ticket.queue):
        out += _lines(line, cols)
    out.append(Rule())

    for title, lines in ((_("Syarat:"), info.requirements),
                         (_("Dokumen yang perlu dibawa:"), info.documents)):
        if lines:
            out += _lines(title, cols, bold=True)
            out += _bullets([fold(r) for r in lines], cols)
            out.append(Rule())
    out += _lines(_("Ingat 3M:"), cols, bold=True)
    out += _bullets([_(rule) for rule in _RULES_3M], cols)
    out.append(Rule())

    out += _lines(_("LAYANAN GRATIS"), cols, width=2, bold=True, **center)
    out += _lines(_("Tidak dipungut biaya apa pun."), cols, **center)
    out.append(Feed())
    out += _lines(_("Mohon menunggu sampai nomor Anda dipanggil."), cols, bold=True, **center)
    out.append(Feed())
    out.append(QR(qr_payload(ticket), _QR_MODULE[int(paper_width_mm)]))
    out += _lines(_("Slip ini hanya berlaku hari ini."), cols, **center)
    out += _lines(_("Terima kasih."), cols, **center)
    out += _lines(f"{fold(ticket.kiosk_id)} / {ticket.id[:8]}", cols, **center)
    if info.copy:
        out += [Feed()] + copy_mark[:1]
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
    (initialise), ``ESC t n`` (the profile's PC858, else PC437; another of its
    code pages only around a character the first lacks), then per block
    ``ESC a`` (align), ``GS !`` (size), ``ESC E`` (bold),
    ``GS B`` (invert) and the text; a native QR (``GS ( k``) only if the
    profile has ``qrCode``; the cut only if it has a cutter. Text lines longer
    than the profile's line are re-wrapped. Raises ConfigError for an unknown
    profile.
    """
    prof = load_profile(profile)
    chars = profile_columns(profile, paper_width_mm)
    printer = Dummy(profile=profile)
    printer.hw("INIT")
    encoding = codepages.primary_code_page(profile)
    if encoding:
        printer.magic.force_encoding(encoding)
    else:
        log.warning("profile %s has neither PC858 nor PC437; printing ASCII only", profile)

    def line(text):
        if encoding:
            codepages.write(printer, codepages.fold(text, profile) + "\n", profile)
        else:
            printer.textln(codepages.fold(text, profile).encode("ascii", "replace").decode())
    qr_ok = bool(prof.supports("qrCode"))
    for block in rewrap(blocks, chars):
        if isinstance(block, Text):
            big = block.width > 1 or block.height > 1
            printer.set(align=block.align, bold=block.bold, invert=block.invert,
                        normal_textsize=not big, custom_size=big,
                        width=block.width, height=block.height)
            line(block.text)
        elif isinstance(block, Rule):
            printer.set_with_default()
            line((block.char[:1] or "-") * chars)
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
