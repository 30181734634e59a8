"""The runtime: retention purge at start and daily, clock warnings from the office server's time."""
import time
from types import SimpleNamespace

from lobby.runtime import KioskRuntime


def test_old_synced_days_are_purged_at_start(config, clock):
    rt = KioskRuntime(config, clock=clock)
    old = rt.store.issue_ticket(service_code="ktp-baru", queue="A", language="id")
    rt.store.mark_synced([old.id], "x")
    clock.advance(days=1)
    unsynced = rt.store.issue_ticket(service_code="ktp-baru", queue="A", language="id")
    rt.store.close()
    clock.advance(days=config.server.retention_days + 5)
    rt2 = KioskRuntime(config, clock=clock)
    rt2.start()
    try:
        assert rt2.store.get_ticket(old.id) is None  # synced and past retention: deleted
        assert rt2.store.get_ticket(unsynced.id) is not None  # never deleted before sync
    finally:
        rt2.stop()


def test_a_kiosk_clock_far_from_the_servers_warns_staff(config, clock):
    rt = KioskRuntime(config, clock=clock)
    try:
        rt._on_sync_status(SimpleNamespace(server_clock_skew_s=600.0))
        assert any("Jam kiosk terlambat 10 menit" in a for a in rt.store.alerts)
        rt._on_sync_status(SimpleNamespace(server_clock_skew_s=3.0))
        assert not any(a.startswith("Jam kiosk terlambat") for a in rt.store.alerts)
    finally:
        rt.stop()


def test_a_number_clash_reported_by_the_server_reaches_staff(config, clock):
    rt = KioskRuntime(config, clock=clock)
    try:
        warning = "Nomor ganda: K1 dan K3 sama-sama memberi A001"
        rt._on_sync_status(SimpleNamespace(server_clock_skew_s=None, conflict_warning=warning))
        rt._on_sync_status(SimpleNamespace(server_clock_skew_s=None, conflict_warning=warning))
        assert rt.store.alerts.count(warning) == 1
    finally:
        rt.stop()


def test_sync_status_keeps_the_clock_jump_alert(config, clock):
    rt = KioskRuntime(config, clock=clock)
    try:
        rt.store.issue_ticket(service_code="ktp-baru", queue="A", language="id")
        clock.jump(days=365)
        rt.store.issue_ticket(service_code="ktp-baru", queue="A", language="id")
        rt._on_sync_status(SimpleNamespace(server_clock_skew_s=1.0, conflict_warning=None))
        assert any("melompat" in a for a in rt.store.alerts)
    finally:
        rt.stop()


def test_paper_replaced_is_not_undone_by_a_print_result(config, clock):
    from datetime import datetime, timezone
    from printer.jobs import PrintJob
    rt = KioskRuntime(config, clock=clock)
    try:
        rt.slips.count_paper(PrintJob("t", b"", length_mm=200.0))
        rt.slips.paper_replaced(datetime(2026, 11, 30, tzinfo=timezone.utc))
        rt.slips.count_paper(PrintJob("t", b"", length_mm=200.0))
        assert rt.slips.paper_used()["slips"] == 1
    finally:
        rt.stop()


def test_yesterdays_now_serving_is_not_used_for_people_ahead(config, clock):
    rt = KioskRuntime(config, clock=clock)
    try:
        served = {"A": 85}
        rt.sync = SimpleNamespace(status=lambda: SimpleNamespace(
            last_success_at="2026-11-29T09:00:00+00:00", now_serving=served))
        assert rt.now_serving() == {}  # that reply was on 2026-11-29; today is 2026-11-30
        rt.sync = SimpleNamespace(status=lambda: SimpleNamespace(
            last_success_at="2026-11-30T02:30:00+00:00", now_serving=served))
        assert rt.now_serving() == served
        rt.sync = None
    finally:
        rt.stop()


def test_a_number_repeated_by_this_kiosk_reaches_staff_and_survives_a_restart(config, clock):
    rt = KioskRuntime(config, clock=clock)
    warning = "Nomor berulang: kiosk memberi nomor yang sama dua kali (K1 A001 (2026-11-30))"
    rt._on_sync_status(SimpleNamespace(server_clock_skew_s=None, repeat_warning=warning))
    rt.stop()
    rt = KioskRuntime(config, clock=clock)
    try:
        assert warning in rt.store.alerts
    finally:
        rt.stop()


def test_a_damaged_pin_file_is_a_staff_alert(config, clock):
    config.kiosk.data_dir.mkdir(parents=True, exist_ok=True)
    (config.kiosk.data_dir / "pins.json").write_text("{damaged")
    rt = KioskRuntime(config, clock=clock)
    try:
        assert any("Berkas PIN rusak" in a for a in rt.store.alerts)
    finally:
        rt.stop()


def test_a_kiosk_left_running_purges_once_each_new_office_day(config, clock):
    rt = KioskRuntime(config, clock=clock, purge_check_s=0.02).start()
    try:
        old = rt.store.issue_ticket(service_code="ktp-baru", queue="A", language="id")
        rt.store.mark_synced([old.id], "x")
        clock.advance(days=1)
        unsynced = rt.store.issue_ticket(service_code="ktp-baru", queue="A", language="id")
        clock.advance(days=config.server.retention_days + 2)  # never restarted meanwhile
        deadline = time.monotonic() + 10  # hang guard only

        def purges():
            return [e for e in rt.store.audit_entries() if e["action"] == "retention-purge"]
        while not purges() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(purges()) == 1 and purges()[0]["days_deleted"] == 1
        assert rt.store.get_ticket(old.id) is None
        assert rt.store.get_ticket(unsynced.id) is not None
        assert rt.purge_if_due() is None  # the same office day: nothing more to do
    finally:
        rt.stop()
    assert not rt._purger.is_alive()
