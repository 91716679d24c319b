"""How long a member's shipping address is kept, and `flask lab purge`.

An address is kept while it is needed: the member has a test device, holds a place in an
open campaign (selected or confirmed), or waits for a reward sent by post. Once none of
that holds, it is deleted ADDRESS_RETENTION_DAYS after the last end that concerns it: a
device returned, given away (or otherwise ended), or a campaign the member tested in
closed. Ends before the address was given do not count, so an address entered again for
a new test is not deleted at once for an old one. An address of a member who never
tested stays until the member deletes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from lab.accounts.models import ShippingAddress
from lab.accounts.services import ADDRESS_PURGED
from lab.campaigns.models import (
    COMPLETED,
    CONFIRMED,
    DROPPED,
    OPEN_STATES,
    SELECTED,
    Application,
    Campaign,
)
from lab.core import audit
from lab.core.clock import utcnow
from lab.extensions import db
from lab.logistics.models import Assignment
from lab.rewards.models import OPEN_REDEMPTION_STATES, Redemption, Reward

TESTED_STATUSES = (CONFIRMED, COMPLETED, DROPPED)
HOLDING_STATUSES = (SELECTED, CONFIRMED)
CHUNK = 1000


@dataclass(frozen=True)
class Retention:
    held: bool  # still needed: kept however long ago anything ended
    ended_at: datetime | None  # the last end that counts
    until: datetime | None  # deleted from then on (None: not scheduled)


def _days() -> timedelta:
    return timedelta(days=current_app.config["ADDRESS_RETENTION_DAYS"])


def _loan_ends(member_ids):
    return (select(Assignment.member_id, func.max(Assignment.ended_at))
            .join(ShippingAddress, ShippingAddress.user_id == Assignment.member_id)
            .where(Assignment.member_id.in_(member_ids),
                   Assignment.ended_at >= ShippingAddress.created_at)
            .group_by(Assignment.member_id))


def _campaign_ends(member_ids):
    return (select(Application.member_id, func.max(Campaign.ended_at))
            .join(Campaign, Campaign.id == Application.campaign_id)
            .join(ShippingAddress, ShippingAddress.user_id == Application.member_id)
            .where(Application.member_id.in_(member_ids),
                   _tested(),
                   Campaign.ended_at >= ShippingAddress.created_at)
            .group_by(Application.member_id))


def _tested():
    """Applications of a test the member took part in (also one given up mid-test)."""
    return Application.status.in_(TESTED_STATUSES) | Application.confirmed_at.is_not(None)


def _holders(member_ids) -> set[int]:
    loans = select(Assignment.member_id).where(Assignment.member_id.in_(member_ids),
                                               Assignment.ended_at.is_(None))
    places = (select(Application.member_id)
              .join(Campaign, Campaign.id == Application.campaign_id)
              .where(Application.member_id.in_(member_ids),
                     Application.status.in_(HOLDING_STATUSES),
                     Campaign.state.in_(OPEN_STATES)))
    parcels = (select(Redemption.member_id).join(Reward, Reward.id == Redemption.reward_id)
               .where(Redemption.member_id.in_(member_ids),
                      Redemption.state.in_(OPEN_REDEMPTION_STATES),
                      Reward.needs_address.is_(True)))
    return set(db.session.scalars(loans.union(places, parcels)))


def retention_of_many(member_ids) -> dict[int, Retention]:
    member_ids = list(member_ids)
    ends: dict[int, datetime] = {}
    for query in (_loan_ends(member_ids), _campaign_ends(member_ids)):
        for member_id, moment in db.session.execute(query):
            if moment is not None and (member_id not in ends or moment > ends[member_id]):
                ends[member_id] = moment
    held = _holders(member_ids)
    days = _days()
    return {member_id: Retention(
        held=member_id in held, ended_at=ends.get(member_id),
        until=ends[member_id] + days if member_id in ends and member_id not in held
        else None) for member_id in member_ids}


def retention_of(member_id: int) -> Retention:
    return retention_of_many([member_id])[member_id]


def _candidates(cutoff: datetime, after_id: int) -> list[int]:
    """Members with an address and an end that counts at or before the cutoff."""
    loan = select(Assignment.id).where(Assignment.member_id == ShippingAddress.user_id,
                                       Assignment.ended_at >= ShippingAddress.created_at,
                                       Assignment.ended_at <= cutoff)
    campaign = (select(Application.id).join(Campaign, Campaign.id == Application.campaign_id)
                .where(Application.member_id == ShippingAddress.user_id,
                       _tested(),
                       Campaign.ended_at >= ShippingAddress.created_at,
                       Campaign.ended_at <= cutoff))
    return list(db.session.scalars(
        select(ShippingAddress.user_id)
        .where(ShippingAddress.user_id > after_id, loan.exists() | campaign.exists())
        .order_by(ShippingAddress.user_id).limit(CHUNK)))


def purge(now: datetime | None = None) -> int:
    """Delete every address whose time is up; returns how many. Safe to run again."""
    now = now or utcnow()
    cutoff, purged, after_id = now - _days(), 0, 0
    while True:
        candidates = _candidates(cutoff, after_id)
        if not candidates:
            return purged
        after_id = candidates[-1]
        due = [member_id for member_id, retention in retention_of_many(candidates).items()
               if retention.until is not None and retention.until <= now]
        if due:
            db.session.execute(delete(ShippingAddress).where(
                ShippingAddress.user_id.in_(due)))
            for member_id in due:
                audit.record(None, ADDRESS_PURGED, "user", member_id)
            purged += len(due)
