"""Replaced menu versions and "Kembalikan" (layout: admin_history.kv)."""
from __future__ import annotations

from kivy.factory import Factory

from screens.parts import AdminScreen


class HistoryScreen(AdminScreen):
    """Replaced menu versions, newest first, each with "Kembalikan"."""

    def fill(self, versions, admin) -> None:
        box = self.ids.rows_box
        box.clear_widgets()
        self.version_rows = []
        if not versions:
            box.add_widget(Factory.StaffText(text="Belum ada versi sebelumnya."))
        for v in versions:  # kiosk.desks.admin.Version
            row = Factory.StaffRow()
            row.ids.words.text = f"Versi {v.version}\ndiganti {v.saved_at}"
            row.ids.button.text = "Kembalikan"
            row.ids.button.bind(on_release=lambda _b, p=v.path: admin.restore(p))
            self.version_rows.append(row)
            box.add_widget(row)
