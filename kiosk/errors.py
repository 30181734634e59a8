"""The kiosk's flat error family.

Each class is one line; context travels in attributes, the message is written
for the person who can act on it (staff, admin, installer).
"""


class KioskError(Exception):
    """Base of every error the kiosk raises on purpose."""


class ConfigError(KioskError):
    """kiosk.ini is missing, malformed or has a bad value (message names file, key, fix)."""

    def __init__(self, message, *, path=None, section=None, key=None):
        super().__init__(message)
        self.path, self.section, self.key = path, section, key


class MenuError(KioskError):
    """A service menu failed validation (message names the service and the field)."""

    def __init__(self, message, *, path=None, problems=()):
        super().__init__(message)
        self.path, self.problems = path, tuple(problems)


class StoreError(KioskError):
    """The ticket store could not read or durably write its files."""


class CheckinError(KioskError):
    """A check-in was refused (service closed, quota reached, rules not confirmed)."""

    def __init__(self, message, *, reason="error"):
        super().__init__(message)
        self.reason = reason


class PrinterError(KioskError):
    """The printer could not be opened, written to, or answered wrongly."""

    def __init__(self, message, *, kind="error"):
        super().__init__(message)
        self.kind = kind


class SyncError(KioskError):
    """An exchange with the office server failed (transport, status, or payload)."""

    def __init__(self, message, *, kind="error", retry_after_s=None, status=None):
        super().__init__(message)
        self.kind, self.retry_after_s, self.status = kind, retry_after_s, status
