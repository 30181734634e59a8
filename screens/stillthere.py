""""Masih di sana? / Still there?": a warning with a countdown before the idle reset.

A resident who stops touching the services or rules screen sees this notice
for the last :data:`WARN_S` seconds of ``[kiosk] idle_timeout_s`` (half of
it when the timeout is shorter); any touch closes it and keeps the journey.
The reset itself (back to welcome, selection cleared) is unchanged and
happens in :meth:`screens.app.LobbyApp._tick`. The countdown text is set,
and re-rendered, only when its number changes.
"""
from __future__ import annotations

import math

from kivy.properties import NumericProperty
from kivy.uix.modalview import ModalView

#: Seconds of warning before the idle reset.
WARN_S = 15.0


def warn_s(idle_timeout_s: float) -> float:
    """Seconds of warning for an idle timeout of ``idle_timeout_s`` seconds."""
    return min(WARN_S, idle_timeout_s / 2)


class StillThere(ModalView):
    """The notice; :meth:`update` shows, counts down or hides it from the idle time."""

    seconds_left = NumericProperty(0)

    def __init__(self, **kwargs):
        kwargs.setdefault("auto_dismiss", True)  # a touch anywhere closes it
        super().__init__(**kwargs)
        self.shown = False

    def update(self, active: bool, idle_s: float, timeout_s: float) -> None:
        """``active``: the resident is on a screen that resets when idle."""
        left = timeout_s - idle_s
        if not active or left <= 0 or left > warn_s(timeout_s):
            self.hide()
            return
        seconds = math.ceil(left)
        if seconds != self.seconds_left:
            self.seconds_left = seconds
        if not self.shown:
            self.shown = True
            self.open(animation=False)

    def hide(self) -> None:
        if self.shown:
            self.dismiss(animation=False)

    def on_dismiss(self):
        self.shown = False
