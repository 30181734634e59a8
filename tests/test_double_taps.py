"""Double taps on every button of the journey (issue 13): the resident ends on the screen
they meant, with only the choices they made.

Real app offscreen, real touches into the window. The touch guard runs on a
StepClock: each second tap comes exactly ``interval`` after the first on the
guard's clock, after the new screen has fully slid in (the hardest case: nothing
but the guard stands between the finger and the next screen's buttons).
"""
import pytest
from kivy.tests.common import UnitTestTouch

from screens import driver

INTERVALS = (0.05, 0.12, 0.3)


def double_tap(app, widget, interval, wait=None):
    """Tap ``widget`` twice at the same spot, ``interval`` seconds apart on the guard clock."""
    driver.settle(widget)
    x, y = widget.to_window(*widget.center)
    first = UnitTestTouch(x, y)
    first.touch_down()
    first.touch_up()
    if wait is not None:
        driver.pump_until(wait, timeout=30)
    driver.pump_until(lambda: not app.sm.transition.is_active, timeout=30)
    app.sm.clock.advance(interval)
    second = UnitTestTouch(x, y)
    second.touch_down()
    second.touch_up()
    driver.pump(2)


def screen(app, name):
    return app.sm.get_screen(name)


def service_button(app, index):
    return list(reversed(screen(app, "services").ids.grid.children))[index]


def to_services(app, lang="id"):
    driver.tap(screen(app, "welcome").ids["lang_" + lang])
    assert app.sm.current == "services"


def to_rules(app, index=0):
    to_services(app)
    driver.tap(service_button(app, index))
    assert app.sm.current == "rules"
    return screen(app, "rules")


def home(app):
    app.flow.reset()
    driver.settle(screen(app, "welcome").ids.lang_id)


@pytest.mark.parametrize("interval", INTERVALS)
def test_double_taps_on_every_journey_button_act_once(kiosk_app, interval):
    app = kiosk_app

    for lang in ("id", "en"):  # language: the services screen, nothing chosen
        double_tap(app, screen(app, "welcome").ids["lang_" + lang], interval)
        assert app.sm.current == "services" and app.lang == lang
        assert app.flow.journey.service_code is None and not app.flow.journey.priority
        home(app)

    for index in (0, 5, 15):  # a service card: the rules screen, no rule confirmed
        to_services(app)
        double_tap(app, service_button(app, index), interval)
        assert app.sm.current == "rules"
        assert app.flow.journey.confirmed == {}
        home(app)

    to_services(app)  # "< Kembali" on services: welcome, no journey started again
    double_tap(app, screen(app, "services").ids.back, interval)
    assert app.sm.current == "welcome" and app.flow.journey is None

    to_services(app)  # the priority lane: chosen once, not chosen and taken back
    double_tap(app, screen(app, "services").ids.priority, interval)
    assert app.flow.journey.priority and app.sm.current == "services"
    home(app)

    rules = to_rules(app)  # each health rule: confirmed, once
    for n, card in enumerate(rules.cards(), 1):
        double_tap(app, card, interval)
        assert card.confirmed and len(app.flow.journey.confirmed) == n
    assert [c.confirmed for c in rules.cards()] == [True, True, True]

    double_tap(app, rules.ids.back, interval)  # "< Kembali" on rules: services, not welcome
    assert app.sm.current == "services" and app.flow.journey is not None
    home(app)

    rules = to_rules(app)  # "Ambil nomor antrian": one ticket, and the number stays shown
    for card in rules.cards():
        driver.tap(card)
    double_tap(app, rules.ids.take, interval, wait=lambda: app.sm.current == "ticket")
    assert app.sm.current == "ticket"
    assert len(app.runtime.store.tickets()) == 1

    done = screen(app, "ticket").ids.done  # "Selesai": welcome, no new journey
    double_tap(app, done, interval)
    assert app.sm.current == "welcome" and app.flow.journey is None
    assert len(app.runtime.store.tickets()) == 1


def test_a_finger_down_while_the_screen_changes_does_nothing_on_release(kiosk_app):
    app = kiosk_app
    welcome = screen(app, "welcome")
    driver.settle(welcome.ids.lang_en)
    x, y = welcome.ids.lang_en.to_window(*welcome.ids.lang_en.center)
    held = UnitTestTouch(x, y)
    held.touch_down()  # the finger rests on "English" ...
    app.flow.start("id")  # ... while the other button starts an Indonesian journey
    driver.pump_until(lambda: not app.sm.transition.is_active, timeout=30)
    held.touch_up()
    driver.pump(2)
    assert app.sm.current == "services" and app.lang == "id"


def test_a_new_screen_takes_touches_after_the_guard(kiosk_app):
    from screens.guard import GUARD_S
    app = kiosk_app
    to_services(app)
    button = service_button(app, 0)
    driver.pump_until(lambda: not app.sm.transition.is_active, timeout=30)
    x, y = button.to_window(*button.center)
    app.sm.clock.advance(GUARD_S + 0.01)  # a resident who has looked at the screen
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    touch.touch_up()
    driver.pump(2)
    assert app.sm.current == "rules"


def test_rule_taps_far_apart_take_a_confirmation_back(kiosk_app):
    from screens.guard import REPEAT_S
    app = kiosk_app
    rules = to_rules(app)
    card = rules.cards()[0]
    driver.tap(card)
    app.sm.clock.advance(REPEAT_S + 0.01)
    driver.tap(card)
    assert not card.confirmed and app.flow.journey.confirmed == {}
