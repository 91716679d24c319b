"""Rewards: the points ledger and its per-period totals, badges, catalog, redemptions, awards."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lab.core.audit import register_append_only
from lab.core.clock import utcnow
from lab.core.models import CreatedMixin, TimestampMixin
from lab.extensions import db


@register_append_only
class LedgerEntry(db.Model):
    """One change of a member's points; never updated or deleted (ORM guard and triggers).

    ``amount`` changes the spendable balance, ``reputation_delta`` the lifetime reputation:
    earning moves both, spending and refunds only the balance, a reversal takes back what
    the reversed entry gave (see services.reverse).
    """

    __tablename__ = "ledger_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    amount: Mapped[int]
    reputation_delta: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str] = mapped_column(String(40))
    source_kind: Mapped[str | None] = mapped_column(String(30))
    source_id: Mapped[str | None] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entry.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member = relationship("User", foreign_keys=[member_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])

    __table_args__ = (
        # a reversal of an entry whose points were already spent may take nothing back
        CheckConstraint("amount <> 0 OR reputation_delta <> 0 OR reverses_id IS NOT NULL",
                        name="changes_something"),
        db.Index("ix_ledger_entry_member", "member_id", "id"),
        db.Index("ix_ledger_entry_member_time", "member_id", "created_at"),
        db.Index("ix_ledger_entry_member_reason", "member_id", "reason", "created_at"),
        db.Index("ix_ledger_entry_source", "source_kind", "source_id"),
    )


class LeaderboardTotal(db.Model):
    """Reputation earned per member and period ("m2026-11" or "d2026-11-22"), kept up to
    date as entries are written, so rankings never sum the ledger."""

    __tablename__ = "leaderboard_total"

    period: Mapped[str] = mapped_column(String(11), primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    points: Mapped[int] = mapped_column(default=0)

    member = relationship("User")

    __table_args__ = (db.Index("ix_leaderboard_total_rank", "period", "points", "member_id"),)


class BadgeGrant(db.Model):
    """A member holds a badge (code from lab.rewards.badges) unless the grant is revoked."""

    __tablename__ = "badge_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    badge: Mapped[str] = mapped_column(String(40))
    member_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    revoke_reason: Mapped[str | None] = mapped_column(Text)

    member = relationship("User", foreign_keys=[member_id])

    __table_args__ = (
        UniqueConstraint("badge", "member_id", name="one_grant_per_badge"),
        db.Index("ix_badge_grant_holders", "badge", "revoked_at", "granted_at"),
        db.Index("ix_badge_grant_member", "member_id"),
    )

    @property
    def active(self) -> bool:
        return self.revoked_at is None


# reward kinds
DEVICE, TICKET, MERCHANDISE, DONATION = "device", "ticket", "merchandise", "donation"
REWARD_KINDS = (DEVICE, TICKET, MERCHANDISE, DONATION)


class Reward(db.Model, TimestampMixin):
    __tablename__ = "reward"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    image: Mapped[str | None] = mapped_column(String(80))
    cost: Mapped[int]
    # None: unlimited. Decremented with a conditional UPDATE when redeemed.
    stock: Mapped[int | None]
    per_member_limit: Mapped[int | None]
    min_level: Mapped[str] = mapped_column(String(20), default="newcomer")
    available_from: Mapped[datetime | None]
    available_until: Mapped[datetime | None]
    needs_address: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (
        CheckConstraint("cost >= 0", name="cost_not_negative"),
        CheckConstraint("stock IS NULL OR stock >= 0", name="stock_not_negative"),
        db.Index("ix_reward_catalog", "active", "cost"),
    )

    def is_available(self, now: datetime) -> bool:
        return (self.active
                and (self.available_from is None or self.available_from <= now)
                and (self.available_until is None or now < self.available_until))

    def in_stock(self) -> bool:
        return self.stock is None or self.stock > 0


# redemption states
REQUESTED, APPROVED, FULFILLED, CANCELLED, REJECTED = (
    "requested", "approved", "fulfilled", "cancelled", "rejected")
OPEN_REDEMPTION_STATES = (REQUESTED, APPROVED)
REDEMPTION_STATES = (REQUESTED, APPROVED, FULFILLED, CANCELLED, REJECTED)


class Redemption(db.Model, TimestampMixin):
    __tablename__ = "redemption"

    id: Mapped[int] = mapped_column(primary_key=True)
    reward_id: Mapped[int] = mapped_column(ForeignKey("reward.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    cost: Mapped[int]
    state: Mapped[str] = mapped_column(String(12), default=REQUESTED)
    # one per submitted form: a form sent twice finds the redemption it made the first time
    request_key: Mapped[str] = mapped_column(String(64), unique=True)
    fulfilment_code: Mapped[str | None] = mapped_column(String(120))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    award_id: Mapped[int | None] = mapped_column(ForeignKey("award.id"))

    reward: Mapped[Reward] = relationship(lazy="joined")
    member = relationship("User", foreign_keys=[member_id], lazy="joined")

    __table_args__ = (
        db.Index("ix_redemption_member", "member_id", "reward_id", "state"),
        db.Index("ix_redemption_queue", "state", "created_at"),
    )

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_REDEMPTION_STATES

    @property
    def cancellable(self) -> bool:
        """The member may take it back until staff approve it (awards start approved)."""
        return self.state == REQUESTED


# award kinds and states
AWARD_POINTS, AWARD_BADGE, AWARD_REWARD = "points", "badge", "reward"
AWARD_KINDS = (AWARD_POINTS, AWARD_BADGE, AWARD_REWARD)
# a test device the tester keeps: proposed by the logistics domain, never by hand
AWARD_DEVICE = "device"
PROPOSED, AWARD_APPROVED, AWARD_REJECTED = "proposed", "approved", "rejected"


class Award(db.Model, CreatedMixin):
    """A manual incentive; big ones and devices wait for a second admin (four eyes)."""

    __tablename__ = "award"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(10))
    points: Mapped[int | None]
    badge: Mapped[str | None] = mapped_column(String(40))
    reward_id: Mapped[int | None] = mapped_column(ForeignKey("reward.id"))
    reason: Mapped[str] = mapped_column(Text)
    # what the award is for, when another domain proposes it (e.g. a logistics device)
    source_kind: Mapped[str | None] = mapped_column(String(30))
    source_id: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(10), default=PROPOSED)
    needs_approval: Mapped[bool] = mapped_column(default=False)
    request_key: Mapped[str] = mapped_column(String(64), unique=True)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)

    member = relationship("User", foreign_keys=[member_id], lazy="joined")
    proposed_by = relationship("User", foreign_keys=[proposed_by_id], lazy="joined")
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    reward: Mapped[Reward | None] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint("points IS NULL OR points > 0", name="points_positive"),
        CheckConstraint("decided_by_id IS NULL OR decided_by_id <> proposed_by_id",
                        name="four_eyes"),
        db.Index("ix_award_queue", "state", "created_at"),
        db.Index("ix_award_member", "member_id"),
    )

    def can_decide(self, user) -> bool:
        """Four eyes: neither the proposer nor the receiver decides on an open award."""
        return self.state == PROPOSED and user.id not in (self.proposed_by_id, self.member_id)
