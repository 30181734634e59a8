"""The office server as a backstop for a kiosk's numbering: its high-water mark per queue
and day in every upload reply, and a flag when a kiosk sends one number twice in a day."""
from officepages import login_token


def upload(client, auth, kiosk_id, tickets, **extra):
    body = {"kiosk_id": kiosk_id, "menu_version": "2026-11-29.1", "tickets": tickets, **extra}
    return client.post("/api/v1/checkins", json=body, headers=auth(kiosk_id))


def test_the_reply_carries_this_kiosks_highest_sequence_per_queue_and_day(client, auth, ticket):
    day = "2026-11-30"
    mine = [ticket("K1", seq=s, day=day) for s in (1, 2, 7)] + [ticket("K1", 3, "B", day=day)]
    other = [ticket("K2", seq=40, day=day)]  # another kiosk's numbers are not this kiosk's
    assert upload(client, auth, "K2", other).status_code == 200
    r = upload(client, auth, "K1", mine).json()
    assert r["high_water"] == {day: {"A": 7, "B": 3}}
    assert r["repeats"] == [] and r["repeat_warning"] is None


def test_an_empty_batch_asks_for_the_high_water_of_the_kiosks_office_day(client, auth, ticket):
    upload(client, auth, "K1", [ticket("K1", seq=5, day="2026-11-30")])
    r = upload(client, auth, "K1", [], office_day="2026-11-30")
    assert r.status_code == 200 and r.json()["high_water"] == {"2026-11-30": {"A": 5}}
    fresh = upload(client, auth, "K1", [], office_day="2026-12-01").json()
    assert fresh["high_water"] == {}


def test_an_old_kiosk_without_office_day_still_gets_a_valid_reply(client, auth, ticket):
    r = upload(client, auth, "K1", [ticket("K1", seq=2)])
    assert r.status_code == 200 and r.json()["high_water"] == {"2026-11-29": {"A": 2}}
    assert set(r.json()) >= {"accepted", "refused", "conflicts", "clashes", "now_serving"}


def test_one_kiosk_sending_a_number_twice_is_flagged_in_the_reply_and_on_the_staff_page(
        client, app, auth, ticket):
    day = app.state.clock.today()
    before = ticket("K1", seq=1, day=day)
    upload(client, auth, "K1", [before, ticket("K1", seq=2, day=day)])
    after_loss = ticket("K1", seq=1, day=day)  # the kiosk lost its files and said A001 again
    r = upload(client, auth, "K1", [after_loss]).json()
    assert r["accepted"] == [after_loss["id"]]  # kept: two residents hold it
    assert r["repeats"] == [{"office_day": day, "number": "A001",
                             "ids": sorted([before["id"], after_loss["id"]])}]
    assert "Nomor berulang" in r["repeat_warning"] and "K1 A001" in r["repeat_warning"]
    assert app.state.repo.count_checkins() == 3
    assert login_token(client, "staff-token").status_code == 303
    page = client.get("/").text
    assert "Nomor berulang" in page and "GANDA" in page
