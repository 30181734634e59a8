"""Service list: one big button per enabled service, closed or full ones marked.

The 16 buttons are built once per menu (:meth:`ServicesScreen.prepare`, at start-up for
the menu in force) and reused: a new journey only sets each button's name in its
language and its availability line, and only where they changed. The grid takes as
many columns as fit at about :data:`CARD_MM` wide (two in portrait), and its
rows fill the screen's height when they fit, or scroll when they do not (a
7-inch panel).
"""
import math

from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty
from kivy.uix.screenmanager import Screen

from screens.sizes import px_per_mm
from screens.widgets import ServiceButton

#: The narrowest a service card may be, in millimetres on the panel.
CARD_MM = 50.0
MAX_COLS = 4


class ServicesScreen(Screen):
    """Filled by :meth:`show` from the journey's menu; a tap calls ``app.choose_service``."""

    journey = ObjectProperty(None, allownone=True)
    has_priority = BooleanProperty(False)  # the menu offers a priority lane
    priority = BooleanProperty(False)      # this resident chose it
    cols = NumericProperty(4)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._menu = None  # the menu the buttons in the grid were built for
        self._buttons = {}

    def prepare(self, menu, lang="id"):
        """Buttons for ``menu``'s visible services, named in ``lang``; built only when
        ``menu`` or its list of services is not the one they were built for. Returns the
        visible services."""
        services = menu.visible_services()
        if menu is not self._menu or [s.code for s in services] != list(self._buttons):
            self._build(services)
            self._menu = menu
        for service in services:
            button, title = self._buttons[service.code], service.names.get(lang)
            if button.title != title:
                button.title = title
        return services

    def show(self, journey, availability, describe):
        """Show the journey's services.

        ``availability(service)`` -> kiosk.schedule.Availability;
        ``describe(service, availability)`` -> the note line (counter, closed, quota).
        """
        self.journey = journey
        self.has_priority = journey.menu.priority_queue() is not None
        self.priority = journey.priority
        for service in self.prepare(journey.menu, journey.language):
            avail = availability(service)
            button = self._buttons[service.code]
            note = describe(service, avail)
            if button.note != note:
                button.note = note
            button.available = avail.open
        self.ids.scroller.scroll_y = 1
        self.arrange()

    def _build(self, services):
        grid = self.ids.grid
        grid.clear_widgets()
        self._buttons = {}
        for service in services:
            button = ServiceButton(code=service.code, queue=service.queue)
            button.bind(on_release=self._chosen)
            self._buttons[service.code] = button
            grid.add_widget(button)

    def arrange(self, *_args):
        """Columns from the panel's width in mm; rows stretched to fill the view when the
        cards' own heights leave room (no thin tiles over a blank half in portrait)."""
        from kivy.app import App
        app = App.get_running_app()
        if app is None:
            return
        width_mm = self.width / px_per_mm(app.kiosk_config.kiosk.screen_dpi)
        cols = max(1, min(MAX_COLS, int(width_mm // CARD_MM)))
        if app.portrait:
            cols = min(cols, 2)
        self.cols = cols
        n = len(self._buttons)
        rows = max(1, math.ceil(n / cols))
        grid, view = self.ids.grid, self.ids.scroller
        spare = view.height - grid.padding[1] - grid.padding[3] - grid.spacing[1] * (rows - 1)
        fill = spare / rows
        for button in self._buttons.values():
            button.fill_h = fill if fill > 0 else 0

    def _chosen(self, button):
        from kivy.app import App
        App.get_running_app().choose_service(button.code)

    def toggle_priority(self):
        if self.journey is not None and self.has_priority:
            self.journey.priority = not self.journey.priority
            self.priority = self.journey.priority
