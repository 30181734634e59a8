"""The office server as the backstop of a kiosk's numbering: a kiosk whose whole data
folder was lost continues above what the server holds, and a number it gave twice anyway
becomes a staff alert on the kiosk."""
import shutil
from datetime import datetime, timezone

from kiosk.store import Store
from kiosk.sync import SyncClient, SyncWorker


def fixed():
    return datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)


def issue(store):
    return store.issue_ticket(service_code="ktp-baru", queue="A", language="id")


def test_a_lost_data_folder_continues_above_the_office_servers_high_water(office, office_cfg,
                                                                          tmp_path):
    folder = tmp_path / "kiosk"
    store = Store(folder, kiosk_id="K1", clock=fixed)
    before = [issue(store) for _ in range(5)]
    assert SyncWorker(SyncClient(office_cfg(office.url), "K1"), store).sync_once().uploaded == 5
    store.close()
    shutil.rmtree(folder)  # a new disk, a deleted folder: nothing of the day is left
    store = Store(folder, kiosk_id="K1", clock=fixed)
    report = SyncWorker(SyncClient(office_cfg(office.url), "K1"), store).sync_once()
    assert report.ok and report.batches == 0  # nothing to send: it only asked
    t = issue(store)
    assert t.number == "A006" and t.number not in {x.number for x in before}
    assert any("Server kantor sudah menyimpan nomor sampai A005" in a for a in store.alerts)
    store.close()


def test_a_number_given_twice_before_the_server_was_asked_becomes_a_staff_alert(
        office, office_cfg, tmp_path):
    folder = tmp_path / "kiosk"
    store = Store(folder, kiosk_id="K1", clock=fixed)
    first = issue(store)
    SyncWorker(SyncClient(office_cfg(office.url), "K1"), store).sync_once()
    store.close()
    shutil.rmtree(folder)
    store = Store(folder, kiosk_id="K1", clock=fixed)
    again = issue(store)  # offline at first: the kiosk could not know
    assert again.number == first.number
    seen = []
    worker = SyncWorker(SyncClient(office_cfg(office.url), "K1"), store, on_status=seen.append)
    assert worker.sync_once().uploaded == 1
    assert "Nomor berulang" in seen[-1].repeat_warning and "K1 A001" in seen[-1].repeat_warning
    assert issue(store).number == "A002"  # and never again below the server's mark
    assert office.repo.count_checkins() == 2  # both residents' tickets are kept
    store.close()
