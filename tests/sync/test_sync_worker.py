"""SyncWorker: exactly-once delivery through lost replies, restarts and server failures,
draining a large backlog in batches, backoff, and refusing bad menus from the server."""
import json
import threading
import time
from datetime import datetime, timezone

import pytest
from syncpeers import MENU_BYTES, FakeOutbox, json_reply, make_tickets

from kiosk.store import Store
from kiosk.sync import SyncClient, SyncReport, SyncWorker
from office.app import OfficeSettings, create_app
from office.devserver import ServerThread, free_port


def at_day_of_make_tickets():
    """A fixed clock on the office day that ``make_tickets`` uses (2026-11-29, 09:00 WIB)."""
    return datetime(2026, 11, 29, 2, 0, tzinfo=timezone.utc)


def real_store(path, n):
    store = Store(path, kiosk_id="K1", clock=at_day_of_make_tickets)
    for _ in range(n):
        store.issue_ticket(service_code="ktp-baru", queue="A", language="id")
    return store


def wait_for(predicate, timeout_s=10.0):
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def test_reply_lost_after_the_server_stored_the_batch_then_retry_stores_nothing_new(
        office, server_cfg, tmp_path):
    store = real_store(tmp_path / "kiosk", 30)
    office.slow.delay_s, office.slow.times = 1.0, 1
    worker = SyncWorker(SyncClient(server_cfg(office.url), "K1"), store)
    first = worker.sync_once()
    assert first.error_kind == "timeout" and first.uploaded == 0
    assert "tidak menjawab dalam 0.5 detik" in worker.status().last_error
    assert office.repo.count_checkins() == 30          # stored, but the kiosk never heard
    assert store.pending_count() == 30                 # so nothing is marked synced
    time.sleep(office.slow.delay_s)  # the retry comes later, not while the reply is held
    second = worker.sync_once()
    assert second.ok and second.uploaded == 30 and second.backlog == 0
    assert office.repo.count_checkins() == 30
    assert all(t.synced_at for t in store.tickets())


def test_kiosk_restart_after_a_lost_reply_duplicates_nothing(office, server_cfg, tmp_path):
    real_store(tmp_path / "kiosk", 25).close()
    office.slow.delay_s, office.slow.times = 1.0, 1
    before = Store(tmp_path / "kiosk", kiosk_id="K1", clock=at_day_of_make_tickets)
    first = SyncWorker(SyncClient(server_cfg(office.url, batch_size=10), "K1"), before)
    report = first.sync_once()
    assert report.error_kind == "timeout" and report.backlog == 25
    before.close()  # power cut: the process ends; a new one opens the same data folder
    store = Store(tmp_path / "kiosk", kiosk_id="K1", clock=at_day_of_make_tickets)
    again = SyncWorker(SyncClient(server_cfg(office.url, batch_size=10), "K1"), store)
    report = again.sync_once()
    assert report.ok and report.uploaded == 25 and report.batches == 3
    assert office.repo.count_checkins() == 25 and store.pending_count() == 0


@pytest.mark.parametrize("script,kind,words", [
    ([json_reply({"detail": "boom"}, 500)], "server", "kesalahan (HTTP 500)"),
    ([json_reply({}, 503, **{"Retry-After": "7"})], "server", "sibuk (busy)"),
    ([json_reply({"detail": "no"}, 401)], "auth", "tidak menerima token"),
    ([(200, {"Content-Type": "application/json"}, b"<html>oops")], "bad_reply", "tidak dapat dipahami"),
    (["hang"], "timeout", "tidak menjawab"),
])
def test_server_failures_lose_nothing_and_duplicate_nothing(raw, office, server_cfg, tmp_path,
                                                            script, kind, words, office_cfg):
    store = real_store(tmp_path / "kiosk", 12)
    raw.script = script
    seen = []
    worker = SyncWorker(SyncClient(server_cfg(raw.url), "K1"), store, on_status=seen.append)
    report = worker.sync_once()
    status = worker.status()
    assert report.error_kind == kind and words in status.last_error
    assert status.backlog == 12 and store.pending_count() == 12
    assert seen == [status]
    if kind == "server" and "sibuk" in words:
        assert report.retry_after_s == 7
        assert worker.next_delay_s(report) > 0.15  # Retry-After held, capped at max_backoff_s
    # the office comes back: everything arrives, once
    worker.client = SyncClient(office_cfg(office.url), "K1")
    assert worker.sync_once().uploaded == 12
    assert worker.sync_once().uploaded == 0
    assert office.repo.count_checkins() == 12 and worker.status().online is True


def test_a_kiosk_uploading_with_another_kiosks_token_is_told_plainly(office, office_cfg):
    outbox = FakeOutbox(make_tickets(3, kiosk_id="K1"))
    worker = SyncWorker(SyncClient(office_cfg(office.url, token="k2-token"), "K1"), outbox)
    report = worker.sync_once()
    assert report.error_kind == "auth" and "kiosk K2" in report.error
    assert outbox.pending_count() == 3 and office.repo.count_checkins() == 0


def test_ten_thousand_pending_tickets_drain_in_batches_once_the_server_is_back(tmp_path,
                                                                                server_cfg):
    from office.auth import hash_token
    port = free_port()
    outbox = FakeOutbox(make_tickets(10_000))
    statuses = []
    # 500-ticket batches into the real server: generous read time for a loaded CI box
    client = SyncClient(server_cfg(f"http://127.0.0.1:{port}", batch_size=500,
                                   interval_s=30.0, max_backoff_s=0.2, read_timeout_s=10,
                                   attempt_deadline_s=60), "K1")
    worker = SyncWorker(client, outbox, on_status=statuses.append, backoff_base_s=0.05).start()
    try:
        wait_for(lambda: len(statuses) >= 2)
        assert statuses[-1].online is False and statuses[-1].backlog == 10_000
        app = create_app(OfficeSettings(db_url=f"sqlite:///{tmp_path / 'office.db'}"))
        app.state.repo.add_credential(hash_token("k1-token"), "kiosk", "K1")
        with ServerThread(app, port=port):
            worker.poke()
            wait_for(lambda: worker.status().backlog == 0 and worker.status().online, 120)
            assert app.state.repo.count_checkins() == 10_000
    finally:
        worker.stop()
    assert outbox.pending_count() == 0
    assert statuses[-1].last_error is None and statuses[-1].last_success_at


def test_poke_sends_a_new_ticket_at_once_and_status_comes_from_the_worker_thread(
        office, office_cfg):
    outbox = FakeOutbox()
    threads = []
    worker = SyncWorker(SyncClient(office_cfg(office.url, interval_s=60.0), "K1"), outbox,
                        on_status=lambda s: threads.append(threading.current_thread().name))
    worker.start()
    try:
        wait_for(lambda: threads)
        ticket = make_tickets(1)[0]
        with outbox.lock:
            outbox.tickets[ticket.id] = ticket
        worker.poke()
        wait_for(lambda: office.repo.count_checkins() == 1, 3)
        wait_for(lambda: len(threads) >= 2, 3)
    finally:
        worker.stop()
    assert set(threads) == {"sync-worker"}


def test_status_carries_now_serving_and_clock_skew(office, office_cfg):
    import requests
    requests.post(office.url + "/api/v1/now-serving", json={"queue": "A", "sequence": 4},
                  headers={"Authorization": "Bearer admin-token"}, timeout=5)
    worker = SyncWorker(SyncClient(office_cfg(office.url), "K1"), FakeOutbox(make_tickets(1)))
    worker.sync_once()
    status = worker.status()
    assert status.now_serving == {"A": 4}
    assert abs(status.server_clock_skew_s) < 2 and status.online is True


def test_backoff_doubles_with_jitter_up_to_the_cap(server_cfg):
    worker = SyncWorker(SyncClient(server_cfg("http://127.0.0.1:9"), "K1"), FakeOutbox(),
                        interval_s=30, max_backoff_s=300, backoff_base_s=5, rng=lambda: 1.0)
    failed = SyncReport(0, 0, 5, "skipped", error="down", error_kind="offline")
    delays = []
    for _ in range(8):
        worker._record(failed)
        delays.append(worker.next_delay_s(failed))
    assert delays == [5, 10, 20, 40, 80, 160, 300, 300]
    worker.rng = lambda: 0.0
    assert worker.next_delay_s(failed) == 150
    worker._record(SyncReport(1, 1, 0, "unchanged"))
    assert worker.next_delay_s(SyncReport(1, 1, 0, "unchanged")) == 30
    assert worker.next_delay_s(SyncReport(500, 3, 10, "unchanged")) == 0


def _spoiled(edit):
    menu = json.loads(MENU_BYTES)
    edit(menu)
    return json.dumps(menu).encode()


def _dup(m):
    m["services"][1]["code"] = m["services"][0]["code"]


def _no_id_name(m):
    del m["services"][0]["names"]["id"]


@pytest.mark.parametrize("bad,words", [(_spoiled(_dup), "appears twice"),
                                       (_spoiled(_no_id_name), "names.id is missing"),
                                       (b"\x00junk" * 1_000_000, "too large")])
def test_a_bad_menu_from_the_server_is_refused_and_the_last_good_stays(raw, server_cfg, bad,
                                                                      words):
    applied = []
    worker = SyncWorker(SyncClient(server_cfg(raw.url), "K1"), FakeOutbox(),
                        on_menu=lambda body, etag: applied.append(etag))
    raw.script = [(200, {"ETag": '"good"'}, MENU_BYTES),
                  (200, {"ETag": '"bad"'}, bad)]
    assert worker.sync_once().menu == "updated" and applied == ['"good"']
    report = worker.sync_once()
    assert report.menu == "refused" and report.ok and applied == ['"good"']
    status = worker.status()
    assert words in status.menu_error and status.menu_etag == '"good"'
    assert raw.requests[-1][2]["If-None-Match"] == '"good"'


def test_stop_returns_while_an_attempt_hangs(raw, server_cfg):
    raw.script = ["hang"]
    worker = SyncWorker(SyncClient(server_cfg(raw.url, attempt_deadline_s=0.5), "K1"),
                        FakeOutbox(make_tickets(1))).start()
    time.sleep(0.1)
    started = time.monotonic()
    worker.stop(timeout_s=2)
    assert not worker._thread.is_alive() and time.monotonic() - started < 1.0


def _held_by_k2(office, office_cfg, ticket_id):
    """Make the real office server hold ``ticket_id`` for kiosk K2."""
    twin = make_tickets(1, kiosk_id="K2")[0].evolve(id=ticket_id)
    reply = SyncClient(office_cfg(office.url, token="k2-token"), "K2").upload([twin])
    assert reply.accepted_ids == (ticket_id,)


def test_a_ticket_id_held_by_another_kiosk_is_set_aside_and_the_rest_still_drain(
        office, office_cfg, tmp_path):
    store = real_store(tmp_path / "kiosk", 3)
    stolen = store.pending_sync(10)[0]  # the oldest: it heads every batch
    _held_by_k2(office, office_cfg, stolen.id)
    worker = SyncWorker(SyncClient(office_cfg(office.url, batch_size=1), "K1"), store)
    report = worker.sync_once()
    assert report.ok and (report.uploaded, report.set_aside, report.backlog) == (2, 1, 0)
    assert report.batches == 3 and worker.status().set_aside == 1
    assert store.pending_count() == 0 and len(store.tickets()) == 3  # kept on disk
    assert {c.kiosk_id for c in office.repo.checkins_of_day(stolen.office_day)} == {"K1", "K2"}
    again = worker.sync_once()
    assert again.ok and again.batches == 0 and office.repo.count_checkins() == 3


def test_a_store_without_set_aside_keeps_refused_tickets_without_looping(office, office_cfg):
    outbox = FakeOutbox(make_tickets(2))
    _held_by_k2(office, office_cfg, next(iter(outbox.tickets)))
    worker = SyncWorker(SyncClient(office_cfg(office.url), "K1"), outbox)
    report = worker.sync_once()
    assert report.ok and (report.uploaded, report.set_aside, report.backlog) == (1, 0, 1)
    assert report.batches == 2 and outbox.pending_count() == 1


def test_numbers_given_by_another_kiosk_too_raise_a_plain_warning_in_the_status(
        office, office_cfg, tmp_path):
    """Two kiosks with the same [kiosk] number_tag: both tickets are kept, staff are told."""
    k1 = Store(tmp_path / "k1", kiosk_id="K1", number_tag="2",
               clock=at_day_of_make_tickets)
    k2 = Store(tmp_path / "k2", kiosk_id="K2", number_tag="2",
               clock=at_day_of_make_tickets)
    for store in (k1, k2):
        store.issue_ticket(service_code="ktp-baru", queue="A", language="id")
    number = k1.tickets()[0].number
    assert number == k2.tickets()[0].number
    w1 = SyncWorker(SyncClient(office_cfg(office.url), "K1"), k1)
    assert w1.sync_once().conflicts == 0 and w1.status().conflict_warning is None
    seen = []
    w2 = SyncWorker(SyncClient(office_cfg(office.url, token="k2-token"), "K2"), k2,
                    on_status=seen.append)
    report = w2.sync_once()
    assert report.ok and report.uploaded == 1 and report.conflicts == 1
    warning = seen[-1].conflict_warning
    assert warning.startswith(f"Nomor ganda: K1 dan K2 sama-sama memberi {number} — periksa "
                              f"number_tag di kiosk.ini")
    assert office.repo.count_checkins() == 2 and k2.pending_count() == 0
    k1.issue_ticket(service_code="ktp-baru", queue="A", language="id")
    w1.sync_once()                       # the first kiosk hears of it on its next upload
    assert "K1 dan K2" in w1.status().conflict_warning


def test_every_reply_reaches_on_reply_and_its_failure_does_not_stop_the_upload(office,
                                                                               office_cfg):
    seen = []

    def on_reply(reply):
        seen.append(reply)
        raise OSError("disk full")  # keeping the figures failed: the tickets still go
    outbox = FakeOutbox(make_tickets(3))
    client = SyncClient(office_cfg(office.url, read_timeout_s=10, attempt_deadline_s=30), "K1")
    worker = SyncWorker(client, outbox, on_reply=on_reply, batch_size=2)
    report = worker.sync_once()
    assert report.ok and report.uploaded == 3 and len(seen) == 2
    assert all(r.queues == {} for r in seen)  # an office with no counter: no figures
