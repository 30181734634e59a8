"""The staff screens for the docs (``kiosk screenshots``, on its throwaway store)."""
from __future__ import annotations


def take_screenshots(mode, shot) -> None:
    """Each staff screen for the docs (``kiosk screenshots``, on its throwaway store).

    Marks the last ticket as failed so the reprint list has a row.
    """
    from kiosk.desks.staff import Login
    from kiosk.pins import OK, PinCheck
    from screens import driver

    def settle():
        driver.pump_until(mode.idle, timeout=20)
        driver.pump(3)

    pad = mode.screen("staff_pin")
    mode.open_pin()
    settle()
    shot("staff_pin_unset")
    pad.usable, pad.message = True, ""
    for digit in "2580":
        pad.key(digit)
    shot("staff_pin")
    pad.clear()
    pad.message = mode.t("PIN salah. Sisa percobaan: {n}.", n=4)
    shot("staff_pin_wrong")
    last = mode.rt.store.last_ticket()
    if last is not None:
        mode.rt.store.set_print_status(last.id, "failed", "Kertas printer habis. Ganti gulungan "
                                                       "kertas, lalu cetak ulang slip.")
    mode._pin_checked(Login(PinCheck(OK, role="staff"), None))
    settle()
    shot("staff_home")
    mode.set_lang("en")
    settle()
    shot("staff_home_en")
    mode.set_lang("id")
    mode.show_reprint()
    settle()
    shot("staff_reprint")
    mode.back_home()
    mode.ask_new_day()
    shot("staff_confirm_new_day")
    mode.back_home()
    settle()
    mode.toggle_service()
    settle()
    shot("staff_home_out_of_service")
    mode.close()
    settle()
    shot("welcome_out_of_service")
    mode.rt.store.set_setting("out_of_service", False)
    mode._show_service_state(False)
