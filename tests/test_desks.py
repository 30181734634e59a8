"""Every staff and admin action through the desks (kiosk.desks), without Kivy.

A real runtime on a tmp data folder: file printer (ESC/POS bytes + PNG in tmp spool), a
printer that fails on demand, a sync worker aimed at a closed port on 127.0.0.1, and
kiosk.clock.FixedClock. Each action must do its work, write its own audit line and return
a plain value. ``test_the_desks_never_import_kivy`` runs this module again in a fresh
process, which asserts at the end that nothing imported Kivy.
"""
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import ASSETS_DIR
from kiosk.clock import FixedClock
from kiosk.desks import AdminDesk, StaffDesk
from kiosk.desks.testslip import TEST_TICKET_ID
from kiosk.errors import PrinterError
from kiosk.menu import parse_menu
from kiosk.models import HEALTH_RULES
from kioskini import write_ini

ROOT = Path(__file__).resolve().parent.parent
CHILD = "KIOSK_DESKS_NO_KIVY"
DEFAULT = json.loads((ASSETS_DIR / "menu.json").read_text(encoding="utf-8"))


class Printer:
    """The configured file printer, or a paper-out failure while ``fail`` is set."""

    fail = False

    def __call__(self, cfg):
        from printer.devices import open_device
        if self.fail:
            raise PrinterError("Kertas printer habis.", kind="paper_out")
        return open_device(cfg)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def office_clock():
    return FixedClock()  # Monday 2026-11-30 09:00 WIB: the office is open


@pytest.fixture
def ini(tmp_path):
    """``ini(**sections)``: kiosk.ini in tmp_path (file printer, data in tmp); its path.
    Defined here too: the no-Kivy run skips conftest.py, which readies Kivy."""
    def write(**sections):
        return write_ini(tmp_path, **sections)
    return write


@pytest.fixture
def kiosk(ini, tmp_path, office_clock):
    """``kiosk(**ini_sections)`` -> (runtime, printer); stopped at the end."""
    from kiosk.config import load_config
    from lobby.runtime import KioskRuntime
    running = []

    def start(**sections):
        printer = Printer()
        rt = KioskRuntime(load_config(ini(**sections)), clock=office_clock,
                          device_factory=printer).start()
        running.append(rt)
        return rt, printer
    yield start
    for rt in running:
        rt.stop()


def issue(rt, code="ktp-baru"):
    """A resident's ticket through the check-in desk; waits for its print outcome."""
    desk = rt.desk
    journey = desk.begin("id")
    desk.select_service(journey, code)
    for rule in HEALTH_RULES:
        desk.confirm_rule(journey, rule)
    ticket = desk.check_in(journey).ticket
    wait_for(lambda: rt.store.get_ticket(ticket.id).print_status != "pending")
    return rt.store.get_ticket(ticket.id)


def wait_for(condition, timeout=30.0):
    """Hang guard only: the printer and sync threads answer in milliseconds."""
    import time
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


def spool(tmp_path):
    return sorted(p.name for p in (tmp_path / "spool").glob("*.bin"))


def last_audit(rt, action=None):
    entries = rt.store.audit_entries()
    return [e for e in entries if action is None or e["action"] == action][-1]


@pytest.fixture(scope="module", autouse=True)
def no_kivy_in_the_child():
    yield
    if os.environ.get(CHILD):
        assert "kivy" not in sys.modules, "a desk imported Kivy"


# -- staff ---------------------------------------------------------------------------
def test_login_and_pad_state_through_the_staff_desk(kiosk):
    from argon2 import PasswordHasher
    from kiosk.pins import PinStore
    rt, _ = kiosk(staff={"max_pin_attempts": "2", "lockout_s": "600"})
    desk = StaffDesk(rt)
    state = desk.pad_state()
    assert state.roles == () and "kiosk set-pin staff" in str(state.words)
    PinStore.for_config(rt.config, hasher=PasswordHasher(time_cost=1, memory_cost=1024,
                                                         parallelism=1)).set_pin("staff", "4826")
    assert desk.pad_state().words is None
    wrong = desk.login("1111")
    assert not wrong.check.ok and str(wrong.words) == "PIN salah. Sisa percobaan: 1."
    assert (last_audit(rt)["action"], last_audit(rt)["attempts_left"]) == ("pin-wrong", 1)
    assert "Terlalu banyak PIN salah" in str(desk.login("2222").words)
    assert "10 menit" in str(desk.pad_state().words)
    assert not desk.login("4826").check.ok  # locked: even the right PIN is refused
    desk.as_role("staff").logout("idle")
    assert (last_audit(rt)["action"], last_audit(rt)["reason"]) == ("logout", "idle")


def test_test_print_is_one_test_slip_for_staff_and_audited(kiosk, tmp_path, office_clock):
    rt, printer = kiosk()
    desk = StaffDesk(rt, "admin")
    done = desk.test_print()
    assert done.ok and str(done.words) == "Slip uji coba tercetak."
    assert spool(tmp_path) == [f"2026-11-30_A000_{TEST_TICKET_ID[:8]}_TEST.bin"]
    assert rt.store.tickets() == []  # never a ticket
    entry = last_audit(rt)
    assert (entry["role"], entry["action"], entry["ok"], entry["at"][:16]) == (
        "admin", "test-print", True, "2026-11-30T09:00")
    printer.fail = True
    failed = desk.test_print()
    assert not failed.ok and "Kertas printer habis" in str(failed.words)
    assert (last_audit(rt)["ok"], last_audit(rt)["kind"]) == (False, "paper_out")
    assert rt.slips.paper_used()["slips"] == 1  # the printed test slip took paper


def test_reprint_paper_and_snapshot_through_the_staff_desk(kiosk, tmp_path):
    rt, printer = kiosk(printer={"roll_length_m": "0.2"})
    issue(rt)
    printer.fail = True
    failed = issue(rt)
    printer.fail = False
    desk = StaffDesk(rt)
    snap = desk.check_printer()
    assert [t.number for t in snap.failed] == ["A002"] and snap.last.number == "A002"
    assert snap.paper["slips"] == 1 and last_audit(rt)["action"] == "printer-status"
    again = desk.reprint(failed.id)
    assert again.found and str(again.words) == "Slip A002 dikirim ke printer."
    wait_for(lambda: rt.store.get_ticket(failed.id).print_status == "printed")
    assert [n for n in spool(tmp_path) if "A002" in n and "COPY" in n]
    entry = last_audit(rt, "reprint")
    assert (entry["ticket"], entry["found"]) == ("A002", True)
    assert not desk.reprint("f" * 32).found and last_audit(rt)["found"] is False
    paper = desk.paper_replaced()
    assert paper.value == 0 and "diulang dari nol" in str(paper.words)
    used = rt.slips.paper_used()
    assert used["slips"] == 0 and used["since"].startswith("2026-11-30T09:00")
    assert last_audit(rt)["action"] == "paper-replaced"


def test_service_alerts_sync_new_day_and_exit_through_the_staff_desk(kiosk, office_clock):
    rt, _ = kiosk(server={"url": f"http://127.0.0.1:{closed_port()}", "token": "t"})
    desk = StaffDesk(rt)
    off = desk.set_out_of_service(True)
    assert off.value is True and rt.store.setting("out_of_service") is True
    assert str(off.words) == "Kiosk TIDAK melayani warga." and desk.snapshot().out_of_service
    assert desk.set_out_of_service(False).value is False
    assert [e["action"] for e in rt.store.audit_entries()[-2:]] == ["out-of-service",
                                                                    "back-in-service"]
    rt.store.set_alert("damaged:x", "Berkas data rusak dipindahkan")
    cleared = desk.acknowledge_alerts()
    assert cleared.value == ("Berkas data rusak dipindahkan",) and rt.store.alerts == []
    assert last_audit(rt)["alerts"] == ["Berkas data rusak dipindahkan"]
    started = desk.sync_now()
    assert started.value is True and last_audit(rt)["action"] == "sync-now"
    wait_for(lambda: rt.sync.status().online is False)  # the closed port: offline
    issue(rt)
    office_clock.jump(days=1)  # a jump the kiosk holds: the day disagrees with the clock
    assert desk.snapshot().new_day_offered
    day = desk.new_office_day()
    assert (day.previous, day.day) == ("2026-11-30", "2026-12-01")
    assert issue(rt).number == "A001" and not desk.snapshot().new_day_offered
    assert (last_audit(rt)["previous"], last_audit(rt)["day"]) == ("2026-11-30", "2026-12-01")
    assert "ditutup" in str(desk.exit()) and last_audit(rt)["action"] == "exit-app"


def test_reset_reloads_kiosk_ini_and_the_menu_or_says_why_not(kiosk, tmp_path):
    path = tmp_path / "menu.json"
    path.write_text(json.dumps(DEFAULT), encoding="utf-8")
    rt, _ = kiosk(kiosk={"menu": str(path)})
    desk = StaffDesk(rt)
    path.write_text(json.dumps(dict(DEFAULT, version="2026-12-24.9")), encoding="utf-8")
    ini = tmp_path / "kiosk.ini"
    good = ini.read_text()
    ini.write_text(good + "[office]\nname = Disdukcapil Bartim\n")
    done = desk.reset()
    assert done.ok and done.menu_version == "2026-12-24.9" == rt.menu.version
    assert rt.config.office.name == "Disdukcapil Bartim" == done.config.office.name
    assert (last_audit(rt)["action"], last_audit(rt)["menu"]) == ("reset", "2026-12-24.9")
    ini.write_text("[printer]\ntype = fax\n")
    refused = desk.reset()
    assert not refused.ok and "type" in str(refused.words)
    assert str(refused.words).startswith("Gagal") and rt.config.printer.type == "file"
    assert (last_audit(rt)["action"], last_audit(rt)["ok"]) == ("reset", False)


# -- admin ---------------------------------------------------------------------------
def test_menu_draft_preview_and_install_through_the_admin_desk(kiosk):
    rt, _ = kiosk()
    desk = AdminDesk(rt)
    view = desk.start_draft()
    assert not view.dirty and view.services[0]["code"] == "ktp-baru"
    view = desk.toggle("ambil", False)
    assert view.dirty and "dinonaktifkan" in view.message
    assert desk.move("ktp-rusak", -1).services[0]["code"] == "ktp-rusak"
    form, queues = desk.service_form("kia")
    form["quota"] = "dua"
    refused = desk.apply_service(form)
    assert refused.problems and "Kuota harian" in refused.problems[0]
    form["quota"] = "20"
    assert "masuk draf" in desk.apply_service(form).message
    rows, office = desk.queues_form()
    rows[0]["counter"] = "Loket 7"
    office["sat"].update(closed=True)
    assert desk.apply_queues(rows, office).problems == ()
    edits = [e for e in rt.store.audit_entries() if e["action"] == "menu-draft"]
    assert [e["change"] for e in edits] == ["start", "enabled", "order", "service", "service",
                                            "queues"]
    assert (edits[3]["ok"], edits[4]["ok"]) == (False, True)
    preview = desk.preview()
    assert preview.menu is not None and preview.png.startswith(b"\x89PNG")
    assert "ambil" not in [s.code for s, _ in preview.cards]
    assert last_audit(rt)["change"] == "validate" and last_audit(rt)["ok"] is True
    assert rt.menu.version == DEFAULT["version"]  # a preview changes nothing
    installed = desk.install()
    assert installed.menu.version == "2026-11-30.1" == rt.menu.version
    assert rt.menu.service("kia").daily_quota == 20 and not rt.menu.service("ambil").enabled
    entry = last_audit(rt, "menu-install")
    assert (entry["role"], entry["after"], entry["source"]) == ("admin", "2026-11-30.1",
                                                                "kiosk editor")
    assert not desk.view().dirty
    desk.draft["services"][0]["names"]["id"] = ""
    bad = desk.preview()
    assert bad.menu is None and bad.problems and last_audit(rt)["ok"] is False
    kept = desk.install()
    assert kept.menu is None and "TIDAK" in kept.message and rt.menu.version == "2026-11-30.1"
    assert last_audit(rt)["action"] == "menu-install" and last_audit(rt)["ok"] is False
    assert "dikembalikan" in desk.discard().message and not desk.view().dirty


def test_import_export_history_restore_and_sample_slip_through_the_admin_desk(kiosk, tmp_path):
    rt, _ = kiosk()
    desk = AdminDesk(rt)
    usb = tmp_path / "usb"
    usb.mkdir()
    good = usb / "menu-baru.json"
    good.write_text(json.dumps(dict(DEFAULT, version="2026-12-01.1")), encoding="utf-8")
    (usb / "rusak.json").write_text(json.dumps(dict(DEFAULT, warna="merah")), encoding="utf-8")
    assert [p.name for p in desk.find_files(usb)] == ["menu-baru.json", "rusak.json"]
    refused = desk.import_file(usb / "rusak.json")
    assert refused.menu is None and "DITOLAK" in refused.message
    assert any("not a known field" in p for p in refused.problems)
    assert last_audit(rt, "menu-import")["ok"] is False
    assert desk.import_file(good).menu.version == "2026-12-01.1" == rt.menu.version
    assert last_audit(rt, "menu-import")["ok"] is True
    folder = desk.export(usb)  # an existing folder: menu-<version>.json inside it
    assert folder.path == usb / "menu-2026-12-01.1.json"
    assert parse_menu(folder.path.read_bytes()).version == "2026-12-01.1"
    file = desk.export(usb / "salinan.json")  # a file name
    assert file.path == usb / "salinan.json" and file.path.exists()
    assert [e["path"] for e in rt.store.audit_entries() if e["action"] == "menu-export"] == [
        str(folder.path), str(file.path)]
    missing = desk.export(usb / "tidak-ada" / "menu.json")
    assert missing.path is None and "GAGAL" in missing.message
    assert last_audit(rt, "menu-export")["ok"] is False
    versions = desk.history()
    assert [v.version for v in versions] == [DEFAULT["version"]]
    assert versions[0].saved_at == "30-11-2026 09:00"  # the office clock, local time
    back = desk.restore(versions[0].path)
    assert back.menu.version == DEFAULT["version"] == rt.menu.version
    assert last_audit(rt, "menu-install")["source"].startswith("restore ")
    wrong = desk.restore(good)  # not a saved version
    assert wrong.menu is None and last_audit(rt)["action"] == "menu-restore"
    assert desk.sample_slip().startswith(b"\x89PNG")


# -- no Kivy -------------------------------------------------------------------------
@pytest.mark.timeout(600)  # a whole pytest run in a child process, on a loaded CI box
def test_the_desks_never_import_kivy(tmp_path):
    if os.environ.get(CHILD):
        pytest.skip("this is the child run")
    env = dict(os.environ, **{CHILD: "1"})
    env.pop("PYTEST_XDIST_WORKER", None)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "--noconftest",
         str(Path(__file__)), "-k", "not never_import_kivy"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "error" not in run.stdout.lower()


def test_admin_desk_adds_a_copy_and_deletes_a_service_and_issued_tickets_keep_their_name(
        kiosk, tmp_path):
    rt, printer = kiosk()
    printer.fail = True
    failed = issue(rt, "ktp-baru")  # a slip to reprint after its service is gone
    printer.fail = False
    assert dict(failed.service_names) == {"id": "Perekaman KTP-el (pertama kali)",
                                          "en": "KTP-el enrolment (first time)"}
    desk = AdminDesk(rt)
    desk.start_draft()
    code, view = desk.add_service("kia")
    codes = [s["code"] for s in view.services]
    assert code == "baru" and codes[codes.index("kia") + 1] == "baru"
    new, kia = (next(s for s in view.services if s["code"] == c) for c in ("baru", "kia"))
    for key in ("queue", "counter", "hours", "daily_quota", "avg_service_min", "documents",
                "requirements"):
        assert new.get(key) == kia.get(key), key
    assert new["names"] == {"id": "Layanan baru", "en": "New service"}
    assert new["enabled"] is False and "nonaktif" in view.message  # residents never see it
    code2, view = desk.add_service("kia")  # named apart from the first copy
    assert code2 == "baru-2" and next(s for s in view.services if s["code"] == "baru-2")[
        "names"]["id"] == "Layanan baru 2"
    view = desk.delete_service("ktp-baru")
    assert "dihapus" in view.message and "ktp-baru" not in [s["code"] for s in view.services]
    changes = [(e["change"], e["service"]) for e in rt.store.audit_entries()
               if e["action"] == "menu-draft" and e["change"] in ("add", "delete")]
    assert changes == [("add", "baru"), ("add", "baru-2"), ("delete", "ktp-baru")]
    assert desk.install().menu is not None
    with pytest.raises(KeyError):
        rt.menu.service("ktp-baru")
    assert not rt.menu.service("baru").enabled and rt.menu.service("baru").queue == "E"

    rt.stop()  # a restart: no slip kept in memory, the menu no longer has the service
    rt, _ = kiosk()
    snap = StaffDesk(rt).check_printer()
    from kiosk.desks.staffwords import reprint_rows
    rows = reprint_rows(snap, rt.menu, lambda text, **kw: text.format(**kw))
    assert "Perekaman KTP-el (pertama kali)" in rows[0].text
    assert StaffDesk(rt).reprint(failed.id).found
    wait_for(lambda: rt.store.get_ticket(failed.id).print_status == "printed")
    copy = next(p for p in (tmp_path / "spool").glob("*.bin") if "COPY" in p.name)
    assert b"Perekaman KTP-el (pertama kali)" in copy.read_bytes()

    desk = AdminDesk(rt)
    desk.start_draft()
    desk.draft["services"] = desk.draft["services"][:1]
    kept = desk.delete_service(desk.draft["services"][0]["code"])
    assert kept.problems and "paling sedikit satu" in kept.problems[0]
    assert len(desk.draft["services"]) == 1 and last_audit(rt)["ok"] is False
    gone = desk.delete_service("ktp-baru")  # deleted already (a second tap on "Ya, hapus")
    assert "sudah tidak ada" in gone.problems[0] and len(desk.draft["services"]) == 1
