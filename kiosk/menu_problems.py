"""A menu's validation errors in plain words: pydantic's error list -> sentences.

Each sentence names the service or queue by its code or letter and the field
by its path (``Service 'kk-baru': hours.mon window 2``), then says what is
wrong in words a clerk understands, naming the offending value.
"""
from __future__ import annotations

import json

from .menu_text import WEEKDAYS


def _got(value) -> str:
    """Name a JSON value for a message: ``true``, ``-1``, ``the text "10"``, ``a list``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        return "the text " + json.dumps(value[:40], ensure_ascii=False)
    return "a list" if isinstance(value, list) else "an object"


#: Plain phrases for pydantic error types; ``{got}`` names the offending value.
_PHRASES = {
    "missing": "is missing",
    "extra_forbidden": "is not a known field (remove it or fix its spelling)",
    "string_too_short": "is empty",
    "string_too_long": "is longer than {max_length} characters",
    "string_type": "should be text in quotes, not {got}",
    "int_type": "should be a whole number, not {got}",
    "float_type": "should be a number, not {got}",
    "bool_type": "should be true or false, not {got}",
    "list_type": "should be a list [...], not {got}",
    "dict_type": "should be an object {{...}}, not {got}",
    "model_type": "should be an object {{...}}, not {got}",
    "greater_than_equal": "must be {ge} or more, not {got}",
    "greater_than": "must be more than {gt}, not {got}",
    "less_than_equal": "must be {le} or less, not {got}",
    "too_short": "needs at least {min_length} entry (has {actual_length})",
    "too_long": "has {actual_length} entries; at most {max_length} are allowed",
}


def _name_of(data, section: str, index: int, key: str) -> str | None:
    try:
        value = data[section][index][key]
    except (KeyError, IndexError, TypeError):
        return None
    return value if isinstance(value, str) and value.strip() else None


def _where(loc, data, kind: str) -> str:
    """Plain position of an error: ``Service 'kk-baru': hours.mon window 2``, ``Queue 'B'``."""
    parts = [p for p in loc if not str(p).startswith("function-")]
    head = ""
    if len(parts) >= 2 and parts[0] in ("services", "queues") and isinstance(parts[1], int):
        noun, key = ("Service", "code") if parts[0] == "services" else ("Queue", "prefix")
        name = _name_of(data, parts[0], parts[1], key)
        head = f"{noun} '{name}'" if name else f"{noun} #{parts[1] + 1}"
        parts = parts[2:]
    # an hour's own value is in the message, so "window 2" is position enough
    if (kind not in ("missing", "extra_forbidden") and len(parts) >= 2
            and parts[-1] in ("start", "end") and isinstance(parts[-2], int)):
        parts = parts[:-1]
    path = ""
    for i, p in enumerate(parts):
        if isinstance(p, int):
            path += f" window {p + 1}" if i and parts[i - 1] in WEEKDAYS else f" #{p + 1}"
        else:
            path += (" " if i and isinstance(parts[i - 1], int) else ".") + str(p)
    path = path.lstrip(".")
    return f"{head}: {path}" if head and path else head or path


def plain_problems(err, data) -> list[str]:
    """One pydantic error ``err`` (from ``ValidationError.errors()``) of the menu ``data``
    as plain sentences; a cross-check error may hold several, one per line."""
    kind = err["type"]
    where = _where(err["loc"], data, kind)
    if kind in _PHRASES:
        phrase = _PHRASES[kind].format(**err.get("ctx", {}), got=_got(err.get("input")))
        return [f"{where or 'the menu'} {phrase}"]
    msg = err["msg"].removeprefix("Value error, ").removeprefix("Input ")
    return [f"{where}: {msg}"] if where else msg.splitlines()
