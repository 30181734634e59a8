"""Sizes of the resident screens, in pixels, from the window size and the panel's dpi.

The screens are drawn for a 1280x800 canvas (``scale`` = 1 there) and scaled
with the window, but never below the physical minimums of issue 13, worked out
from kiosk.ini ``[kiosk] screen_dpi`` (dots per inch of the panel):

* body text: capital letters at least :data:`BODY_CAP_MM` tall (3 mm, readable
  at arm's length for elderly residents);
* touch targets: at least :data:`TARGET_MM` (12 mm) in both directions;
* the ticket number: capitals at least :data:`NUMBER_CAP_MM` (15 mm).

Font sizes are em sizes; a capital of the kiosk's font (Roboto) is
:data:`CAP_PER_EM` of the em (711/1000 units in the font file).
A window taller than wide is ``portrait`` and gets its own arrangement.
"""
from __future__ import annotations

CAP_PER_EM = 0.711
BODY_CAP_MM = 3.0
TARGET_MM = 12.0
NUMBER_CAP_MM = 15.0
#: margins over the minimums, so rounding to whole pixels never goes under them
_TEXT_MARGIN = 1.06
_TARGET_MARGIN = 1.08


def px_per_mm(dpi: float) -> float:
    """Pixels per millimetre on a panel of ``dpi`` dots per inch."""
    return dpi / 25.4


def units(size: tuple[int, int], dpi: float) -> dict:
    """The app's size properties for a window of ``size`` (width, height) pixels on a panel
    of ``dpi``: ``scale`` (1.0 at 1280x800), font sizes in px (``font_small`` ..
    ``font_number``), ``target`` (least touch-target side, px), ``gap`` (spacing, px), ``field_h`` and
    ``key_h`` (a staff form's text field and on-screen key, px) and
    ``portrait``. Every font is at least the body minimum; ``font_number`` at least the
    ticket-number minimum; ``target`` at least TARGET_MM."""
    width, height = size
    mm = px_per_mm(dpi)
    portrait = height > width
    scale = max(0.5, min(width / (800.0 if portrait else 1280.0),
                         height / (1280.0 if portrait else 800.0)))
    text_min = BODY_CAP_MM / CAP_PER_EM * mm * _TEXT_MARGIN

    def font(px):
        return round(max(text_min, px * scale), 1)

    return {
        "scale": scale,
        "portrait": portrait,
        "font_min": round(text_min, 1),  # the least body text (on-screen key labels)
        "font_small": font(21),
        "font_body": font(26),
        "font_button": font(30),
        "font_title": font(36),
        "font_number": round(max(NUMBER_CAP_MM / CAP_PER_EM * mm * _TEXT_MARGIN, 150 * scale), 1),
        "target": round(max(TARGET_MM * mm * _TARGET_MARGIN, 96 * scale), 1),
        "gap": round(max(1.5 * mm, 14 * scale), 1),
        # staff and admin forms: a text field's height and an on-screen key's
        "field_h": round(max(TARGET_MM * mm * _TARGET_MARGIN, 58 * scale), 1),
        "key_h": round(max(TARGET_MM * mm * _TARGET_MARGIN, 56 * scale), 1),
    }
