"""The service menu: which services the kiosk offers, in which queue, with what documents.

The menu is a JSON file (``assets/menu.json`` ships the 16 services of a
Dukcapil office). Its schema is declared once, here, with pydantic; loading
validates it and turns every problem into a plain sentence that names the
service and the field (``Service 'kk-baru': names.id is missing``).

Shape (all times are office-local ``HH:MM``, weekdays ``mon``..``sun``)::

    {"schema": 1, "version": "2026-11-29.1",
     "office_hours": {"mon": [["08:00", "15:00"]], ..., "sat": [], "sun": []},
     "queues": [{"prefix": "A", "counter": {"id": "Loket 1", "en": "Counter 1"},
                 "names": {"id": "KTP-el", "en": "KTP-el"}}],
     "services": [{"code": "ktp-baru", "queue": "A", "order": 10, "enabled": true,
                   "icon": "id-card", "names": {"id": "...", "en": "..."},
                   "requirements": {"id": ["Berusia 17 tahun ke atas"], "en": ["..."]},
                   "documents": {"id": ["Fotokopi Kartu Keluarga (KK)"], "en": ["..."]},
                   "hours": null, "daily_quota": null, "window_quotas": [],
                   "counter": null, "avg_service_min": 10}]}

``requirements`` are conditions the resident must meet (age, coming in person);
``documents`` are what they bring. Screen and slip list them apart. A counter
is plain text (the same in every language) or names per language, as above.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Annotated

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictFloat,
                      StrictInt, StringConstraints, ValidationError, field_validator,
                      model_validator)

from .errors import MenuError
from .jsontext import JsonRefused, strict_loads
from .menu_problems import plain_problems
from .menu_text import WEEKDAYS

#: Largest menu file accepted, in bytes (a real menu is a few kB).
MAX_MENU_BYTES = 512 * 1024
#: The menu schema versions this kiosk understands.
KNOWN_SCHEMAS = (1,)

_HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
_CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
_PREFIX = re.compile(r"[A-Z]")


def _code(value: str) -> str:
    if not _CODE.fullmatch(value):
        raise ValueError(f"'{value}' is not a valid code; use lowercase letters, digits and "
                         f"'-' (at most 32, e.g. 'ktp-baru')")
    return value


def _prefix(value: str) -> str:
    if not _PREFIX.fullmatch(value):
        raise ValueError(f"'{value}' is not a queue letter; use one capital letter A-Z")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Code = Annotated[str, AfterValidator(_code)]
Prefix = Annotated[str, AfterValidator(_prefix)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _hhmm(value) -> str:
    if not isinstance(value, str) or not _HHMM.fullmatch(value):
        raise ValueError(f"'{value}' is not a time of day; write HH:MM between 00:00 and 23:59")
    return value


def _end_after_start(self):
    if self.end <= self.start:
        raise ValueError(f"closing time {self.end} must be after opening time {self.start}")
    return self


class Names(_Model):
    """Text per language; Indonesian (``id``) is required."""

    id: Text
    en: Text | None = None

    def get(self, lang: str) -> str:
        return getattr(self, lang, None) or self.id


class Requirements(_Model):
    """Lines of text per language (``requirements`` and ``documents`` of a service); the
    Indonesian list stands in for a language without its own."""

    id: list[Text] = Field(default_factory=list, max_length=12)
    en: list[Text] | None = None

    def get(self, lang: str) -> list[str]:
        return list(getattr(self, lang, None) or self.id)


class Window(_Model):
    """One opening window, ``[start, end)``; in JSON ``["08:00", "15:00"]`` or an object."""

    start: str
    end: str

    _v = field_validator("start", "end", mode="before")(_hhmm)
    _order = model_validator(mode="after")(_end_after_start)

    @model_validator(mode="before")
    @classmethod
    def _from_pair(cls, value):
        if isinstance(value, (dict, Window)):
            return value
        if isinstance(value, (list, tuple)) and len(value) == 2:
            return {"start": value[0], "end": value[1]}
        raise ValueError('write it as ["08:00", "15:00"] (opening time, closing time)')


class WeekHours(_Model):
    """Opening windows per weekday; an empty list means closed that day."""

    mon: list[Window] = Field(default_factory=list)
    tue: list[Window] = Field(default_factory=list)
    wed: list[Window] = Field(default_factory=list)
    thu: list[Window] = Field(default_factory=list)
    fri: list[Window] = Field(default_factory=list)
    sat: list[Window] = Field(default_factory=list)
    sun: list[Window] = Field(default_factory=list)

    @field_validator(*WEEKDAYS)
    @classmethod
    def _no_overlap(cls, windows: list[Window]) -> list[Window]:
        ordered = sorted(enumerate(windows, 1), key=lambda p: p[1].start)
        for (i, a), (j, b) in zip(ordered, ordered[1:]):
            if b.start < a.end:
                first, second = sorted(((i, a), (j, b)))
                raise ValueError(f"window {second[0]} ({second[1].start}-{second[1].end}) "
                                 f"overlaps window {first[0]} ({first[1].start}-"
                                 f"{first[1].end}); a day's windows must not overlap")
        return windows

    def windows(self, weekday: int) -> list[Window]:
        """Windows of ``weekday`` (0 = Monday, as ``date.weekday()``)."""
        return getattr(self, WEEKDAYS[weekday])


class WindowQuota(_Model):
    start: str
    end: str
    quota: StrictInt = Field(ge=0, le=100000)

    _v = field_validator("start", "end", mode="before")(_hhmm)
    _order = model_validator(mode="after")(_end_after_start)


class Queue(_Model):
    """A queue: one prefix letter, one number sequence, served at one counter (loket)."""

    prefix: Prefix
    counter: Text | Names
    names: Names
    priority: StrictBool = False


class Service(_Model):
    code: Code
    queue: Prefix
    order: StrictInt = 0
    enabled: StrictBool = True
    icon: str = ""
    names: Names
    requirements: Requirements = Field(default_factory=Requirements)
    documents: Requirements = Field(default_factory=Requirements)
    hours: WeekHours | None = None
    daily_quota: StrictInt | None = Field(default=None, ge=0, le=100000)
    window_quotas: list[WindowQuota] = Field(default_factory=list)
    counter: Text | Names | None = None
    avg_service_min: StrictFloat = Field(default=10, gt=0, le=480)


class Menu(_Model):
    schema_: StrictInt = Field(alias="schema", default=1)
    version: Text
    office_hours: WeekHours
    queues: list[Queue] = Field(min_length=1, max_length=26)
    services: list[Service] = Field(min_length=1, max_length=60)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("schema_")
    @classmethod
    def _known_schema(cls, value: int) -> int:
        if value not in KNOWN_SCHEMAS:
            raise ValueError(f"{value} is not a menu schema this kiosk knows; it reads schema "
                             f"{', '.join(map(str, KNOWN_SCHEMAS))} only (update the kiosk or "
                             f"use a schema 1 menu)")
        return value

    @model_validator(mode="after")
    def _consistent(self):
        """Cross-checks; problems are joined by newlines (parse_menu splits them)."""
        problems = []
        seen = set()
        for q in self.queues:
            if q.prefix in seen:
                problems.append(f"two queues use the prefix '{q.prefix}'; each queue needs its "
                                f"own letter")
            seen.add(q.prefix)
        codes = set()
        for s in self.services:
            if s.code in codes:
                problems.append(f"Service '{s.code}': code appears twice; codes must be unique")
            codes.add(s.code)
            if s.queue not in seen:
                problems.append(f"Service '{s.code}': queue '{s.queue}' does not exist; add it "
                                f"to 'queues' or use one of {', '.join(sorted(seen))}")
        if self.services and not any(s.enabled for s in self.services):
            problems.append("no service is enabled, so residents would see an empty list; set "
                            "\"enabled\": true on at least one service")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    # -- lookups -------------------------------------------------------------
    def service(self, code: str) -> Service:
        for s in self.services:
            if s.code == code:
                return s
        raise KeyError(code)

    def queue(self, prefix: str) -> Queue:
        for q in self.queues:
            if q.prefix == prefix:
                return q
        raise KeyError(prefix)

    def visible_services(self) -> list[Service]:
        """Enabled services in display order."""
        return sorted((s for s in self.services if s.enabled), key=lambda s: (s.order, s.code))

    def counter_for(self, service: Service, queue: str | None = None, lang: str = "id") -> str:
        """Name of the counter (loket) serving ``service`` in ``lang``; in another ``queue``
        (the priority lane), that queue's counter. Raises KeyError for an unknown queue."""
        if queue and queue != service.queue:
            return counter_text(self.queue(queue).counter, lang)
        return counter_text(service.counter or self.queue(service.queue).counter, lang)

    def priority_queue(self) -> Queue | None:
        """The priority lane (lansia, disabilitas, ibu hamil), if the menu has one."""
        return next((q for q in self.queues if q.priority), None)

    def to_json(self) -> str:
        return json.dumps(self.model_dump(by_alias=True, exclude_none=True), ensure_ascii=False,
                          indent=1)


def counter_text(counter, lang: str = "id") -> str:
    """A menu counter (plain text, :class:`Names` or its dict form) as text in ``lang``;
    Indonesian when ``lang`` has none; "" for None."""
    if counter is None or isinstance(counter, str):
        return counter or ""
    if isinstance(counter, dict):
        return counter.get(lang) or counter.get("id") or ""
    return counter.get(lang)


def _fail(source: str, *problems: str, more: str = "") -> MenuError:
    """A one-line MenuError ``<source>: <problem>; <problem>`` carrying ``problems``."""
    problems = [" ".join(p.split()) for p in problems]
    return MenuError(f"{source}: " + "; ".join(problems[:5]) + more, path=source,
                     problems=problems)


def _too_large(source: str, size: int) -> MenuError:
    return _fail(source, f"{size} bytes is too large for a menu (limit {MAX_MENU_BYTES}); "
                         f"is this the right file?")


class _RepeatedKey(ValueError):
    """Raised by :func:`_unique_keys`; the message is the plain problem."""


def _unique_keys(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            where = (f"Service '{obj['code']}': " if isinstance(obj.get("code"), str)
                     else f"Queue '{obj['prefix']}': " if isinstance(obj.get("prefix"), str)
                     else "")
            raise _RepeatedKey(f"{where}key '{key}' appears twice in one object; keep one")
        obj[key] = value
    return obj


def parse_menu(raw: bytes | str, source: str = "menu") -> Menu:
    """Validate menu JSON text and return a :class:`Menu`.

    ``raw`` is UTF-8 (a leading BOM is accepted); ``source`` names it in messages.
    Raises :class:`MenuError` whose message is one line, ``<source>: <problem>;
    ...``, and whose ``problems`` holds each problem as a plain sentence: text
    over :data:`MAX_MENU_BYTES`, broken UTF-8, invalid JSON, a repeated key, or
    a schema violation (unknown schema, duplicate code or prefix, unknown
    queue, missing or empty name, bad or overlapping hours, negative quota,
    wrong JSON type, unknown field).
    """
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if len(raw) > MAX_MENU_BYTES:
        raise _too_large(source, len(raw))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(source, f"not UTF-8 text (byte {exc.start}); save it as UTF-8.") from None
    if not text.strip():
        raise _fail(source, "the file is empty; a menu is a JSON object {...} (see "
                            "assets/menu.json).")
    try:
        data = strict_loads(text, object_pairs_hook=_unique_keys)
    except (_RepeatedKey, JsonRefused) as exc:
        raise _fail(source, str(exc)) from None
    except json.JSONDecodeError as exc:
        raise _fail(source, f"not valid JSON at line {exc.lineno} column {exc.colno}: "
                            f"{exc.msg}.") from None
    except RecursionError:
        raise _fail(source, "nested too deeply to be a menu; is this the right file?") from None
    try:
        return Menu.model_validate(data)
    except ValidationError as exc:
        problems = [p for e in exc.errors() for p in plain_problems(e, data)]
        more = f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""
        raise _fail(source, *problems, more=more) from None


def load_menu(path, hint: str = "Check [kiosk] menu in kiosk.ini.") -> Menu:
    """Read and validate the menu file at ``path``; raises :class:`MenuError` (see parse_menu).
    ``hint``: the fix told when the file cannot be read (where its path came from)."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_MENU_BYTES:
                raise _too_large(str(path), size)
            raw = fh.read(MAX_MENU_BYTES + 1)
    except OSError as exc:
        raise MenuError(f"{path}: cannot read the menu ({exc.strerror}). {hint}",
                        path=str(path), problems=[str(exc)]) from None
    return parse_menu(raw, str(path))
