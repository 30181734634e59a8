"""Every resident screen at the five panel sizes of issue 13, in the real app offscreen.

Fails on a widget outside the window (inside a scroll view: outside it sideways),
text that does not fit its box (laid out again without height limit and
compared with the box), a touch target under 12 mm, body text with capitals
under 3 mm, or a ticket number with capitals under 15 mm. Millimetres come from
kiosk.ini ``screen_dpi``, as on the real panel.
"""
import pytest

from layoutcheck import SIZES, check, problems_on, settle, sized_app  # noqa: F401 (fixture)
from lobby.launch import take_number
from screens import driver
from screens.sizes import CAP_PER_EM, NUMBER_CAP_MM, px_per_mm


@pytest.mark.timeout(900)  # 24 screens laid out and rendered; slow on a busy machine
@pytest.mark.parametrize("width,height,dpi", SIZES, ids=[f"{w}x{h}@{d}" for w, h, d in SIZES])
def test_every_resident_screen_fits_at_every_panel_size(sized_app, width, height, dpi):
    app = sized_app(width, height, dpi)
    size = f"{width}x{height}@{dpi}dpi"
    check(app, dpi, f"welcome {size}")
    for lang in ("id", "en"):
        driver.tap(app.sm.get_screen("welcome").ids["lang_" + lang])
        services = app.sm.get_screen("services")
        check(app, dpi, f"services {lang} {size}")
        driver.tap(services.ids.priority)
        check(app, dpi, f"services {lang} priority chosen {size}")
        driver.tap(services.ids.priority)
        driver.tap(list(reversed(services.ids.grid.children))[0])
        rules = app.sm.get_screen("rules")
        driver.tap(rules.cards()[0])
        rules.error = app.tr("Maaf, nomor belum dapat diambil. Silakan hubungi petugas.")
        check(app, dpi, f"rules {lang} with an error {size}")
        rules.error = ""
        ticket = take_number(app, first_rule=1, timeout=30)
        check(app, dpi, f"ticket {lang} {size}")
        app.flow.print_update(ticket.result.ticket.id, "failed", "")
        check(app, dpi, f"ticket {lang} print failed {size}")
        app.flow.reset()
    driver.tap(app.sm.get_screen("welcome").ids.lang_id)  # "Masih di sana?" before the reset
    app.ui_clock.advance(app.kiosk_config.kiosk.idle_timeout_s - 9.5)
    driver.pump_until(lambda: app.still_there.shown, timeout=30)
    driver.pump(3)
    from kivy.core.window import Window
    problems = problems_on(app.still_there, Window, dpi)
    assert not problems, f"still there? {size}:\n" + "\n".join(problems)
    driver.tap(app.still_there.ids.keep)
    app.flow.reset()
    welcome = app.sm.get_screen("welcome")
    welcome.set_office_closed("Kantor sedang tutup. Buka lagi Senin 08:00 WIB\n"
                              "The office is closed. Opens again Monday 08:00 WIB")
    check(app, dpi, f"welcome, office closed {size}")


def test_ticket_number_is_at_least_15_mm_on_a_7_inch_panel(sized_app):
    app = sized_app(800, 480, 133)
    from lobby.launch import journey
    journey(app)
    number = app.sm.get_screen("ticket").ids.number
    assert number.font_size * CAP_PER_EM / px_per_mm(133) >= NUMBER_CAP_MM


def test_portrait_services_fill_the_screen_in_two_columns(sized_app):
    app = sized_app(1080, 1920, 102)
    driver.tap(app.sm.get_screen("welcome").ids.lang_id)
    settle(app)
    services = app.sm.get_screen("services")
    grid, view = services.ids.grid, services.ids.scroller
    assert services.cols == 2
    assert grid.height >= 0.95 * view.height  # no blank half under thin tiles
