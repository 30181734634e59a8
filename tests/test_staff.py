"""Staff mode through the real app offscreen: touches into real widgets, real files in tmp_path."""
import ast
import json
import re
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from kiosk import ASSETS_DIR
from kiosk.errors import PrinterError
from kiosk.i18n import _catalog
from kiosk.pins import PinStore
from screens import driver

ROOT = Path(__file__).resolve().parent.parent
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PIN = "4826"


class Printer:
    """The configured file printer, or a paper-out failure while ``fail`` is set."""

    def __init__(self):
        self.fail = False

    def __call__(self, cfg):
        from printer.devices import open_device
        if self.fail:
            raise PrinterError("Kertas printer habis.", kind="paper_out")
        return open_device(cfg)


@pytest.fixture
def printer():
    return Printer()


@pytest.fixture
def kiosk(kivy_window, ini, clock, printer, tmp_path):
    """``kiosk(pin=PIN, **ini_sections)`` -> the running LobbyApp; a second call restarts."""
    from kiosk.config import load_config
    from lobby.runtime import KioskRuntime
    from screens.app import LobbyApp
    running = []

    def stop():
        for app, runtime in running:
            driver.stop_app(app)
            runtime.stop()
        running.clear()

    def start(pin=PIN, **sections):
        stop()
        config = load_config(ini(**sections))
        if pin:
            PinStore.for_config(config, hasher=FAST).set_pin("staff", pin)
        runtime = KioskRuntime(config, clock=clock, device_factory=printer).start()
        app = driver.start_app(LobbyApp(runtime, ui_clock=driver.StepClock()))
        app.sm.get_screen("welcome").ids.staff_corner.hold_s = 0.2  # the 3 s test is below
        running.append((app, runtime))
        return app
    yield start
    stop()


def settle(app):
    driver.pump_until(app.staff.idle, timeout=10)
    driver.pump(2)


def gesture(app, seconds=0.3):
    driver.pump(2)  # let a screen change finish, as any real touch comes frames later
    driver.hold(app.sm.get_screen("welcome").ids.staff_corner, seconds)
    settle(app)


def enter_pin(app, pin):
    pad = app.sm.get_screen("staff_pin")
    for digit in pin:
        driver.tap(pad.ids["key_" + digit], frames=1)
    driver.tap(pad.ids.ok)
    settle(app)


def login(app, pin=PIN):
    gesture(app)
    enter_pin(app, pin)
    assert app.sm.current == "staff_home"
    return app.sm.get_screen("staff_home")


def tap(app, widget):
    driver.tap(widget)
    settle(app)


def actions(app):
    return [e["action"] for e in app.runtime.store.audit_entries()]


def journey(app):
    from lobby.launch import journey as resident_journey
    resident_journey(app)
    ticket = app.sm.get_screen("ticket")
    driver.pump_until(lambda: ticket.print_state != "pending", timeout=10)
    number = ticket.number
    app.flow.reset()
    driver.pump(2)
    return number, ticket.print_state


def spool(tmp_path):
    return sorted(p.name for p in (tmp_path / "spool").glob("*.bin"))


# -- PIN -----------------------------------------------------------------------
def test_three_second_press_on_office_name_and_right_pin_open_staff_mode(kiosk):
    app = kiosk()
    corner = app.sm.get_screen("welcome").ids.staff_corner
    corner.hold_s = 3.0
    driver.hold(corner, 0.6)
    assert app.sm.current == "welcome"  # a resident's short press does nothing
    driver.hold(corner, 3.2)
    settle(app)
    assert app.sm.current == "staff_pin"
    pad = app.sm.get_screen("staff_pin")
    for digit in PIN[:3]:
        driver.tap(pad.ids["key_" + digit])
    assert pad.ids.ok.disabled and PIN not in pad.dots and pad.count == 3
    driver.tap(pad.ids["key_" + PIN[3]])
    tap(app, pad.ids.ok)
    assert app.sm.current == "staff_home"
    assert actions(app)[-1] == "login"


def test_wrong_pin_keeps_staff_mode_closed_and_tells_attempts_left(kiosk):
    app = kiosk(staff={"max_pin_attempts": "3"})
    gesture(app)
    enter_pin(app, "0000")
    pad = app.sm.get_screen("staff_pin")
    assert app.sm.current == "staff_pin"
    assert "PIN salah" in pad.message and "2" in pad.message
    assert pad.count == 0 and pad.usable
    tap(app, pad.ids.cancel)
    assert app.sm.current == "welcome"
    assert "pin-wrong" in actions(app)


def test_lockout_after_max_wrong_pins_even_for_the_right_pin(kiosk):
    app = kiosk(staff={"max_pin_attempts": "2", "lockout_s": "600"})
    gesture(app)
    enter_pin(app, "1111")
    enter_pin(app, "2222")
    pad = app.sm.get_screen("staff_pin")
    assert "Terlalu banyak PIN salah" in pad.message and "10 menit" in pad.message
    assert pad.ids.key_1.disabled and not pad.usable
    app = kiosk(pin=None, staff={"max_pin_attempts": "2", "lockout_s": "600"})  # restart
    gesture(app)
    pad = app.sm.get_screen("staff_pin")
    assert not pad.usable and "Terlalu banyak" in pad.message
    pad.usable = True  # even if the keys were reachable, the store refuses
    enter_pin(app, PIN)
    assert app.sm.current == "staff_pin"


def test_fresh_kiosk_without_pin_says_how_to_set_one(kiosk):
    app = kiosk(pin=None)
    gesture(app)
    pad = app.sm.get_screen("staff_pin")
    assert app.sm.current == "staff_pin" and not pad.usable
    assert "kiosk set-pin staff" in pad.message
    assert pad.ids.key_5.disabled and not pad.ids.cancel.disabled


def test_a_damaged_pin_file_keeps_the_pad_closed_and_says_so(kiosk, tmp_path):
    app = kiosk()
    (tmp_path / "data" / "pins.json").write_text('{"pins": {"staff": "$argon2id$v=19$m=')
    gesture(app)
    pad = app.sm.get_screen("staff_pin")
    assert app.sm.current == "staff_pin" and not pad.usable
    assert pad.message.startswith("Berkas PIN rusak") and "kiosk set-pin" in pad.message
    pad.usable = True  # even if the keys were reachable, the PIN store refuses
    enter_pin(app, PIN)
    assert app.sm.current == "staff_pin" and "Berkas PIN rusak" in pad.message


def test_staff_mode_and_pin_pad_close_themselves_after_inactivity(kiosk):
    app = kiosk(staff={"idle_timeout_s": "1"})
    gesture(app)
    app.ui_clock.advance(1.5)  # no touch for 1.5 s on the kiosk's idle clock
    driver.pump_until(lambda: app.sm.current == "welcome", timeout=30)
    login(app)
    assert app.sm.current == "staff_home"
    app.ui_clock.advance(1.5)
    driver.pump_until(lambda: app.sm.current == "welcome", timeout=30)
    settle(app)
    last = app.runtime.store.audit_entries()[-1]
    assert (last["action"], last["reason"]) == ("logout", "idle")


# -- residents -----------------------------------------------------------------
def test_out_of_service_blocks_journeys_with_a_notice_until_turned_back_on(kiosk):
    app = kiosk()
    home = login(app)
    tap(app, home.ids.service)
    assert home.out_of_service and app.runtime.store.setting("out_of_service") is True
    tap(app, home.ids.done)
    welcome = app.sm.get_screen("welcome")
    assert "tidak melayani" in welcome.ids.notice.text
    assert "out of service" in welcome.ids.notice.text
    driver.tap(welcome.ids.lang_id)
    assert app.sm.current == "welcome"
    app = kiosk()  # persisted across a restart
    welcome = app.sm.get_screen("welcome")
    assert welcome.closed and welcome.ids.lang_en.disabled
    home = login(app)
    tap(app, home.ids.service)
    tap(app, home.ids.done)
    assert welcome.ids.notice.text == ""
    driver.tap(welcome.ids.lang_id)
    assert app.sm.current == "services"
    assert {"out-of-service", "back-in-service"} <= set(actions(app))


# -- printer -------------------------------------------------------------------
def test_test_print_writes_a_test_slip_to_the_spool(kiosk, tmp_path):
    app = kiosk()
    home = login(app)
    tap(app, home.ids.test_print)
    assert [n for n in spool(tmp_path) if "A000" in n and "TEST" in n]
    assert "tercetak" in home.message
    assert app.runtime.store.tickets() == []  # not a ticket
    assert actions(app)[-1] == "test-print"


def test_reprint_of_a_failed_ticket_prints_it_with_the_same_number(kiosk, printer, tmp_path):
    app = kiosk()
    printer.fail = True
    number, state = journey(app)
    assert state == "failed" and spool(tmp_path) == []
    printer.fail = False
    home = login(app)
    assert len(home.failed) == 1 and "1 gagal" in home.ids.reprint.text
    tap(app, home.ids.reprint)
    screen = app.sm.get_screen("staff_reprint")
    row = screen.ids.rows_box.children[-1]
    assert number in row.ids.words.text and "Kertas printer habis" in row.ids.words.text
    tap(app, row.ids.button)
    store = app.runtime.store
    driver.pump_until(lambda: store.tickets()[0].print_status == "printed", timeout=10)
    assert [n for n in spool(tmp_path) if number in n]
    driver.pump_until(lambda: home.failed == [], timeout=5)
    entry = store.audit_entries()[-1]
    assert (entry["action"], entry["ticket"]) == ("reprint", number)


def test_paper_replaced_resets_the_counter_and_prints_no_old_slip(kiosk, printer, tmp_path):
    app = kiosk(printer={"roll_length_m": "0.2"})  # no paper sensor: warn from the count
    journey(app)
    printer.fail = True
    journey(app)
    printer.fail = False
    assert app.runtime.slips.paper_used()["slips"] == 1
    printed = spool(tmp_path)
    home = login(app)
    assert "1 slip sejak kertas diganti" in home.paper_text
    assert "kertas hampir habis" in home.paper_warning.lower()
    tap(app, home.ids.paper_replaced)
    used = app.runtime.slips.paper_used()
    assert used["slips"] == 0 and used["since"]
    assert "0 slip sejak kertas diganti" in home.paper_text and home.paper_warning == ""
    driver.pump(20)
    assert spool(tmp_path) == printed
    assert [t.print_status for t in app.runtime.store.tickets()] == ["printed", "failed"]
    assert actions(app)[-1] == "paper-replaced"


# -- day, reset, exit ----------------------------------------------------------
def test_new_office_day_is_offered_only_when_the_clock_disagrees(kiosk, clock):
    app = kiosk()
    assert journey(app)[0] == "A001"
    home = login(app)
    settle(app)
    assert home.ids.new_day.disabled and home.ids.new_day.opacity == 0  # the clock is right


def test_alerts_stay_until_staff_acknowledge_them(kiosk):
    app = kiosk()
    app.runtime.store.set_alert("damaged:state.json", "Pengaturan kiosk (state.json) rusak")
    app = kiosk()  # a restart does not hide it
    home = login(app)
    settle(app)
    assert "state.json" in home.alerts and not home.ids.ack_alerts.disabled
    tap(app, home.ids.ack_alerts)
    settle(app)
    assert home.alerts == "" and app.runtime.store.alerts == []
    assert actions(app)[-1] == "alerts-acknowledged"


def test_new_office_day_needs_a_second_confirmation_then_numbers_restart(kiosk, clock):
    app = kiosk()
    assert journey(app)[0] == "A001"
    store = app.runtime.store
    clock.jump(days=1)  # a clock jump the kiosk holds: the day disagrees with the clock
    assert journey(app)[0] == "A002"
    home = login(app)
    settle(app)
    tap(app, home.ids.new_day)
    confirm = app.sm.get_screen("staff_confirm")
    assert app.sm.current == "staff_confirm"
    tap(app, confirm.ids.cancel)
    assert app.sm.current == "staff_home" and store.office_day() == "2026-11-30"
    tap(app, home.ids.new_day)
    tap(app, confirm.ids.confirm)
    assert store.office_day() == "2026-12-01" and "2026-12-01" in home.message
    tap(app, home.ids.done)
    assert journey(app)[0] == "A001"
    assert store.tickets()[0].office_day == "2026-12-01"
    assert not store.clock_disagrees()
    entry = [e for e in store.audit_entries() if e["action"] == "new-office-day"][0]
    assert (entry["previous"], entry["day"]) == ("2026-11-30", "2026-12-01")


def test_reset_reloads_the_menu_and_kiosk_ini_and_returns_to_welcome(kiosk, tmp_path):
    menu = json.loads((ASSETS_DIR / "menu.json").read_text(encoding="utf-8"))
    path = tmp_path / "menu.json"
    path.write_text(json.dumps(menu), encoding="utf-8")
    app = kiosk(kiosk={"menu": str(path)})
    home = login(app)
    menu["version"] = "2026-12-24.9"
    path.write_text(json.dumps(menu), encoding="utf-8")
    (tmp_path / "kiosk.ini").write_text((tmp_path / "kiosk.ini").read_text() +
                                        "[office]\nname = Disdukcapil Bartim\n")
    tap(app, home.ids.reset)
    assert app.sm.current == "welcome"
    assert app.runtime.menu.version == "2026-12-24.9"
    assert app.runtime.config.office.name == "Disdukcapil Bartim"
    assert app.config_office_title.startswith("Disdukcapil Bartim")
    assert [e for e in app.runtime.store.audit_entries() if e["action"] == "reset"][0]["menu"] \
        == "2026-12-24.9"


def test_reset_with_a_broken_kiosk_ini_keeps_running_and_says_why(kiosk, tmp_path):
    app = kiosk()
    home = login(app)
    (tmp_path / "kiosk.ini").write_text("[printer]\ntype = fax\n")
    tap(app, home.ids.reset)
    assert app.sm.current == "staff_home"
    assert "Gagal" in home.message and "type" in home.message
    assert app.runtime.config.printer.type == "file"


def test_exit_needs_confirmation_and_only_then_allows_closing(kiosk, monkeypatch):
    app = kiosk()
    assert app._close_requested() is True  # window close refused
    stopped = []
    monkeypatch.setattr(app, "stop", lambda *a: stopped.append(True))
    home = login(app)
    tap(app, home.ids.exit)
    tap(app, app.sm.get_screen("staff_confirm").ids.cancel)
    assert not stopped and not app.staff.exit_allowed
    tap(app, home.ids.exit)
    tap(app, app.sm.get_screen("staff_confirm").ids.confirm)
    assert stopped and app.staff.exit_allowed and app._close_requested() is False
    assert actions(app)[-1] == "exit-app"


def test_staff_home_shows_store_alerts_and_switches_to_english(kiosk):
    app = kiosk()
    app.runtime.store.set_alert("damaged:x", "Berkas data rusak dipindahkan: 2026-11-30.json")
    home = login(app)
    assert "Berkas data rusak" in home.ids.alerts.text and home.ids.alerts.height > 0
    tap(app, home.ids.lang)
    assert home.ids.test_print.text == "Test print"
    assert "Type:" in home.printer_text
    tap(app, home.ids.lang)
    assert home.ids.test_print.text == "Tes cetak"


def test_sync_panel_shows_backlog_and_sync_now_pokes_the_worker(kiosk):
    from kiosk.sync import SyncStatus

    class Sync:
        pokes = 0

        def status(self):
            return SyncStatus(online=False, last_success_at="2026-11-30T01:30:00+00:00",
                              last_error="Server kantor tidak menjawab", backlog=7)

        def poke(self, force=False):
            Sync.pokes += int(force)  # staff "sync now" cuts a backoff short
    app = kiosk()
    app.runtime.sync = Sync()
    home = login(app)
    assert "Tidak terhubung" in home.sync_text and "7 tiket" in home.sync_text
    assert "30-11-2026 08:30" in home.sync_text  # office time (WIB)
    assert "tidak menjawab" in home.sync_text
    tap(app, home.ids.sync_now)
    assert Sync.pokes == 1 and actions(app)[-1] == "sync-now"
    app.runtime.sync = None


# -- translations ----------------------------------------------------------------
def staff_messages():
    found = set()
    sources = sorted((ROOT / "screens").glob("staff*.py")) + sorted(
        (ROOT / "kiosk" / "desks").glob("*.py")) + [ROOT / "screens" / "parts.py"]
    for path in sources:  # t("...") in the screens, words("...") in the desks
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str) and \
                    getattr(node.func, "attr", getattr(node.func, "id", None)) in ("t", "words"):
                found.add(node.args[0].value)
    for kv in sorted((ROOT / "screens").glob("staff*.kv")):
        found.update(m.group(2) for m in re.finditer(r"""\bt\((['"])(.+?)\1""",
                                                     kv.read_text(encoding="utf-8")))
    from kiosk.desks.staffwords import KIND, PRINTER_STATES
    from kiosk.pins import DAMAGED_WORDS
    found.update(KIND.values(), PRINTER_STATES.values(), [DAMAGED_WORDS])
    return found


def test_every_staff_message_has_an_english_translation():
    wanted = staff_messages()
    assert len(wanted) > 40
    _catalog.cache_clear()
    have = _catalog("en", "staff")
    assert not sorted(wanted - set(have)), "add to assets/locale/en/LC_MESSAGES/staff.po"
    for msgid, msgstr in have.items():
        assert set(re.findall(r"\{\w+\}", msgid)) == set(re.findall(r"\{\w+\}", msgstr)), msgid
