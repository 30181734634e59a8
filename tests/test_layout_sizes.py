"""Every resident screen at the five panel sizes of issue 13, in the real app offscreen.

Fails on a widget outside the window (inside a scroll view: outside it sideways),
text that does not fit its box (laid out again without height limit and
compared with the box), a touch target under 12 mm, body text with capitals
under 3 mm, or a ticket number with capitals under 15 mm. Millimetres come from
kiosk.ini ``screen_dpi``, as on the real panel.
"""
import pytest

from screens import driver
from screens.sizes import BODY_CAP_MM, CAP_PER_EM, NUMBER_CAP_MM, TARGET_MM, px_per_mm

#: (width, height, dpi): 7-inch 800x480 and 1024x600 panels, a 10.1-inch 1280x800,
#: a 21.5-inch full HD monitor, and the same monitor standing (portrait kiosk).
SIZES = [(800, 480, 133), (1024, 600, 169), (1280, 800, 149), (1920, 1080, 102),
         (1080, 1920, 102)]
TOLERANCE_PX = 1.5


@pytest.fixture
def sized_app(make_app, kivy_window):
    original = kivy_window.size

    def start(width, height, dpi):
        kivy_window.size = (width, height)
        driver.pump(2)
        return make_app(kiosk={"screen_dpi": str(dpi)})
    yield start
    kivy_window.size = original
    driver.pump(2)


def _ancestors(widget, screen):
    """``widget`` and its parents up to ``screen`` (the window is its own parent)."""
    while widget is not None and widget is not screen:
        yield widget
        widget = widget.parent


def _hidden(widget, screen):
    return any(w.opacity == 0 or w.width <= 0 or w.height <= 0
               for w in _ancestors(widget, screen))


def _scroller(widget, screen):
    from kivy.uix.scrollview import ScrollView
    return next((w for w in _ancestors(widget.parent, screen) if isinstance(w, ScrollView)),
                None)


def _needed(label):
    """(width, height) ``label``'s text needs at its wrap width, without a height limit."""
    core = label._label
    probe = type(core)(**dict(core.options, text=label.text))
    width = label.text_size[0] if label.text_size[0] is not None else None
    probe.text_size = (width, None)
    return probe.render()


def problems_on(screen, window, dpi, number_ids=("number",)):
    """Plain descriptions of every layout problem on ``screen`` (the current screen)."""
    from kivy.uix.behaviors import ButtonBehavior
    from kivy.uix.label import Label
    mm = px_per_mm(dpi)
    found = []
    numbers = {screen.ids[i] for i in number_ids if i in screen.ids}
    for widget in screen.walk(restrict=True):
        if widget is screen or _hidden(widget, screen):
            continue
        name = f"{type(widget).__name__} {getattr(widget, 'text', '')[:40]!r}"
        x1, y1 = widget.to_window(widget.x, widget.y)
        x2, y2 = widget.to_window(widget.right, widget.top)
        scroller = _scroller(widget, screen)
        if scroller is None:
            left, bottom, right, top = 0, 0, window.width, window.height
        else:
            sx1, _ = scroller.to_window(scroller.x, scroller.y)
            sx2, _ = scroller.to_window(scroller.right, scroller.top)
            left, bottom, right, top = sx1, -1e9, sx2, 1e9
        if (x1 < left - TOLERANCE_PX or x2 > right + TOLERANCE_PX or y1 < bottom - TOLERANCE_PX
                or y2 > top + TOLERANCE_PX):
            found.append(f"{name}: outside the window ({x1:.0f},{y1:.0f})-({x2:.0f},{y2:.0f})")
        if isinstance(widget, ButtonBehavior):
            side = min(widget.width, widget.height) / mm
            if side < TARGET_MM:
                found.append(f"{name}: touch target {side:.1f} mm < {TARGET_MM} mm")
        if isinstance(widget, Label) and widget.text.strip():
            cap = widget.font_size * CAP_PER_EM / mm
            least = NUMBER_CAP_MM if widget in numbers else BODY_CAP_MM
            if cap < least:
                found.append(f"{name}: capitals {cap:.2f} mm < {least} mm")
            need_w, need_h = _needed(widget)
            if need_w > widget.width + TOLERANCE_PX or need_h > widget.height + TOLERANCE_PX:
                found.append(f"{name}: text needs {need_w:.0f}x{need_h:.0f} px, box is "
                             f"{widget.width:.0f}x{widget.height:.0f}")
    return found


def settle(app):
    driver.pump_until(lambda: not app.sm.transition.is_active, timeout=30)
    driver.pump(3)  # texture sizes feed heights: let the layout converge


def check(app, dpi, where):
    settle(app)
    from kivy.core.window import Window
    problems = problems_on(app.sm.current_screen, Window, dpi)
    assert not problems, f"{where}:\n" + "\n".join(problems)


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
        for card in rules.cards()[1:]:
            driver.tap(card)
        driver.tap(rules.ids.take)
        driver.pump_until(lambda: app.sm.current == "ticket", timeout=30)
        ticket = app.sm.get_screen("ticket")
        driver.pump_until(lambda: ticket.print_state != "pending", timeout=30)
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
