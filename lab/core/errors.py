"""Domain errors: raised by services, turned into messages by views."""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken. ``field`` names the form field the message belongs beside."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
