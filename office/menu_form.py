"""The menu editor form: a menu as flat form fields, form fields back to menu JSON.

The form state is the flat ``{field name: text}`` a browser posts, so a
refused form is shown again exactly as the admin typed it. Field names::

    version, oh.mon .. oh.sun                       office hours, "08:00-12:00, 13:00-15:00"
    nq, q<i>.prefix|counter|counter_en|name_id|name_en|priority|delete
    ns, s<i>.code|enabled|order|icon|name_id|name_en|req_id|req_en|doc_id|doc_en|queue|
        counter|counter_en|daily_quota|window_quotas|own_hours|h.mon..h.sun|avg|delete

``req_*`` are the requirements (conditions, e.g. "Berusia 17 tahun ke atas"),
``doc_*`` the documents to bring; ``counter_en`` the counter's English name.

:func:`fields_to_menu` turns them into menu JSON for :func:`kiosk.menu.parse_menu`
(which does the validation) plus the problems only the form can have
(an hour range it cannot read; service hours typed while "own hours" is not
ticked, refused rather than silently dropped). Rows left blank are ignored; ``delete`` drops a row.
"""
from __future__ import annotations

import json
import re

from kiosk.menu import WEEKDAYS, counter_text
from kiosk.menu_text import text_lines, time_text

#: Blank rows offered for a new queue / service.
BLANK_QUEUES = 1
BLANK_SERVICES = 1
MAX_ROWS = 80
DAY_NAMES = {"mon": "Senin", "tue": "Selasa", "wed": "Rabu", "thu": "Kamis", "fri": "Jumat",
             "sat": "Sabtu", "sun": "Minggu"}
_SERVICE_KEYS = ("code", "order", "icon", "name_id", "name_en", "req_id", "req_en", "doc_id",
                 "doc_en", "queue", "counter", "counter_en", "daily_quota", "window_quotas",
                 "avg")
_RANGE_SPLIT = re.compile(r"\s*(?:-|–|—|s/d|sampai|to)\s*", re.IGNORECASE)


# -- menu -> fields ------------------------------------------------------------
def _window_text(windows) -> str:
    pairs = [(w["start"], w["end"]) if isinstance(w, dict) else tuple(w) for w in windows or []]
    return ", ".join(f"{a}-{b}" for a, b in pairs)


def _num_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def menu_to_fields(data: dict) -> dict[str, str]:
    """Form fields of a (valid) menu dict, plus blank rows for a new queue and service."""
    f = {"version": str(data.get("version", ""))}
    for day in WEEKDAYS:
        f[f"oh.{day}"] = _window_text(data.get("office_hours", {}).get(day))
    queues = data.get("queues", [])
    for i, q in enumerate(queues):
        f.update({f"q{i}.prefix": q.get("prefix", ""),
                  f"q{i}.counter": counter_text(q.get("counter"), "id"),
                  f"q{i}.counter_en": _counter_en(q.get("counter")),
                  f"q{i}.name_id": q.get("names", {}).get("id", ""),
                  f"q{i}.name_en": q.get("names", {}).get("en") or ""})
        if q.get("priority"):
            f[f"q{i}.priority"] = "1"
    f["nq"] = str(len(queues) + BLANK_QUEUES)
    services = data.get("services", [])
    for i, s in enumerate(services):
        p = f"s{i}."
        req, doc = s.get("requirements") or {}, s.get("documents") or {}
        f.update({p + "code": s.get("code", ""), p + "order": _num_text(s.get("order", 0)),
                  p + "icon": s.get("icon", ""), p + "name_id": s["names"].get("id", ""),
                  p + "name_en": s["names"].get("en") or "",
                  p + "req_id": "\n".join(req.get("id") or []),
                  p + "req_en": "\n".join(req.get("en") or []),
                  p + "doc_id": "\n".join(doc.get("id") or []),
                  p + "doc_en": "\n".join(doc.get("en") or []),
                  p + "queue": s.get("queue", ""),
                  p + "counter": counter_text(s.get("counter"), "id"),
                  p + "counter_en": _counter_en(s.get("counter")),
                  p + "daily_quota": _num_text(s.get("daily_quota")),
                  p + "window_quotas": "\n".join(f"{w['start']}-{w['end']} {w['quota']}"
                                                 for w in s.get("window_quotas") or []),
                  p + "avg": _num_text(s.get("avg_service_min", 10))})
        if s.get("enabled", True):
            f[p + "enabled"] = "1"
        if s.get("hours") is not None:
            f[p + "own_hours"] = "1"
            for day in WEEKDAYS:
                f[f"{p}h.{day}"] = _window_text(s["hours"].get(day))
    f["ns"] = str(len(services) + BLANK_SERVICES)
    return f


def form_fields(form) -> dict[str, str]:
    """The text fields of a posted form (files and the csrf token left out)."""
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf"}


# -- fields -> menu ------------------------------------------------------------
def row_count(fields, key) -> int:
    text = fields.get(key, "0").strip()
    return min(int(text), MAX_ROWS) if text.isdigit() else 0


def _int(text: str):
    """A whole number when the text is one, else the text itself (parse_menu names it)."""
    text = text.strip()
    return int(text) if re.fullmatch(r"[+-]?\d{1,9}", text) else text


def _number(text: str):
    text = text.strip().replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return text


def _windows(text: str, where: str, problems: list) -> list:
    """``"08:00-12:00, 13:00-15:00"`` -> ``[["08:00", "12:00"], ["13:00", "15:00"]]``."""
    out = []
    for piece in re.split(r"[,;\n]+", text):
        if not piece.strip():
            continue
        parts = _RANGE_SPLIT.split(piece.strip())
        if len(parts) != 2:
            problems.append(f"{where}: '{piece.strip()}' cannot be read; write opening and "
                            f"closing time like 08:00-15:00 (several: 08:00-12:00, 13:00-15:00)")
            continue
        out.append([time_text(parts[0]), time_text(parts[1])])
    return out


def _week(fields, prefix: str, where: str, problems: list) -> dict:
    return {day: _windows(fields.get(f"{prefix}{day}", ""), f"{where} {day}", problems)
            for day in WEEKDAYS}


def _counter_en(counter) -> str:
    """The English name of a menu counter ("" when it has one name for all languages)."""
    return (counter.get("en") or "") if isinstance(counter, dict) else ""


def _counter(fields, p: str):
    """The counter as the menu holds it: text, or names per language when English is given."""
    name_id = fields.get(p + "counter", "").strip()
    name_en = fields.get(p + "counter_en", "").strip()
    return {"id": name_id, "en": name_en} if name_en else name_id


def _lines_per_lang(fields, p: str, key: str) -> dict:
    out = {"id": text_lines(fields.get(p + key + "_id", ""))}
    if text_lines(fields.get(p + key + "_en", "")):
        out["en"] = text_lines(fields[p + key + "_en"])
    return out


def _names(fields, p: str) -> dict:
    names = {}
    if fields.get(p + "name_id", "").strip():
        names["id"] = fields[p + "name_id"].strip()
    if fields.get(p + "name_en", "").strip():
        names["en"] = fields[p + "name_en"].strip()
    return names


def _window_quotas(text: str, where: str, problems: list) -> list:
    out = []
    for line in text_lines(text):
        m = re.fullmatch(r"(.+?)\s+(\S+)", line)
        windows = _windows(m.group(1), where, problems) if m else []
        if not m or len(windows) != 1:
            if m:
                continue  # _windows said why
            problems.append(f"{where}: '{line}' cannot be read; write the time range and the "
                            f"quota, like 07:30-09:00 20")
            continue
        out.append({"start": windows[0][0], "end": windows[0][1], "quota": _int(m.group(2))})
    return out


def _queue(fields, i: int) -> dict | None:
    p = f"q{i}."
    if fields.get(p + "delete") or not any(fields.get(p + k, "").strip() for k in
                                           ("prefix", "counter", "counter_en", "name_id",
                                            "name_en")):
        return None
    q = {"prefix": fields.get(p + "prefix", "").strip().upper(),
         "counter": _counter(fields, p), "names": _names(fields, p)}
    if fields.get(p + "priority"):
        q["priority"] = True
    return q


def _service(fields, i: int, problems: list) -> dict | None:
    p = f"s{i}."
    if fields.get(p + "delete") or not any(fields.get(p + k, "").strip() for k in
                                           ("code", "name_id", "name_en", "req_id",
                                            "doc_id")):
        return None
    code = fields.get(p + "code", "").strip()
    where = f"Service '{code}'" if code else f"Service #{i + 1}"
    s = {"code": code, "queue": fields.get(p + "queue", "").strip().upper(),
         "order": _int(fields.get(p + "order", "") or "0"),
         "enabled": bool(fields.get(p + "enabled")), "icon": fields.get(p + "icon", "").strip(),
         "names": _names(fields, p),
         "requirements": _lines_per_lang(fields, p, "req"),
         "documents": _lines_per_lang(fields, p, "doc")}
    if fields.get(p + "own_hours"):
        s["hours"] = _week(fields, p + "h.", f"{where}: hours", problems)
    elif typed := [DAY_NAMES[d] for d in WEEKDAYS if fields.get(f"{p}h.{d}", "").strip()]:
        problems.append(f"{where}: jam layanan diisi ({', '.join(typed)}) tetapi kotak 'Jam "
                        f"layanan sendiri' tidak dicentang. Centang kotak itu untuk memakai jam "
                        f"ini, atau kosongkan jamnya agar layanan mengikuti jam kantor. (Hours "
                        f"typed but 'own hours' not ticked: tick it to use these hours, or "
                        f"empty them to follow office hours.)")
    if fields.get(p + "daily_quota", "").strip():
        s["daily_quota"] = _int(fields[p + "daily_quota"])
    s["window_quotas"] = _window_quotas(fields.get(p + "window_quotas", ""),
                                        f"{where}: window quotas", problems)
    if fields.get(p + "counter", "").strip() or fields.get(p + "counter_en", "").strip():
        s["counter"] = _counter(fields, p)
    if fields.get(p + "avg", "").strip():
        s["avg_service_min"] = _number(fields[p + "avg"])
    return s


def fields_to_menu(fields: dict[str, str]) -> tuple[dict, list[str]]:
    """``(menu dict, form problems)``; the dict still needs :func:`kiosk.menu.parse_menu`."""
    problems: list[str] = []
    data = {"schema": 1, "version": fields.get("version", "").strip(),
            "office_hours": _week(fields, "oh.", "Office hours", problems),
            "queues": [q for i in range(row_count(fields, "nq")) if (q := _queue(fields, i))],
            "services": [s for i in range(row_count(fields, "ns"))
                         if (s := _service(fields, i, problems))]}
    return data, problems


def menu_bytes(data: dict) -> bytes:
    """The JSON text a form publishes (UTF-8, one space indent, like Menu.to_json)."""
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
