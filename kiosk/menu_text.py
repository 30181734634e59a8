"""What an admin types into a menu form, made ready for the menu schema.

Shared by the kiosk's touch editor (kiosk/desks/draft.py) and the office
server's admin page (office/menu_form.py), so both read a time or a list of
documents the same way. Anything not understood is passed on unchanged, and
:func:`kiosk.menu.parse_menu` names it in plain words.
"""
from __future__ import annotations

import re

#: The weekday keys of a menu's hours, Monday first (``datetime.weekday()`` order).
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_TIME = re.compile(r"(\d{1,2})[.:](\d{2})")


def time_text(text: str) -> str:
    """``8.00`` or ``8:00`` -> ``08:00``; anything else is returned stripped (validation
    then names it, e.g. ``'25:00' is not a time of day``)."""
    text = text.strip()
    m = _TIME.fullmatch(text)
    return f"{int(m.group(1)):02d}:{m.group(2)}" if m else text


def text_lines(text: str) -> list[str]:
    """One item per non-blank line (documents to bring), stripped."""
    return [line.strip() for line in text.splitlines() if line.strip()]
