"""The layout checker the five-size walks share (tests/test_layout_sizes.py for resident
screens, tests/test_layout_staff.py for staff and admin screens).

A problem is a widget outside the window (inside a scroll view: outside it sideways) or
sticking out of the layout that places it, a word broken across lines, text that does not
fit its box (laid out again without height limit and compared with
the box), a touch target under 12 mm, body text with capitals under 3 mm, or a ticket
number with capitals under 15 mm. Millimetres come from kiosk.ini ``screen_dpi``, as on
the real panel.
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


def _widest_word(label):
    """(word, px) of the widest word of ``label``'s text on one line (markup removed)."""
    import re
    core = label._label
    text = re.sub(r"\[/?[a-z]+(=[^\]]*)?\]", "", label.text) if label.markup else label.text
    best = ("", 0)
    for word in set(text.split()):
        if "/" in word or "\\" in word:
            continue  # a path or an address may break anywhere
        probe = type(core)(**dict(core.options, text=word, markup=False))
        probe.text_size = (None, None)
        width = probe.render()[0]
        if width > best[1]:
            best = (word, width)
    return best


def _outside_parent(widget, screen):
    """True when ``widget`` pokes out of the layout that places it (a button taller than
    its row covers what is next to the row); scroll views and free layouts aside."""
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.gridlayout import GridLayout
    from kivy.uix.stacklayout import StackLayout
    parent = widget.parent
    if parent is None or parent is screen or not isinstance(
            parent, (BoxLayout, GridLayout, StackLayout)):
        return False
    return (widget.x < parent.x - TOLERANCE_PX or widget.right > parent.right + TOLERANCE_PX
            or widget.y < parent.y - TOLERANCE_PX or widget.top > parent.top + TOLERANCE_PX)


def _hidden_over_targets(screen):
    """A button hidden by its opacity still takes the touches that land on it (a disabled
    Kivy widget swallows them): one lying over a visible button steals its taps."""
    from kivy.uix.behaviors import ButtonBehavior
    buttons = [w for w in screen.walk(restrict=True) if isinstance(w, ButtonBehavior)]

    def box(w):
        (x1, y1), (x2, y2) = w.to_window(w.x, w.y), w.to_window(w.right, w.top)
        return x1, y1, x2, y2
    found = []
    for ghost in buttons:
        if not _hidden(ghost, screen) or ghost.width <= 1 or ghost.height <= 1:
            continue
        if any(w.width <= 0 or w.height <= 0 for w in _ancestors(ghost, screen)):
            continue  # inside a collapsed box: touches never reach it
        gx1, gy1, gx2, gy2 = box(ghost)
        for other in buttons:
            if other is ghost or _hidden(other, screen):
                continue
            ox1, oy1, ox2, oy2 = box(other)
            if gx1 < ox2 - 1 and ox1 < gx2 - 1 and gy1 < oy2 - 1 and oy1 < gy2 - 1:
                found.append(f"hidden {type(ghost).__name__} {ghost.text[:30]!r} lies over "
                             f"{type(other).__name__} {getattr(other, 'text', '')[:30]!r}: "
                             f"it takes its taps")
    return found


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
        if _outside_parent(widget, screen):
            found.append(f"{name}: sticks out of its {type(widget.parent).__name__} "
                         f"({widget.x:.0f},{widget.y:.0f})-({widget.right:.0f},{widget.top:.0f})"
                         f" in ({widget.parent.x:.0f},{widget.parent.y:.0f})-"
                         f"({widget.parent.right:.0f},{widget.parent.top:.0f})")
        if isinstance(widget, ButtonBehavior):
            side = min(widget.width, widget.height) / mm
            if side < TARGET_MM:
                found.append(f"{name}: touch target {side:.1f} mm < {TARGET_MM} mm")
        if isinstance(widget, Label) and widget.text.strip():
            cap = widget.font_size * CAP_PER_EM / mm
            least = NUMBER_CAP_MM if widget in numbers else BODY_CAP_MM
            if cap < least:
                found.append(f"{name}: capitals {cap:.2f} mm < {least} mm")
            if widget.text_size[0] is not None and not getattr(widget, "shorten", False):
                word, word_w = _widest_word(widget)
                room = widget.text_size[0]
                if word_w > room + TOLERANCE_PX:
                    found.append(f"{name}: the word {word!r} needs {word_w:.0f} px, the line "
                                 f"is {room:.0f} px: it breaks mid-word")
            need_w, need_h = _needed(widget)
            if need_w > widget.width + TOLERANCE_PX or need_h > widget.height + TOLERANCE_PX:
                found.append(f"{name}: text needs {need_w:.0f}x{need_h:.0f} px, box is "
                             f"{widget.width:.0f}x{widget.height:.0f}")
    return found + _hidden_over_targets(screen)


def settle(app):
    driver.pump_until(lambda: not app.sm.transition.is_active, timeout=30)
    driver.pump(3)  # texture sizes feed heights: let the layout converge


def check(app, dpi, where):
    settle(app)
    from kivy.core.window import Window
    problems = problems_on(app.sm.current_screen, Window, dpi)
    assert not problems, f"{where}:\n" + "\n".join(problems)


