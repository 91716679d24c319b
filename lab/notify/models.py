"""The e-mail outbox (sent by `flask lab send-mail`) and in-app notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lab.core.clock import utcnow
from lab.extensions import db

PENDING, SENT, FAILED = "pending", "sent", "failed"


class OutboxMail(db.Model):
    __tablename__ = "outbox_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(60))
    sender: Mapped[str] = mapped_column(String(255))
    recipient: Mapped[str] = mapped_column(String(255), index=True)
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    __table_args__ = (db.Index("ix_outbox_mail_due", "status", "next_attempt_at"),)


class Notification(db.Model):
    """An in-app message to one member; the text is rendered in the reader's language
    from ``kind`` and ``params`` (see lab.notify.services.KINDS)."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    __table_args__ = (
        db.Index("ix_notification_member", "member_id", "id"),
        db.Index("ix_notification_unread", "member_id", "read_at"),
    )


class SentReminder(db.Model):
    """A reminder that went out, by its key (e.g. ``closing:<application id>``), so a
    reminder run from cron every few minutes sends each one once."""

    __tablename__ = "sent_reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(150), unique=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class ResponseClock(db.Model):
    """How long something waits for its first staff response (a report, a question).

    Started when the item arrives, with the target for its kind and category (see
    lab.notify.clocks); stopped by the first staff response, or without one when the item
    needs none any more (withdrawn, hidden). ``escalate_at`` is when the admins are told.
    """

    __tablename__ = "response_clock"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int]
    category: Mapped[str | None] = mapped_column(String(20))
    target_minutes: Mapped[int]
    started_at: Mapped[datetime]
    due_at: Mapped[datetime]
    escalate_at: Mapped[datetime]
    responded_at: Mapped[datetime | None] = mapped_column(index=True)
    responder_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    stopped_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]

    __table_args__ = (
        db.UniqueConstraint("subject_kind", "subject_id", name="uq_response_clock_subject"),
        # the waiting items, by when they are due: the dashboard's and escalation's scan
        db.Index("ix_response_clock_waiting", "responded_at", "stopped_at", "due_at"),
    )
