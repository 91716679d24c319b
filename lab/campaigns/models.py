"""The test lab's tables: products, campaigns, screening questions, applications and
their history, and the recorded draws."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lab.accounts.models import User
from lab.core.models import CreatedMixin, TimestampMixin
from lab.extensions import db

# Product categories
PRODUCT_CATEGORIES = ("smartphone", "router", "tv", "tablet", "wearable", "smart_home", "app",
                      "service", "other")

# Campaign states, in lifecycle order
DRAFT, IN_REVIEW, RECRUITING, SELECTION, TESTING, EVALUATION, CLOSED, CANCELLED = (
    "draft", "in_review", "recruiting", "selection", "testing", "evaluation", "closed",
    "cancelled")
CAMPAIGN_STATES = (DRAFT, IN_REVIEW, RECRUITING, SELECTION, TESTING, EVALUATION, CLOSED,
                   CANCELLED)
OPEN_STATES = (DRAFT, IN_REVIEW, RECRUITING, SELECTION, TESTING, EVALUATION)
PUBLIC_STATES = (RECRUITING, SELECTION, TESTING, EVALUATION, CLOSED)

# Device policies
RETURN, KEEP, OWN_DEVICE = "return", "keep", "own"
DEVICE_POLICIES = (RETURN, KEEP, OWN_DEVICE)

# Screening question kinds
SHORT_TEXT, LONG_TEXT, SINGLE, MULTIPLE, YES_NO, NUMBER = (
    "short_text", "long_text", "single", "multiple", "yes_no", "number")
QUESTION_KINDS = (SHORT_TEXT, LONG_TEXT, SINGLE, MULTIPLE, YES_NO, NUMBER)
CHOICE_KINDS = (SINGLE, MULTIPLE)
# two scales only feedback forms use (lab.feedback): kind -> allowed whole numbers
RATING, NPS = "rating", "nps"
SCALES = {RATING: range(1, 6), NPS: range(0, 11)}

# Application statuses
(STARTED, SUBMITTED, WITHDRAWN, WAITLISTED, SELECTED, CONFIRMED, DECLINED, NOT_SELECTED,
 COMPLETED, DROPPED) = ("started", "submitted", "withdrawn", "waitlisted", "selected",
                       "confirmed", "declined", "not_selected", "completed", "dropped")
APPLICATION_STATUSES = (STARTED, SUBMITTED, WITHDRAWN, WAITLISTED, SELECTED, CONFIRMED,
                        DECLINED, NOT_SELECTED, COMPLETED, DROPPED)
# statuses that hold one of the campaign's slots
SLOT_STATUSES = (SELECTED, CONFIRMED, COMPLETED)
# statuses still waiting for a decision
UNDECIDED_STATUSES = (SUBMITTED, WAITLISTED)
# statuses that count as a finished earlier test (for reliability and freshness)
TESTED_STATUSES = (COMPLETED, DROPPED)


class Product(db.Model, TimestampMixin):
    __tablename__ = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    maker: Mapped[str] = mapped_column(String(80))
    category: Mapped[str] = mapped_column(String(20), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    image: Mapped[str | None] = mapped_column(String(200))

    def __repr__(self) -> str:
        return f"<Product {self.maker} {self.name}>"


class Campaign(db.Model, TimestampMixin):
    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(160))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    summary: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    slots: Mapped[int]
    # Slots held by selected, confirmed and completed testers; changed only by a
    # conditional UPDATE, so it never passes ``slots`` (also a CHECK below).
    slots_taken: Mapped[int] = mapped_column(default=0, server_default="0")
    applications_open_at: Mapped[datetime]
    applications_close_at: Mapped[datetime]
    test_starts_at: Mapped[datetime]
    test_ends_at: Mapped[datetime]
    device_policy: Mapped[str] = mapped_column(String(10))
    # [{"rule": "owns_os", "values": [...]}, {"rule": "min_level", "value": "helper"}, ...]
    eligibility: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    terms: Mapped[str] = mapped_column(Text, default="")
    terms_version: Mapped[int] = mapped_column(default=1)
    completion_points: Mapped[int] = mapped_column(default=0)
    confirm_days: Mapped[int] = mapped_column(default=5)
    # testers see (and "me too") each other's reports; their own they always see
    reports_shared: Mapped[bool] = mapped_column(default=True, server_default=true())
    state: Mapped[str] = mapped_column(String(12), default=DRAFT, index=True)
    # Seed of the ranking's random tie-break, fixed when the campaign is created.
    ranking_seed: Mapped[str] = mapped_column(String(32))
    ranked_at: Mapped[datetime | None]

    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    last_edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    submitted_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    approved_at: Mapped[datetime | None]
    review_comment: Mapped[str | None] = mapped_column(Text)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # when the campaign was closed or cancelled (testers' addresses are purged from then on)
    ended_at: Mapped[datetime | None]

    product: Mapped[Product] = relationship(lazy="joined", innerjoin=True)
    questions: Mapped[list[CampaignQuestion]] = relationship(
        back_populates="campaign", order_by="CampaignQuestion.position, CampaignQuestion.id",
        cascade="all, delete-orphan", lazy="selectin")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])

    __table_args__ = (
        CheckConstraint("slots > 0", name="campaign_slots_positive"),
        CheckConstraint("slots_taken >= 0 AND slots_taken <= slots",
                        name="campaign_slots_taken_within_slots"),
        CheckConstraint("approved_by_id IS NULL OR submitted_by_id IS NULL "
                        "OR approved_by_id <> submitted_by_id",
                        name="campaign_four_eyes"),
        CheckConstraint("applications_close_at > applications_open_at",
                        name="campaign_application_window"),
        CheckConstraint("test_ends_at > test_starts_at", name="campaign_test_window"),
        db.Index("ix_campaign_listing", "state", "applications_close_at"),
    )

    @property
    def free_slots(self) -> int:
        return self.slots - self.slots_taken

    def accepts_applications(self, now: datetime) -> bool:
        """Open for applications: recruiting and inside the window (checked per request)."""
        return (self.state == RECRUITING
                and self.applications_open_at <= now < self.applications_close_at)

    def __repr__(self) -> str:
        return f"<Campaign {self.slug} {self.state}>"


class CampaignQuestion(db.Model):
    __tablename__ = "campaign_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(12))
    label: Mapped[str] = mapped_column(String(300))
    help_text: Mapped[str | None] = mapped_column(String(300))
    required: Mapped[bool] = mapped_column(default=True)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)

    campaign: Mapped[Campaign] = relationship(back_populates="questions")


class Application(db.Model, TimestampMixin):
    __tablename__ = "application"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12), default=STARTED)
    # {"<question id>": answer}; answers keep the question's label so a later edit of the
    # question does not change what the applicant saw
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    terms_version: Mapped[int | None]
    terms_accepted_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]

    # The ranking, stored when staff rank the applicants, so each row shows its parts
    eligible: Mapped[bool | None]
    unmet_rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    helpfulness: Mapped[float | None]
    reliability: Mapped[float | None]
    freshness: Mapped[float | None]
    tie_break: Mapped[float | None]
    score: Mapped[float | None]
    rank: Mapped[int | None]
    reputation_12m: Mapped[int | None]

    waitlist_position: Mapped[int | None]
    # why the member was not selected: not_eligible, ranking, draw, staff
    outcome_reason: Mapped[str | None] = mapped_column(String(20))
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    offered_at: Mapped[datetime | None]
    confirm_by: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # set by the feedback domain; None counts as on time for a completed test
    feedback_on_time: Mapped[bool | None]

    campaign: Mapped[Campaign] = relationship(lazy="joined", innerjoin=True)
    member: Mapped[User] = relationship(foreign_keys=[member_id], lazy="joined",
                                        innerjoin=True)

    __table_args__ = (
        UniqueConstraint("campaign_id", "member_id", name="uq_application_member"),
        db.Index("ix_application_campaign_status", "campaign_id", "status"),
        db.Index("ix_application_campaign_rank", "campaign_id", "rank"),
        db.Index("ix_application_campaign_waitlist", "campaign_id", "waitlist_position"),
        db.Index("ix_application_member_status", "member_id", "status", "finished_at"),
    )


class ApplicationEvent(db.Model, CreatedMixin):
    """One step of an application's history: the status it reached, who did it, why."""

    __tablename__ = "application_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str | None] = mapped_column(Text)


class Draw(db.Model, CreatedMixin):
    """A recorded lottery: the seed and the applications it ran on give its result again."""

    __tablename__ = "campaign_draw"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    seed: Mapped[str] = mapped_column(String(32))
    slots: Mapped[int]
    entrants: Mapped[list[int]] = mapped_column(JSON)  # application ids, ascending
    order: Mapped[list[int]] = mapped_column(JSON)  # the drawn order of those ids
    run_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    run_by: Mapped[User] = relationship()

    @property
    def winners(self) -> list[int]:
        return self.order[:self.slots]
