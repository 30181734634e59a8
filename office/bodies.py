"""Malformed request bodies get a 4xx with a reason and change nothing; never a 500.

* JSON bodies of the API are read with :func:`kiosk.jsontext.strict_loads`: ``NaN``,
  ``Infinity``, numbers too large for a float and NUL characters are refused with 422
  (PostgreSQL cannot store a NUL in text; NaN cannot be written back as JSON).
* Validation errors (422) are answered without echoing values that cannot be written as
  JSON (FastAPI's default handler echoes the input and fails on NaN, giving a 500).
* Form posts of the web pages carrying a NUL character are refused with 400
  (:func:`refuse_nul_in_form`, called by :func:`office.pages.read_form`).
"""
from __future__ import annotations

import math

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from kiosk.jsontext import JsonRefused, strict_loads


class StrictJSONRequest(Request):
    """A request whose :meth:`json` refuses what :func:`strict_loads` refuses (HTTP 422)."""

    async def json(self):
        if not hasattr(self, "_json"):
            try:
                self._json = strict_loads(await self.body())
            except JsonRefused as exc:
                raise HTTPException(422, f"Request body refused: {exc}.") from None
        return self._json


class StrictJSONRoute(APIRoute):
    """Route class of the JSON API: bodies parsed by :class:`StrictJSONRequest`."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def strict_handler(request: Request):
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict_handler


def _printable(value, depth: int = 0):
    """``value`` as something ``json.dumps(allow_nan=False)`` can write (short)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value[:200] if isinstance(value, str) else value
    if depth < 3 and isinstance(value, (list, tuple)):
        return [_printable(v, depth + 1) for v in list(value)[:20]]
    if depth < 3 and isinstance(value, dict):
        return {str(k)[:60]: _printable(v, depth + 1) for k, v in list(value.items())[:20]}
    return repr(value)[:200]


def plain_errors(exc: RequestValidationError) -> list[dict]:
    """The validation errors as ``[{"loc": [...], "msg": "...", "type": "...", "input": ...}]``;
    every value is JSON-safe (non-finite numbers become text, long values are cut)."""
    out = []
    for error in exc.errors()[:50]:
        item = {"loc": [_printable(part) for part in error.get("loc", ())],
                "msg": str(error.get("msg", "")), "type": str(error.get("type", ""))}
        if "input" in error:
            item["input"] = _printable(error["input"])
        out.append(item)
    return out


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 ``{"detail": [...]}`` as :func:`plain_errors` gives it (never a 500)."""
    return JSONResponse({"detail": plain_errors(exc)}, status_code=422)


class FormRefused(Exception):
    """A form post with a NUL character in a field (answered with 400, nothing changed)."""

    def __init__(self, field: str):
        super().__init__(f"field {field!r} contains a NUL character")
        self.field = field


def refuse_nul_in_form(form) -> None:
    """Raise :class:`FormRefused` when any field name or text value holds a NUL character."""
    for key, value in form.multi_items():
        if "\x00" in key or (isinstance(value, str) and "\x00" in value):
            raise FormRefused(key.replace("\x00", "?")[:40])
