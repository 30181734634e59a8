"""Drive the real app without ``App.run()``: step frames, tap real widgets.

Used by the tests, ``kiosk selftest`` and ``kiosk screenshots``. Call
:func:`headless_env` before the first Kivy import of the process.
"""
from __future__ import annotations

import os
import tempfile
import time


def headless_env(width=1280, height=800) -> None:
    """Environment for offscreen Kivy (DESIGN.md recipe); must run before importing kivy."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_NO_CONFIG", "1")
    os.environ.setdefault("KIVY_HOME", os.path.join(tempfile.gettempdir(), "kiosk-kivy-home"))
    os.environ.setdefault("KIVY_WINDOW", "sdl2")
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")  # never 'dummy': exit 102
    from kivy.config import Config
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "resizable", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")


def pump(frames=1) -> None:
    """Render ``frames`` frames synchronously."""
    from kivy.base import EventLoop
    for _ in range(frames):
        EventLoop.idle()


def pump_until(cond, timeout=5.0) -> None:
    """Step frames until ``cond()`` is true; TimeoutError after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise TimeoutError(f"condition not met in {timeout} s")
        pump()
        time.sleep(1 / 120)


class StepClock:
    """A monotonic clock (seconds) that only moves when told: give it to ``LobbyApp(ui_clock=)``
    so the touch guard (:mod:`screens.guard`) is timed by the test, not the machine."""

    def __init__(self, start=1000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def settle(widget, timeout=30.0) -> None:
    """Wait until the screen holding ``widget`` takes touches: its slide-in has finished
    and its touch guard has passed (a :class:`StepClock` is moved on, a real one waited
    for). A resident's next tap comes after they have seen the new screen."""
    from screens.guard import manager_of
    sm = manager_of(widget)
    if sm is None:
        return
    end = time.monotonic() + timeout
    while sm.transition.is_active:
        if time.monotonic() > end:
            raise TimeoutError(f"screen {sm.current} still sliding in after {timeout} s")
        pump()
        time.sleep(1 / 120)
    left = sm.settle_s()
    if left > 0 and isinstance(sm.clock, StepClock):
        sm.clock.advance(left)
    elif left > 0:
        time.sleep(left)


_FINGER = None


def finger(x, y):
    """A finger at window pixel ``(x, y)``: ``.down()``, ``.up()`` go through the window's
    real input dispatch (``EventLoop.post_dispatch_input``), as a touchscreen's do.

    Built on Kivy's plain ``MotionEvent``: ``kivy.tests`` needs pytest, which a kiosk
    installed without the test extras (README's first command) does not have.
    """
    global _FINGER
    if _FINGER is None:
        from kivy.base import EventLoop
        from kivy.input.motionevent import MotionEvent

        class Finger(MotionEvent):
            def __init__(self, x, y):
                win = EventLoop.window
                super().__init__("Finger", 99, {"x": x / (win.width - 1.0),
                                                "y": y / (win.height - 1.0)},
                                 is_touch=True, type_id="touch")
                self.profile = ["pos"]

            def depack(self, args):
                self.sx, self.sy = args["x"], args["y"]  # window fractions
                super().depack(args)

            def down(self):
                EventLoop.post_dispatch_input("begin", self)

            def up(self):
                EventLoop.post_dispatch_input("end", self)

        _FINGER = Finger
    return _FINGER(x, y)


def tap(widget, frames=2) -> None:
    """A finger tap at the widget's centre, through the window's real touch dispatch,
    once the widget's screen takes touches (:func:`settle`)."""
    pump(frames)
    settle(widget)
    touch = finger(*widget.to_window(*widget.center))
    touch.down()
    touch.up()
    pump(frames)


def hold(widget, seconds) -> None:
    """Press on ``widget`` for ``seconds`` (frames keep running), then lift."""
    pump(2)  # let a screen change land before the finger does
    settle(widget)
    touch = finger(*widget.to_window(*widget.center))
    touch.down()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pump()
        time.sleep(1 / 60)
    touch.up()
    pump(2)


def start_app(app):
    """Prepare and show ``app`` embedded (no main loop); returns it."""
    from kivy.base import runTouchApp
    app._run_prepare()
    runTouchApp(embedded=True)
    pump(3)
    return app


def stop_app(app) -> None:
    from kivy.clock import Clock
    app.stop()
    for ev in Clock.get_events():
        ev.cancel()
