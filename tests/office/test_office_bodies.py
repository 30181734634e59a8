"""Malformed bodies get a 4xx with a reason and nothing is stored (on SQLite and PostgreSQL):
NaN / Infinity, NUL characters, chunked bodies over the limit, a held ticket id resent with
other content."""
import json

import pytest
import requests
from fastapi.exceptions import RequestValidationError
from officepages import ADMIN_NAME, csrf_of

from office.bodies import plain_errors
from office.devserver import ServerThread


def raw_upload(client, auth, text, who="K1"):
    return client.post("/api/v1/checkins", content=text.encode("utf-8"),
                       headers={**auth(who), "Content-Type": "application/json"})


def batch_text(ticket, **change):
    t = ticket(seq=1)
    marker = "__VALUE__"
    key, value = next(iter(change.items()))
    t[key] = marker
    return json.dumps({"kiosk_id": "K1", "tickets": [t]}).replace(f'"{marker}"', value)


@pytest.mark.parametrize("field,value,words", [
    ("sequence", "NaN", "NaN is not a JSON number"),
    ("sequence", "Infinity", "Infinity is not a JSON number"),
    ("extra_field", "-Infinity", "-Infinity is not a JSON number"),
    ("sequence", "1e999", "too large"),
    ("number", '"A\\u0000"', "NUL character"),
    ("menu_version", '"2026-11-29.1\\u0000"', "NUL character"),
])
def test_values_json_cannot_hold_are_refused_with_422_and_nothing_stored(
        client, app, auth, ticket, field, value, words):
    r = raw_upload(client, auth, batch_text(ticket, **{field: value}))
    assert r.status_code == 422 and words in r.json()["detail"]
    assert app.state.repo.count_checkins() == 0


def test_a_nul_in_the_batch_menu_version_is_refused_before_the_kiosk_is_recorded(
        client, app, auth, ticket):
    text = json.dumps({"kiosk_id": "K1", "menu_version": "v\u0000", "tickets": [ticket()]})
    r = raw_upload(client, auth, text)
    assert r.status_code == 422 and "$.menu_version" in r.json()["detail"]
    assert app.state.repo.count_checkins() == 0


@pytest.mark.parametrize("spoil,words", [
    (lambda text: text.replace('"avg_service_min": 15', '"avg_service_min": NaN', 1), "NaN"),
    (lambda text: text.replace('"KTP', '"KT\\u0000P', 1), "NUL character"),
])
def test_a_menu_with_nan_or_nul_is_refused_with_its_reason(client, app, auth, menu_dict,
                                                            spoil, words):
    text = spoil(json.dumps(menu_dict, ensure_ascii=False))
    assert text != json.dumps(menu_dict, ensure_ascii=False)
    r = client.put("/api/v1/menu", content=text.encode("utf-8"), headers=auth("admin"))
    assert r.status_code == 422 and words in " ".join(r.json()["problems"])
    assert app.state.repo.current_menu() is None


def test_a_nul_in_a_login_form_is_refused_with_400_not_a_database_error(admin_app):
    from fastapi.testclient import TestClient
    with TestClient(admin_app) as c:
        page = c.get("/admin/login").text
        r = c.post("/admin/login", data={"csrf": csrf_of(page), "name": ADMIN_NAME + "\x00",
                                         "password": "x"})
    assert r.status_code == 400 and "NUL" in r.text and "name" in r.text
    assert admin_app.state.repo.admin(ADMIN_NAME).failures == 0


def test_validation_errors_echo_only_what_json_can_hold():
    exc = RequestValidationError([{"loc": ("body", "x"), "msg": "bad", "type": "t",
                                   "input": {"a": float("nan"), "b": [float("inf")] * 3}}])
    detail = plain_errors(exc)
    json.dumps(detail, allow_nan=False)
    assert detail[0]["input"] == {"a": "nan", "b": ["inf", "inf", "inf"]}


def _chunks(total, size=64 * 1024, head=b"", tail=b""):
    yield head
    sent = 0
    while sent < total:
        yield b"x" * size
        sent += size
    yield tail


def test_a_chunked_body_over_the_limit_gets_413_on_the_real_server(app, auth):
    with ServerThread(app) as server:
        r = requests.post(server.url + "/api/v1/checkins", data=_chunks(10 * 1024 * 1024),
                          headers={**auth("K1"), "Content-Type": "application/json"}, timeout=20)
        assert r.status_code == 413 and "too large" in r.json()["detail"]
        part = (b'--b0undary\r\nContent-Disposition: form-data; name="file"; '
                b'filename="menu.json"\r\nContent-Type: application/json\r\n\r\n')
        r = requests.post(server.url + "/admin/menu/upload",
                          data=_chunks(3 * 1024 * 1024, head=part, tail=b"\r\n--b0undary--\r\n"),
                          headers={"Content-Type": "multipart/form-data; boundary=b0undary"},
                          timeout=20)
        assert r.status_code == 413 and "Berkas terlalu besar" in r.text
    assert app.state.repo.count_checkins() == 0


def test_a_held_ticket_resent_with_other_content_is_409_with_the_difference(
        client, app, auth, ticket):
    held = ticket(seq=1)
    assert raw_upload(client, auth, json.dumps({"kiosk_id": "K1", "tickets": [held]})
                      ).status_code == 200
    fresh = ticket(seq=2)
    changed = dict(held, number="A099", sequence=99)
    r = raw_upload(client, auth, json.dumps({"kiosk_id": "K1", "tickets": [fresh, changed]}))
    assert r.status_code == 409
    assert held["id"] in r.json()["detail"] and "nothing of this batch" in r.json()["detail"]
    changes = {c["field"]: (c["stored"], c["sent"]) for c in r.json()["changes"]}
    assert changes == {"number": ("A001", "A099"), "sequence": (1, 99)}
    assert app.state.repo.count_checkins() == 1  # the fresh ticket was not stored either
    assert [c.number for c in app.state.repo.checkins_of_day("2026-11-29")] == ["A001"]


def test_a_held_ticket_resent_after_printing_updates_its_print_state(client, app, auth, ticket):
    held = ticket(seq=1, print_status="pending")
    body = {"kiosk_id": "K1", "tickets": [held]}
    assert raw_upload(client, auth, json.dumps(body)).status_code == 200
    body["tickets"] = [dict(held, print_status="failed", print_error="Kertas habis")]
    r = raw_upload(client, auth, json.dumps(body))
    assert r.status_code == 200 and r.json()["accepted"] == [held["id"]]
    stored = json.loads(app.state.repo.checkins_of_day("2026-11-29")[0].payload)
    assert (stored["print_status"], stored["print_error"]) == ("failed", "Kertas habis")
