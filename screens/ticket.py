"""The ticket: the big number, service, counter, people ahead, documents, print status."""
from kivy.properties import NumericProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen


class TicketScreen(Screen):
    """Shown after the ticket is durable; returns to welcome after ``seconds_left``."""

    result = ObjectProperty(None, allownone=True)
    number = StringProperty("")
    service_title = StringProperty("")
    counter = StringProperty("")
    ahead_text = StringProperty("")
    documents = StringProperty("")
    print_text = StringProperty("")
    print_state = StringProperty("pending")  # pending | printed | partly | failed
    seconds_left = NumericProperty(0)
