"""The admin's menu draft: a plain JSON-shaped dict edited from the touch forms.

No Kivy here (tested alone). The draft starts as a copy of the menu in force
(:func:`draft_of`); the forms read and write it as text fields
(:func:`service_form`, :func:`apply_service_form`, ...). Nothing here decides
whether a menu is valid: :func:`kiosk.menu.parse_menu` does that when the
admin previews or saves, and its plain problems are shown. The helpers only
turn what was typed into JSON values (``8.00`` -> ``"08:00"``, ``"20"`` -> 20)
and refuse what cannot be turned (``"dua puluh"`` as a quota).
"""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path

from kiosk.menu import WEEKDAYS, Menu, counter_text
from kiosk.menu_text import text_lines, time_text

DAY_NAMES = {"mon": "Senin", "tue": "Selasa", "wed": "Rabu", "thu": "Kamis", "fri": "Jumat",
             "sat": "Sabtu", "sun": "Minggu"}
_INT = re.compile(r"-?\d+")
#: how deep and how many ``*.json`` files :func:`find_menu_files` looks for
FIND_DEPTH, FIND_LIMIT = 4, 60


def draft_of(menu: Menu) -> dict:
    """A deep, JSON-shaped copy of ``menu`` to edit."""
    return json.loads(menu.to_json())


def dumps(draft: dict) -> bytes:
    """The draft as menu file bytes (UTF-8 JSON)."""
    return json.dumps(draft, ensure_ascii=False, indent=1).encode("utf-8")


def same(draft: dict, menu: Menu) -> bool:
    """True when ``draft`` has no change against ``menu`` (the version aside)."""
    a, b = copy.deepcopy(draft), draft_of(menu)
    a.pop("version", None), b.pop("version", None)
    return a == b


def ordered(draft: dict) -> list[dict]:
    """The draft's services in display order (as the resident sees the enabled ones)."""
    return sorted(draft["services"], key=lambda s: (s.get("order", 0), s.get("code", "")))


def service(draft: dict, code: str) -> dict:
    return next(s for s in draft["services"] if s.get("code") == code)


def set_enabled(draft: dict, code: str, enabled: bool) -> None:
    service(draft, code)["enabled"] = bool(enabled)


def move(draft: dict, code: str, step: int) -> bool:
    """Move ``code`` ``step`` places (-1 up, +1 down); renumbers order 10, 20, ...

    Returns False when it is already first or last.
    """
    items = ordered(draft)
    i = next(n for n, s in enumerate(items) if s.get("code") == code)
    j = i + step
    if not 0 <= j < len(items):
        return False
    items[i], items[j] = items[j], items[i]
    for n, s in enumerate(items, 1):
        s["order"] = n * 10
    return True


#: the names of a service the admin adds (then renames): Indonesian, English
NEW_NAMES = ("Layanan baru", "New service")


def add_service(draft: dict, from_code: str) -> str:
    """Add a copy of service ``from_code`` right after it and return its new code.

    The copy keeps the queue, counter, hours, quota, minutes, requirements, documents
    and icon; it gets a free code (``baru``, ``baru-2``, ...; the menu schema's
    ``[a-z0-9-]``), the names "Layanan baru" / "New service" (numbered when taken) and
    starts switched off, so residents never see it before the admin names it and
    turns it on. Raises StopIteration when ``from_code`` is not in the draft.
    """
    source = service(draft, from_code)
    codes = {s.get("code") for s in draft["services"]}
    names = {s.get("names", {}).get("id") for s in draft["services"]}
    n = 1
    while (_numbered("baru", n, "-") in codes
           or _numbered(NEW_NAMES[0], n, " ") in names):
        n += 1
    new = copy.deepcopy(source)
    new.update(code=_numbered("baru", n, "-"), enabled=False,
               names={"id": _numbered(NEW_NAMES[0], n, " "),
                      "en": _numbered(NEW_NAMES[1], n, " ")})
    items = ordered(draft)
    items.insert(items.index(source) + 1, new)
    draft["services"].append(new)
    for i, s in enumerate(items, 1):
        s["order"] = i * 10
    return new["code"]


def _numbered(text: str, n: int, sep: str) -> str:
    return text if n == 1 else f"{text}{sep}{n}"


def delete_service(draft: dict, code: str) -> bool:
    """Remove service ``code`` from the draft; False (nothing removed) when it is the
    only service (a menu needs one). Tickets already issued keep their service's name
    (:attr:`kiosk.models.Ticket.service_names`). Raises StopIteration for an unknown code."""
    gone = service(draft, code)
    if len(draft["services"]) <= 1:
        return False
    draft["services"].remove(gone)
    return True


# -- hours -----------------------------------------------------------------------
def _window(w) -> tuple[str, str]:
    return (w["start"], w["end"]) if isinstance(w, dict) else (w[0], w[1])


def hours_form(week: dict | None) -> dict:
    """``{day: {"open": "08:00", "close": "15:00", "closed": False, "windows": [...]}}``.

    A day with several windows (a lunch break) shows the first opening and the
    last closing; its windows are kept unless the admin changes that day.
    """
    out = {}
    for day in WEEKDAYS:
        windows = [_window(w) for w in (week or {}).get(day, [])]
        out[day] = {"open": windows[0][0] if windows else "",
                    "close": windows[-1][1] if windows else "",
                    "closed": not windows, "windows": windows}
    return out


def read_hours(form: dict, problems: list) -> dict:
    """The weekly hours of ``form`` (as :func:`hours_form`, edited); plain problems are
    appended for a day that is open but lacks a time."""
    week = {}
    for day in WEEKDAYS:
        row = form[day]
        opening, closing = time_text(row["open"]), time_text(row["close"])
        if row["closed"]:
            week[day] = []
        elif not opening or not closing:
            problems.append(f"{DAY_NAMES[day]}: isi jam buka dan jam tutup, atau pilih Libur.")
        elif row["windows"] and (opening, closing) == (row["windows"][0][0],
                                                       row["windows"][-1][1]):
            week[day] = [[a, b] for a, b in row["windows"]]
        else:
            week[day] = [[opening, closing]]
    return week


# -- one service -----------------------------------------------------------------
def service_form(draft: dict, code: str) -> dict:
    """The text fields of one service's form."""
    s = service(draft, code)
    names, reqs = s.get("names", {}), s.get("requirements", {})
    quota, minutes = s.get("daily_quota"), s.get("avg_service_min", 10)
    return {"code": code, "name_id": names.get("id", ""), "name_en": names.get("en") or "",
            "req_id": "\n".join(reqs.get("id") or []), "req_en": "\n".join(reqs.get("en") or []),
            "queue": s.get("queue", ""), "counter": counter_text(s.get("counter"), "id"),
            "quota": "" if quota is None else str(quota),
            "minutes": f"{minutes:g}" if isinstance(minutes, (int, float)) else str(minutes),
            "own_hours": s.get("hours") is not None,
            # "same as office hours": the rows start from the office hours, ready to change
            "hours": hours_form(s["hours"] if s.get("hours") is not None
                                else draft.get("office_hours"))}


def _number(text: str, field: str, problems: list, whole: bool):
    text = text.strip().replace(",", ".")
    if whole and _INT.fullmatch(text):
        return int(text)
    if not whole:
        try:
            value = float(text)
            return int(value) if value.is_integer() else value
        except ValueError:
            pass
    problems.append(f"{field}: tulis angka{' bulat' if whole else ''}, misalnya "
                    f"{'50' if whole else '10'} (sekarang: \"{text}\").")
    return None


def apply_service_form(draft: dict, form: dict) -> list[str]:
    """Write ``form`` into the draft's service; returns plain problems (then nothing is
    written). Emptiness and ranges are left to the menu validation at save time."""
    problems: list[str] = []
    quota = None
    if form["quota"].strip():
        quota = _number(form["quota"], "Kuota harian", problems, whole=True)
    minutes = None
    if form["minutes"].strip():
        minutes = _number(form["minutes"], "Rata-rata menit per warga", problems, whole=False)
    hours = read_hours(form["hours"], problems) if form["own_hours"] else None
    if problems:
        return problems
    s = service(draft, form["code"])
    s["names"] = {"id": form["name_id"].strip()}
    if form["name_en"].strip():
        s["names"]["en"] = form["name_en"].strip()
    s["requirements"] = {"id": text_lines(form["req_id"])}
    if text_lines(form["req_en"]):
        s["requirements"]["en"] = text_lines(form["req_en"])
    s["queue"] = form["queue"]
    _set(s, "counter", _typed_counter(s.get("counter"), form["counter"]) or None)
    _set(s, "daily_quota", quota)
    _set(s, "avg_service_min", minutes)
    _set(s, "hours", hours)
    return []


def _typed_counter(before, typed: str):
    """The counter after the editor's Indonesian field says ``typed``: unchanged (with its
    English name) when the text is the same, else the typed text for every language (the
    office editor sets English names)."""
    typed = typed.strip()
    return before if typed and typed == counter_text(before, "id") else typed


def _set(obj: dict, key: str, value) -> None:
    if value is None:
        obj.pop(key, None)
    else:
        obj[key] = value


# -- queues and office hours -------------------------------------------------------
def queues_form(draft: dict) -> list[dict]:
    return [{"prefix": q["prefix"], "counter": counter_text(q.get("counter"), "id"),
             "name_id": q.get("names", {}).get("id", ""),
             "name_en": q.get("names", {}).get("en") or ""} for q in draft["queues"]]


def apply_queues_form(draft: dict, rows: list[dict], office: dict) -> list[str]:
    """Counters and names of the queues, and the office hours; plain problems (nothing
    written) or []."""
    problems: list[str] = []
    week = read_hours(office, problems)
    if problems:
        return problems
    by_prefix = {q["prefix"]: q for q in draft["queues"]}
    for row in rows:
        q = by_prefix[row["prefix"]]
        q["counter"] = _typed_counter(q.get("counter"), row["counter"])
        q["names"] = {"id": row["name_id"].strip()}
        if row["name_en"].strip():
            q["names"]["en"] = row["name_en"].strip()
    draft["office_hours"] = week
    return []


# -- files -----------------------------------------------------------------------
def find_menu_files(folder, depth: int = FIND_DEPTH, limit: int = FIND_LIMIT) -> list[Path]:
    """``*.json`` files under ``folder`` (a USB stick mount), at most ``depth`` folders
    down and ``limit`` files, sorted; unreadable folders are skipped."""
    found: list[Path] = []
    todo = [(Path(folder), 0)]
    while todo and len(found) < limit:
        here, level = todo.pop(0)
        try:
            entries = sorted(here.iterdir())
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir() and not entry.name.startswith(".") and level < depth:
                    todo.append((entry, level + 1))
                elif entry.is_file() and entry.suffix.lower() == ".json":
                    found.append(entry)
            except OSError:
                continue
    return sorted(found[:limit])
