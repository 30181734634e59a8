"""The counter flow in the repository: call order, skip, recall, transfer, done, call by
number before the check-in arrives, no ticket called twice, and the day's figures."""
import threading
from datetime import datetime, timedelta, timezone

import pytest
from conftest import ticket

from office.counter_repo import CounterError, CounterRepo, normalize_number
from office.counter_stats import CounterStats
from office.db import Repo, make_engine

DAY = "2026-11-29"
T0 = datetime(2026, 11, 29, 1, 0, tzinfo=timezone.utc)  # 08:00 WIB


def at(minutes):
    return T0 + timedelta(minutes=minutes)


def issued(minutes):
    return (T0 + timedelta(minutes=minutes)).astimezone(
        timezone(timedelta(hours=7))).isoformat()


@pytest.fixture
def repo(db_url):
    repo = Repo(make_engine(db_url))
    yield repo
    repo.engine.dispose()


@pytest.fixture
def counters(repo):
    return CounterRepo(repo)


def upload(repo, *tickets, kiosk="K1"):
    return repo.upsert_checkins(kiosk, list(tickets))


def test_call_next_takes_priority_lane_first_then_order_taken(repo, counters):
    upload(repo, ticket(seq=1, issued_at=issued(0)), ticket(seq=2, issued_at=issued(1)),
           ticket(seq=1, queue="P", issued_at=issued(2)), ticket(seq=1, queue="B",
                                                                  service="kk-baru"))
    loket = counters.save_counter("Loket 1", ("A", "P"))
    assert [i.number for i in counters.waiting(DAY, loket, ("P",))] == ["P001", "A001", "A002"]
    first = counters.call_next(DAY, loket, "budi", at(10), ("P",))
    assert first.number == "P001" and first.state == "called"
    second = counters.call_next(DAY, loket, "budi", at(20), ("P",))
    assert second.number == "A001"
    assert [a.action for a in counters.actions(DAY)] == ["call", "done", "call"]
    assert counters.current(DAY, loket.id).number == "A001"
    assert counters.waiting_count(DAY, loket) == 1


def test_skip_then_recall_later_and_done(repo, counters):
    upload(repo, ticket(seq=1), ticket(seq=2))
    loket = counters.save_counter("Loket 1", ("A",))
    counters.call_next(DAY, loket, "budi", at(1))
    skipped = counters.skip(DAY, loket, "budi", at(2))
    assert skipped.state == "skipped" and counters.current(DAY, loket.id) is None
    assert counters.call_next(DAY, loket, "budi", at(3)).number == "A002"
    assert [i.number for i in counters.skipped(DAY, loket)] == ["A001"]
    back = counters.call_item(DAY, loket, skipped.id, "budi", at(9))
    assert back.number == "A001" and back.calls == 2
    assert counters.done(DAY, loket, "budi", at(14)).state == "done"
    with pytest.raises(CounterError, match="Belum ada nomor"):
        counters.done(DAY, loket, "budi", at(15))


def test_transfer_to_counter_waits_there_first_and_to_service_changes_queue(repo, counters):
    upload(repo, ticket(seq=1), ticket(seq=2), ticket(seq=1, queue="B", service="kk-baru"))
    one = counters.save_counter("Loket 1", ("A",))
    two = counters.save_counter("Loket 2", ("B",))
    counters.call_next(DAY, one, "budi", at(1))
    moved = counters.transfer(DAY, one, "budi", at(2), to_counter=two)
    assert moved.state == "waiting" and moved.target_counter_id == two.id
    assert [i.number for i in counters.waiting(DAY, two)] == ["A001", "B001"]
    assert [i.number for i in counters.waiting(DAY, one)] == ["A002"]
    counters.call_next(DAY, two, "sari", at(3))
    moved = counters.transfer(DAY, two, "sari", at(4), to_service=("kk-ubah", "B"))
    assert (moved.queue, moved.service_code, moved.target_counter_id) == ("B", "kk-ubah", None)
    assert counters.call_next(DAY, two, "sari", at(5)).number == "A001"


def test_call_by_number_before_the_kiosk_syncs_is_matched_later(repo, counters):
    loket = counters.save_counter("Loket 1", ("A",))
    called = counters.call_number(DAY, loket, "a 7", "budi", at(1))
    assert called.number == "A007" and called.placeholder
    other = counters.save_counter("Loket 2", ("A",))
    with pytest.raises(CounterError, match="loket lain"):
        counters.call_number(DAY, other, "A007", "sari", at(2))
    late = ticket(seq=7, issued_at=issued(-30))
    upload(repo, late, ticket(seq=8))
    upload(repo, late)  # a retry changes nothing
    item = counters.current(DAY, loket.id)
    assert item.number == "A007" and not item.placeholder and item.service_code == "ktp-baru"
    assert [i.number for i in counters.waiting(DAY, loket)] == ["A008"]
    counters.done(DAY, loket, "budi", at(6))
    stats = {s.service_code: s for s in CounterStats(repo).day_stats(DAY)}
    assert stats["ktp-baru"].wait_median_s == 31 * 60 and stats["ktp-baru"].handle_n == 1
    assert stats["ktp-baru"].handle_median_s == 5 * 60
    with pytest.raises(CounterError, match="sudah selesai"):
        counters.call_number(DAY, other, "A007", "sari", at(7))


@pytest.mark.parametrize("typed, number", [("a7", "A007"), ("A 007", "A007"),
                                           ("a1-7", "A1-007"), ("B1234", "B1234")])
def test_numbers_typed_by_staff_take_the_kiosk_form(typed, number):
    assert normalize_number(typed) == number


@pytest.mark.parametrize("typed", ["", "7", "AA7", "A0", "A-7"])
def test_not_a_number_is_said_plainly(typed):
    with pytest.raises(CounterError, match="bukan nomor antrian"):
        normalize_number(typed)


def test_counters_calling_at_once_never_get_the_same_ticket(repo, counters):
    upload(repo, *[ticket(seq=n, issued_at=issued(n)) for n in range(1, 61)])
    lokets = [counters.save_counter(f"Loket {n}", ("A",)) for n in range(1, 5)]
    got, errors = [], []
    start = threading.Barrier(len(lokets))

    def work(loket):
        start.wait()
        try:
            while True:
                item = counters.call_next(DAY, loket, "staf", at(5))
                if item is None:
                    return
                got.append(item.number)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
    threads = [threading.Thread(target=work, args=(loket,)) for loket in lokets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sorted(got) == [f"A{n:03d}" for n in range(1, 61)]


def test_queue_facts_and_recent_handling_for_the_sync_reply(repo, counters):
    upload(repo, *[ticket(seq=n, issued_at=issued(n)) for n in range(1, 6)])
    upload(repo, ticket(kiosk_id="K2", seq=1, number="A2-001", issued_at=issued(0)), kiosk="K2")
    loket = counters.save_counter("Loket 1", ("A",))
    for n in range(3):
        counters.call_next(DAY, loket, "budi", at(10 + 10 * n))
    counters.done(DAY, loket, "budi", at(36))
    stats = CounterStats(repo)
    facts = stats.queue_facts(DAY, "K1")
    assert facts["A"]["serving_sequence"] == 2  # A2-001 (K2) came first, then A001, A002
    assert facts["A"]["waiting"] == 3 and facts["A"]["serving_number"] == "A002"
    assert stats.queue_facts(DAY, "K2")["A"]["serving_sequence"] == 1
    assert stats.recent_handling(DAY) == {"ktp-baru": {"median_s": 600.0, "count": 3}}


def test_todays_checkins_from_before_the_counter_pages_join_the_flow(repo, counters):
    from sqlalchemy import delete

    from office.counter_repo import backfill
    from office.counter_tables import QueueItem
    upload(repo, ticket(seq=1), ticket(seq=2), ticket(seq=3, day="2026-11-28"))
    with repo.sessions.begin() as s:  # as a database from before the counter pages
        s.execute(delete(QueueItem))
    assert backfill(repo.sessions, DAY) == 2 and backfill(repo.sessions, DAY) == 0
    loket = counters.save_counter("Loket 1", ("A",))
    assert [i.number for i in counters.waiting(DAY, loket)] == ["A001", "A002"]
