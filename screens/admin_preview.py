"""The draft as residents would see it, and a sample slip (layout: admin_preview.kv)."""
from __future__ import annotations

from kivy.properties import ObjectProperty, StringProperty

from screens.parts import AdminScreen


class PreviewScreen(AdminScreen):
    """The draft as residents would see it (real ServiceButtons) and a sample slip."""

    slip_texture = ObjectProperty(None, allownone=True)
    title_text = StringProperty("")

    def show(self, services, texture) -> None:
        """``services``: ``[(Service, title, note, open), ...]``; ``texture``: the slip."""
        from screens.widgets import ServiceButton
        grid = self.ids.grid
        grid.clear_widgets()
        for service, title, note, available in services:
            grid.add_widget(ServiceButton(code=service.code, title=title, queue=service.queue,
                                          note=note, available=available, size_hint_y=None,
                                          height=grid.row_default_height))
        self.slip_texture = texture
