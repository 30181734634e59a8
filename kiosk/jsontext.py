"""JSON as RFC 8259 defines it, for text that crosses a trust boundary.

Python's :func:`json.loads` also accepts ``NaN``, ``Infinity`` and ``-Infinity``
and turns ``1e999`` into ``inf``; none of them is JSON, none can be written back
as JSON, and PostgreSQL cannot store a NUL character (``\\u0000``) in text.
:func:`strict_loads` refuses all of them with a sentence naming the problem.
Used by the menu reader (:func:`kiosk.menu.parse_menu`) and the office server.
"""
from __future__ import annotations

import json
import math


class JsonRefused(ValueError):
    """Valid-looking JSON that is refused; ``str(exc)`` says why in plain words."""


def _no_constant(name: str):
    raise JsonRefused(f"{name} is not a JSON number; send a finite number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonRefused(f"the number {text[:40]} is too large; send a finite number")
    return value


def _first_nul(value) -> str | None:
    """Where the first string containing a NUL character is, as a JSON path, or None."""
    stack = [("$", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return path
        elif isinstance(item, dict):
            for key, sub in item.items():
                if "\x00" in key:
                    return path
                stack.append((f"{path}.{key[:40]}", sub))
        elif isinstance(item, list):
            stack.extend((f"{path}[{i}]", sub) for i, sub in enumerate(item))
    return None


def strict_loads(text: str | bytes, **kwargs):
    """``json.loads(text, **kwargs)`` that also refuses NaN, Infinity, numbers too large for
    a float, and NUL characters in strings or keys.

    Raises :class:`json.JSONDecodeError` for text that is not JSON at all and
    :class:`JsonRefused` (a ValueError) for the cases above.
    """
    data = json.loads(text, parse_constant=_no_constant, parse_float=_finite, **kwargs)
    where = _first_nul(data)
    if where is not None:
        raise JsonRefused(f"a text at {where} contains a NUL character (\\u0000); remove it")
    return data
