"""People ahead and the estimated wait from the office server's figures (kiosk.waits): the
exact count, staleness, the fallbacks, the wording, closing time, and no wait invented."""
import logging

import pytest

from kiosk.checkin import CheckinDesk
from kiosk.i18n import translator
from kiosk.models import HEALTH_RULES
from kiosk.store import Store
from kiosk.sync_client import UploadReply
from kiosk.waits import SETTING, WaitBoard, format_wait, parse_handling, parse_queues, wait_lines

DAY = "2026-11-30"  # the clock fixture's Monday


def reply(queues=None, handling=None, held=None, server_time="2026-11-30T09:00:00.000+07:00"):
    """An UploadReply as SyncClient.upload parses it."""
    return UploadReply(accepted_ids=(), server_time=server_time, now_serving={},
                       high_water={DAY: held} if held else {},
                       queues=parse_queues(queues or {}), handling=parse_handling(handling or {}))


@pytest.fixture
def board(store, clock):
    return WaitBoard(store, fresh_s=600, clock=clock)


@pytest.fixture
def desk(store, menu, clock, board):
    return CheckinDesk(store, lambda: menu, waits=board, clock=clock)


def take(desk, code="ktp-baru", priority=False):
    j = desk.begin("id")
    j.priority = priority
    desk.select_service(j, code)
    for rule in HEALTH_RULES:
        desk.confirm_rule(j, rule)
    return desk.check_in(j)


def test_without_figures_the_position_among_this_kiosks_tickets_and_no_wait(desk):
    take(desk, "ktp-baru"), take(desk, "kk-baru")
    for _ in range(39):
        r = take(desk, "ktp-hilang")
    assert r.ticket.number == "A040" and r.position == 40  # A001..A040 from this kiosk
    assert r.people_ahead is None and r.wait_min is None  # never "600 menit" (issue 11)
    assert wait_lines(translator("id", "slip"), r.people_ahead, r.wait_min, r.position, "A") == [
        "Urutan Anda: ke-40 di antrian A dari kiosk ini hari ini",
        "Perkiraan waktu tunggu belum tersedia"]


def test_people_ahead_are_the_servers_waiting_plus_tickets_it_did_not_have(desk, board):
    take(desk), take(desk)  # A001, A002: the server holds them (held A = 2)
    board.record(reply({"A": {"waiting": 5, "counters": 2, "serving_sequence": 0}},
                       {"ktp-baru": {"median_s": 480.0, "count": 7}}, {"A": 2}))
    third = take(desk)  # A003: not at the server yet
    fourth = take(desk, "ktp-rusak")  # A004, another service of queue A
    assert third.people_ahead == 5 and third.wait_min == 20  # 5 x 480 s / 2 counters
    assert fourth.people_ahead == 6  # + A003, issued since the reply
    # ktp-rusak has no handling time today: ktp-baru's, same queue and counters, stands in
    assert fourth.wait_min == 24
    assert take(desk, "kk-baru").people_ahead == 0  # no B ticket at the server today
    # once the server holds A003 and A004 they are in its waiting, counted once
    board.record(reply({"A": {"waiting": 7, "counters": 2}}, {"ktp-baru": {"median_s": 480.0,
                                                                            "count": 7}},
                       {"A": 4}))
    assert take(desk).people_ahead == 7


def test_figures_are_kept_with_the_time_learned_across_a_restart(tmp_path, clock, menu):
    store = Store(tmp_path / "data", clock=clock)
    WaitBoard(store, clock=clock).record(reply({"A": {"waiting": 3, "counters": 1}},
                                               {"ktp-baru": {"median_s": 600, "count": 2}}))
    kept = store.setting(SETTING)
    assert kept["learned_at"] == "2026-11-30T02:00:00+00:00" and kept["office_day"] == DAY
    store.close()
    store = Store(tmp_path / "data", clock=clock)  # the kiosk restarts
    try:
        est = WaitBoard(store, clock=clock).estimate(menu, menu.service("ktp-baru"), "A")
        assert (est.people_ahead, est.wait_min) == (3, 30)
    finally:
        store.close()


def test_stale_or_yesterdays_figures_count_as_none(store, clock, menu):
    board = WaitBoard(store, fresh_s=600, clock=clock)
    ktp = menu.service("ktp-baru")
    board.record(reply({"A": {"waiting": 3, "counters": 1}},
                       {"ktp-baru": {"median_s": 600, "count": 2}}))
    clock.advance(seconds=600)
    assert board.estimate(menu, ktp, "A").people_ahead == 3  # at the limit: still recent
    clock.advance(seconds=1)
    est = board.estimate(menu, ktp, "A")
    assert (est.people_ahead, est.wait_min, est.position) == (None, None, 1)
    clock.set_local("2026-11-30T23:58:00")  # learned just before midnight...
    board.record(reply({"A": {"waiting": 3, "counters": 1}}, server_time=clock().isoformat()))
    clock.advance(minutes=3)  # ...and 3 minutes later it is another office day
    assert board.recent() is None
    assert board.estimate(menu, ktp, "A").people_ahead is None


def test_a_server_on_another_day_or_without_counters_gives_no_figures(board, menu):
    ktp = menu.service("ktp-baru")
    board.record(reply({"A": {"waiting": 3, "counters": 1}},
                       server_time="2026-11-29T23:59:00+07:00"))
    assert board.recent() is None and board.store.setting(SETTING) is None
    board.record(reply({}, {}))  # an office with no counter set up sends no figures
    assert board.estimate(menu, ktp, "A").people_ahead is None


def test_no_open_counter_or_no_handling_time_in_the_queue_gives_no_wait(board, menu):
    ktp = menu.service("ktp-baru")
    board.record(reply({"A": {"waiting": 4, "counters": 0}},
                       {"ktp-baru": {"median_s": 300, "count": 3}}))
    assert board.estimate(menu, ktp, "A").people_ahead == 4
    assert board.estimate(menu, ktp, "A").wait_min is None
    # a handling time of another queue's service (kk-baru, queue B) is not borrowed,
    # and the menu's avg_service_min is never used
    board.record(reply({"A": {"waiting": 4, "counters": 2}},
                       {"kk-baru": {"median_s": 300, "count": 3}}))
    est = board.estimate(menu, ktp, "A")
    assert (est.people_ahead, est.wait_min) == (4, None)


def test_the_priority_lane_uses_its_own_queue_figures(desk, board):
    board.record(reply({"A": {"waiting": 9, "counters": 2}, "P": {"waiting": 1, "counters": 1}},
                       {"ktp-baru": {"median_s": 600, "count": 5}}))
    r = take(desk, priority=True)
    assert r.ticket.number == "P001" and (r.people_ahead, r.wait_min) == (1, 10)


def test_wait_wording_in_hours_and_minutes_past_59_minutes():
    id_, en = translator("id", "slip"), translator("en", "slip")
    assert [format_wait(m, id_) for m in (0, 59, 60, 80)] == [
        "0 menit", "59 menit", "1 jam", "1 jam 20 menit"]
    assert [format_wait(m, en) for m in (45, 120, 80)] == ["45 min", "2 h", "1 h 20 min"]
    assert wait_lines(en, 6, 80) == ["People ahead of you: 6", "Estimated wait: 1 h 20 min"]
    assert wait_lines(en, 6, None) == ["People ahead of you: 6", "Estimated wait not available"]


def test_a_turn_after_closing_time_is_known_before_the_number_is_taken(desk, board, clock):
    clock.set_local("2026-12-04T10:00:00")  # Friday: the office closes at 11:00
    friday = "2026-12-04T10:00:00+07:00"
    handling = {"ktp-baru": {"median_s": 600, "count": 5}}
    board.record(reply({"A": {"waiting": 10, "counters": 2}}, handling, server_time=friday))
    j = desk.begin("id")
    desk.select_service(j, "ktp-baru")
    assert desk.closing_warning(j) is None  # 10 x 600 s / 2 = 50 min: 10:50
    board.record(reply({"A": {"waiting": 14, "counters": 2}}, handling, server_time=friday))
    assert desk.closing_warning(j) == "11:00"  # 70 min: 11:10
    for rule in HEALTH_RULES:
        desk.confirm_rule(j, rule)
    r = desk.check_in(j)  # taken anyway
    assert (r.ticket.number, r.people_ahead, r.wait_min) == ("A001", 14, 70)


def test_malformed_figures_are_dropped_with_a_log_line_never_raised(caplog):
    with caplog.at_level(logging.WARNING, logger="kiosk.waits"):
        queues = parse_queues({"A": {"waiting": 3, "counters": 1}, "B": {"waiting": -1,
                                                                          "counters": 1},
                               "C": {"waiting": "3", "counters": 1}, "D": [1, 2],
                               "E": {"waiting": True, "counters": 1}, "F": {"counters": 2}})
        handling = parse_handling({"ktp-baru": {"median_s": 480.5, "count": 3},
                                   "kk-baru": {"median_s": float("nan"), "count": 2},
                                   "kia": {"median_s": 60, "count": 0}, "ambil": None})
        assert parse_queues([1]) == {} and parse_handling("x") == {}
    assert list(queues) == ["A"] and queues["A"].waiting == 3
    assert handling == {"ktp-baru": (480.5, 3)}
    logged = caplog.text
    assert all(f"queues[{q!r}]" in logged for q in "BCDEF")
    assert "handling['kk-baru']" in logged and "queues is not an object" in logged


def test_an_unreadable_stored_setting_is_ignored(store, clock, caplog):
    store.set_setting(SETTING, {"learned_at": "gestern", "office_day": DAY})
    with caplog.at_level(logging.WARNING, logger="kiosk.waits"):
        assert WaitBoard(store, clock=clock).recent() is None
    assert "server_figures is not readable" in caplog.text


def test_every_wait_message_is_translated_for_slip_and_screen():
    from kiosk import waits
    from kiosk.i18n import _catalog
    wanted = {waits.AHEAD, waits.POSITION, waits.WAIT, waits.NO_WAIT, waits.MINUTES,
              waits.HOURS, waits.HOURS_MINUTES}
    _catalog.cache_clear()
    for domain in ("slip", "screens"):
        assert not wanted - set(_catalog("en", domain)), domain
