"""Health rules: mask, handwashing, distance, each confirmed by its own tap."""
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen


class RulesScreen(Screen):
    """``all_confirmed`` enables the take-a-number button; ``busy`` while the ticket commits;
    ``closes``: the service's closing time (``"15:00"``) when the resident's turn is
    expected after it (a warning shows and the button says "Tetap ambil nomor"), else ""."""

    journey = ObjectProperty(None, allownone=True)
    service_title = StringProperty("")
    all_confirmed = BooleanProperty(False)
    busy = BooleanProperty(False)
    error = StringProperty("")
    closes = StringProperty("")

    def show(self, journey, service_title, closes=""):
        self.journey = journey
        self.service_title = service_title
        self.closes = closes
        self.busy = False
        self.error = ""
        for card in self.cards():
            card.confirmed = card.rule in journey.confirmed
        self._refresh()

    def cards(self):
        return [self.ids.mask, self.ids.handwash, self.ids.distance]

    def toggle(self, card):
        if self.busy or self.journey is None:
            return
        if card.confirmed:
            self.journey.confirmed.pop(card.rule, None)
            card.confirmed = False
        else:
            from kivy.app import App
            App.get_running_app().runtime.desk.confirm_rule(self.journey, card.rule)
            card.confirmed = True
        self._refresh()

    def _refresh(self):
        self.all_confirmed = bool(self.journey and self.journey.all_confirmed())
