"""The service menu: which services the kiosk offers, in which queue, with what documents.

The menu is a JSON file (``assets/menu.json`` ships the 16 services of a
Dukcapil office). Its schema is declared once, here, with pydantic; loading
validates it and turns every problem into a plain sentence that names the
service and the field (``Service 'kk-baru': names.id is missing``).

Shape (all times are office-local ``HH:MM``, weekdays ``mon``..``sun``)::

    {"schema": 1, "version": "2026-11-29.1",
     "office_hours": {"mon": [["08:00", "15:00"]], ..., "sat": [], "sun": []},
     "queues": [{"prefix": "A", "counter": "Loket 1",
                 "names": {"id": "KTP-el", "en": "KTP-el"}}],
     "services": [{"code": "ktp-baru", "queue": "A", "order": 10, "enabled": true,
                   "icon": "id-card", "names": {"id": "...", "en": "..."},
                   "requirements": {"id": ["..."], "en": ["..."]},
                   "hours": null, "daily_quota": null, "window_quotas": [],
                   "counter": null, "avg_service_min": 10}]}
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated

from pydantic import (BaseModel, ConfigDict, Field, StringConstraints, ValidationError,
                      field_validator, model_validator)

from .errors import MenuError

#: Largest menu file accepted, in bytes (a real menu is a few kB).
MAX_MENU_BYTES = 512 * 1024
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")]
Prefix = Annotated[str, StringConstraints(pattern=r"^[A-Z]$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _hhmm(value: str) -> str:
    if not isinstance(value, str) or not _HHMM.match(value):
        raise ValueError(f"'{value}' is not a time of day; write HH:MM between 00:00 and 23:59")
    return value


class Names(_Model):
    """Text per language; Indonesian (``id``) is required."""

    id: Text
    en: Text | None = None

    def get(self, lang: str) -> str:
        return getattr(self, lang, None) or self.id


class Requirements(_Model):
    id: list[Text] = Field(default_factory=list, max_length=12)
    en: list[Text] | None = None

    def get(self, lang: str) -> list[str]:
        return list(getattr(self, lang, None) or self.id)


class Window(_Model):
    start: str
    end: str

    _v = field_validator("start", "end")(_hhmm)

    @model_validator(mode="after")
    def _order(self):
        if self.end <= self.start:
            raise ValueError(f"closing time {self.end} must be after opening time {self.start}")
        return self


def _windows_from_pairs(value):
    if isinstance(value, list):
        return [Window(start=p[0], end=p[1]) if isinstance(p, (list, tuple)) and len(p) == 2
                else p for p in value]
    return value


class WeekHours(_Model):
    """Opening windows per weekday; an empty list means closed that day."""

    mon: list[Window] = Field(default_factory=list)
    tue: list[Window] = Field(default_factory=list)
    wed: list[Window] = Field(default_factory=list)
    thu: list[Window] = Field(default_factory=list)
    fri: list[Window] = Field(default_factory=list)
    sat: list[Window] = Field(default_factory=list)
    sun: list[Window] = Field(default_factory=list)

    _pairs = field_validator(*WEEKDAYS, mode="before")(_windows_from_pairs)

    def windows(self, weekday: int) -> list[Window]:
        """Windows of ``weekday`` (0 = Monday, as ``date.weekday()``)."""
        return getattr(self, WEEKDAYS[weekday])


class WindowQuota(_Model):
    start: str
    end: str
    quota: int = Field(ge=0, le=100000)

    _v = field_validator("start", "end")(_hhmm)


class Queue(_Model):
    """A queue: one prefix letter, one number sequence, served at one counter (loket)."""

    prefix: Prefix
    counter: Text
    names: Names
    priority: bool = False


class Service(_Model):
    code: Code
    queue: Prefix
    order: int = 0
    enabled: bool = True
    icon: str = ""
    names: Names
    requirements: Requirements = Field(default_factory=Requirements)
    hours: WeekHours | None = None
    daily_quota: int | None = Field(default=None, ge=0, le=100000)
    window_quotas: list[WindowQuota] = Field(default_factory=list)
    counter: Text | None = None
    avg_service_min: float = Field(default=10, gt=0, le=480)


class Menu(_Model):
    schema_: int = Field(alias="schema", default=1)
    version: Text
    office_hours: WeekHours
    queues: list[Queue] = Field(min_length=1, max_length=26)
    services: list[Service] = Field(min_length=1, max_length=60)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _consistent(self):
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
                problems.append(f"service code '{s.code}' appears twice; codes must be unique")
            codes.add(s.code)
            if s.queue not in seen:
                problems.append(f"service '{s.code}': queue '{s.queue}' does not exist; add it "
                                f"to 'queues' or use one of {', '.join(sorted(seen))}")
        if problems:
            raise ValueError("; ".join(problems))
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

    def counter_for(self, service: Service) -> str:
        return service.counter or self.queue(service.queue).counter

    def to_json(self) -> str:
        return json.dumps(self.model_dump(by_alias=True, exclude_none=True), ensure_ascii=False,
                          indent=1)


def _where(loc, data) -> str:
    """Turn a pydantic error location into plain words naming the service."""
    parts = list(loc)
    prefix = ""
    if len(parts) >= 2 and parts[0] == "services" and isinstance(parts[1], int):
        code = None
        try:
            code = data["services"][parts[1]].get("code")
        except (KeyError, IndexError, TypeError, AttributeError):
            pass
        prefix = f"Service '{code}'" if code else f"Service #{parts[1] + 1}"
        parts = parts[2:]
    elif len(parts) >= 2 and parts[0] == "queues" and isinstance(parts[1], int):
        prefix = f"Queue #{parts[1] + 1}"
        parts = parts[2:]
    field = ".".join(str(p) for p in parts if not str(p).startswith("function-"))
    return f"{prefix}: {field}" if prefix and field else (prefix or field or "menu")


def _plain(err, data) -> str:
    kind, msg = err["type"], err["msg"]
    where = _where(err["loc"], data)
    if kind == "missing":
        return f"{where} is missing"
    if kind == "extra_forbidden":
        return f"{where} is not a known field (remove it or fix its spelling)"
    msg = msg.removeprefix("Value error, ")
    return f"{where}: {msg}"


def parse_menu(raw: bytes | str, source: str = "menu") -> Menu:
    """Validate menu JSON text and return a :class:`Menu`.

    Raises :class:`MenuError` with ``problems`` (one plain sentence each) for
    text over :data:`MAX_MENU_BYTES`, broken UTF-8, invalid JSON or a schema
    violation (duplicate code, duplicate prefix, unknown queue, missing
    Indonesian name, bad hour, negative quota, unknown field).
    """
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if len(raw) > MAX_MENU_BYTES:
        raise MenuError(f"{source}: {len(raw)} bytes is too large for a menu (limit "
                        f"{MAX_MENU_BYTES}); is this the right file?", path=source,
                        problems=["file too large"])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MenuError(f"{source}: not UTF-8 text (byte {exc.start}); save it as UTF-8.",
                        path=source, problems=["not UTF-8"]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MenuError(f"{source}: not valid JSON at line {exc.lineno} column {exc.colno}: "
                        f"{exc.msg}.", path=source, problems=[exc.msg]) from None
    try:
        return Menu.model_validate(data)
    except ValidationError as exc:
        problems = [_plain(e, data) for e in exc.errors()]
        raise MenuError(f"{source}: " + "; ".join(problems[:5])
                        + (f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""),
                        path=source, problems=problems) from None


def load_menu(path) -> Menu:
    """Read and validate the menu file at ``path``; raises :class:`MenuError`."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_MENU_BYTES + 1)
    except OSError as exc:
        raise MenuError(f"{path}: cannot read the menu ({exc.strerror}). Check [kiosk] menu in "
                        f"kiosk.ini.", path=str(path), problems=[str(exc)]) from None
    return parse_menu(raw, str(path))
