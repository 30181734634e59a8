"""The ticket store: durable, numbered, never repeating, never silently empty."""
import json
import os
from pathlib import Path

import pytest

from kiosk.errors import CheckinError, StoreError
from kiosk.store import Store


def issue(store, service="ktp-baru", queue="A", **kw):
    return store.issue_ticket(service_code=service, queue=queue, language="id", **kw)


def test_numbers_start_at_001_and_services_of_one_queue_share_the_sequence(store):
    assert [issue(store, s).number for s in ("ktp-baru", "ktp-rusak", "ktp-hilang")] == \
        ["A001", "A002", "A003"]
    assert issue(store, "kk-baru", "B").number == "B001"


def test_ticket_is_on_disk_before_issue_returns(store, tmp_path):
    from tinydb import TinyDB

    from kiosk.journal import JournalStorage
    t = issue(store)
    day_file = tmp_path / "data" / "days" / f"{t.office_day}.json"
    with TinyDB(day_file, storage=JournalStorage) as db:  # another reader, through TinyDB
        assert [d["number"] for d in db.table("tickets").all()] == ["A001"]
    assert t.issued_at.endswith("+07:00")


def test_number_continues_after_restart(tmp_path, clock):
    s = Store(tmp_path / "d", clock=clock)
    issue(s), issue(s)
    s.close()
    s2 = Store(tmp_path / "d", clock=clock)
    assert issue(s2).number == "A003"


def test_next_office_day_starts_at_001_at_local_midnight(store, clock):
    clock.set_local("2026-11-30T23:59:00")
    assert issue(store).number == "A001"
    assert issue(store).number == "A002"
    clock.set_local("2026-12-01T00:00:30")
    t = issue(store)
    assert (t.number, t.office_day) == ("A001", "2026-12-01")


def test_office_day_never_moves_back_when_clock_is_set_back(tmp_path, clock):
    s = Store(tmp_path / "d", clock=clock)
    clock.set_local("2026-12-01T08:00:00")
    issue(s), issue(s)
    clock.set_local("2026-11-30T08:00:00")  # someone set the clock back a day
    t = issue(s)
    assert (t.office_day, t.number) == ("2026-12-01", "A003")
    s.close()
    s2 = Store(tmp_path / "d", clock=clock)  # and across a restart
    assert issue(s2).number == "A004"


def test_new_office_day_is_refused_while_the_clock_agrees_and_never_passes_the_clock(
        store, clock):
    from kiosk.store import NoNewOfficeDay
    issue(store)
    assert not store.clock_disagrees()
    with pytest.raises(NoNewOfficeDay, match="tidak ada hari kantor baru"):
        store.start_new_office_day()  # a right clock: the next tickets stay on today
    assert issue(store).office_day == "2026-11-30"
    clock.jump(days=2)  # a jump held (not synchronized): now the day disagrees
    assert issue(store).office_day == "2026-11-30" and store.clock_disagrees()
    assert store.start_new_office_day() == "2026-12-02"  # the clock's day, not past it
    t = issue(store)
    assert (t.office_day, t.number) == ("2026-12-02", "A001")
    with pytest.raises(NoNewOfficeDay):
        store.start_new_office_day()  # twice never gives the day after


def test_kiosk_tag_keeps_two_offline_kiosks_apart(tmp_path, clock):
    a = Store(tmp_path / "a", kiosk_id="K1", number_tag="1", clock=clock)
    b = Store(tmp_path / "b", kiosk_id="K2", number_tag="2", clock=clock)
    assert {issue(a).number, issue(b).number} == {"A1-001", "A2-001"}


def test_daily_quota_is_never_exceeded(store):
    quota = (2, None, None)
    issue(store, daily_quota=quota), issue(store, daily_quota=quota)
    with pytest.raises(CheckinError) as err:
        issue(store, daily_quota=quota)
    assert err.value.reason == "quota"
    assert len(store.tickets()) == 2


def test_truncated_day_file_is_moved_aside_and_numbers_continue(tmp_path, clock):
    s = Store(tmp_path / "d", clock=clock)
    for _ in range(3):
        last = issue(s)
    s.close()
    day_file = tmp_path / "d" / "days" / f"{last.office_day}.json"
    raw = day_file.read_bytes()
    day_file.write_bytes(raw[: len(raw) - 40])  # the last ticket is cut in half
    s2 = Store(tmp_path / "d", clock=clock)
    t = issue(s2)
    assert t.sequence > 3  # A003 was seen in the fragment: never reissued
    assert [x.number for x in s2.tickets()][:2] == ["A001", "A002"]
    assert list((tmp_path / "d" / "days").glob("*.corrupt-*"))
    assert any("rusak" in a for a in s2.alerts)


@pytest.mark.parametrize("damage", [
    b"", b"[]", b'{"tickets": []}', b'{"tickets": {"1": {"id": "x"}}}',
    b'{"tickets": {"1": {"id": "x", "queue": "A", "sequence": "abc"}}}', b"\x00" * 50])
def test_damaged_day_file_never_restarts_numbering(tmp_path, clock, damage):
    s = Store(tmp_path / "d", clock=clock)
    for _ in range(3):
        t = issue(s)
    s.close()
    (tmp_path / "d" / "days" / f"{t.office_day}.json").write_bytes(damage)
    s2 = Store(tmp_path / "d", clock=clock)
    assert issue(s2).sequence > 3  # the reserved block covers A001-A003: never reissued
    assert s2.alerts, "staff must be told the file was damaged"


def test_damaged_reservation_file_falls_back_to_the_tickets(tmp_path, clock):
    s = Store(tmp_path / "d", clock=clock)
    for _ in range(2):
        t = issue(s)
    s.close()
    (tmp_path / "d" / "days" / f"{t.office_day}.seq").write_bytes(b"garbage")
    s2 = Store(tmp_path / "d", clock=clock)
    assert issue(s2).number == "A003" and s2.alerts


@pytest.mark.parametrize("state", [b'"hello"', b'{"office_day": 5}', b'{"office_day": "zzzz"}',
                                   b'{"unsynced_days": null, "office_day": "2026-11-30"}',
                                   b'{"office_day": "2026-11-30", "settings": []}'])
def test_state_file_of_the_wrong_shape_is_moved_aside_and_rebuilt(tmp_path, clock, state):
    s = Store(tmp_path / "d", clock=clock)
    issue(s), issue(s)
    s.close()
    (tmp_path / "d" / "state.json").write_bytes(state)
    s2 = Store(tmp_path / "d", clock=clock)
    t = issue(s2)
    assert t.office_day == "2026-11-30" and t.sequence > 2  # never a repeat
    assert s2.pending_count() == 3 and s2.alerts


def test_unwritable_data_dir_gives_a_clear_message(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="data_dir"):
        Store(blocker / "data")


def test_failed_write_issues_nothing_and_never_reuses_a_number(store, monkeypatch):
    issue(store)
    import kiosk.storage as storage

    def full_disk(*a, **k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(storage.os, "fsync", full_disk)
    with pytest.raises(StoreError, match="disk"):
        issue(store)
    monkeypatch.undo()
    assert [t.number for t in store.tickets()] == ["A001"]
    assert issue(store).number in ("A002", "A003")  # a gap is allowed, a repeat never


def test_full_disk_on_the_first_ticket_of_a_day_leaves_no_orphan_ticket(store, clock,
                                                                        monkeypatch):
    """The outbox index is written before the ticket: a ticket on disk is always pending."""
    import kiosk.storage as storage
    issue(store)
    clock.advance(days=1)
    real = storage.atomic_write_bytes
    monkeypatch.setattr("kiosk.store.state.atomic_write_bytes",
                        lambda path, data: (_ for _ in ()).throw(StoreError("disk full")))
    with pytest.raises(StoreError):
        issue(store)
    monkeypatch.setattr("kiosk.store.state.atomic_write_bytes", real)
    assert store.tickets() == []
    t = issue(store)
    assert store.pending_count() == 2 and t.number == "A001"


def test_outbox_pending_and_mark_synced(store, clock):
    a, b = issue(store), issue(store)
    assert [t.id for t in store.pending_sync()] == [a.id, b.id]
    assert store.mark_synced([a.id], "2026-11-30T09:05:00+07:00") == 1
    assert [t.id for t in store.pending_sync()] == [b.id]
    assert store.pending_count() == 1
    assert store.get_ticket(a.id).synced_at


def test_print_status_is_recorded(store):
    t = issue(store)
    assert store.set_print_status(t.id, "failed", "Printer mati").print_status == "failed"
    assert [x.number for x in store.failed_today()] == ["A001"]


def test_audit_log_appends_role_action_time(store):
    store.audit("staff", "paper-replaced")
    entry = store.audit_entries()[-1]
    assert entry["role"] == "staff" and entry["action"] == "paper-replaced"
    assert entry["at"].endswith("+07:00")


def test_purge_deletes_only_old_synced_days(store, clock):
    old = issue(store)
    store.mark_synced([old.id], "x")
    clock.advance(days=40)
    new = issue(store)
    assert store.purge(30) == 1
    assert store.get_ticket(old.id) is None and store.get_ticket(new.id)


def test_no_leftover_temp_files(store, tmp_path):
    for _ in range(5):
        issue(store)
    leftovers = [p for p in (tmp_path / "data").rglob("*.tmp")]
    assert leftovers == []
    assert os.access(tmp_path / "data" / "state.json", os.R_OK)


def test_set_aside_takes_a_refused_ticket_out_of_the_outbox_but_keeps_it(store):
    a, b = issue(store), issue(store)
    assert store.set_aside([a.id], "id held by another kiosk") == 1
    assert [t.id for t in store.pending_sync()] == [b.id]
    assert store.get_ticket(a.id) is not None


def test_outbox_survives_restart(tmp_path, clock):
    s = Store(tmp_path / "d", clock=clock)
    a, b, c = issue(s), issue(s), issue(s)
    s.mark_synced([b.id], "x")
    s.close()
    s2 = Store(tmp_path / "d", clock=clock)
    assert [t.id for t in s2.pending_sync()] == [a.id, c.id]


def test_a_second_process_on_the_same_data_dir_is_refused(tmp_path, clock):
    import subprocess
    import sys
    s = Store(tmp_path / "d", clock=clock)
    code = ("import sys; sys.path.insert(0, %r); from kiosk.store import Store; "
            "Store(%r)" % (str(Path(__file__).resolve().parent.parent), str(tmp_path / "d")))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode != 0 and "in use by another kiosk process" in proc.stderr
    s.close()
    Store(tmp_path / "d", clock=clock).close()  # free again after close


def test_a_clock_jump_ahead_does_not_start_a_new_office_day(store, clock):
    issue(store), issue(store)
    clock.jump(days=365)  # a bad RTC / NTP answer while the kiosk runs
    t = issue(store)
    assert (t.office_day, t.number) == ("2026-11-30", "A003")
    clock.advance(seconds=30)  # and it keeps holding, ticket after ticket
    t = issue(store)
    assert (t.office_day, t.number) == ("2026-11-30", "A004")
    assert any("Jam kiosk melompat" in a for a in store.alerts)
    clock.jump(days=-365)  # clock corrected
    assert issue(store).number == "A005"


def test_staff_adopt_the_clock_day_after_a_real_long_gap(tmp_path, clock):
    s = Store(tmp_path / "d", clock=clock)
    issue(s)
    s.close()
    clock.advance(days=90)  # kiosk switched off for three months
    s2 = Store(tmp_path / "d", clock=clock)
    assert issue(s2).office_day == "2026-11-30"  # doubted until staff confirm
    assert s2.alerts
    day = s2.start_new_office_day()
    assert day == "2027-02-28" and issue(s2).number == "A001" and not s2.alerts


def test_normal_midnight_while_running_still_rolls_over(store, clock):
    clock.set_local("2026-11-30T23:59:00")
    issue(store)
    clock.set_local("2026-12-01T07:30:00")
    assert issue(store).office_day == "2026-12-01"


def test_a_long_running_kiosk_keeps_only_today_in_memory(store, clock):
    for _ in range(5):
        issue(store)
        store.pending_sync()
        clock.advance(days=1)
    issue(store)
    assert list(store._days) == [store.office_day()]
    assert store.pending_count() == 6  # older days reopen on demand
