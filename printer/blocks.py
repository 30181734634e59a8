"""The slip layout model: a list of blocks, and the paper geometry they are laid out on.

A slip is a ``list[Block]``; both renderers (:func:`printer.slip.render_escpos`
for the printer, :func:`printer.slip.render_png` for the preview) walk the same
list, so the preview shows what the paper will show.

Geometry (ESC/POS font A on a 203 dpi thermal head, i.e. 8 dots per mm):

- a character cell is 12 x 24 dots; ``GS ! n`` magnifies it 1..8 times in
  width and height;
- 58 mm paper prints 384 dots = 32 characters per line, 80 mm paper prints
  576 dots = 48 characters;
- a text line advances ``24 * height + 6`` dots (30 dots = 3.75 mm at normal
  size: the default line spacing of ``ESC 2`` on TM-T20 class printers; with a
  magnified font the printer feeds at least the character height).

Text is folded to what code page 437 can print (the code page every supported
profile offers as its base page): typographic quotes and dashes become ASCII,
accents are dropped when the letter exists without them, anything else
becomes ``?``; control characters become spaces, so no text can smuggle a
printer command onto the paper.
"""
from __future__ import annotations

import functools
import textwrap
import unicodedata
from dataclasses import dataclass

#: dots per millimetre of a 203 dpi print head
DOTS_PER_MM = 8.0
#: font A character cell in dots (width, height)
CHAR_W, CHAR_H = 12, 24
#: extra dots between text lines at the default line spacing
LINE_GAP = 6
#: paper width in mm -> (printable dots, characters per line in font A)
PAPER = {58: (384, 32), 80: (576, 48)}
#: code page the text is folded to (ESC t n with the profile's n for "CP437")
ENCODING = "CP437"

ALIGNS = ("left", "center", "right")

#: typographic punctuation -> ASCII (``str.translate`` table), applied before any code page
PUNCT_TO_ASCII = _PUNCT = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"',
    "\u201e": '"', "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2026": "...",
    "\u2022": "-", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\t": " ",
})


@dataclass(frozen=True)
class Text:
    """One printed line, already short enough for the paper.

    ``width``/``height`` are the ``GS !`` magnification (1..8); the line holds at
    most ``columns(paper) // width`` characters. ``invert`` prints white on
    black (``GS B``).
    """

    text: str
    width: int = 1
    height: int = 1
    bold: bool = False
    align: str = "left"
    invert: bool = False

    def __post_init__(self):
        if not (1 <= self.width <= 8 and 1 <= self.height <= 8):
            raise ValueError(f"text magnification must be 1..8, got {self.width}x{self.height}")
        if self.align not in ALIGNS:
            raise ValueError(f"align must be one of {ALIGNS}, got {self.align!r}")


@dataclass(frozen=True)
class Rule:
    """A full-width separator line made of ``char`` (one normal-size text line)."""

    char: str = "-"


@dataclass(frozen=True)
class Feed:
    """``lines`` blank normal-size lines."""

    lines: int = 1


@dataclass(frozen=True)
class QR:
    """A centred QR code of ``data``; ``module_dots`` is the size of one module in dots.

    Only printed to profiles whose capabilities have ``qrCode`` (native
    ``GS ( k``); the renderers skip it elsewhere.
    """

    data: str
    module_dots: int = 5


@dataclass(frozen=True)
class Cut:
    """Feed past the cutter and cut (a plain feed on printers without a cutter)."""


Block = Text | Rule | Feed | QR | Cut

#: paper between the last line and the cut, in normal lines: the print head to cutter
#: distance (about 15 mm on TM-T20 class printers), which ``GS V 65/66 0`` feeds
CUT_FEED_LINES = 4


def paper(paper_width_mm: int) -> tuple[int, int]:
    """(printable dots, font-A characters per line) for 58 or 80 mm paper.

    Raises ValueError for any other width.
    """
    try:
        return PAPER[int(paper_width_mm)]
    except (KeyError, ValueError):
        raise ValueError(f"paper_width_mm must be 58 or 80, got {paper_width_mm!r}") from None


def line_pitch(height: int = 1) -> int:
    """Dots one text line of magnification ``height`` advances the paper."""
    return CHAR_H * height + LINE_GAP


@functools.lru_cache(maxsize=4096)
def _encodable(char: str, encoding: str) -> bool:
    try:
        char.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def fold(text: str, encoding: str = ENCODING) -> str:
    """``text`` reduced to characters ``encoding`` can print; one pass, never raises.

    Typographic punctuation becomes ASCII, accented letters lose the accent
    when that makes them printable, control characters become spaces, and
    anything else becomes ``?``.
    """
    out = []
    for char in str(text).translate(_PUNCT):
        if unicodedata.category(char) == "Cc":
            out.append(" ")
        elif _encodable(char, encoding):
            out.append(char)
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", char)
                           if not unicodedata.combining(c))
            ok = base and all(_encodable(c, encoding) for c in base)
            out.append(base if ok else "?")
    return "".join(out)


def wrap(text: str, chars: int, indent: str = "", hanging: str = "") -> list[str]:
    """Split ``text`` into lines of at most ``chars`` characters; nothing is dropped.

    Breaks at spaces and hyphens; a word longer than a line is split across
    lines. ``indent`` starts the first line, ``hanging`` the following ones
    (e.g. ``"- "`` and ``"  "`` for a bullet). An empty text gives ``[""]``.
    """
    chars = max(1, chars)
    if len(indent) >= chars or len(hanging) >= chars:
        indent = hanging = ""
    lines = textwrap.wrap(" ".join(str(text).split()), width=chars, initial_indent=indent,
                          subsequent_indent=hanging, break_long_words=True,
                          break_on_hyphens=True)
    return lines or [indent.rstrip()]


def rewrap(blocks, chars_per_line: int) -> list:
    """``blocks`` with every :class:`Text` line longer than the paper split in several.

    Used by the renderers when a profile prints fewer characters per line
    than the paper width suggests (e.g. TM-T88V: 42 on 80 mm), so text is
    wrapped rather than cut or broken mid-word by the printer.
    """
    out = []
    for block in blocks:
        if isinstance(block, Text) and len(block.text) > chars_per_line // block.width:
            for line in wrap(block.text, chars_per_line // block.width):
                out.append(Text(line, block.width, block.height, block.bold, block.align,
                                block.invert))
        else:
            out.append(block)
    return out


def qr_modules(data: str) -> int:
    """Modules per side of the QR code the printer draws for ``data`` (EC level M, no border)."""
    import qrcode  # local: only the QR paths need it

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(data)
    # the smallest version that holds the data fixes the size (4 modules a version + 17);
    # building the code to learn it tried all 8 mask patterns: 80% of a slip's layout
    # time, on the path from the tap to the printer's first byte
    return code.best_fit() * 4 + 17
