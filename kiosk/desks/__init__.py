"""What a person can do at the kiosk, as plain methods: the staff and admin desks.

No Kivy here. :class:`StaffDesk` (test print, reprint, paper replaced, out of service, sync
now, reset, alerts, new office day, exit, PIN login) and :class:`AdminDesk` (menu draft,
preview, install, import, export, history, restore, sample slip) are built from the
running parts (:class:`lobby.runtime.KioskRuntime`); each action does the work, writes its
own audit line and returns a frozen value. The staff and admin screens and the ``kiosk``
command call them; the resident's desk is :class:`kiosk.checkin.CheckinDesk`.
"""
from .admin import AdminDesk
from .staff import StaffDesk
from .words import Words, words

__all__ = ["AdminDesk", "StaffDesk", "Words", "words"]
