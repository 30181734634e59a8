"""Welcome: the office, a greeting in both languages, and the language choice.

A long press (3 s) on the office name opens the staff PIN pad: a hidden
gesture residents do not stumble on.
"""
from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen

STAFF_PRESS_S = 3.0


class StaffCorner(Label):
    """The office name; held for STAFF_PRESS_S seconds it fires ``on_staff``."""

    hold_s = NumericProperty(STAFF_PRESS_S)
    __events__ = ("on_staff",)

    def on_touch_down(self, touch):
        if self.collide_point(*touch.pos):
            touch.ud["staff_ev"] = Clock.schedule_once(lambda dt: self.dispatch("on_staff"),
                                                       self.hold_s)
        return super().on_touch_down(touch)

    def on_touch_up(self, touch):
        ev = touch.ud.pop("staff_ev", None)
        if ev is not None:
            ev.cancel()
        return super().on_touch_up(touch)

    def on_staff(self):
        pass


OUT_OF_SERVICE = ("Maaf, kiosk sedang tidak melayani.\nSilakan menuju meja informasi.\n"
                  "Sorry, this kiosk is out of service. Please go to the information desk.")


class WelcomeScreen(Screen):
    """Language buttons call ``app.start_journey(lang)``.

    Out of service (staff mode) or the office closed (menu hours): the language
    buttons give way to a notice and no journey can start.
    """

    notice = StringProperty("")
    closed = BooleanProperty(False)
    out_of_service = BooleanProperty(False)
    office_closed_text = StringProperty("")  # "" while the office is open

    def set_out_of_service(self, on: bool) -> None:
        self.out_of_service = on
        self._update()

    def set_office_closed(self, text: str) -> None:
        """``text``: the bilingual closed notice with the next opening, or "" when open."""
        if text != self.office_closed_text:
            self.office_closed_text = text
            self._update()

    def _update(self) -> None:
        self.closed = self.out_of_service or bool(self.office_closed_text)
        self.notice = OUT_OF_SERVICE if self.out_of_service else self.office_closed_text
