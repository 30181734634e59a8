"""Screenshots of the admin's menu editor for the docs (``kiosk screenshots``).

Runs on the throwaway store of the screenshot run: logs in as admin, edits a
quota with the on-screen keyboard, previews, saves, shows the history and a
refused import of a broken file from a temporary "USB stick" folder.
"""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from kiosk.desks.staff import Login
from kiosk.pins import OK, PinCheck
from screens import driver


def take(admin, shot) -> None:
    staff = admin.staff

    def settle():
        driver.pump_until(staff.idle, timeout=20)
        driver.pump(3)

    staff.open_pin()
    settle()
    staff._pin_checked(Login(PinCheck(OK, role="admin"), None))
    settle()
    shot("admin_staff_home")
    admin.open()
    admin.toggle("ktp-hilang", False)
    settle()
    shot("admin_menu")
    admin.edit("kk-baru")
    settle()
    form = admin.screen("admin_service")
    form.ids.quota.focus = True  # (tests/test_admin_ui.py taps it through the scroll view)
    driver.pump(2)
    for key in "20":
        driver.tap(form.ids.keyboard.keys[key], frames=1)
    settle()
    shot("admin_keyboard")
    form.ids.keyboard.close()
    form.own_hours = True  # the weekday rows
    settle()
    shot("admin_service_hours")
    form.own_hours = False
    admin.copy_service()  # "Salin jadi layanan baru": the copy opens in the form
    settle()
    shot("admin_new_service")
    admin.delete_service()  # the copy is deleted again, after the confirmation
    settle()
    shot("admin_delete_confirm")
    staff.confirmed()
    settle()
    admin.edit_queues()
    settle()
    shot("admin_queues")
    admin.back_to_list()
    settle()
    admin.edit("kk-baru")
    settle()
    admin.apply_service()
    admin.preview()
    settle()
    shot("admin_preview")
    admin.save()
    settle()
    shot("admin_saved")
    admin.show_history()
    settle()
    shot("admin_history")
    usb = Path(tempfile.mkdtemp(prefix="kiosk-usb-"))
    try:
        menu = json.loads(admin.desk.library.current.to_json())
        menu["services"][1]["code"] = menu["services"][0]["code"]
        menu["services"][2]["daily_quota"] = -5
        (usb / "menu-rusak.json").write_text(json.dumps(menu), encoding="utf-8")
        (usb / "menu-baik.json").write_text(admin.desk.library.current.to_json(), encoding="utf-8")
        admin.show_files()
        files = admin.screen("admin_files")
        files.ids.path.text = str(usb)
        admin.find_files()
        settle()
        admin.choose_file(str(usb / "menu-rusak.json"))
        admin.import_file()
        settle()
        shot("admin_import_refused")
    finally:
        shutil.rmtree(usb, ignore_errors=True)
    staff.close()
    settle()
