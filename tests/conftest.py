"""Shared fixtures. Kivy's environment is set here, before anything imports Kivy."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from screens.driver import draw_frames, headless_env  # noqa: E402  (no Kivy import yet)

# one Kivy home per pytest-xdist worker (gw0, gw1, ...): workers never share Kivy's files
os.environ.setdefault("KIVY_HOME", str(ROOT / ".pytest_cache" / (
    "kivy-home-" + os.environ.get("PYTEST_XDIST_WORKER", "main"))))
headless_env(1280, 800)
# the `kiosk` command's log file (tracebacks), never the tester's own ~/.local/state
os.environ.setdefault("KIOSK_LOG_FILE", str(ROOT / ".pytest_cache" / (
    "kiosk-" + os.environ.get("PYTEST_XDIST_WORKER", "main") + ".log")))
# Frames run the clock, input, layout and text rendering but are not rasterized: no test
# looks at pixels, and llvmpipe's software drawing was ~90% of the UI tests' CPU time.
# driver.screenshot() draws; `kiosk selftest` (test_without_test_tools) draws a journey.
draw_frames(False)

import pytest  # noqa: E402

from kiosk.clock import FixedClock  # noqa: E402  (no Kivy)
from kioskini import write_ini  # noqa: E402


@pytest.fixture
def clock():
    """The office clock tests move by hand (:class:`kiosk.clock.FixedClock`): Monday
    2026-11-30 09:00 WIB; ``advance``, ``jump``, ``set_local``, ``synced``."""
    return FixedClock()


@pytest.fixture
def ini(tmp_path):
    """Write a kiosk.ini into tmp_path from keyword sections; returns its path."""
    def write(**sections):
        return write_ini(tmp_path, **sections)
    return write


@pytest.fixture
def config(ini):
    from kiosk.config import load_config
    return load_config(ini())


@pytest.fixture
def store(tmp_path, clock):
    from kiosk.store import Store
    s = Store(tmp_path / "data", clock=clock)
    yield s
    s.close()


@pytest.fixture
def menu():
    from kiosk import ASSETS_DIR
    from kiosk.menu import load_menu
    return load_menu(ASSETS_DIR / "menu.json")


@pytest.fixture(scope="session")
def kivy_window():
    from kivy.core.window import Window
    return Window


@pytest.fixture
def make_app(kivy_window, ini, clock):
    """``make_app(**ini_sections)``: the real LobbyApp on a real runtime, driven offscreen.

    Each call writes kiosk.ini in tmp_path (file printer, data in tmp) and starts a
    fresh runtime on it; a second call on the same data dir is a kiosk restart.
    """
    from kiosk.config import load_config
    from lobby.runtime import KioskRuntime
    from screens import driver
    from screens.app import LobbyApp
    running = []

    def start(**sections):
        for app, runtime in running:  # one app at a time, like the real kiosk
            driver.stop_app(app)
            runtime.stop()
        running.clear()
        runtime = KioskRuntime(load_config(ini(**sections)), clock=clock).start()
        # freeze_gc off: the full collection before freezing walks every module the test
        # process imported (~0.3 s an app); tests/test_gc_pauses.py starts apps that freeze
        app = driver.start_app(LobbyApp(runtime, ui_clock=driver.StepClock(), freeze_gc=False))
        running.append((app, runtime))
        return app
    yield start
    for app, runtime in running:
        driver.stop_app(app)
        runtime.stop()


@pytest.fixture
def kiosk_app(make_app):
    return make_app()
