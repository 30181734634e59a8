"""Staff words: what a desk says back, in Bahasa Indonesia first.

A desk result carries :class:`Words`: the Indonesian message (the msgid of the ``staff``
gettext domain, :mod:`kiosk.i18n`) and its fields. ``str(words)`` is the Indonesian text;
``words.render(t)`` is the text in the staff member's language (``t`` a translator of the
``staff`` domain). Every message a desk may say is written as a ``words("...")`` call, so
the translation test finds them all.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Words:
    """One staff message: ``msgid`` (Indonesian, ``str.format`` fields) and its ``fields``
    as ``((name, value), ...)``."""

    msgid: str
    fields: tuple = ()

    def render(self, t) -> str:
        """The message through translator ``t`` (``t(msgid, **fields) -> str``)."""
        return t(self.msgid, **dict(self.fields))

    def __str__(self) -> str:
        return self.msgid.format(**dict(self.fields)) if self.fields else self.msgid


def words(msgid: str, **fields) -> Words:
    """``Words(msgid, fields)``; ``msgid`` must be a literal (the translation test reads it)."""
    return Words(msgid, tuple(sorted(fields.items())))
