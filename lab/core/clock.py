"""One place that says what time it is, so tests can freeze it."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC, as Flask-Security stores its own timestamps; shown in Europe/Berlin."""
    return datetime.now(UTC).replace(tzinfo=None)
