"""Drive the real app without ``App.run()``: step frames, tap real widgets.

Used by the tests, ``kiosk selftest``, ``kiosk screenshots`` and the benchmarks. Call
:func:`headless_env` before the first Kivy import of the process.

Frames come on demand (:func:`pump`), so Kivy's clock is made to follow them
(:func:`start_app`): each frame is at least 1/60 s after the one before on Kivy's clock
(``Clock.time``), and that clock never runs slower than the wall clock. A 0.2 s slide-in
takes 12 frames, however fast the machine draws them, and nobody sleeps through it; waits
timed on the wall clock (a 3 s press) are at least as long on Kivy's.

Drawing can be switched off (:func:`draw_frames`): every frame still runs the clock, input,
layout and text rendering, but the window is not rasterized. Offscreen, Mesa's llvmpipe
rasterizes on the CPU, and drawing was ~90% of a UI test's CPU time (issue 13, item 5).
The tests switch it off; ``kiosk selftest``, screenshots (:func:`screenshot`) and the
benchmarks draw.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
import time

#: Seconds of Kivy clock time each pumped frame lasts at least (60 frames a second).
FRAME_S = 1 / 60
_draw = True
_frame_clock = None


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


class _FrameClock:
    """Kivy's clock (``Clock.time``) as the wall clock plus an offset that :meth:`next_frame`
    grows so that frames are at least ``FRAME_S`` apart; it never runs slower than the wall."""

    def __init__(self, clock):
        self.clock = clock
        self.wall = clock.time  # the wall clock Kivy read so far (monotonic seconds)
        self.offset = 0.0
        clock.time = self.time
        clock._max_fps = 0  # frames are paced by the caller, never by sleeping in Kivy

    def time(self) -> float:
        return self.wall() + self.offset

    def next_frame(self) -> None:
        short = self.clock.get_time() + FRAME_S - self.time()
        if short > 0:
            self.offset += short


def _use_frame_clock() -> None:
    global _frame_clock
    if _frame_clock is None:
        from kivy.clock import Clock
        _frame_clock = _FrameClock(Clock)


def draw_frames(on: bool) -> None:
    """Rasterize the window in each frame (True, the default) or not (False): layout, text
    textures, clock and input run either way. Takes effect from the next frame."""
    global _draw
    _draw = bool(on)


@contextlib.contextmanager
def drawing():
    """Frames pumped inside the block are drawn, whatever :func:`draw_frames` says."""
    global _draw
    before, _draw = _draw, True
    try:
        yield
    finally:
        _draw = before


def pump(frames=1) -> None:
    """Step ``frames`` frames synchronously: Kivy's clock moves on by at least ``FRAME_S``
    each (:class:`_FrameClock`, once :func:`start_app` ran); the window is drawn when
    :func:`draw_frames` says so."""
    from kivy.base import EventLoop
    window = EventLoop.window
    for _ in range(frames):
        if _frame_clock is not None:
            _frame_clock.next_frame()
        if _draw or window is None:
            EventLoop.idle()
            continue
        # EventLoop.idle() without the draw: a handler returning True stops the window's
        # default on_draw / on_flip (Kivy's event dispatch)
        window.fbind("on_draw", _skip)
        window.fbind("on_flip", _skip)
        try:
            EventLoop.idle()
        finally:
            window.funbind("on_draw", _skip)
            window.funbind("on_flip", _skip)


def _skip(*_args):
    return True


def pump_until(cond, timeout=5.0, poll_s=0.002) -> None:
    """Step frames until ``cond()`` is true; TimeoutError after ``timeout`` seconds (wall
    clock). Between frames it sleeps ``poll_s`` so worker threads get the CPU."""
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise TimeoutError(f"condition not met in {timeout} s")
        pump()
        time.sleep(poll_s)


def screenshot(path) -> str:
    """Draw the current screen and save it as a PNG at ``path``; returns that path."""
    from pathlib import Path
    from kivy.core.window import Window
    with drawing():
        pump(2)
        written = Window.screenshot(str(path))
    if written is None:
        raise OSError(f"no screenshot was written for {path}")
    Path(written).replace(path)
    return str(path)


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
    while sm.transition.is_active:  # driven by Kivy's clock: frames, no sleeping
        if time.monotonic() > end:
            raise TimeoutError(f"screen {sm.current} still sliding in after {timeout} s")
        pump()
    left = sm.settle_s()
    while left > 0 and isinstance(sm.clock, StepClock):
        # at least a microsecond: a remainder below the float's step at this clock reading
        # (1e-13 s at 1,000 s) would not move it, and the guard would swallow the tap
        sm.clock.advance(max(left, 1e-6))
        left = sm.settle_s()
    if left > 0:
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
    """Press on ``widget`` for ``seconds`` of Kivy's clock (frames keep running), then
    lift; with the frame clock that takes ``seconds`` x 60 frames, not wall time."""
    pump(2)  # let a screen change land before the finger does
    settle(widget)
    from kivy.clock import Clock
    touch = finger(*widget.to_window(*widget.center))
    touch.down()
    end = Clock.get_time() + seconds  # Kivy's clock (last frame), which times a long press
    while Clock.get_time() < end:
        pump()
        if _frame_clock is None:
            time.sleep(FRAME_S)
    touch.up()
    pump(2)


def start_app(app):
    """Prepare and show ``app`` embedded (no main loop); returns it."""
    from kivy.base import runTouchApp
    _use_frame_clock()
    app._run_prepare()
    runTouchApp(embedded=True)
    pump(3)
    return app


def stop_app(app) -> None:
    from kivy.clock import Clock
    app.stop()
    for ev in Clock.get_events():
        ev.cancel()
