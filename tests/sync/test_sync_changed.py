"""A ticket id the office server already holds with other content (HTTP 409, nothing of the
batch stored): the kiosk sets that ticket aside with the difference, staff get a plain
Indonesian alert naming its number, and the rest of the outbox drains, against the real
office server on 127.0.0.1."""
import json
import time
from datetime import datetime, timezone

from sqlalchemy import select

from kiosk.store import Store
from kiosk.sync import SyncClient, SyncWorker
from office.tables import Checkin


def at_ticket_day():
    return datetime(2026, 11, 29, 2, 0, tzinfo=timezone.utc)  # 09:00 WIB


def issue(store, n):
    return [store.issue_ticket(service_code="ktp-baru", queue="A", language="id")
            for _ in range(n)]


def edit_server_row(office, ticket_id, **fields):
    """Change the office server's stored copy of ``ticket_id`` (its payload), as a server
    restored from another copy, or a hand edit, would."""
    with office.repo.sessions.begin() as s:
        row = s.scalars(select(Checkin).where(Checkin.id == ticket_id)).one()
        payload = json.loads(row.payload)
        payload.update(fields)
        row.payload = json.dumps(payload, ensure_ascii=False, sort_keys=True)


def assert_set_aside_with_alert(store, ticket, words):
    kept = {t.id: t for t in store.tickets()}
    assert ticket.id in kept and store.pending_count() == 0       # kept on disk, not pending
    alerts = [a for a in store.alerts if ticket.number in a]
    assert len(alerts) == 1, store.alerts
    assert alerts[0].startswith(f"Tiket {ticket.number} disisihkan: server kantor sudah "
                                f"menyimpan nomor ini dengan isi lain")
    assert words in alerts[0] and "(Ticket" in alerts[0]
    assert f"data_dir/days/{ticket.office_day}.json, id {ticket.id}" in alerts[0]


def test_a_ticket_changed_after_its_lost_reply_is_set_aside_and_the_next_batches_drain(
        office, server_cfg, tmp_path):
    store = Store(tmp_path / "kiosk", kiosk_id="K1", clock=at_ticket_day)
    first, *rest = issue(store, 3)
    office.slow.delay_s, office.slow.times = 1.0, 1
    worker = SyncWorker(SyncClient(server_cfg(office.url, batch_size=2,
                                              read_timeout_s=10, attempt_deadline_s=20), "K1"),
                        store)
    worker.client.timeout = (0.5, 0.5)             # the first reply is lost ...
    lost = worker.sync_once()
    assert lost.error_kind == "timeout" and office.repo.count_checkins() == 2
    time.sleep(office.slow.delay_s)
    worker.client.timeout = (10, 10)               # ... then patient reads
    edit_server_row(office, first.id, service_code="kk-baru")
    later = issue(store, 2)                        # tickets taken meanwhile, behind it
    report = worker.sync_once()
    assert report.ok, report.error
    assert (report.uploaded, report.set_aside, report.backlog) == (4, 1, 0)
    assert worker.status().set_aside == 1
    assert_set_aside_with_alert(store, first, "layanan: server 'kk-baru', kiosk 'ktp-baru'")
    held = {c.id: json.loads(c.payload) for c in office.repo.checkins_of_day(first.office_day)}
    assert set(held) == {t.id for t in [first, *rest, *later]}       # nothing duplicated
    assert held[first.id]["service_code"] == "kk-baru"               # the server's copy stays
    again = worker.sync_once()
    assert again.ok and again.batches == 0 and office.repo.count_checkins() == 5


def test_held_content_differing_from_the_kiosk_file_sets_only_that_ticket_aside(
        office, server_cfg, tmp_path):
    """The server already holds one id of this kiosk with another number and time (e.g. the
    kiosk's data folder was restored from an older copy): that one ticket goes aside with
    its reason on disk; the others of the same batch are stored once."""
    store = Store(tmp_path / "kiosk", kiosk_id="K1", clock=at_ticket_day)
    tickets = issue(store, 3)
    twin = tickets[1].evolve(number="A099", sequence=99, issued_at="2026-11-29T08:30:00+07:00")
    assert SyncClient(server_cfg(office.url), "K1").upload([twin]).accepted_ids == (twin.id,)
    worker = SyncWorker(SyncClient(server_cfg(office.url, read_timeout_s=10,
                                              attempt_deadline_s=20), "K1"), store)
    report = worker.sync_once()
    assert report.ok and (report.uploaded, report.set_aside, report.backlog) == (2, 1, 0)
    assert report.batches == 2                   # the 409, then the batch without it
    assert_set_aside_with_alert(store, tickets[1], "nomor: server 'A099', kiosk 'A002'")
    on_disk = [t for t in store.tickets() if t.id == tickets[1].id][0]
    assert on_disk.synced_at is None
    assert office.repo.count_checkins() == 3
