"""One place that says what time it is, so tests (and the demo data) can set it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

_frozen: datetime | None = None


def utcnow() -> datetime:
    """Naive UTC, as Flask-Security stores its own timestamps; shown in Europe/Berlin."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC).replace(tzinfo=None)


@contextmanager
def frozen_at(moment: datetime) -> Iterator[datetime]:
    """Within the block, utcnow() returns ``moment`` (naive UTC)."""
    global _frozen
    before, _frozen = _frozen, moment
    try:
        yield moment
    finally:
        _frozen = before
