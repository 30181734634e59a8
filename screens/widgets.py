"""Shared widgets: big touch buttons and the status strip.

Sizes follow the kiosk rule that every touch target is at least 12 mm on the
real screen (kiosk.ini ``screen_dpi``); see :meth:`screens.app.LobbyApp.mm`.
"""
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.button import Button
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from screens.guard import REPEAT_S, ScreenBound


class BigButton(ScreenBound, Button):
    """A flat, high-contrast button with large text."""

    role = StringProperty("primary")  # primary | secondary | confirm | danger
    #: px; the least height (0: the resident target, ``app.target``). A button that must
    #: fill a row sets this, not ``height``: the class rule's height binding would win back
    #: whenever the text texture changes (two rules binding one property, Kivy's kv).
    min_height = NumericProperty(0)
    #: False: the text stays on one line and the button is as wide as it needs
    #: (``FitButton`` in parts.kv); True: the text wraps at the button's width
    wrap = BooleanProperty(True)
    #: True: 0 px high (a button shown only sometimes; disabled, it would still take the
    #: touches that land on it, Kivy's disabled widgets swallow them)
    collapsed = BooleanProperty(False)


class ServiceButton(ScreenBound, ButtonBehavior, BoxLayout):
    """One service on the service list: name, queue letter, availability line."""

    code = StringProperty("")
    title = StringProperty("")
    queue = StringProperty("")
    note = StringProperty("")
    available = BooleanProperty(True)
    fill_h = NumericProperty(0)  # px: the height that fills the screen's rows (ServicesScreen)


class RuleCard(ScreenBound, ButtonBehavior, BoxLayout):
    """One health rule; a tap confirms it, a later tap takes it back (a double tap is one
    tap: see :mod:`screens.guard`)."""

    repeat_s = NumericProperty(REPEAT_S)

    rule = StringProperty("")
    title = StringProperty("")
    detail = StringProperty("")
    confirmed = BooleanProperty(False)


class WrapLabel(Label):
    """A label that wraps to its width and grows in height to fit its text."""

    rgba = ListProperty([0.07, 0.07, 0.09, 1])
