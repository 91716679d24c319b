"""Feedback while a campaign is tested: forms and their responses, tasks, and the bug
reports, ideas and praise testers file, with their triage history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lab.accounts.models import User
from lab.campaigns.models import (
    LONG_TEXT,
    MULTIPLE,
    NPS,
    NUMBER,
    RATING,
    SHORT_TEXT,
    SINGLE,
    YES_NO,
    Campaign,
)
from lab.core.models import CreatedMixin, TimestampMixin
from lab.extensions import db

# Form question kinds: the screening kinds plus two scales
FORM_QUESTION_KINDS = (RATING, NPS, SINGLE, MULTIPLE, SHORT_TEXT, LONG_TEXT, YES_NO, NUMBER)

# Report kinds and bug severities (most severe first)
BUG, IDEA, PRAISE = "bug", "idea", "praise"
REPORT_KINDS = (BUG, IDEA, PRAISE)
CRITICAL, MAJOR, MINOR, COSMETIC = "critical", "major", "minor", "cosmetic"
SEVERITIES = (CRITICAL, MAJOR, MINOR, COSMETIC)

# Report statuses
NEW, ACKNOWLEDGED, FORWARDED, FIXED, WONT_FIX, DUPLICATE, INVALID = (
    "new", "acknowledged", "forwarded", "fixed", "wont_fix", "duplicate", "invalid")
REPORT_STATUSES = (NEW, ACKNOWLEDGED, FORWARDED, FIXED, WONT_FIX, DUPLICATE, INVALID)
OPEN_REPORT_STATUSES = (NEW, ACKNOWLEDGED, FORWARDED)

# Attachment kinds
IMAGE, VIDEO, LOG = "image", "video", "log"


class FeedbackForm(db.Model, TimestampMixin):
    __tablename__ = "feedback_form"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    intro: Mapped[str | None] = mapped_column(Text)
    opens_at: Mapped[datetime]
    due_at: Mapped[datetime]

    # usually in the session already: a lazy load by primary key costs no query then
    campaign: Mapped[Campaign] = relationship()
    questions: Mapped[list[FormQuestion]] = relationship(
        back_populates="form", order_by="FormQuestion.position, FormQuestion.id",
        cascade="all, delete-orphan", lazy="selectin")

    __table_args__ = (CheckConstraint("due_at > opens_at", name="feedback_form_window"),)

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now < self.due_at


class FormQuestion(db.Model):
    __tablename__ = "feedback_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_form.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(12))
    label: Mapped[str] = mapped_column(String(300))
    help_text: Mapped[str | None] = mapped_column(String(300))
    required: Mapped[bool] = mapped_column(default=True)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)

    form: Mapped[FeedbackForm] = relationship(back_populates="questions")


class FormResponse(db.Model, TimestampMixin):
    """One tester's answers to one form: a draft until submitted, editable until due."""

    __tablename__ = "feedback_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("feedback_form.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                           index=True)
    # {"<question id>": {"label", "kind", "value"}} as in screening answers
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime | None]

    member: Mapped[User] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (
        UniqueConstraint("form_id", "member_id", name="uq_feedback_response_member"),
        db.Index("ix_feedback_response_form_submitted", "form_id", "submitted_at"),
    )


class Task(db.Model, TimestampMixin):
    __tablename__ = "test_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[datetime]
    # a task with a form is done when the form is submitted
    form_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_form.id", ondelete="SET NULL"))

    form: Mapped[FeedbackForm | None] = relationship()  # mostly in the session already


class TaskDone(db.Model, CreatedMixin):
    """A tester ticked off a task that has no form."""

    __tablename__ = "test_task_done"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("test_task.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                           index=True)

    __table_args__ = (UniqueConstraint("task_id", "member_id", name="uq_task_done_member"),)


class Report(db.Model, TimestampMixin):
    """A bug report, idea or praise filed by a tester."""

    __tablename__ = "feedback_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                           index=True)
    kind: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(160))
    severity: Mapped[str | None] = mapped_column(String(10))
    steps: Mapped[str | None] = mapped_column(Text)
    expected: Mapped[str | None] = mapped_column(Text)
    actual: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    device: Mapped[str | None] = mapped_column(String(120))
    version: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(12), default=NEW)
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_report.id", ondelete="SET NULL"))
    # kept by one conditional UPDATE per "me too", so parallel clicks never lose a count
    me_too_count: Mapped[int] = mapped_column(default=0, server_default="0")

    # usually in the session already: a lazy load by primary key costs no query then
    campaign: Mapped[Campaign] = relationship()
    member: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    duplicate_of: Mapped[Report | None] = relationship(remote_side=[id])
    attachments: Mapped[list[ReportAttachment]] = relationship(
        order_by="ReportAttachment.id", cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("(kind = 'bug' AND severity IS NOT NULL) "
                        "OR (kind <> 'bug' AND severity IS NULL)",
                        name="feedback_report_severity_for_bugs"),
        CheckConstraint("me_too_count >= 0", name="feedback_report_me_too_count"),
        db.Index("ix_feedback_report_campaign_status", "campaign_id", "status"),
        db.Index("ix_feedback_report_campaign_created", "campaign_id", "created_at"),
    )


class ReportMeToo(db.Model, CreatedMixin):
    __tablename__ = "feedback_report_me_too"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_report.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                           index=True)

    __table_args__ = (UniqueConstraint("report_id", "member_id", name="uq_report_me_too"),)


class ReportComment(db.Model, CreatedMixin):
    """The thread between the reporter and the staff."""

    __tablename__ = "feedback_report_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_report.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    from_staff: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(Text)

    author: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class ReportEvent(db.Model, CreatedMixin):
    """One step of a report's timeline: filed, status or severity changed, merged,
    commented."""

    __tablename__ = "feedback_report_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_report.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(20))
    old_value: Mapped[str | None] = mapped_column(String(20))
    new_value: Mapped[str | None] = mapped_column(String(20))
    other_report_id: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(Text)


class ReportAttachment(db.Model, CreatedMixin):
    """A file stored outside static/ (lab.feedback.attachments), served after a check."""

    __tablename__ = "feedback_report_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_report.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    stored_name: Mapped[str] = mapped_column(String(200))
    original_name: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int]
