"""Every staff and admin screen at the five panel sizes of issue 13, in the real app offscreen.

The walk is the one ``kiosk screenshots`` takes (:meth:`screens.staff.StaffMode.screenshots`:
PIN pad, staff home in both languages, reprint list, confirmations, the menu editor's list,
service form with its keyboard, a new service, preview, history, USB files), checked with
the resident screens' rules (:mod:`layoutcheck`): nothing outside the window, no text
overflowing its box, targets >= 12 mm, capitals >= 3 mm.
"""
import pytest

from layoutcheck import SIZES, problems_on, settle, sized_app  # noqa: F401 (fixture)
from lobby.launch import journey


@pytest.mark.timeout(900)  # ~20 screens laid out; slow on a busy machine
@pytest.mark.parametrize("width,height,dpi", SIZES, ids=[f"{w}x{h}@{d}" for w, h, d in SIZES])
def test_every_staff_and_admin_screen_fits_at_every_panel_size(sized_app, width, height, dpi):
    from kivy.core.window import Window
    app = sized_app(width, height, dpi)
    journey(app)  # a ticket for the reprint list
    app.flow.reset()
    found, seen = [], []

    def shot(name):
        settle(app)
        seen.append(name)
        screen = app.sm.current_screen
        found.extend(f"{name}: {p}" for p in problems_on(screen, Window, dpi))
        if name == "admin_keyboard":  # the field being typed stays in sight above the keys
            keyboard, field, form = (screen.ids[i] for i in ("keyboard", "quota", "form_scroll"))
            bottom, top = field.to_window(0, field.y)[1], field.to_window(0, field.top)[1]
            if not (keyboard.shown and getattr(keyboard.target, "uid", None) == field.uid):
                found.append(f"{name}: the keyboard is not up for the quota field")
            elif bottom < form.to_window(0, form.y)[1] - 1 or top > form.to_window(
                    0, form.top)[1] + 1 or bottom < keyboard.top - 1:
                found.append(f"{name}: the quota field ({bottom:.0f}-{top:.0f}) is out of "
                             f"sight (form from {form.to_window(0, form.y)[1]:.0f}, keys "
                             f"up to {keyboard.top:.0f})")
    app.staff.screenshots(shot)
    assert {"staff_pin", "staff_home", "staff_reprint", "admin_menu", "admin_keyboard",
            "admin_preview", "admin_history", "admin_delete_confirm", "admin_queues",
            "admin_service_hours", "admin_new_service", "admin_import_refused"} <= set(seen)
    assert not found, f"{width}x{height}@{dpi}dpi:\n" + "\n".join(found)
