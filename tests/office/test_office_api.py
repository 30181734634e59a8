"""The office server's API v1: tokens, idempotent check-in upload, menu with ETag, now serving."""
import json
import threading

import pytest


def upload(client, auth, kiosk_id, tickets, token_of=None, **extra):
    body = {"kiosk_id": kiosk_id, "menu_version": "2026-11-29.1", "tickets": tickets, **extra}
    return client.post("/api/v1/checkins", json=body, headers=auth(token_of or kiosk_id))


def test_health_needs_no_token_and_tells_office_time(client):
    r = client.get("/api/v1/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    assert r.json()["server_time"].endswith("+07:00")


@pytest.mark.parametrize("method,path", [("post", "/api/v1/checkins"), ("get", "/api/v1/menu"),
                                         ("put", "/api/v1/menu"), ("post", "/api/v1/now-serving")])
@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic YWRtaW4=", "Bearer "])
def test_missing_or_invalid_token_is_401(client, method, path, header):
    headers = {"Authorization": header} if header else {}
    r = getattr(client, method)(path, headers=headers)
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("method,path,who", [("put", "/api/v1/menu", "K1"),
                                             ("put", "/api/v1/menu", "desk"),
                                             ("post", "/api/v1/now-serving", "K1"),
                                             ("post", "/api/v1/checkins", "admin")])
def test_token_of_the_wrong_role_is_401(client, auth, method, path, who):
    assert getattr(client, method)(path, headers=auth(who)).status_code == 401


def test_same_batch_twice_stores_each_ticket_once(client, app, auth, ticket):
    batch = [ticket(seq=i) for i in range(1, 6)]
    first = upload(client, auth, "K1", batch)
    second = upload(client, auth, "K1", batch)
    assert first.status_code == second.status_code == 200
    ids = [t["id"] for t in batch]
    assert first.json()["accepted"] == second.json()["accepted"] == ids
    assert app.state.repo.count_checkins() == 5


def test_concurrent_retries_of_one_batch_store_each_ticket_once(app, ticket):
    batch = [ticket(seq=i) for i in range(1, 51)]
    results = []

    def send():
        results.append(app.state.repo.upsert_checkins("K1", batch))
    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert [len(r.accepted) for r in results] == [50] * 4
    assert app.state.repo.count_checkins() == 50


def test_kiosk_cannot_upload_tickets_claiming_another_kiosk(client, app, auth, ticket):
    r = upload(client, auth, "K2", [ticket("K2")], token_of="K1")
    assert r.status_code == 403
    assert "K1" in r.json()["detail"] and "K2" in r.json()["detail"]
    r = upload(client, auth, "K1", [ticket("K1"), ticket("K2")])
    assert r.status_code == 403
    assert app.state.repo.count_checkins() == 0


def test_ticket_id_held_by_another_kiosk_is_refused(client, app, auth, ticket):
    theirs = ticket("K2")
    assert upload(client, auth, "K2", [theirs]).status_code == 200
    mine = ticket("K1")
    forged = dict(ticket("K1"), id=theirs["id"])
    r = upload(client, auth, "K1", [forged, mine])
    assert r.status_code == 200
    assert r.json()["accepted"] == [mine["id"]]
    assert r.json()["refused"] == [theirs["id"]]
    assert app.state.repo.count_checkins() == 2


def test_batch_over_500_tickets_is_refused(client, auth, ticket):
    r = upload(client, auth, "K1", [ticket(seq=i + 1) for i in range(501)])
    assert r.status_code == 422


@pytest.mark.parametrize("change", [{"issued_at": "2026-11-29T08:00:00"}, {"queue": "AB"},
                                    {"sequence": 0}, {"id": "x"}])
def test_malformed_ticket_is_refused_with_422(client, app, auth, ticket, change):
    assert upload(client, auth, "K1", [ticket(**change)]).status_code == 422
    assert app.state.repo.count_checkins() == 0


def test_menu_is_404_until_published_then_served_with_etag(client, auth, menu_dict):
    assert client.get("/api/v1/menu", headers=auth("K1")).status_code == 404
    body = json.dumps(menu_dict).encode()
    put = client.put("/api/v1/menu", content=body, headers=auth("admin"))
    assert put.status_code == 200 and put.json()["services"] == 16
    got = client.get("/api/v1/menu", headers=auth("K1"))
    assert got.status_code == 200 and got.content == body
    etag = got.headers["etag"]
    assert etag == put.json()["etag"]
    again = client.get("/api/v1/menu", headers={**auth("K1"), "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    stale = client.get("/api/v1/menu", headers={**auth("K1"), "If-None-Match": '"old"'})
    assert stale.status_code == 200


def test_republishing_the_same_menu_keeps_its_version(client, app, auth, menu_dict):
    body = json.dumps(menu_dict).encode()
    a = client.put("/api/v1/menu", content=body, headers=auth("admin")).json()
    b = client.put("/api/v1/menu", content=body, headers=auth("admin")).json()
    assert a == b
    menu_dict["version"] = "2026-11-30.1"
    c = client.put("/api/v1/menu", content=json.dumps(menu_dict), headers=auth("admin")).json()
    assert c["etag"] != a["etag"] and app.state.repo.current_menu().version == "2026-11-30.1"


def _dup_code(m):
    m["services"][1]["code"] = m["services"][0]["code"]


def _no_indonesian_name(m):
    del m["services"][0]["names"]["id"]


@pytest.mark.parametrize("spoil,expected", [(_dup_code, "appears twice"),
                                            (_no_indonesian_name, "names.id is missing")])
def test_invalid_menu_is_refused_with_plain_problems(client, auth, menu_dict, spoil, expected):
    spoil(menu_dict)
    r = client.put("/api/v1/menu", content=json.dumps(menu_dict), headers=auth("admin"))
    assert r.status_code == 422
    assert any(expected in p for p in r.json()["problems"])
    assert client.get("/api/v1/menu", headers=auth("K1")).status_code == 404


def test_five_megabytes_of_junk_is_refused_without_reading_it_all(client, auth):
    r = client.put("/api/v1/menu", content=b"\x00junk" * 1_000_000, headers=auth("admin"))
    assert r.status_code == 413
    r = client.put("/api/v1/menu", content=b"[" * 600_000, headers=auth("admin"))
    assert r.status_code == 422 and "too large" in r.json()["problems"][0]


def test_now_serving_set_by_staff_comes_back_in_upload_replies(client, auth, ticket):
    r = client.post("/api/v1/now-serving", json={"queue": "A", "sequence": 12},
                    headers=auth("desk"))
    assert r.status_code == 200 and r.json()["now_serving"] == {"A": 12}
    client.post("/api/v1/now-serving", json={"queue": "B", "sequence": 3}, headers=auth("admin"))
    reply = upload(client, auth, "K1", [ticket()]).json()
    assert reply["now_serving"] == {"A": 12, "B": 3}
    assert reply["server_time"].endswith("+07:00")


def test_kiosk_last_seen_and_menu_version_are_recorded(client, app, auth, ticket):
    upload(client, auth, "K1", [ticket()], menu_version="v-body")
    client.get("/api/v1/menu", headers={**auth("K2"), "X-Kiosk-Menu-Version": "v-header"})
    kiosks = {k.id: k for k in app.state.repo.kiosks()}
    assert kiosks["K1"].menu_version == "v-body" and kiosks["K1"].last_seen_at
    assert kiosks["K2"].menu_version == "v-header"


def test_office_day_follows_the_configured_time_zone(db_url):
    from fastapi.testclient import TestClient

    from office.app import OfficeSettings, create_app
    app = create_app(OfficeSettings(db_url=db_url, timezone="Pacific/Kiritimati"))
    with TestClient(app) as c:
        assert c.get("/api/v1/health").json()["server_time"].endswith("+14:00")


def test_openapi_documents_the_v1_endpoints(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/checkins", "/api/v1/menu", "/api/v1/now-serving", "/api/v1/health"} <= \
        set(paths)
    assert {"get", "put"} <= set(paths["/api/v1/menu"])


# -- two kiosks giving the same number (same [kiosk] number_tag) -----------------------
def test_same_number_from_two_kiosks_is_stored_flagged_and_shown_to_staff(client, app, auth,
                                                                          ticket):
    from officepages import login_token
    day = app.state.clock.today()
    ours = ticket("K1", seq=1, day=day, number="A2-001")
    first = upload(client, auth, "K1", [ours]).json()
    assert first["accepted"] == [ours["id"]] and first["conflicts"] == []
    theirs = ticket("K2", seq=1, day=day, number="A2-001")
    other_day = ticket("K2", seq=2, day="2020-01-01", number="A2-002")
    r = upload(client, auth, "K2", [theirs, other_day]).json()
    assert r["accepted"] == [theirs["id"], other_day["id"]]   # nothing is lost
    assert r["conflicts"] == [theirs["id"]]
    assert r["clashes"] == [{"office_day": day, "number": "A2-001", "kiosks": ["K1", "K2"]}]
    assert app.state.repo.count_checkins() == 3
    # the kiosk that uploaded first hears of it on its next upload; a retry says it again
    later = upload(client, auth, "K1", [ticket("K1", seq=2, day=day, number="A2-002")]).json()
    assert later["conflicts"] == [ours["id"]]
    assert upload(client, auth, "K2", [theirs]).json()["conflicts"] == [theirs["id"]]
    assert login_token(client, "staff-token").status_code == 303
    page = client.get("/").text
    assert "Nomor ganda: K1 dan K2 sama-sama memberi <b>A2-001</b>" in page
    assert "periksa number_tag di kiosk.ini" in page and 'role="alert"' in page


def test_one_kiosk_alone_has_no_number_clash(client, app, auth, ticket):
    day = app.state.clock.today()
    r = upload(client, auth, "K1", [ticket("K1", seq=i, day=day) for i in (1, 2)]).json()
    assert r["conflicts"] == [] and r["clashes"] == []
    assert app.state.repo.clashes(day) == []


# -- a published version string names one menu -------------------------------------
def test_a_changed_menu_reusing_a_published_version_is_refused_with_409(client, app, auth,
                                                                        menu_dict):
    body = json.dumps(menu_dict).encode()
    first = client.put("/api/v1/menu", content=body, headers=auth("admin"))
    assert first.status_code == 200
    menu_dict["services"][0]["daily_quota"] = 7          # changed, same version string
    r = client.put("/api/v1/menu", content=json.dumps(menu_dict), headers=auth("admin"))
    assert r.status_code == 409
    assert any("was published before" in p for p in r.json()["problems"])
    assert app.state.repo.current_menu().etag == first.json()["etag"]
    assert len(app.state.repo.menu_versions()) == 1
    again = client.put("/api/v1/menu", content=body, headers=auth("admin"))
    assert again.status_code == 200 and again.json() == first.json()   # still idempotent
