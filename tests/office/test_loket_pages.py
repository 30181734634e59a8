"""The loket pages through HTTP: staff login, the counter page, each action, the admin's
counters page, the kiosk-office commands for staff accounts and counters, and the figures
the sync reply carries for the kiosks."""
import io

import pytest
from conftest import TOKENS, auth, ticket
from counterkit import DAY, counter_app, issued, login_staff
from fastapi.testclient import TestClient
from officepages import csrf_of, login_admin, login_token

from office.admins import hash_password
from office.cli import main
from office.db import Repo, make_engine


@pytest.fixture
def app(db_url, tmp_path):
    app = counter_app(db_url, tmp_path / "voice", TOKENS)
    yield app
    app.state.repo.engine.dispose()


@pytest.fixture
def staff(app):
    with TestClient(app) as c:
        assert login_staff(c).status_code == 303
        yield c


def upload(client, *tickets, kiosk="K1"):
    r = client.post("/api/v1/checkins", json={"kiosk_id": kiosk, "tickets": list(tickets)},
                    headers=auth(kiosk))
    assert r.status_code == 200, r.text
    return r.json()


def act(client, counter_id, action, **fields):
    page = client.get(f"/loket/{counter_id}").text
    return client.post(f"/loket/{counter_id}", data={"csrf": csrf_of(page), "action": action,
                                                     **fields}, follow_redirects=False)


def counter_ids(app):
    return {c.name: c.id for c in app.state.offices.scope().counters.counters()}


def test_loket_needs_a_staff_account_not_a_token(app):
    with TestClient(app) as c:
        assert 'action="/loket/login"' in c.get("/loket").text
        assert login_staff(c, "maling").status_code == 401
        login_token(c, "staff-token")  # the staff-page token does not open the loket
        assert c.get("/loket/1", follow_redirects=False).status_code == 303
        assert login_staff(c, "budi").status_code == 303
        picker = c.get("/loket").text
        assert "Loket 1" in picker and "antrian P, A" in picker and "Loket 3" in picker


def test_counter_page_lists_waiting_tickets_priority_lane_first(app, staff):
    upload(staff, ticket(seq=1, issued_at=issued(0)), ticket(seq=2, issued_at=issued(5)),
           ticket(seq=1, queue="P", issued_at=issued(9)))
    page = staff.get(f"/loket/{counter_ids(app)['Loket 1']}").text
    rows = page[page.index("Menunggu <small>"):page.index("Dilewati")]
    assert rows.index("P001") < rows.index("A001") < rows.index("A002")
    assert "08:05" in rows and "<td>55</td>" in rows  # taken 08:05, 55 minutes waiting at 09:00
    assert "Perekaman KTP-el (pertama kali)" in rows


def test_each_action_from_the_page(app, staff):
    one, two = counter_ids(app)["Loket 1"], counter_ids(app)["Loket 2"]
    upload(staff, *[ticket(seq=n, issued_at=issued(n)) for n in (1, 2, 3)])
    assert act(staff, one, "next").status_code == 303
    assert 'id="current-number">A001<' in staff.get(f"/loket/{one}").text
    app.state.clock.advance(minutes=4)
    assert act(staff, one, "again").status_code == 303
    assert act(staff, one, "skip").status_code == 303
    assert act(staff, one, "next").status_code == 303  # A002
    assert act(staff, one, "transfer", to=f"c:{two}").status_code == 303
    assert "A002" in staff.get(f"/loket/{two}/lists").text
    counters = app.state.offices.scope().counters
    skipped = counters.skipped(DAY, counters.counter(one))
    assert act(staff, one, "item", item=str(skipped[0].id)).status_code == 303
    assert act(staff, one, "done").status_code == 303
    assert act(staff, one, "number", number="a9").status_code == 303
    page = staff.get(f"/loket/{one}").text
    assert 'id="current-number">A009<' in page and "belum diterima dari kiosk" in page
    actions = [(a.staff, a.number, a.action) for a in counters.actions(DAY)][::-1]
    assert actions == [("budi", "A001", "call"), ("budi", "A001", "recall"),
                       ("budi", "A001", "skip"), ("budi", "A002", "call"),
                       ("budi", "A002", "transfer"), ("budi", "A001", "call"),
                       ("budi", "A001", "done"), ("budi", "A009", "call-number")]
    state = staff.get("/display/state").json()
    assert {c["name"]: c["number"] for c in state["counters"]}["Loket 1"] == "A009"
    assert [r["number"] for r in state["recent"]][:3] == ["A009", "A001", "A002"]


def test_an_action_that_cannot_be_done_says_why_on_the_page(app, staff):
    one = counter_ids(app)["Loket 1"]
    r = act(staff, one, "done")
    assert r.status_code == 409 and "Belum ada nomor yang dipanggil" in r.text
    r = act(staff, one, "next")
    assert r.status_code == 409 and "Tidak ada yang menunggu" in r.text
    r = act(staff, one, "number", number="zz")
    assert r.status_code == 409 and "bukan nomor antrian" in r.text
    assert "Traceback" not in r.text


def test_actions_need_the_csrf_token(app, staff):
    upload(staff, ticket(seq=1))
    r = staff.post("/loket/1", data={"action": "next"}, follow_redirects=False)
    assert r.status_code == 403
    assert app.state.offices.scope().counters.actions(DAY) == []


def test_day_figures_per_service_on_the_counter_page(app, staff):
    one = counter_ids(app)["Loket 1"]
    upload(staff, ticket(seq=1, issued_at=issued(30)), ticket(seq=2, issued_at=issued(40)))
    act(staff, one, "next")          # 09:00: A001 waited 30 min
    app.state.clock.advance(minutes=12)
    act(staff, one, "next")          # 09:12: A001 done after 12 min; A002 waited 32 min
    stats = {s.service_code: s for s in app.state.offices.scope().stats.day_stats(DAY)}["ktp-baru"]
    assert (stats.wait_median_s, stats.handle_median_s, stats.done) == (31 * 60, 12 * 60, 1)
    page = staff.get(f"/loket/{one}").text
    assert "<td>31.0</td>" in page and "<td>12.0</td>" in page


def test_sync_reply_carries_serving_waiting_and_handling_times(app, staff):
    one, two = counter_ids(app)["Loket 1"], counter_ids(app)["Loket 2"]
    reply = upload(staff, *[ticket(seq=n, issued_at=issued(n)) for n in range(1, 6)])
    assert reply["queues"]["A"]["waiting"] == 5 and reply["queues"]["A"]["counters"] == 2
    assert reply["handling"] == {} and reply["now_serving"] == {}
    act(staff, one, "next")
    act(staff, two, "next")
    app.state.clock.advance(minutes=8)
    act(staff, one, "next")
    reply = upload(staff, ticket(seq=6, issued_at=issued(50)))
    assert reply["now_serving"] == {"A": 3}
    facts = reply["queues"]["A"]
    assert facts == {"serving_sequence": 3, "serving_number": "A003", "waiting": 3,
                     "called_at": "2026-11-29T09:08:00+07:00", "counters": 2}
    assert reply["handling"] == {"ktp-baru": {"median_s": 480.0, "count": 1}}
    other = upload(staff, ticket(kiosk_id="K2", seq=1, number="A2-001"), kiosk="K2")
    assert other["queues"]["A"]["serving_sequence"] == 0 and "A" not in other["now_serving"]


def test_admin_sets_up_counters_and_staff_accounts(app):
    app.state.repo.set_admin("siti", hash_password("kata-sandi-rahasia-1"))
    with TestClient(app) as admin:
        login_admin(admin)
        page = admin.get("/admin/counters").text
        assert "Loket 2" in page and "budi" in page
        r = admin.post("/admin/counters", data={"csrf": csrf_of(page), "name": "Loket 4",
                                                 "queues": "c, d", "active": "1"})
        assert r.status_code == 200 and "Tersimpan" in r.text
        loket4 = counter_ids(app)["Loket 4"]
        assert app.state.offices.scope().counters.counter(loket4).queues == ("C", "D")
        r = admin.post("/admin/counters", data={"csrf": csrf_of(page), "name": "Loket 4",
                                                 "queues": "1"})
        assert r.status_code == 422 and "huruf dipisah koma" in r.text
        r = admin.post("/admin/staff", data={"csrf": csrf_of(page), "name": "dewi",
                                              "password": "pendek"})
        assert r.status_code == 422 and "at least 10" in r.text
        with TestClient(app) as budi:
            login_staff(budi)
            admin.post("/admin/staff/active", data={"csrf": csrf_of(page), "name": "budi",
                                                     "active": "0"})
            assert budi.get("/loket/1", follow_redirects=False).status_code == 303
            assert login_staff(budi).status_code == 401
    with TestClient(app) as staff:  # a staff account cannot reach the admin pages
        login_staff(staff, "sari")
        assert staff.get("/admin/counters", follow_redirects=False).status_code == 303


def test_cli_adds_staff_accounts_and_counters(db_url, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("kata-sandi-dewi-3\n"))
    assert main(["add-staff-account", "dewi", "--db", db_url]) == 0
    assert main(["add-counter", "Loket  5", "--queues", "P,E", "--db", db_url]) == 0
    assert main(["add-counter", "Loket 5", "--queues", "E", "--db", db_url]) == 0
    assert main(["add-counter", "Loket 6", "--queues", "5", "--db", db_url]) == 2
    assert "huruf" in capsys.readouterr().err
    from office.counter_repo import CounterRepo
    from office.staff_repo import StaffRepo
    repo = Repo(make_engine(db_url))
    counters = CounterRepo(repo)
    assert [(c.name, c.queues) for c in counters.counters()] == [("Loket 5", ("E",))]
    assert StaffRepo(repo).admin("dewi").password_hash.startswith("$argon2id$")
    repo.engine.dispose()


def test_an_office_without_counters_sends_no_counter_figures(app):
    for counter in app.state.offices.scope().counters.counters():
        app.state.offices.scope().counters.save_counter(counter.name, counter.queues, active=False,
                                        counter_id=counter.id)
    with TestClient(app) as client:
        reply = upload(client, ticket())
    assert reply["queues"] == {} and reply["handling"] == {} and reply["accepted"]
