"""The admin's menu editor through the real app offscreen: real taps, real files in tmp_path."""
import json
import time

import pytest
from argon2 import PasswordHasher

from kiosk import ASSETS_DIR
from kiosk.menu import parse_menu
from kiosk.pins import PinStore
from kiosk.desks import draft as admindraft
from screens import driver
from screens.parts import ancestor

FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
STAFF_PIN, ADMIN_PIN = "4826", "9713"
DEFAULT = json.loads((ASSETS_DIR / "menu.json").read_text(encoding="utf-8"))


@pytest.fixture
def kiosk(kivy_window, ini, clock, tmp_path):
    """The running LobbyApp with a staff and an admin PIN (Monday 09:00 WIB: office open)."""
    from kiosk.config import load_config
    from lobby.runtime import KioskRuntime
    from screens.app import LobbyApp
    config = load_config(ini())
    pins = PinStore.for_config(config, hasher=FAST)
    pins.set_pin("staff", STAFF_PIN)
    pins.set_pin("admin", ADMIN_PIN)
    runtime = KioskRuntime(config, clock=clock).start()
    app = driver.start_app(LobbyApp(runtime, ui_clock=driver.StepClock()))
    app.sm.get_screen("welcome").ids.staff_corner.hold_s = 0.2
    yield app
    driver.stop_app(app)
    runtime.stop()


def settle(app):
    driver.pump_until(app.staff.idle, timeout=10)
    driver.pump(2)


def tap(app, widget):
    """Scroll ``widget`` into view as a finger would, tap it, wait the 0.2 s a ScrollView
    takes to pass a tap on, then for the worker."""
    from kivy.uix.scrollview import ScrollView
    scroll = ancestor(widget, ScrollView)
    if scroll is not None:
        scroll.scroll_to(widget, animate=False)
        driver.pump(2)
    driver.tap(widget, frames=1)
    end = time.monotonic() + (0.25 if scroll is not None else 0)
    while time.monotonic() < end:
        driver.pump()
        time.sleep(1 / 120)
    settle(app)


def login(app, pin):
    driver.hold(app.sm.get_screen("welcome").ids.staff_corner, 0.3)
    settle(app)
    pad = app.sm.get_screen("staff_pin")
    for digit in pin:
        driver.tap(pad.ids["key_" + digit], frames=1)
    driver.tap(pad.ids.ok)
    settle(app)
    assert app.sm.current == "staff_home"
    return app.sm.get_screen("staff_home")


def editor(app):
    home = login(app, ADMIN_PIN)
    tap(app, home.ids.menu_editor)
    assert app.sm.current == "admin_menu"
    return app.sm.get_screen("admin_menu")


def type_keys(app, screen, text):
    for ch in text:
        driver.tap(screen.ids.keyboard.keys[ch], frames=1)


def resident_codes(app):
    """Start a journey on the welcome screen; the codes the services screen offers."""
    app.staff.close()
    settle(app)
    driver.tap(app.sm.get_screen("welcome").ids.lang_id)
    assert app.sm.current == "services"
    return {b.code: b for b in app.sm.get_screen("services").ids.grid.children}


def audit(app, action):
    return [e for e in app.runtime.store.audit_entries() if e["action"] == action]


def write_menu(path, **changes):
    data = json.loads(json.dumps(DEFAULT))
    data.update(changes)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


# -- who may edit --------------------------------------------------------------------
def test_staff_pin_does_not_show_the_menu_editor_and_admin_pin_does(kiosk):
    home = login(kiosk, STAFF_PIN)
    button = home.ids.menu_editor
    assert button.disabled and button.opacity == 0
    kiosk.staff.open_menu_editor()  # even when called, the staff role is refused
    assert kiosk.sm.current == "staff_home"
    tap(kiosk, home.ids.done)
    home = login(kiosk, ADMIN_PIN)
    assert not home.ids.menu_editor.disabled and home.ids.menu_editor.opacity == 1
    tap(kiosk, home.ids.menu_editor)
    screen = kiosk.sm.get_screen("admin_menu")
    assert kiosk.sm.current == "admin_menu" and set(screen.rows) >= {"ktp-baru", "konsultasi"}
    assert audit(kiosk, "login")[-1]["role"] == "admin"


# -- draft, save, journeys -----------------------------------------------------------
def test_disabled_service_is_gone_for_the_next_journey_but_kept_by_one_under_way(kiosk):
    under_way = kiosk.runtime.desk.begin("id")
    screen = editor(kiosk)
    tap(kiosk, screen.rows["konsultasi"].ids.toggle)
    assert screen.dirty and kiosk.runtime.menu.service("konsultasi").enabled  # only drafted
    tap(kiosk, screen.ids.save)
    assert "disimpan" in screen.message and not screen.dirty
    menu = kiosk.runtime.menu
    assert not menu.service("konsultasi").enabled
    assert menu.version == "2026-11-30.1"  # date-based, from the kiosk clock
    assert under_way.menu.service("konsultasi").enabled
    kiosk.runtime.desk.select_service(under_way, "konsultasi")  # still offered to that person
    codes = resident_codes(kiosk)
    assert "konsultasi" not in codes and "ktp-baru" in codes
    entry = audit(kiosk, "menu-install")[-1]
    assert (entry["role"], entry["source"]) == ("admin", "kiosk editor")
    assert {"what": "service konsultasi", "field": "enabled", "before": True,
            "after": False} in entry["changes"]


def test_quota_typed_on_the_keyboard_is_saved_and_residents_see_what_is_left(kiosk):
    screen = editor(kiosk)
    tap(kiosk, screen.rows["kk-baru"].ids.edit)
    form = kiosk.sm.get_screen("admin_service")
    quota, keyboard = form.ids.quota, form.ids.keyboard
    tap(kiosk, quota)
    assert quota.focus and keyboard.shown and keyboard.target.uid == quota.uid
    driver.pump(3)
    field_bottom = quota.to_window(quota.x, quota.y)[1]
    assert field_bottom >= keyboard.top and quota.to_window(0, quota.top)[1] <= \
        form.ids.form_scroll.top  # above the keyboard, inside the visible form
    type_keys(kiosk, form, "20")
    assert quota.text == "20"
    tap(kiosk, keyboard.keys["done"])
    assert not keyboard.shown and not quota.focus
    tap(kiosk, form.ids.apply)
    assert kiosk.sm.current == "admin_menu" and "kuota 20/hari" in \
        screen.rows["kk-baru"].ids.words.text
    tap(kiosk, screen.ids.preview)
    preview = kiosk.sm.get_screen("admin_preview")
    assert kiosk.sm.current == "admin_preview" and preview.slip_texture is not None
    cards = {b.code: b for b in preview.ids.grid.children}
    assert "Sisa kuota hari ini: 20" in cards["kk-baru"].note
    assert kiosk.runtime.menu.service("kk-baru").daily_quota is None  # preview saves nothing
    tap(kiosk, preview.ids.save)
    assert kiosk.runtime.menu.service("kk-baru").daily_quota == 20
    assert "Sisa kuota hari ini: 20" in resident_codes(kiosk)["kk-baru"].note


def test_blank_indonesian_name_is_refused_with_the_reason_and_nothing_changes(kiosk):
    screen = editor(kiosk)
    tap(kiosk, screen.rows["ktp-baru"].ids.edit)
    form = kiosk.sm.get_screen("admin_service")
    tap(kiosk, form.ids.name_id)
    tap(kiosk, form.ids.keyboard.keys["clear"])
    tap(kiosk, form.ids.apply)
    tap(kiosk, screen.ids.save)
    assert "TIDAK disimpan" in screen.message
    assert "ktp-baru" in screen.problems and "names.id is empty" in screen.problems
    assert kiosk.runtime.menu.version == DEFAULT["version"]
    assert kiosk.runtime.menus.history() == []
    assert [e["ok"] for e in audit(kiosk, "menu-install")] == [False]  # refused, audited
    assert screen.dirty  # the draft is kept to be fixed


def test_unusable_number_in_the_form_is_explained_before_it_reaches_the_draft(kiosk):
    screen = editor(kiosk)
    tap(kiosk, screen.rows["kia"].ids.edit)
    form = kiosk.sm.get_screen("admin_service")
    tap(kiosk, form.ids.quota)
    type_keys(kiosk, form, "dua")
    tap(kiosk, form.ids.apply)
    assert kiosk.sm.current == "admin_service"
    assert "Kuota harian: tulis angka bulat" in form.problems


# -- USB stick -------------------------------------------------------------------------
def write_bytes(path, data):
    path.write_bytes(data)
    return path


def with_service(**changes):
    return [dict(DEFAULT["services"][0], **changes)] + DEFAULT["services"][1:]


BAD_FILES = {  # name: (write it, the reason shown)
    "dobel-kode.json": (lambda p: write_menu(p, services=DEFAULT["services"] + [
        DEFAULT["services"][0]]), "appears twice"),
    "dobel-huruf.json": (lambda p: write_menu(p, queues=DEFAULT["queues"] + [
        dict(DEFAULT["queues"][0], counter="Loket 9")]), "two queues use the prefix 'A'"),
    "antrian-asing.json": (lambda p: write_menu(p, services=with_service(queue="Z")),
                           "queue 'Z' does not exist"),
    "tanpa-nama.json": (lambda p: write_menu(p, services=with_service(names={"en": "ID"})),
                        "names.id is missing"),
    "jam-25.json": (lambda p: write_menu(p, office_hours={**DEFAULT["office_hours"],
                                                          "mon": [["08:00", "25:00"]]}),
                    "'25:00' is not a time of day"),
    "kuota-minus.json": (lambda p: write_menu(p, services=with_service(daily_quota=-1)),
                         "daily_quota must be 0 or more"),
    "kolom-asing.json": (lambda p: write_menu(p, warna="merah"), "not a known field"),
    "sampah.json": (lambda p: write_bytes(p, b"x" * (5 * 1024 * 1024)), "too large"),
    "rusak-utf8.json": (lambda p: write_bytes(p, b'{"schema": 1, "version": "\xff\xfe"}'),
                        "not UTF-8"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_menu_library_refuses_a_bad_file_and_audits_the_attempt(name, tmp_path, store):
    from kiosk.errors import MenuError
    from kiosk.menus import MenuLibrary
    library = MenuLibrary(tmp_path / "data", ASSETS_DIR / "menu.json", audit=store.audit)
    make, reason = BAD_FILES[name]
    with pytest.raises(MenuError) as refused:
        library.import_file(make(tmp_path / name), role="admin")
    assert any(reason in p for p in refused.value.problems), refused.value.problems
    assert library.current.version == DEFAULT["version"] and library.history() == []
    entry = store.audit_entries()[-1]
    assert (entry["action"], entry["role"], entry["ok"]) == ("menu-import", "admin", False)


def test_bad_files_chosen_from_the_usb_stick_are_refused_with_the_reason(kiosk, tmp_path):
    usb = tmp_path / "usb"
    (usb / "MENU").mkdir(parents=True)
    chosen = ("jam-25.json", "sampah.json")
    for name in chosen:
        BAD_FILES[name][0](usb / "MENU" / name)
    (usb / "catatan.txt").write_text("bukan menu")
    screen = editor(kiosk)
    tap(kiosk, screen.ids.files)
    files = kiosk.sm.get_screen("admin_files")
    files.ids.path.text = str(usb)
    tap(kiosk, files.ids.find)
    assert [r.ids.words.text.rsplit("/", 1)[-1] for r in files.file_rows] == sorted(chosen)
    for row in files.file_rows:
        tap(kiosk, row.ids.button)  # choose it
        name = files.ids.path.text.rsplit("/", 1)[-1]
        tap(kiosk, files.ids.import_file)
        assert "DITOLAK" in files.message and "tidak berubah" in files.message, name
        assert BAD_FILES[name][1] in files.problems, (name, files.problems)
    assert kiosk.runtime.menu.version == DEFAULT["version"]
    assert kiosk.runtime.menus.history() == []
    attempts = audit(kiosk, "menu-import")
    assert [a["ok"] for a in attempts] == [False, False]


def test_good_file_is_imported_and_the_editor_exports_a_valid_file(kiosk, tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    services = [dict(s, daily_quota=30) if s["code"] == "kia" else s
                for s in DEFAULT["services"]]
    good = write_menu(usb / "menu-baru.json", version="2026-12-01.1", services=services)
    screen = editor(kiosk)
    tap(kiosk, screen.ids.files)
    files = kiosk.sm.get_screen("admin_files")
    files.ids.path.text = str(good)
    tap(kiosk, files.ids.import_file)
    assert "dipasang" in files.message
    assert kiosk.runtime.menu.version == "2026-12-01.1"
    assert kiosk.runtime.menu.service("kia").daily_quota == 30
    assert audit(kiosk, "menu-import")[-1]["ok"] is True
    files.ids.path.text = str(usb / "keluar")
    (usb / "keluar").mkdir()
    tap(kiosk, files.ids.export_file)
    written = usb / "keluar" / "menu-2026-12-01.1.json"
    assert written.exists() and str(written) in files.message
    assert parse_menu(written.read_bytes()).service("kia").daily_quota == 30
    entry = audit(kiosk, "menu-export")[-1]
    assert (entry["role"], entry["ok"], entry["path"]) == ("admin", True, str(written))
    assert [p.name for p in (usb / "keluar").iterdir()] == [written.name]  # no temp left


def test_restore_brings_back_the_previous_version(kiosk):
    screen = editor(kiosk)
    tap(kiosk, screen.rows["ambil"].ids.toggle)
    tap(kiosk, screen.ids.save)
    tap(kiosk, screen.rows["ambil"].ids.toggle)
    tap(kiosk, screen.ids.save)
    assert kiosk.runtime.menu.version == "2026-11-30.2"
    tap(kiosk, screen.ids.history)
    history = kiosk.sm.get_screen("admin_history")
    assert [r.ids.words.text.split("\n")[0] for r in history.version_rows] == [
        "Versi 2026-11-30.1", f"Versi {DEFAULT['version']}"]
    tap(kiosk, history.version_rows[-1].ids.button)
    assert kiosk.runtime.menu.version == DEFAULT["version"]
    assert "berlaku lagi" in history.message
    assert audit(kiosk, "menu-install")[-1]["source"].startswith("restore ")


# -- the draft alone (no Kivy) ----------------------------------------------------------
def test_typed_times_and_moves_become_menu_values(menu):
    assert admindraft.time_text(" 8.00 ") == "08:00" and admindraft.time_text("25:00") == "25:00"
    draft = admindraft.draft_of(menu)
    assert admindraft.move(draft, "ktp-rusak", -1) and not admindraft.move(draft, "ktp-rusak", -1)
    assert [s["code"] for s in admindraft.ordered(draft)[:2]] == ["ktp-rusak", "ktp-baru"]
    form = admindraft.service_form(draft, "pindah")
    form.update(own_hours=True, minutes="12,5")
    form["hours"]["fri"].update(open="7.30", close="10.00")
    assert admindraft.apply_service_form(draft, form) == []
    pindah = admindraft.service(draft, "pindah")
    assert pindah["hours"]["fri"] == [["07:30", "10:00"]] and pindah["avg_service_min"] == 12.5
    assert pindah["hours"]["sat"] == [] and parse_menu(admindraft.dumps(draft))


# -- add and delete services ---------------------------------------------------------
def test_admin_copies_a_service_into_a_new_one_and_deletes_another_after_confirming(kiosk):
    screen = editor(kiosk)
    tap(kiosk, screen.rows["kia"].ids.edit)
    form = kiosk.sm.get_screen("admin_service")
    kiosk.staff.admin.copy_service()  # what two taps in a row call, before the worker
    kiosk.staff.admin.copy_service()  # answers: one copy
    settle(kiosk)
    assert not form.busy and "nonaktif" in form.message
    tap(kiosk, form.ids.copy_service)  # a real tap copies again ...
    assert form.code == "baru-2"
    tap(kiosk, form.ids.delete_service)
    tap(kiosk, kiosk.sm.get_screen("staff_confirm").ids.confirm)  # ... and that copy goes
    assert kiosk.sm.current == "admin_menu"
    tap(kiosk, screen.rows["baru"].ids.edit)
    assert kiosk.sm.current == "admin_service" and form.code == "baru"
    codes = [s["code"] for s in kiosk.staff.admin.desk.draft["services"]]
    assert [c for c in codes if c.startswith("baru")] == ["baru"]
    assert form.ids.name_id.text == "Layanan baru" and form.queue == "E"  # kia's queue
    tap(kiosk, form.ids.name_id)
    tap(kiosk, form.ids.keyboard.keys["clear"])
    tap(kiosk, form.ids.keyboard.keys["shift"])  # one capital, like a phone keyboard
    type_keys(kiosk, form, "legalisir")
    tap(kiosk, form.ids.keyboard.keys["done"])
    tap(kiosk, form.ids.apply)
    assert kiosk.sm.current == "admin_menu" and "Legalisir" in screen.rows["baru"].ids.words.text
    tap(kiosk, screen.rows["baru"].ids.toggle)  # a new service starts off: turn it on

    tap(kiosk, screen.rows["konsultasi"].ids.edit)
    tap(kiosk, form.ids.delete_service)
    confirm = kiosk.sm.get_screen("staff_confirm")
    assert kiosk.sm.current == "staff_confirm" and "konsultasi" in confirm.body.lower()
    tap(kiosk, confirm.ids.cancel)  # "Batal": back to the form, nothing deleted
    assert kiosk.sm.current == "admin_service" and form.code == "konsultasi"
    tap(kiosk, form.ids.delete_service)
    tap(kiosk, confirm.ids.confirm)
    assert kiosk.sm.current == "admin_menu" and "dihapus" in screen.message
    assert "konsultasi" not in [r.ids.words.text for r in screen.ids.rows_box.children]
    tap(kiosk, screen.ids.save)
    assert "disimpan" in screen.message
    codes = resident_codes(kiosk)
    assert "konsultasi" not in codes and codes["baru"].title == "Legalisir"
    changes = [e["change"] for e in audit(kiosk, "menu-draft")]
    assert "add" in changes and "delete" in changes
