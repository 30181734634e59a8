"""Numbers never repeat whatever happens to the files: a high-water mark per office day and
queue (tickets, reservations, state.json copy, office server); damage is recorded, staff
are told through alerts that survive restarts; settings fail safe; `kiosk check` only reads."""
import json
import shutil

import pytest

from kiosk.store import Store, inspect_data_dir

DAY = "2026-11-30"


def issue(store, queue="A"):
    return store.issue_ticket(service_code="ktp-baru", queue=queue, language="id")


@pytest.fixture
def used(tmp_path, clock):
    """A data folder whose office day already gave A001-A005 and B001 (then stopped)."""
    s = Store(tmp_path / "d", clock=clock)
    tickets = [issue(s) for _ in range(5)] + [issue(s, "B")]
    s.close()
    return tmp_path / "d", tickets


def reopen(folder, clock):
    return Store(folder, clock=clock)


def assert_no_repeat(store, before, queue="A"):
    t = issue(store, queue)
    used = {x.number for x in before}
    assert t.number not in used and t.sequence > max(x.sequence for x in before
                                                     if x.queue == queue)
    return t


@pytest.mark.parametrize("damage", ["delete", "empty-object", "empty-table", "zero-bytes"])
def test_a_lost_or_emptied_day_file_is_damage_and_numbering_goes_on_above(used, clock, damage):
    folder, before = used
    day_file = folder / "days" / f"{DAY}.json"
    if damage == "delete":
        day_file.unlink()
    else:
        day_file.write_bytes({"empty-object": b"{}", "empty-table": b'{"tickets": {}}',
                              "zero-bytes": b""}[damage])
    s = reopen(folder, clock)
    assert_no_repeat(s, before)
    assert_no_repeat(s, before, "B")
    assert any(f"Data hari {DAY} tidak lengkap" in a or "rusak" in a for a in s.alerts)
    s.close()


def test_a_lost_reservation_file_keeps_every_ticket_and_tells_staff(used, clock):
    folder, before = used
    (folder / "days" / f"{DAY}.seq").unlink()
    s = reopen(folder, clock)
    assert [t.id for t in s.tickets()] == [t.id for t in before]
    assert issue(s).number == "A006"  # the tickets are all there: no gap needed
    assert any(".seq hilang" in a for a in s.alerts)
    assert json.loads((folder / "days" / f"{DAY}.seq").read_text())["A"] >= 6
    s.close()


def test_losing_the_day_file_and_its_reservations_is_caught_by_the_copy_in_state(used, clock):
    folder, before = used
    for suffix in (".json", ".seq", ".journal"):
        (folder / "days" / f"{DAY}{suffix}").unlink(missing_ok=True)
    s = reopen(folder, clock)
    assert_no_repeat(s, before)
    assert any("tidak lengkap" in a for a in s.alerts)
    s.close()


def test_losing_the_whole_days_folder_never_restarts_numbering(used, clock):
    folder, before = used
    shutil.rmtree(folder / "days")
    s = reopen(folder, clock)
    assert_no_repeat(s, before)
    assert_no_repeat(s, before, "B")
    assert s.alerts
    s.close()


def test_the_office_server_high_water_mark_is_a_floor_that_survives_restarts(tmp_path, clock):
    s = Store(tmp_path / "d", clock=clock)
    assert issue(s).number == "A001"
    s.raise_high_water({DAY: {"A": 9, "C": 4}, "2026-11-01": {"A": 99}})  # past days: moot
    assert issue(s).number == "A010" and issue(s, "C").number == "C005"
    assert any("Server kantor sudah menyimpan nomor sampai A009" in a for a in s.alerts)
    s.raise_high_water({DAY: {"A": 3}})  # lower than what the kiosk has: changes nothing
    assert issue(s).number == "A011"
    s.close()
    s = Store(tmp_path / "d", clock=clock)
    assert issue(s).number == "A012"
    s.close()


def test_damaged_state_keeps_the_kiosk_out_of_service_until_staff_look(used, clock):
    folder, before = used
    s = reopen(folder, clock)
    s.set_setting("paper", {"slips": 40})
    s.close()
    (folder / "state.json").write_bytes(b'{"office_day": "2026-11-30", "sett')
    s = reopen(folder, clock)
    assert s.setting("out_of_service") is True  # fail safe: settings are unknown
    assert any("TIDAK MELAYANI" in a for a in s.alerts)
    assert_no_repeat(s, before)
    s.close()
    s = reopen(folder, clock)  # a restart neither hides the alert nor puts it in service
    assert s.setting("out_of_service") is True and any("TIDAK MELAYANI" in a for a in s.alerts)
    s.set_setting("out_of_service", False)  # staff looked and switched service on
    assert s.acknowledge_alerts() and s.alerts == []
    s.close()
    s = reopen(folder, clock)
    assert s.alerts == [] and s.setting("out_of_service") is False
    s.close()


def test_state_missing_beside_day_files_is_damage_too(used, clock):
    folder, before = used
    (folder / "state.json").unlink()
    s = reopen(folder, clock)
    assert s.setting("out_of_service") is True and s.alerts
    assert_no_repeat(s, before)
    s.close()


def test_a_fresh_kiosk_is_in_service_without_alerts(tmp_path, clock):
    s = Store(tmp_path / "d", clock=clock)
    assert s.setting("out_of_service", False) is False and s.alerts == []
    s.close()


@pytest.mark.parametrize("victim", ["alerts.json", "state.json", "days/2026-11-30.json",
                                    "days/2026-11-30.seq", "days/2026-11-30.journal"])
def test_each_damaged_data_file_loses_no_ticket_and_repeats_no_number(used, clock, victim):
    folder, before = used
    s = reopen(folder, clock)
    s.set_alert("menu", "Menu terpasang rusak")  # so alerts.json exists
    later = issue(s)  # left in the journal: no clean close
    s._days.clear()
    s.close()
    path = folder / victim
    if path.exists():
        path.write_bytes(b"\x00garbage{")
    s = reopen(folder, clock)
    held = {t.id for t in s.tickets()}
    if victim.startswith("days/2026-11-30.j"):  # the damaged file's readable tickets
        assert held  # are salvaged; the garbage overwrote the rest (no other copy)
    else:
        assert {t.id for t in before} | {later.id} <= held
    assert_no_repeat(s, [*before, later])
    assert s.alerts
    s.close()


def test_kiosk_check_reads_and_reports_but_never_moves_or_rewrites(used, clock, tmp_path):
    folder, _ = used
    (folder / "state.json").write_bytes(b"{broken")
    (folder / "pins.json").write_bytes(b"{broken")
    with (folder / "audit.jsonl").open("ab") as fh:
        fh.write(b'garbage\n{"at": "x", "role')
    snapshot = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    report = inspect_data_dir(folder)
    text = "\n".join(report.problems)
    assert "state.json" in text and "pins.json" in text and "audit.jsonl" in text
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == snapshot
    s = reopen(folder, clock)  # the real start still finds the damage and says so
    assert any("state.json" in a for a in s.alerts)
    s.close()


def test_kiosk_check_command_exits_1_on_damaged_data_and_changes_nothing(ini, capsys):
    from lobby.cli import main
    from kiosk.config import load_config
    path = ini()
    cfg = load_config(path)
    cfg.kiosk.data_dir.mkdir(parents=True)
    (cfg.kiosk.data_dir / "state.json").write_bytes(b"[")
    assert main(["check", "--config", str(path)]) == 1
    out = capsys.readouterr().out
    assert "state.json" in out and "changed nothing" in out
    assert (cfg.kiosk.data_dir / "state.json").read_bytes() == b"["


# -- the clock -----------------------------------------------------------------
def test_a_forward_step_onto_a_new_day_is_followed_when_ntp_says_synchronized(store, clock):
    issue(store), issue(store)
    clock.synced = True
    clock.jump(days=1, hours=2)  # NTP corrects a kiosk that booted a day behind
    t = issue(store)
    assert (t.office_day, t.number) == ("2026-12-01", "A001")
    assert not any("melompat" in a for a in store.alerts)


def test_without_the_synchronized_flag_the_day_is_held_with_an_alert(store, clock):
    issue(store)
    clock.jump(days=1, hours=2)
    t = issue(store)
    assert (t.office_day, t.number) == ("2026-11-30", "A002")
    assert any("melompat" in a for a in store.alerts)
    clock.synced = True  # NTP catches up later: the next check-in follows, alert gone
    t = issue(store)
    assert (t.office_day, t.number) == ("2026-12-01", "A001")
    assert not any("melompat" in a for a in store.alerts)


def test_the_office_servers_clock_agreeing_is_enough_to_follow(store, clock):
    issue(store)
    clock.jump(days=1, hours=2)
    assert issue(store).office_day == "2026-11-30"  # held: nobody vouches for the new time
    store.server_time((clock() + __import__("datetime").timedelta(seconds=30)).isoformat())
    assert issue(store).office_day == "2026-12-01"


def test_a_server_clock_that_disagrees_does_not_move_the_day(store, clock):
    issue(store)
    old = clock()
    clock.jump(days=1, hours=2)
    store.server_time(old.isoformat())  # the server still says yesterday: the kiosk is wrong
    assert issue(store).office_day == "2026-11-30"


def test_the_held_jump_alert_survives_a_restart(tmp_path, clock):
    s = Store(tmp_path / "d", clock=clock)
    issue(s)
    clock.jump(days=2)
    issue(s)
    s.close()
    s = Store(tmp_path / "d", clock=clock)
    assert any("melompat" in a for a in s.alerts)
    s.close()


def test_the_kernels_ntp_state_is_read_without_changing_anything():
    from kiosk.timesync import kernel_clock_synchronized
    assert kernel_clock_synchronized() in (True, False, None)  # asked with modes = 0 (read)


def test_the_store_asks_the_kernel_when_the_clock_brings_no_answer(tmp_path, monkeypatch):
    import kiosk.clock as module  # the office clock asks the kernel (kiosk.timesync)
    from datetime import datetime, timezone
    asked = []
    monkeypatch.setattr(module, "kernel_clock_synchronized", lambda: asked.append(1) or True)
    now = [datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)]
    s = Store(tmp_path / "d", clock=lambda: now[0], elapsed=lambda: 0.0)
    issue(s)
    now[0] = datetime(2026, 12, 1, 4, 0, tzinfo=timezone.utc)  # a step; no time elapsed
    assert issue(s).office_day == "2026-12-01" and asked
    s.close()
