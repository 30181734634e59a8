"""The staff home: printer, paper, counts, sync, actions (layout: staff_home.kv).

Its text properties come from :func:`kiosk.desks.staffwords.describe`; the buttons call
``app.staff.<action>()`` (:class:`screens.staff.StaffMode`).
"""
from __future__ import annotations

from kivy.properties import BooleanProperty, ListProperty, StringProperty

from screens.parts import StaffScreen


class StaffHomeScreen(StaffScreen):
    """Filled by :meth:`StaffMode.refresh`; buttons call ``app.staff.<action>()``."""

    role = StringProperty("staff")
    alerts = StringProperty("")
    printer_text = StringProperty("")
    paper_text = StringProperty("")
    paper_warning = StringProperty("")
    counts_text = StringProperty("")
    sync_text = StringProperty("")
    has_sync = BooleanProperty(False)
    out_of_service = BooleanProperty(False)
    new_day_offered = BooleanProperty(False)
    failed = ListProperty([])  # kiosk.models.Ticket: today's failed prints
    last_number = StringProperty("")
    message = StringProperty("")
    busy = BooleanProperty(False)
