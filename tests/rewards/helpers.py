"""Helpers the rewards tests share: unique keys, points for a member, lookups."""

from __future__ import annotations

import itertools

from sqlalchemy import func, select

from lab.core.audit import AuditEntry
from lab.extensions import db
from lab.notify.models import Notification, OutboxMail
from lab.rewards import rules
from lab.rewards.ledger import award_points
from lab.rewards.models import LedgerEntry

_keys = itertools.count(1)


def new_key(prefix: str = "test") -> str:
    """An idempotency key no other call in the run uses."""
    return f"{prefix}:{next(_keys)}"


def give_points(member, amount: int, reason: str = rules.MANUAL_AWARD):
    """Credit points as earned (reputation and balance) and return the entry."""
    return award_points(member, amount, reason, key=new_key("give")).entry


def entries_of(member) -> list[LedgerEntry]:
    return list(db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.member_id == member.id).order_by(LedgerEntry.id)))


def figures(member) -> tuple[int, int]:
    """(reputation, balance) as stored now."""
    db.session.refresh(member)
    return member.reputation, member.points_balance


def notifications(member, kind: str) -> list[Notification]:
    return list(db.session.scalars(
        select(Notification).where(Notification.member_id == member.id,
                                   Notification.kind == kind).order_by(Notification.id)))


def mails_to(member) -> list[OutboxMail]:
    return list(db.session.scalars(
        select(OutboxMail).where(OutboxMail.recipient == member.email).order_by(OutboxMail.id)))


def audited(action: str, object_type: str, object_id) -> list[AuditEntry]:
    return list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == action,
                                 AuditEntry.object_type == object_type,
                                 AuditEntry.object_id == str(object_id))
        .order_by(AuditEntry.id)))


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


REWARD_FIELDS = {
    "kind": "merchandise", "title": "Lab mug", "description": "", "cost": 100, "stock": 10,
    "per_member_limit": None, "min_level": "newcomer", "available_from": None,
    "available_until": None, "needs_address": False, "active": True,
}
