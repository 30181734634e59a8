"""Touches act only where and when the resident meant them.

Double taps were the commonest slip on the real kiosk (issue 13): screens
switched on the first release with no transition, and the second tap of a
120-300 ms double tap landed on whatever sat under the finger on the next
screen ("Bahasa Indonesia" chose "Akta perkawinan"; "Ambil nomor antrian"
went on to "Selesai" before the number was seen). The rules here:

* :class:`LobbyScreens` slides each new screen in (``TRANSITION_S``) and
  ignores every touch that *begins* less than ``GUARD_S`` after a screen
  change, measured on its ``clock`` (seconds, monotonic). 350 ms covers
  the 120-300 ms double taps measured in issue 13 with a margin and is short
  enough that a resident reading the new screen never notices it.
* :class:`ScreenBound` (mixed into every button) acts on release only when
  the touch began on the screen that is still shown: a finger that was down
  while the screen changed does nothing on release.
* Binding steps (each health confirmation, the priority lane, taking a
  number) set ``repeat_s``: a repeat within that many seconds of the last
  accepted tap on the same widget is the second half of a double tap and is
  ignored, so a double tap confirms once instead of confirming and taking
  the confirmation back.
"""
from __future__ import annotations

import logging
import math
import time

from kivy.properties import NumericProperty
from kivy.uix.screenmanager import ScreenManager, SlideTransition

log = logging.getLogger(__name__)

#: Seconds after a screen change during which new touches are ignored.
GUARD_S = 0.35
#: Seconds the slide from one screen to the next takes (inside GUARD_S).
TRANSITION_S = 0.2
#: Seconds within which a second tap on a binding widget is a double tap.
REPEAT_S = 0.6
#: The resident's path, in order: forward slides left, backward slides right.
ORDER = {"welcome": 0, "services": 1, "rules": 2, "ticket": 3}


class LobbyScreens(ScreenManager):
    """The kiosk's ScreenManager: a short slide per change, and a touch guard after it.

    ``clock`` is a monotonic clock in seconds (``time.monotonic`` by default;
    tests and benchmarks pass one they move by hand). ``epoch`` counts screen
    changes; touches carry the epoch they began in (``touch.ud["screen_epoch"]``).
    """

    guard_s = NumericProperty(GUARD_S)

    def __init__(self, clock=time.monotonic, **kwargs):
        self.clock = clock
        self.epoch = 0
        self.shown_at = -math.inf
        kwargs.setdefault("transition", SlideTransition(duration=TRANSITION_S))
        super().__init__(**kwargs)

    def on_current(self, instance, value):
        before = self.current_screen
        if value is not None and before is not None and isinstance(self.transition,
                                                                   SlideTransition):
            forward = ORDER.get(value, 9) >= ORDER.get(before.name, 9)
            self.transition.direction = "left" if forward else "right"
        super().on_current(instance, value)
        if self.current_screen is not before:
            self.epoch += 1
            self.shown_at = self.clock()

    def settle_s(self) -> float:
        """Seconds (on ``clock``) until touches act again; 0 when they act now.
        A running transition counts as at least one frame more."""
        left = max(0.0, self.guard_s - (self.clock() - self.shown_at))
        return left if not self.transition.is_active else max(left, 1e-3)

    def on_touch_down(self, touch):
        if self.settle_s() > 0:
            log.debug("touch ignored: %s appeared %.0f ms ago", self.current,
                      (self.clock() - self.shown_at) * 1000)
            return True  # swallowed: nothing under the finger may act
        touch.ud["screen_epoch"] = self.epoch
        return super().on_touch_down(touch)


def manager_of(widget):
    """The :class:`LobbyScreens` holding ``widget``, or None."""
    while widget is not None and not isinstance(widget, LobbyScreens):
        if widget.parent is widget:  # the window is its own parent
            return None
        widget = widget.parent
    return widget


class ScreenBound:
    """Mixin placed before ``ButtonBehavior``: release acts only on the screen it began on,
    and (with ``repeat_s`` > 0) not as the second tap of a double tap."""

    repeat_s = NumericProperty(0)
    _accepted_at = -math.inf

    def _acts(self, touch) -> bool:
        sm = manager_of(self)
        if sm is None:
            return True
        if touch.ud.get("screen_epoch") != sm.epoch or sm.transition.is_active:
            return False
        if self.repeat_s > 0 and self.collide_point(*touch.pos):
            now = sm.clock()
            if now - self._accepted_at < self.repeat_s:
                return False
            self._accepted_at = now
        return True

    def on_touch_up(self, touch):
        if touch.grab_current is self and not self._acts(touch):
            touch.ungrab(self)
            self.state = "normal"
            log.debug("release ignored on %s (other screen or double tap)", self)
            return True
        return super().on_touch_up(touch)
