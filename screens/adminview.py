"""The admin's menu editor screens and the on-screen keyboard (layout in admin.kv).

The kiosk has no physical keyboard: every :class:`AdminInput` types through
the big-key :class:`OnScreenKeyboard` of its screen. The keyboard takes its
place in the screen's layout (it never floats over the form), and the form
scrolls so the field being edited stays visible above it. Behaviour lives in
:class:`screens.admin.AdminMode`; these classes only fill and read widgets.
Indonesian only (admin screens are for office IT / the head of office).
"""
from __future__ import annotations

from kivy.factory import Factory
from kivy.utils import escape_markup
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen
from kivy.uix.scrollview import ScrollView
from kivy.uix.textinput import TextInput

from kiosk.menu import WEEKDAYS, counter_text
from kiosk.desks.draft import DAY_NAMES

#: letter rows of the keyboard; the last row holds the control keys
KEY_ROWS = ("1234567890-", "qwertyuiop/", "asdfghjkl:.", "zxcvbnm,()'")


def ancestor(widget, cls):
    """The nearest parent of ``widget`` that is a ``cls``, or None (the Window is its own
    parent, so the walk stops there)."""
    node = widget.parent
    while node is not None and not isinstance(node, cls):
        node = None if node.parent is node else node.parent
    return node


class AdminInput(TextInput):
    """A text field typed with the on-screen keyboard (a USB keyboard works too).

    It keeps its focus while keys are tapped; focusing it shows its screen's keyboard.
    """

    def on_focus(self, _instance, focused):
        screen = ancestor(self, AdminScreen)
        if screen is not None:
            (screen.attach_keyboard if focused else screen.detach_keyboard)(self)


class OnScreenKeyboard(BoxLayout):
    """Big keys (>= 12 mm) that type into :attr:`target`; ``keys['a']`` for tests."""

    target = ObjectProperty(None, allownone=True)
    shown = BooleanProperty(False)
    upper = BooleanProperty(False)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.keys = {}
        for chars in KEY_ROWS:
            row = Factory.KeyRow()
            for ch in chars:
                key = Factory.KeyButton(text=ch)
                key.bind(on_release=lambda _b, c=ch: self.type(c))
                self.keys[ch] = key
                row.add_widget(key)
            self.add_widget(row)
        row = Factory.KeyRow()
        for name, text, action, weight in (
                ("shift", "Huruf besar", self.toggle_upper, 1.6),
                ("space", "spasi", lambda: self.type(" "), 3.2),
                ("backspace", "Hapus", self.backspace, 1.4),
                ("clear", "Kosongkan", self.clear, 1.6),
                ("enter", "Baris baru", lambda: self.type("\n"), 1.6),
                ("done", "Selesai mengetik", self.close, 2.2)):
            key = Factory.KeyButton(text=text, size_hint_x=weight,
                                    role="confirm" if name == "done" else "secondary")
            key.bind(on_release=lambda _b, a=action: a())
            self.keys[name] = key
            row.add_widget(key)
        self.add_widget(row)

    def on_touch_down(self, touch):
        # hidden, the keyboard is 0 px high but its keys still lie over the form: ignore
        return super().on_touch_down(touch) if self.shown else False

    def on_upper(self, *_args):
        for ch, key in self.keys.items():
            if len(ch) == 1 and ch.isalpha():
                key.text = ch.upper() if self.upper else ch

    def on_target(self, *_args):
        multiline = bool(self.target is not None and self.target.multiline)
        self.keys["enter"].disabled = not multiline

    def type(self, ch: str) -> None:
        if self.target is None:
            return
        if ch == "\n" and not self.target.multiline:
            return
        self.target.insert_text(ch.upper() if self.upper else ch)
        if self.upper and ch.isalpha():
            self.upper = False  # one capital, like a phone keyboard

    def toggle_upper(self):
        self.upper = not self.upper

    def backspace(self):
        if self.target is not None:
            self.target.do_backspace()

    def clear(self):
        if self.target is not None:
            self.target.text = ""

    def close(self):
        """Hide the keyboard and leave the field."""
        target, self.target = self.target, None
        self.shown = False
        if target is not None:
            target.focus = False


class AdminScreen(Screen):
    """Base: a message line, a problems list and (if the layout has one) a keyboard."""

    message = StringProperty("")
    problems = StringProperty("")
    busy = BooleanProperty(False)

    def say(self, message="", problems=()):
        self.message = message
        shown = list(problems)[:6]
        more = len(problems) - len(shown)
        self.problems = "\n".join("- " + p for p in shown) + (f"\n(+{more} lagi)" if more > 0
                                                              else "")

    # -- keyboard ------------------------------------------------------------
    @property
    def keyboard(self):
        return self.ids.get("keyboard")

    def attach_keyboard(self, field):
        kb = self.keyboard
        if kb is None:
            return
        if kb.target is not None and kb.target is not field:
            kb.target.focus = False
        kb.target, kb.shown = field, True
        self.reveal()

    def detach_keyboard(self, field):
        kb = self.keyboard
        if kb is not None and kb.target is field:
            kb.close()

    def reveal(self, *_args):
        """Scroll the form so the field being typed stays above the keyboard."""
        kb = self.keyboard
        field = kb.target if kb is not None else None
        scroll = ancestor(field, ScrollView) if field is not None else None
        if scroll is not None and scroll.height > 0:
            scroll.scroll_to(field, padding=12, animate=False)

    def on_leave(self, *_args):
        if self.keyboard is not None:
            self.keyboard.close()


class HoursRow(BoxLayout):
    """One weekday: opening and closing time, or "Libur" (closed all day)."""

    day = StringProperty("")
    label = StringProperty("")
    closed = BooleanProperty(False)
    windows = ListProperty([])  # the day's windows as loaded (kept when not edited)

    def load(self, day: str, row: dict) -> None:
        self.day, self.label = day, DAY_NAMES[day]
        self.ids.open.text, self.ids.close.text = row["open"], row["close"]
        self.closed, self.windows = row["closed"], list(row["windows"])

    def read(self) -> dict:
        return {"open": self.ids.open.text, "close": self.ids.close.text,
                "closed": self.closed, "windows": [tuple(w) for w in self.windows]}


class HoursBox(BoxLayout):
    """Seven :class:`HoursRow`; ``rows['mon']`` for tests. ``shown`` False folds it away."""

    shown = BooleanProperty(True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.rows = {}
        self.add_widget(Factory.HoursHeader())
        for day in WEEKDAYS:
            self.rows[day] = HoursRow()
            self.add_widget(self.rows[day])

    def on_touch_down(self, touch):
        return super().on_touch_down(touch) if self.shown else False  # folded: rows overlap

    def load(self, form: dict) -> None:
        for day, row in self.rows.items():
            row.load(day, form[day])

    def read(self) -> dict:
        return {day: row.read() for day, row in self.rows.items()}


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


class ServiceEditScreen(AdminScreen):
    """The form of one service; :meth:`load` fills it, :meth:`read` returns the form dict."""

    code = StringProperty("")
    queue = StringProperty("")
    queue_text = StringProperty("")
    own_hours = BooleanProperty(False)

    def load(self, form: dict, queues: list[dict]) -> None:
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


class FilesScreen(AdminScreen):
    """Import from / export to a USB stick: a path, the ``*.json`` files found, two actions."""

    def list_files(self, paths, admin) -> None:
        box = self.ids.files_box
        box.clear_widgets()
        self.file_rows = []
        for path in paths:
            row = Factory.StaffRow()
            row.ids.words.text = str(path)
            row.ids.button.text = "Pilih"
            row.ids.button.bind(on_release=lambda _b, p=str(path): admin.choose_file(p))
            self.file_rows.append(row)
            box.add_widget(row)


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
