"""The menu editor's list of the draft's services (layout: admin_menu.kv)."""
from __future__ import annotations

from kivy.factory import Factory
from kivy.properties import BooleanProperty, StringProperty
from kivy.utils import escape_markup

from kiosk.menu import counter_text
from screens.parts import AdminScreen


class MenuListScreen(AdminScreen):
    """The draft's services, one row each (on/off, up, down, edit); ``rows[code]``."""

    version_text = StringProperty("")
    dirty = BooleanProperty(False)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.rows = {}  # code -> row widget

    def fill(self, services: list[dict], queues: dict, admin) -> None:
        """Show ``services`` in order; rows are kept and updated, built only for new codes
        (a toggle or a move must not rebuild the list under the admin's finger)."""
        box = self.ids.rows_box
        for s in services:
            if s["code"] not in self.rows:
                self.rows[s["code"]] = self._row(s["code"], admin)
            self._update(self.rows[s["code"]], s, queues)
        wanted = [self.rows[s["code"]] for s in services]
        if list(reversed(box.children)) != wanted:
            box.clear_widgets()
            for row in wanted:
                box.add_widget(row)

    def _row(self, code: str, admin):
        row = Factory.AdminServiceRow()
        row.ids.toggle.bind(on_release=lambda _b: admin.toggle(code, not row.enabled))
        row.ids.up.bind(on_release=lambda _b: admin.move(code, -1))
        row.ids.down.bind(on_release=lambda _b: admin.move(code, 1))
        row.ids.edit.bind(on_release=lambda _b: admin.edit(code))
        return row

    @staticmethod
    def _update(row, s: dict, queues: dict) -> None:
        row.enabled = on = s.get("enabled", True)
        row.ids.toggle.text = "AKTIF" if on else "NONAKTIF"
        row.ids.toggle.role = "confirm" if on else "secondary"
        row.ids.words.text = service_line(s, queues)
        row.ids.words.color = (0.07, 0.07, 0.09, 1) if on else (0.35, 0.36, 0.39, 1)


def service_line(s: dict, queues: dict) -> str:
    """Two lines about a service for the list: name, then queue, counter, quota, hours."""
    names = s.get("names", {})
    queue = s.get("queue", "?")
    counter = counter_text(s.get("counter") or queues.get(queue, {}).get("counter"), "id")
    quota = s.get("daily_quota")
    facts = [f"{s.get('code')}", f"antrian {queue}", counter,
             f"kuota {quota}/hari" if quota is not None else "tanpa kuota",
             "jam sendiri" if s.get("hours") is not None else "jam kantor"]
    name = escape_markup(names.get("id") or "(nama Indonesia kosong)")
    return f"[b]{name}[/b]\n" + escape_markup("  |  ".join(f for f in facts if f))
