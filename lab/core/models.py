"""Model helpers shared by the domains."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from lab.core.clock import utcnow


class CreatedMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class TimestampMixin(CreatedMixin):
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
