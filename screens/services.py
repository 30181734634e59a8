"""Service list: one big button per enabled service, closed or full ones marked."""
from kivy.properties import BooleanProperty, ObjectProperty
from kivy.uix.screenmanager import Screen

from screens.widgets import ServiceButton


class ServicesScreen(Screen):
    """Filled by :meth:`show` from the journey's menu; a tap calls ``app.choose_service``."""

    journey = ObjectProperty(None, allownone=True)
    has_priority = BooleanProperty(False)  # the menu offers a priority lane
    priority = BooleanProperty(False)      # this resident chose it

    def show(self, journey, availability, describe):
        """Build the buttons.

        ``availability(service)`` -> kiosk.schedule.Availability;
        ``describe(service, availability)`` -> the note line (counter, closed, quota).
        """
        self.journey = journey
        self.has_priority = journey.menu.priority_queue() is not None
        self.priority = journey.priority
        grid = self.ids.grid
        grid.clear_widgets()
        for service in journey.menu.visible_services():
            avail = availability(service)
            button = ServiceButton(code=service.code, title=service.names.get(journey.language),
                                   queue=service.queue, note=describe(service, avail),
                                   available=avail.open)
            button.bind(on_release=self._chosen)
            grid.add_widget(button)

    def _chosen(self, button):
        from kivy.app import App
        App.get_running_app().choose_service(button.code)

    def toggle_priority(self):
        if self.journey is not None and self.has_priority:
            self.journey.priority = not self.journey.priority
            self.priority = self.journey.priority
