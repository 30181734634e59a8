"""The shipped service menu (assets/menu.json) and parse_menu's refusals.

Every refusal must come back as a MenuError whose message, in plain words,
names the service (or queue / section) and the field that is wrong.
"""
import json

import pytest

from kiosk import ASSETS_DIR
from kiosk.errors import MenuError
from kiosk.menu import MAX_MENU_BYTES, Menu, load_menu, parse_menu

MENU_PATH = ASSETS_DIR / "menu.json"

#: The 16 services of shared/DOMAIN.md, in table order, with their queue letter.
EXPECTED = [
    ("ktp-baru", "A"), ("ktp-rusak", "A"), ("ktp-hilang", "A"), ("ktp-ubah", "A"),
    ("kk-baru", "B"), ("kk-ubah", "B"), ("kk-hilang", "B"),
    ("akta-lahir", "C"), ("akta-mati", "C"), ("akta-kawin", "C"), ("akta-cerai", "C"),
    ("pindah", "D"), ("kia", "E"), ("ikd", "F"), ("ambil", "G"), ("konsultasi", "H"),
]


@pytest.fixture(scope="module")
def menu() -> Menu:
    return load_menu(MENU_PATH)


@pytest.fixture
def data() -> dict:
    """A fresh, mutable copy of the shipped menu as plain JSON data."""
    return json.loads(MENU_PATH.read_text(encoding="utf-8"))


def _service(data: dict, code: str) -> dict:
    return next(s for s in data["services"] if s["code"] == code)


def refuse(raw) -> MenuError:
    """parse_menu must refuse ``raw`` (dict -> JSON) with a readable MenuError."""
    if isinstance(raw, dict):
        raw = json.dumps(raw, ensure_ascii=False)
    with pytest.raises(MenuError) as info:
        parse_menu(raw, "menu.json")
    err = info.value
    msg = str(err)
    assert msg.startswith("menu.json"), msg
    assert err.problems, msg
    assert "\n" not in msg, msg
    assert not msg.startswith("menu.json: menu"), msg
    assert all(isinstance(p, str) and "\n" not in p for p in err.problems), err.problems
    assert all(p in msg for p in err.problems[:5]), (msg, err.problems)
    # plain words: no pydantic internals leak into what an admin reads
    for jargon in ("errors.pydantic.dev", "Value error", "Input should", "String should",
                   "valid dictionary", "Traceback"):
        assert jargon not in msg, msg
    return err


# -- the shipped menu --------------------------------------------------------

def test_shipped_menu_loads(menu):
    assert isinstance(menu, Menu)
    assert menu.schema_ == 1
    assert menu.version == "2026-11-29.1"


def test_shipped_menu_round_trips(menu):
    assert parse_menu(menu.to_json()) == menu


def test_sixteen_services_in_domain_order(menu):
    assert [(s.code, s.queue) for s in menu.services] == EXPECTED
    assert [s.order for s in menu.services] == list(range(10, 170, 10))
    assert [s.code for s in menu.visible_services()] == [c for c, _ in EXPECTED]


def test_ktp_services_share_queue_a(menu):
    ktp = [s for s in menu.services if s.code.startswith("ktp-")]
    assert len(ktp) == 4
    assert {s.queue for s in ktp} == {"A"}
    assert menu.queue("A").names.id == "KTP-el"


def test_queues_a_to_h_each_with_own_counter(menu):
    assert [q.prefix for q in menu.queues] == list("ABCDEFGHP")
    assert [q.counter.id for q in menu.queues[:8]] == [f"Loket {i}" for i in range(1, 9)]
    assert [q.counter.en for q in menu.queues[:8]] == [f"Counter {i}" for i in range(1, 9)]
    assert menu.priority_queue().prefix == "P" and menu.queues[8].counter.id == "Loket Prioritas"
    for q in menu.queues:
        assert q.names.id and q.names.en, q.prefix
    for lang in ("id", "en"):
        assert all(menu.counter_for(s, lang=lang) == menu.queue(s.queue).counter.get(lang)
                   for s in menu.services)


def test_english_names_every_counter_counter_not_loket(menu):
    for s in menu.services:
        assert "Loket" not in menu.counter_for(s, lang="en"), s.code
        assert menu.counter_for(s, "P", "en") == "Priority counter"
        assert menu.counter_for(s, "P") == "Loket Prioritas"


def test_a_counter_may_be_one_text_for_every_language(data):
    data["queues"][0]["counter"] = "Loket 1"
    menu = parse_menu(json.dumps(data))
    ktp = menu.service("ktp-baru")
    assert menu.counter_for(ktp, lang="en") == menu.counter_for(ktp) == "Loket 1"


def test_office_hours(menu):
    h = menu.office_hours
    for day in range(4):
        assert [(w.start, w.end) for w in h.windows(day)] == [("08:00", "15:00")]
    assert [(w.start, w.end) for w in h.windows(4)] == [("08:00", "11:00")]
    assert h.windows(5) == [] and h.windows(6) == []


def test_every_service_has_names_and_documents(menu):
    for s in menu.services:
        assert s.names.id and s.names.en, s.code
        assert s.icon, s.code
        assert 5 <= s.avg_service_min <= 20, s.code
        assert s.enabled, s.code
        assert s.documents.id and s.documents.en, s.code
        assert len(s.documents.id) == len(s.documents.en), s.code
        assert len(s.requirements.id) == len(s.requirements.en or []), s.code


def test_requirements_are_conditions_apart_from_documents(menu):
    ktp = menu.service("ktp-baru")
    assert ktp.requirements.id[0].startswith("Berusia 17 tahun ke atas")
    assert not any("17 tahun" in d for s in menu.services for d in s.documents.id)
    assert ktp.documents.get("en") == ["Photocopy of the family card (KK)"]


def test_texts_are_short_and_free_of_prices(menu):
    texts = []
    for q in menu.queues:
        texts += [q.counter.id, q.counter.en, q.names.id, q.names.en]
    for s in menu.services:
        texts += [s.names.id, s.names.en, *s.requirements.id, *(s.requirements.en or []),
                  *s.documents.id, *(s.documents.en or [])]
    for t in texts:
        assert t and len(t) <= 120, t
        assert t == t.strip(), t
    blob = " ".join(texts).lower()
    for word in ("rp", "harga", "biaya", "tarif", "price", "fee", "idr"):
        assert word not in blob.split(), word
    assert "rp." not in blob and "rp " not in blob


def test_shipped_file_is_utf8_without_bom():
    raw = MENU_PATH.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    raw.decode("utf-8")
    assert len(raw) < MAX_MENU_BYTES


# -- refusals ------------------------------------------------------------------

def test_refuses_duplicate_service_code(data):
    _service(data, "ktp-rusak")["code"] = "ktp-baru"
    err = refuse(data)
    assert "'ktp-baru'" in str(err) and "twice" in str(err)


def test_refuses_two_queues_with_one_prefix(data):
    data["queues"].append({"prefix": "A", "counter": "Loket 9",
                           "names": {"id": "KTP-el cadangan", "en": "KTP-el spare"}})
    err = refuse(data)
    assert "prefix 'A'" in str(err)


def test_refuses_service_with_missing_queue(data):
    _service(data, "kia")["queue"] = "Z"
    err = refuse(data)
    assert "Service 'kia': queue 'Z' does not exist" in str(err)


def test_refuses_missing_indonesian_name(data):
    del _service(data, "kk-baru")["names"]["id"]
    err = refuse(data)
    assert "Service 'kk-baru': names.id is missing" in err.problems


def test_refuses_blank_indonesian_name(data):
    _service(data, "kk-baru")["names"]["id"] = "   "
    err = refuse(data)
    assert err.problems == ("Service 'kk-baru': names.id is empty",)


def test_refuses_hour_25_in_office_hours(data):
    data["office_hours"]["mon"] = [["08:00", "25:00"]]
    err = refuse(data)
    assert "office_hours.mon" in str(err) and "'25:00' is not a time of day" in str(err)


def test_refuses_hour_25_in_service_hours(data):
    _service(data, "akta-lahir")["hours"] = {"tue": [["25:00", "26:00"]]}
    err = refuse(data)
    assert "Service 'akta-lahir': hours.tue" in str(err)
    assert "'25:00' is not a time of day" in str(err)


def test_refuses_closing_before_opening(data):
    data["office_hours"]["fri"] = [["11:00", "08:00"]]
    err = refuse(data)
    assert "office_hours.fri" in str(err)
    assert "closing time 08:00 must be after opening time 11:00" in str(err)


def test_refuses_closing_before_opening_in_service_hours(data):
    _service(data, "kk-baru")["hours"] = {"mon": [{"start": "09:00", "end": "07:30"}]}
    err = refuse(data)
    assert "Service 'kk-baru': hours.mon" in str(err) and "closing time" in str(err)


def test_refuses_negative_daily_quota(data):
    _service(data, "akta-lahir")["daily_quota"] = -1
    err = refuse(data)
    assert err.problems == ("Service 'akta-lahir': daily_quota must be 0 or more, not -1",)


def test_refuses_negative_window_quota(data):
    _service(data, "kk-baru")["window_quotas"] = [{"start": "07:30", "end": "09:00",
                                                  "quota": -20}]
    err = refuse(data)
    assert "Service 'kk-baru': window_quotas #1 quota must be 0 or more" in str(err)


def test_refuses_unknown_service_field(data):
    _service(data, "ktp-baru")["price"] = 5000
    err = refuse(data)
    assert "Service 'ktp-baru': price is not a known field" in str(err)


def test_refuses_unknown_top_level_field(data):
    data["colour"] = "red"
    err = refuse(data)
    assert "colour is not a known field" in str(err)


def test_refuses_five_megabytes_of_junk():
    err = refuse(b"\x00junk" * (1024 * 1024))
    assert "too large" in str(err) and str(MAX_MENU_BYTES) in str(err)


def test_load_menu_refuses_huge_file(tmp_path):
    big = tmp_path / "menu.json"
    big.write_bytes(b"x" * (5 * 1024 * 1024))
    with pytest.raises(MenuError, match="too large"):
        load_menu(big)


def test_refuses_broken_utf8(data):
    raw = json.dumps(data, ensure_ascii=False).encode("utf-8")
    raw = raw.replace("Perekaman".encode(), b"Perek\xffman", 1)
    err = refuse(raw)
    assert "not UTF-8" in str(err) and "byte" in str(err)


def test_refuses_invalid_json(data):
    raw = json.dumps(data, indent=1)
    raw = raw[: raw.rindex("}")]  # drop the closing brace
    err = refuse(raw)
    assert "not valid JSON at line" in str(err) and "column" in str(err)


def test_refuses_json_that_is_not_an_object():
    refuse(b"[]")



# -- regressions from review --------------------------------------------------

def test_refuses_window_quota_that_ends_before_it_starts(data):
    _service(data, "kk-baru")["window_quotas"] = [{"start": "09:00", "end": "07:30",
                                                  "quota": 20}]
    err = refuse(data)
    assert "Service 'kk-baru': window_quotas #1" in str(err)
    assert "closing time 07:30 must be after opening time 09:00" in str(err)


def test_refuses_unknown_schema_and_names_the_known_one(data):
    data["schema"] = 99
    err = refuse(data)
    assert "schema: 99 is not a menu schema this kiosk knows" in str(err)
    assert "schema 1" in str(err)


@pytest.mark.parametrize("raw, where", [
    ('{"schema": 1, "schema": 1}', "key 'schema' appears twice"),
    ('{"services": [{"code": "kia", "icon": "a", "icon": "b"}]}',
     "Service 'kia': key 'icon' appears twice"),
])
def test_refuses_repeated_json_key(raw, where):
    err = refuse(raw)
    assert where in str(err)


def test_refuses_overlapping_windows_in_one_day(data):
    data["office_hours"]["mon"] = [["10:00", "12:00"], ["08:00", "11:00"]]
    err = refuse(data)
    assert err.problems == ("office_hours.mon: window 2 (08:00-11:00) overlaps window 1 "
                            "(10:00-12:00); a day's windows must not overlap",)


def test_accepts_windows_that_only_touch(data):
    data["office_hours"]["mon"] = [["08:00", "11:00"], ["11:00", "15:00"]]
    menu = parse_menu(json.dumps(data))
    assert [(w.start, w.end) for w in menu.office_hours.windows(0)] == [
        ("08:00", "11:00"), ("11:00", "15:00")]


@pytest.mark.parametrize("field, value, words", [
    ("daily_quota", True, "daily_quota should be a whole number, not true"),
    ("avg_service_min", "10", 'avg_service_min should be a number, not the text "10"'),
    ("enabled", "yes", 'enabled should be true or false, not the text "yes"'),
    ("order", 1.5, "order should be a whole number, not 1.5"),
])
def test_json_types_must_match(data, field, value, words):
    _service(data, "kk-baru")[field] = value
    err = refuse(data)
    assert err.problems == (f"Service 'kk-baru': {words}",)


def test_window_quota_must_be_a_number_not_text(data):
    _service(data, "kk-baru")["window_quotas"] = [{"start": "07:30", "end": "09:00",
                                                  "quota": "20"}]
    assert "window_quotas #1 quota should be a whole number" in str(refuse(data))


def test_load_menu_reports_the_real_size(tmp_path):
    big = tmp_path / "menu.json"
    big.write_bytes(b"x" * (5 * 1024 * 1024))
    with pytest.raises(MenuError) as info:
        load_menu(big)
    assert f"{5 * 1024 * 1024} bytes is too large" in str(info.value)
    assert info.value.problems and "\n" not in str(info.value)


def test_whole_menu_problems_are_not_prefixed_menu(data):
    _service(data, "ktp-rusak")["code"] = "ktp-baru"
    _service(data, "kia")["queue"] = "Z"
    err = refuse(data)
    assert str(err).startswith("menu.json: Service 'ktp-baru': code appears twice; ")
    assert len(err.problems) == 2
    assert err.problems[1].startswith("Service 'kia': queue 'Z' does not exist")
    assert "service '" not in str(err)  # one spelling: "Service 'x'", as in field errors


def test_accepts_utf8_bom_from_notepad(data):
    raw = b"\xef\xbb\xbf" + json.dumps(data, ensure_ascii=False).encode("utf-8")
    assert parse_menu(raw).version == "2026-11-29.1"


@pytest.mark.parametrize("pair", [["08:00"], ["08:00", "12:00", "15:00"], "08:00-15:00"])
def test_hours_pair_of_wrong_shape_is_explained(data, pair):
    data["office_hours"]["mon"] = [pair]
    err = refuse(data)
    assert err.problems == ('office_hours.mon window 1: write it as ["08:00", "15:00"] '
                            '(opening time, closing time)',)


def test_names_that_is_not_an_object_is_plain(data):
    _service(data, "kk-baru")["names"] = ["Kartu Keluarga"]
    err = refuse(data)
    assert err.problems == ("Service 'kk-baru': names should be an object {...}, not a list",)


def test_hour_error_names_day_and_window_number(data):
    data["office_hours"]["mon"] = [["08:00", "12:00"], ["13:00", "25:00"]]
    err = refuse(data)
    assert str(err).startswith("menu.json: office_hours.mon window 2: '25:00' is not a time "
                               "of day")


def test_queue_error_names_the_prefix_letter(data):
    del data["queues"][1]["counter"]
    err = refuse(data)
    assert err.problems == ("Queue 'B': counter is missing",)


def test_value_with_newline_stays_one_problem_on_one_line(data):
    data["office_hours"]["mon"] = [["08:00", "15:00\n"]]
    err = refuse(data)
    assert len(err.problems) == 1 and "not a time of day" in err.problems[0]


def test_refuses_a_menu_with_no_enabled_service(data):
    for service in data["services"]:
        service["enabled"] = False
    err = refuse(data)
    assert err.problems == ("no service is enabled, so residents would see an empty list; set "
                            "\"enabled\": true on at least one service",)
    _service(data, "kia")["enabled"] = True
    assert [s.code for s in parse_menu(json.dumps(data)).visible_services()] == ["kia"]


@pytest.mark.parametrize("raw", [b"", b"\xef\xbb\xbf", b"  \n\n"])
def test_an_empty_menu_file_is_called_empty(raw, tmp_path):
    assert "the file is empty" in str(refuse(raw))
    (tmp_path / "menu.json").write_bytes(raw)
    with pytest.raises(MenuError, match="the file is empty") as info:
        load_menu(tmp_path / "menu.json")
    assert "line 1 column 1" not in str(info.value)
