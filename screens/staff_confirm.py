"""The second confirmation of an action that cannot be undone (layout: staff_confirm.kv)."""
from __future__ import annotations

from kivy.properties import StringProperty

from screens.parts import StaffScreen


class ConfirmScreen(StaffScreen):
    """A second confirmation for actions that cannot be undone."""

    title = StringProperty("")
    body = StringProperty("")
    confirm_text = StringProperty("")
