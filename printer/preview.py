"""A slip as paper: PNG preview and paper length, from the same blocks the printer gets.

One dot of the print head is one pixel, so the image is to scale (8 px per mm):
the printable area (384 or 576 dots) sits on paper 58 or 80 mm wide. Text uses
DejaVu Sans Mono shipped in ``assets/fonts/`` at a size whose advance is the
12-dot font-A cell; magnified text is drawn larger, not pixel-doubled, so the
preview stays readable on a screen. Geometry is in :mod:`printer.blocks`.
"""
from __future__ import annotations

import functools
import logging
import math

from PIL import Image, ImageDraw, ImageFont

from kiosk import ASSETS_DIR

from . import codepages
from .blocks import (CHAR_H, CHAR_W, CUT_FEED_LINES, DOTS_PER_MM, ENCODING, QR, Cut, Feed,
                     Rule, Text, fold, line_pitch, paper, qr_modules, rewrap)
from .profiles import profile_columns, profile_supports_qr

log = logging.getLogger(__name__)

FONT_DIR = ASSETS_DIR / "fonts"
_FONT_FILES = {False: "DejaVuSansMono.ttf", True: "DejaVuSansMono-Bold.ttf"}
#: DejaVu Sans Mono advances 0.602 em: 20 px gives the 12-dot font-A cell
_FONT_PX_PER_HEIGHT = 20
_TOP_DOTS = 24


@functools.lru_cache(maxsize=64)
def _font(bold: bool, height: int):
    path = FONT_DIR / _FONT_FILES[bold]
    try:
        return ImageFont.truetype(str(path), _FONT_PX_PER_HEIGHT * height)
    except OSError:
        log.warning("slip preview font %s missing; using Pillow's default font", path)
        return ImageFont.load_default()


def _layout(blocks, paper_width_mm: int, profile: str | None):
    """(blocks to draw, characters per line, qr supported) for this paper and profile."""
    chars = paper(paper_width_mm)[1]
    qr_ok = True
    if profile is not None:
        chars = profile_columns(profile, paper_width_mm)
        qr_ok = profile_supports_qr(profile)
    return rewrap(blocks, chars), chars, qr_ok


def _height(block, qr_ok: bool) -> int:
    """Dots of paper ``block`` uses."""
    if isinstance(block, Text):
        return line_pitch(block.height)
    if isinstance(block, Rule):
        return line_pitch()
    if isinstance(block, Feed):
        return line_pitch() * block.lines
    if isinstance(block, QR):
        return qr_modules(block.data) * block.module_dots + line_pitch() if qr_ok else 0
    if isinstance(block, Cut):
        return line_pitch() * CUT_FEED_LINES
    return 0


def slip_length_mm(blocks, paper_width_mm: int, profile: str | None = None) -> float:
    """Millimetres of paper the slip uses, including the feed before the cut.

    For the staff restock estimate (roll length / slip length). With
    ``profile`` given, QR codes the profile cannot print are not counted.
    Raises ValueError for a paper width other than 58 or 80.
    """
    laid, _, qr_ok = _layout(blocks, paper_width_mm, profile)
    return round(sum(_height(b, qr_ok) for b in laid) / DOTS_PER_MM, 1)


def _draw_text(img: Image.Image, x0: int, y: int, dots: int, block: Text,
               profile: str | None = None) -> None:
    text = codepages.fold(block.text, profile) if profile else fold(block.text, ENCODING)
    if not text:
        return
    font = _font(block.bold, block.height)
    cell_h = CHAR_H * block.height
    drawn_w = max(1, math.ceil(font.getlength(text)))
    line = Image.new("L", (drawn_w, cell_h), 0 if block.invert else 255)
    ImageDraw.Draw(line).text((0, 0), text, font=font, fill=255 if block.invert else 0)
    line = line.resize((CHAR_W * block.width * len(text), cell_h), Image.LANCZOS)
    if block.align == "center":
        x = (dots - line.width) // 2
    elif block.align == "right":
        x = dots - line.width
    else:
        x = 0
    img.paste(line, (x0 + max(0, x), y))


def _draw_qr(img: Image.Image, x0: int, y: int, dots: int, block: QR) -> None:
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M,
                         box_size=block.module_dots, border=0)
    code.add_data(block.data)
    code.make(fit=True)
    qr = code.make_image(fill_color="black", back_color="white").get_image().convert("L")
    img.paste(qr, (x0 + (dots - qr.width) // 2, y))


def _draw_cut(img: Image.Image, y: int) -> None:
    draw = ImageDraw.Draw(img)
    for x in range(0, img.width, 12):
        draw.line([(x, y), (x + 6, y)], fill=128, width=2)


def render_png(blocks, paper_width_mm: int, profile: str | None = None) -> Image.Image:
    """The slip drawn as paper: a greyscale (mode "L") Pillow image, 1 px per dot.

    Width is the paper (464 px for 58 mm, 640 px for 80 mm, 8 px/mm), height the
    slip length; a dashed line marks the cut. With ``profile`` given the preview
    follows that printer (line length, QR only if supported); without it, the
    paper's own line length and a QR code. Raises ValueError for a bad width,
    ConfigError for an unknown profile.
    """
    dots = paper(paper_width_mm)[0]
    laid, chars, qr_ok = _layout(blocks, paper_width_mm, profile)
    sheet_w = int(round(int(paper_width_mm) * DOTS_PER_MM))
    x0 = (sheet_w - dots) // 2
    height = _TOP_DOTS + sum(_height(b, qr_ok) for b in laid)
    img = Image.new("L", (sheet_w, height), 255)
    y = _TOP_DOTS
    for block in laid:
        if isinstance(block, Text):
            _draw_text(img, x0, y, dots, block, profile)
        elif isinstance(block, Rule):
            _draw_text(img, x0, y, dots, Text((block.char[:1] or "-") * chars))
        elif isinstance(block, QR) and qr_ok:
            _draw_qr(img, x0, y, dots, block)
        elif isinstance(block, Cut):
            _draw_cut(img, y + _height(block, qr_ok) - 2)
        y += _height(block, qr_ok)
    return img
