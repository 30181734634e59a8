"""Two offices on one server, each with its own kiosks, menu, time zone, counters and staff:
neither sees nor changes the other's data (API, staff page, admin pages, loket, display), and
a regency admin sees and manages both."""
import json
from datetime import datetime, timezone

import pytest
from counterkit import STAFF, staff_hash
from fastapi.testclient import TestClient
from officepages import csrf_of, login_admin, login_token

from kiosk import ASSETS_DIR
from office.admins import hash_password
from office.app import OfficeClock, OfficeSettings, create_app
from office.auth import hash_token
from office.publish import publish

#: 23:30 WIB on 29 Nov in office A (Pontianak) is already 00:30 WITA on 30 Nov in B (Makassar)
AT = datetime(2026, 11, 29, 16, 30, tzinfo=timezone.utc)
PASSWORD = "kata-sandi-rahasia-1"


class ZoneClock(OfficeClock):
    def now(self):
        return AT.astimezone(self.tz)


def menu(version: str, name: str) -> bytes:
    body = json.loads((ASSETS_DIR / "menu.json").read_text(encoding="utf-8"))
    body["version"] = version
    body["services"][0]["names"]["id"] = name
    return json.dumps(body).encode()


@pytest.fixture
def two(db_url):
    """Office A (the first one, Asia/Pontianak) and B (Asia/Makassar): kiosks K1 / K9, staff
    tokens, admin accounts siti / rina, loket staff budi / sari, a counter "Loket 1" each,
    their own menu; and regency admin bupati."""
    app = create_app(OfficeSettings(db_url=db_url, office_name="Disdukcapil Barito Timur"))
    app.state.offices.use_clock(clock_of=ZoneClock)
    repo = app.state.repo
    b = repo.save_office("UPT Dusun Timur", "Asia/Makassar", address="Jl. Tamiang Layang 1")
    a = repo.default_office()
    for office, kiosk, desk, admin, staff, version in (
            (a, "K1", "desk-a", "siti", "budi", "2026-11-29.1"),
            (b, "K9", "desk-b", "rina", "sari", "2026-11-30.7")):
        scope = app.state.offices.scope(office.id)
        scope.repo.add_credential(hash_token(kiosk + "-token"), "kiosk", kiosk)
        scope.repo.add_credential(hash_token(desk + "-token"), "staff", desk)
        scope.repo.add_credential(hash_token(admin + "-token"), "admin", admin)
        scope.repo.set_admin(admin, hash_password(PASSWORD))
        scope.staff.set_staff(staff, staff_hash(staff))
        scope.counters.save_counter("Loket 1", ("A",))
        publish(scope.repo, menu(version, f"KTP {office.name}"), actor="test", action="api")
    repo.set_admin("bupati", hash_password(PASSWORD), office_id=None)
    repo.add_credential(hash_token("bupati-token"), "admin", "bupati", office_id=None)
    yield app, a, b
    repo.engine.dispose()


def bearer(name):
    return {"Authorization": f"Bearer {name}-token"}


def sync(client, kiosk, day, n=2):
    tickets = [dict(id=f"{kiosk}-{i}-{day}", kiosk_id=kiosk, office_day=day,
                    service_code="ktp-baru", queue="A", sequence=i, number=f"A{i:03d}",
                    issued_at=f"{day}T08:00:00+07:00", language="id", rules_confirmed=[],
                    print_status="printed", print_error="", synced_at=None,
                    menu_version="x") for i in range(1, n + 1)]
    return client.post("/api/v1/checkins", headers=bearer(kiosk), json={
        "kiosk_id": kiosk, "menu_version": "x", "tickets": tickets})


def test_kiosks_sync_into_their_own_office_with_its_menu_and_time_zone(two):
    app, a, b = two
    with TestClient(app) as client:
        one, nine = sync(client, "K1", "2026-11-29"), sync(client, "K9", "2026-11-30", n=3)
        assert one.status_code == nine.status_code == 200
        assert one.json()["server_time"].startswith("2026-11-29T23:30")
        assert nine.json()["server_time"].startswith("2026-11-30T00:30")
        assert client.get("/api/v1/menu", headers=bearer("K1")).json()["version"] == \
            "2026-11-29.1"
        assert client.get("/api/v1/menu", headers=bearer("K9")).json()["version"] == \
            "2026-11-30.7"
        # a kiosk cannot upload as, or take over ids of, the other office's kiosk
        stolen = sync(client, "K9", "2026-11-30")
        assert stolen.json()["accepted"] == ["K9-1-2026-11-30", "K9-2-2026-11-30"]
        r = client.post("/api/v1/checkins", headers=bearer("K9"), json={
            "kiosk_id": "K1", "tickets": []})
        assert r.status_code == 403
    sa, sb = app.state.offices.scope(a.id), app.state.offices.scope(b.id)
    assert sa.repo.count_checkins() == 2 and sb.repo.count_checkins() == 3
    assert [k.id for k in sa.repo.kiosks()] == ["K1"] and [k.id for k in sb.repo.kiosks()] == ["K9"]
    assert app.state.repo.count_checkins() == 5  # the regency sees all
    # each office's waiting line holds only its own tickets, on its own day
    assert len(sa.counters.waiting("2026-11-29", sa.counters.counters()[0])) == 2
    assert len(sb.counters.waiting("2026-11-30", sb.counters.counters()[0])) == 3
    assert sb.counters.waiting("2026-11-29", sb.counters.counters()[0]) == []


def test_staff_pages_api_and_admin_pages_see_only_their_office(two):
    app, a, b = two
    with TestClient(app) as kiosk:
        sync(kiosk, "K1", "2026-11-29")
        sync(kiosk, "K9", "2026-11-30")
    with TestClient(app) as desk_b:
        assert login_token(desk_b, "desk-b-token").status_code == 303
        page = desk_b.get("/").text
        assert "UPT Dusun Timur" in page and "K9" in page and "K1" not in page
        assert "2026-11-30.7" in page and "2026-11-29.1" not in page
    with TestClient(app) as api:
        r = api.post("/api/v1/now-serving", headers=bearer("desk-a"),
                     json={"queue": "A", "sequence": 5})
        assert r.json() == {"office_day": "2026-11-29", "now_serving": {"A": 5}}
        r = api.post("/api/v1/now-serving", headers=bearer("desk-b"),
                     json={"queue": "A", "sequence": 1})
        assert r.json() == {"office_day": "2026-11-30", "now_serving": {"A": 1}}
        # office A's admin token publishes into A only
        assert api.put("/api/v1/menu", headers=bearer("siti"),
                       content=menu("2026-11-29.2", "KTP baru A")).status_code == 200
        assert api.get("/api/v1/menu", headers=bearer("K9")).json()["version"] == \
            "2026-11-30.7"
    with TestClient(app) as rina:
        assert login_admin(rina, "rina", PASSWORD).status_code == 303
        menu_page = rina.get("/admin/menu").text
        assert "2026-11-30.7" in menu_page and "2026-11-29" not in menu_page
        counters = rina.get("/admin/counters").text
        assert "sari" in counters and "budi" not in counters
        audit = rina.get("/admin/audit").text
        assert "siti" not in audit and "K1" not in audit
        assert rina.get("/admin/offices").status_code == 403  # not a regency admin
        # A's counter id cannot be changed from B
        a_counter = app.state.offices.scope(a.id).counters.counters()[0]
        r = rina.post("/admin/counters", data={"csrf": csrf_of(counters), "id": a_counter.id,
                                               "name": "Dirampas", "queues": "A",
                                               "active": "1"})
        assert r.status_code == 422
        assert app.state.offices.scope(a.id).counters.counters()[0].name == "Loket 1"
        # and a staff name of A cannot be taken over from B
        r = rina.post("/admin/staff", data={"csrf": csrf_of(counters), "name": "budi",
                                            "password": "kata-sandi-baru-budi"})
        assert r.status_code == 422


def test_loket_and_display_stay_in_their_office(two):
    app, a, b = two
    with TestClient(app) as kiosk:
        sync(kiosk, "K1", "2026-11-29")
        sync(kiosk, "K9", "2026-11-30")
    a_counter = app.state.offices.scope(a.id).counters.counters()[0]
    b_counter = app.state.offices.scope(b.id).counters.counters()[0]
    with TestClient(app) as sari:  # loket staff of office B
        csrf = csrf_of(sari.get("/loket").text)
        assert sari.post("/loket/login", data={"csrf": csrf, "name": "sari",
                                               "password": STAFF["sari"]},
                         follow_redirects=False).status_code == 303
        assert sari.get(f"/loket/{a_counter.id}").status_code == 404
        page = sari.get(f"/loket/{b_counter.id}").text
        r = sari.post(f"/loket/{a_counter.id}", data={"csrf": csrf_of(page), "action": "next"},
                      follow_redirects=False)
        assert r.status_code == 404
        r = sari.post(f"/loket/{b_counter.id}", data={"csrf": csrf_of(page), "action": "next"})
        assert r.status_code == 200 and "A001" in r.text
    b_state = TestClient(app).get(f"/display/state?office={b.id}").json()
    a_state = TestClient(app).get("/display/state").json()
    assert b_state["office"] == "UPT Dusun Timur" and b_state["day"] == "2026-11-30"
    assert b_state["counters"][0]["number"] == "A001"
    assert b_state["utc_offset_min"] == 480 and a_state["utc_offset_min"] == 420
    assert a_state["office"] == "Disdukcapil Barito Timur"
    assert a_state["counters"][0]["number"] == ""
    assert app.state.offices.scope(a.id).counters.actions("2026-11-29") == []


def test_a_regency_admin_sees_and_manages_every_office(two):
    app, a, b = two
    with TestClient(app) as kiosk:
        sync(kiosk, "K9", "2026-11-30", n=4)
    with TestClient(app) as bupati:
        assert login_admin(bupati, "bupati", PASSWORD).status_code == 303
        offices = bupati.get("/admin/offices").text
        assert "Disdukcapil Barito Timur" in offices and "UPT Dusun Timur" in offices
        assert "K9" in offices and "4 (2026-11-30)" in offices
        assert "kiosk K9: new token" in offices and "kiosk K1: new token" in offices
        r = bupati.post("/admin/offices/open", data={"csrf": csrf_of(offices), "id": b.id})
        assert r.status_code == 200 and "2026-11-30.7" in r.text  # B's menu page
        assert "sari" in bupati.get("/admin/counters").text
        r = bupati.post("/admin/offices", data={
            "csrf": csrf_of(offices), "name": "UPT Pematang Karau", "address": "",
            "timezone": "Asia/Jayapura", "retention_days": "30"}, follow_redirects=False)
        assert r.status_code == 303
        r = bupati.post("/admin/offices", data={"csrf": csrf_of(offices), "name": "X",
                                                "timezone": "Mars/Olympus"})
        assert r.status_code == 422 and "Mars/Olympus" in r.text
    third = app.state.repo.offices()[-1]
    assert (third.name, third.timezone, third.retention_days) == \
        ("UPT Pematang Karau", "Asia/Jayapura", 30)
    with TestClient(app) as api:
        bad = api.put("/api/v1/menu", headers=bearer("bupati"), content=menu("9.1", "x"))
        assert bad.status_code == 400 and "X-Office" in bad.json()["detail"]
        r = api.put("/api/v1/menu", headers={**bearer("bupati"), "X-Office": str(b.id)},
                    content=menu("2026-11-30.8", "KTP dari kabupaten"))
        assert r.status_code == 200
        assert api.get("/api/v1/menu", headers=bearer("K9")).json()["version"] == \
            "2026-11-30.8"
        assert api.get("/api/v1/menu", headers=bearer("K1")).json()["version"] == \
            "2026-11-29.1"


def test_cli_makes_offices_and_binds_tokens_accounts_and_counters_to_one(db_url, capsys):
    from office.cli import main
    from office.counter_repo import CounterRepo
    from office.db import Repo, make_engine
    assert main(["add-office", "UPT Dusun Timur", "--tz", "Asia/Makassar", "--db", db_url]) == 0
    b = int(capsys.readouterr().out.strip())
    assert main(["add-office", "X", "--tz", "Mars/Olympus", "--db", db_url]) == 2
    assert "Mars/Olympus" in capsys.readouterr().err
    assert main(["add-kiosk", "K9", "--office", str(b), "--db", db_url]) == 0
    assert main(["add-kiosk", "K9", "--db", db_url]) == 2  # K9 is office B's
    assert "belongs to office" in capsys.readouterr().err
    assert main(["set-admin-token", "--db", db_url]) == 0
    first = capsys.readouterr().out.strip()
    assert main(["set-admin-token", "--office", str(b), "--db", db_url]) == 0
    assert main(["set-admin-token", "--regency", "--db", db_url]) == 0
    assert main(["add-counter", "Loket 1", "--queues", "A", "--office", str(b),
                 "--db", db_url]) == 0
    assert main(["add-kiosk", "K5", "--office", "99", "--db", db_url]) == 2
    assert main(["set-office", str(b), "--retention-days", "30", "--db", db_url]) == 0
    assert main(["offices", "--db", db_url]) == 0
    listed = capsys.readouterr().out
    assert "Asia/Makassar" in listed and "UPT Dusun Timur, keeps 30 days" in listed
    repo = Repo(make_engine(db_url))
    try:
        assert repo.credential(hash_token(first))[3] == repo.default_office().id  # not replaced
        holders = {(r.role, r.name, r.office_id) for r in _credentials(repo)}
        assert {("kiosk", "K9", b), ("admin", "admin", b), ("admin", "admin", None)} <= holders
        assert [c.name for c in CounterRepo(repo.for_office(b)).counters()] == ["Loket 1"]
        assert CounterRepo(repo.for_office(repo.default_office().id)).counters() == []
    finally:
        repo.engine.dispose()


def _credentials(repo):
    from sqlalchemy import select

    from office.tables import Credential
    with repo.sessions() as s:
        return list(s.scalars(select(Credential)))


def test_each_office_keeps_check_ins_for_its_own_days_on_its_own_clock(two):
    from office.retention import OfficesRetention
    app, a, b = two
    app.state.repo.save_office(b.name, b.timezone, retention_days=30, office_id=b.id)
    app.state.offices.forget(b.id)
    with TestClient(app) as kiosk:
        for day in ("2026-09-01", "2026-11-29"):
            sync(kiosk, "K1", day)
            sync(kiosk, "K9", day)
    done = OfficesRetention(app.state.offices).run_once()
    assert list(done) == [b.id]  # A keeps everything (the server's default here: 0 = all)
    assert done[b.id]["checkins"] == 2  # B's 2026-09-01 is before 2026-11-30 minus 30 days
    assert app.state.offices.scope(a.id).repo.count_checkins() == 4
    assert app.state.offices.scope(b.id).repo.count_checkins() == 2
    [entry] = [e for e in app.state.offices.scope(b.id).repo.audit_entries()
               if e.action == "retention"]
    assert "before 2026-10-31" in entry.note
    assert not [e for e in app.state.offices.scope(a.id).repo.audit_entries()
                if e.action == "retention"]
