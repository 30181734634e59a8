"""Widgets shared by the staff and admin screens (their rules: parts.kv).

:class:`StaffScreen` (the staff screens' base: translations in the ``staff`` domain),
:class:`AdminScreen` (the menu editor screens' base: message, problems, keyboard),
the on-screen keyboard and the weekly hours rows. The kiosk has no physical keyboard: every :class:`AdminInput` types through
the big-key :class:`OnScreenKeyboard` of its screen. The keyboard takes its
place in the screen's layout (it never floats over the form), and the form
scrolls so the field being edited stays visible above it. Behaviour lives in
:class:`screens.admin.AdminMode`; these classes only fill and read widgets.
Indonesian only (admin screens are for office IT / the head of office).
"""
from __future__ import annotations

from kivy.factory import Factory
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen
from kivy.uix.scrollview import ScrollView
from kivy.uix.textinput import TextInput

from kiosk.desks.draft import DAY_NAMES
from kiosk.i18n import translator
from kiosk.menu import WEEKDAYS

#: letter rows of the keyboard; the last row holds the control keys
KEY_ROWS = ("1234567890-", "qwertyuiop/", "asdfghjkl:.", "zxcvbnm,()'")


class StaffScreen(Screen):
    """Base of the staff screens: ``t('...', root.lang)`` translates in the staff domain."""

    lang = StringProperty("id")

    def t(self, message: str, lang: str | None = None, **kwargs) -> str:
        return translator(lang or self.lang, "staff")(message, **kwargs)


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
                ("space", "spasi", lambda: self.type(" "), 1.8),
                ("backspace", "Hapus", self.backspace, 1.4),
                ("clear", "Kosongkan", self.clear, 1.9),
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
        """Scroll the form so the field being typed stays above the keyboard: now, and
        again next frame, once the layout has taken in the keyboard (and, on a short
        panel, the header it hides)."""
        from kivy.clock import Clock
        self._reveal_now()
        Clock.schedule_once(self._reveal_now, 0)

    def _reveal_now(self, *_args):
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
