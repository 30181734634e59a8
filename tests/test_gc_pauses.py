"""No garbage-collection pause in a resident's journey (issue 13, item 5).

A full collection walks every tracked object that is not frozen: with the whole
app tracked, that was 115,000-190,000 objects and 50-190 ms on the main thread
every few hundred taps. The app builds what lives for the whole run before it
starts (screens, service buttons) and freezes it (``LobbyApp.on_start``), so a
collection during journeys walks only what the journeys made. Counted in
objects, not timed: the same on any machine. (The other tests' apps do not
freeze: see ``make_app`` in conftest.py.)
"""
import gc

import pytest

from lobby.launch import journey
from screens import driver

#: What a full collection may walk after journeys (pytest's own objects included).
MOST_WALKED = 20_000


@pytest.fixture
def frozen_app(kivy_window, ini, clock):
    """The real LobbyApp as the kiosk runs it (``freeze_gc`` left on)."""
    from kiosk.config import load_config
    from lobby.runtime import KioskRuntime
    from screens.app import LobbyApp
    runtime = KioskRuntime(load_config(ini()), clock=clock).start()
    app = driver.start_app(LobbyApp(runtime, ui_clock=driver.StepClock()))
    yield app
    driver.stop_app(app)
    runtime.stop()


def _journeys(app, n):
    for i in range(n):
        journey(app, lang=("id", "en")[i % 2], service_index=i % 3)
        app.flow.reset()
        driver.settle(app.sm.get_screen("welcome").ids.lang_id)


def test_the_started_app_is_frozen_and_journeys_leave_the_collector_little_to_walk(
        frozen_app):
    app = frozen_app
    frozen = gc.get_freeze_count()
    assert frozen > 50_000, "the app's long-lived objects were not frozen at start"
    _journeys(app, 2)  # the first journeys make what is made once (slip fonts, PIL plugins)
    gc.collect()
    before = len(gc.get_objects())  # what a full collection would walk now
    _journeys(app, 20)  # both languages: the service buttons are not rebuilt for either
    walked = len(gc.get_objects())
    assert before < MOST_WALKED and walked < MOST_WALKED, (before, walked, frozen)
    assert walked - before < 20 * 100, "journeys keep objects the collector must walk"


def test_a_stopped_app_unfreezes_what_it_froze(frozen_app):
    assert gc.get_freeze_count() > 50_000
    frozen_app.stop()  # tests, selftest and screenshots start several apps in one process
    assert gc.get_freeze_count() == 0
