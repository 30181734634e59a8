"""The form of one service in the menu editor (layout: admin_service.kv)."""
from __future__ import annotations

from kivy.factory import Factory
from kivy.properties import BooleanProperty, StringProperty

from screens.parts import AdminScreen


class ServiceEditScreen(AdminScreen):
    """The form of one service; :meth:`load` fills it, :meth:`read` returns the form dict."""

    code = StringProperty("")
    queue = StringProperty("")
    queue_text = StringProperty("")
    own_hours = BooleanProperty(False)

    def load(self, form: dict, queues: list[dict]) -> None:
        self.busy = False  # a copy that failed on the worker left it set
        self._form, self._queues = form, {q["prefix"]: q for q in queues}
        ids = self.ids
        self.code = form["code"]
        for key in ("name_id", "name_en", "req_id", "req_en", "counter", "quota", "minutes"):
            ids[key].text = form[key]
        grid = ids.queue_choices
        grid.clear_widgets()
        self.queue_buttons = {}
        for q in queues:
            button = Factory.QueueChoice(text=q["prefix"])
            button.bind(on_release=lambda _b, p=q["prefix"]: self.choose_queue(p))
            self.queue_buttons[q["prefix"]] = button
            grid.add_widget(button)
        self.choose_queue(form["queue"])
        self.own_hours = form["own_hours"]
        ids.hours.load(form["hours"])
        self.say()

    def choose_queue(self, prefix: str) -> None:
        self.queue = prefix
        for p, button in self.queue_buttons.items():
            button.role = "primary" if p == prefix else "secondary"
        q = self._queues.get(prefix)
        self.queue_text = (f"Antrian {prefix}: {q['name_id']} ({q['counter']})" if q
                           else f"Antrian {prefix} tidak ada; pilih salah satu di atas.")
        self.ids.counter.hint_text = f"kosong = {q['counter']}" if q else ""

    def read(self) -> dict:
        ids = self.ids
        form = {key: ids[key].text for key in ("name_id", "name_en", "req_id", "req_en",
                                              "counter", "quota", "minutes")}
        form.update(code=self.code, queue=self.queue, own_hours=self.own_hours,
                    hours=ids.hours.read())
        return form
