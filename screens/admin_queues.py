"""The queues' counters and names and the office hours (layout: admin_queues.kv)."""
from __future__ import annotations

from kivy.factory import Factory

from screens.parts import AdminScreen


class QueuesScreen(AdminScreen):
    """Counter and names of each queue, and the office hours; ``rows[prefix]``."""

    def load(self, queues: list[dict], office: dict) -> None:
        box = self.ids.queues_box
        box.clear_widgets()
        self.rows = {}
        for q in queues:
            row = Factory.AdminQueueRow()
            row.prefix = q["prefix"]
            for key in ("counter", "name_id", "name_en"):
                row.ids[key].text = q[key]
            self.rows[q["prefix"]] = row
            box.add_widget(row)
        self.ids.hours.load(office)
        self.say()

    def read(self) -> tuple[list[dict], dict]:
        rows = [{"prefix": p, **{k: r.ids[k].text for k in ("counter", "name_id", "name_en")}}
                for p, r in self.rows.items()]
        return rows, self.ids.hours.read()
