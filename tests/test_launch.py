"""lobby.launch: ``kiosk run`` stops cleanly on SIGTERM/SIGINT while window close requests
stay refused; the selftest/screenshots journeys say plainly when there is no service to tap."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def start_kiosk(ini_path, tmp_path):
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_HOME=str(tmp_path / "kivy-home"),
               KIVY_NO_FILELOG="1", KIVY_NO_ARGS="1")
    env.pop("SDL_NO_SIGNAL_HANDLERS", None)  # the kiosk must set it itself
    log = open(tmp_path / "kiosk.log", "w+")
    proc = subprocess.Popen([sys.executable, "-m", "lobby.cli", "-v", "run", "--config",
                             str(ini_path)], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    end = time.monotonic() + 60
    while "kiosk ready" not in (tmp_path / "kiosk.log").read_text():
        if proc.poll() is not None or time.monotonic() > end:
            proc.kill()
            pytest.fail("kiosk did not start:\n" + (tmp_path / "kiosk.log").read_text())
        time.sleep(0.1)
    return proc


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_running_kiosk_cleanly(ini, tmp_path, signum):
    proc = start_kiosk(ini(), tmp_path)
    proc.send_signal(signum)
    try:
        code = proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"kiosk kept running after {signum.name}")
    text = (tmp_path / "kiosk.log").read_text()
    assert code == 0, text
    assert f"{signum.name} received" in text and "Traceback" not in text


def test_window_close_is_refused_unless_staff_exit_or_a_signal(make_app, monkeypatch):
    app = make_app()
    stopped = []
    monkeypatch.setattr(app, "stop", lambda *a: stopped.append(True))
    assert app._close_requested() is True  # window manager / Alt+F4: refused
    app.stop_on_signal("SIGTERM")
    assert stopped == [True] and app._close_requested() is False
    app.stop_on_signal("SIGTERM")  # a second signal does not stop twice
    assert stopped == [True]


def test_selftest_journey_without_services_says_so(make_app, monkeypatch):
    from kiosk.errors import KioskError
    from kiosk.menu import Menu
    from lobby.launch import _showcase_service, journey
    app = make_app()
    monkeypatch.setattr(Menu, "visible_services", lambda self: [])
    with pytest.raises(KioskError, match="shows 0 service"):
        journey(app)
    with pytest.raises(KioskError, match="no enabled service"):
        _showcase_service(app.runtime.menu)
