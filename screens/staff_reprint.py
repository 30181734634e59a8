"""Today's failed slips and the last ticket, "Cetak ulang" each (layout: staff_reprint.kv)."""
from __future__ import annotations

from kivy.properties import ListProperty, StringProperty

from screens.parts import StaffScreen


class ReprintScreen(StaffScreen):
    """Today's failed slips (and the last ticket), one "Cetak ulang" button each."""

    rows = ListProperty([])
    message = StringProperty("")

    def on_rows(self, *_args):
        fill_reprint_list(self, self.ids.rows_box, self.rows)


def fill_reprint_list(screen, box, rows) -> None:
    """One row per ticket: its words and a "Cetak ulang" button (Kivy thread)."""
    from kivy.app import App
    from kivy.factory import Factory
    staff = App.get_running_app().staff
    box.clear_widgets()
    if not rows:
        box.add_widget(Factory.StaffText(text=screen.t("Tidak ada slip yang gagal dicetak "
                                                       "hari ini.")))
    for row in rows:
        line = Factory.StaffRow()
        line.ids.words.text = row.text
        line.ids.button.text = screen.t("Cetak ulang")
        line.ids.button.bind(on_release=lambda _b, r=row: staff.reprint(r.ticket_id))
        box.add_widget(line)
