"""The staff PIN pad (layout: staff_pin.kv); keys built from :data:`KEYPAD`."""
from __future__ import annotations

from kivy.app import App
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from screens.parts import StaffScreen
from screens.widgets import BigButton

#: the pad, row by row (three columns): the digits, then erase, 0 and OK
KEYPAD = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "erase", "0", "ok")
_ROLES = {"erase": "secondary", "ok": "confirm"}


class PinKey(BigButton):
    """One key of the PIN pad (layout: staff_pin.kv)."""


class PinScreen(StaffScreen):
    """Digit keys, masked dots; the digits never leave this object except to be verified.

    The keys are built from :data:`KEYPAD`; ``ids['key_5']``, ``ids.erase``, ``ids.ok``.
    """

    dots = StringProperty("")
    count = NumericProperty(0)
    message = StringProperty("")
    usable = BooleanProperty(True)  # False: no PIN set, locked, or checking
    entered = ""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for name in KEYPAD:
            key = PinKey(role=_ROLES.get(name, "primary"))
            key.bind(on_release=lambda _k, n=name: self.press(n))
            self.ids[name if name in _ROLES else "key_" + name] = key
            self.ids.keypad.add_widget(key)
        self.bind(usable=self._keys, count=self._keys, lang=self._keys)
        self._keys()

    def _keys(self, *_args) -> None:
        for name in KEYPAD:
            key = self.ids[name if name in _ROLES else "key_" + name]
            key.text = self.t("Hapus") if name == "erase" else "OK" if name == "ok" else name
            key.disabled = not self.usable or (name == "ok" and self.count < 4)

    def press(self, name: str) -> None:
        """A key of :data:`KEYPAD` was tapped."""
        if name == "erase":
            self.erase()
        elif name == "ok":
            App.get_running_app().staff.submit_pin()
        else:
            self.key(name)

    def key(self, digit: str) -> None:
        if self.usable and len(self.entered) < 8:
            self._set(self.entered + digit)

    def erase(self) -> None:
        self._set(self.entered[:-1])

    def clear(self) -> None:
        self._set("")

    def _set(self, entered: str) -> None:
        self.entered, self.count = entered, len(entered)
        self.dots = " ".join("\u2022" * self.count)
