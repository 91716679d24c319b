"""Manual awards (incentives) with four eyes.

An admin proposes points, a badge or a reward item for a member. Points above the
AWARD_APPROVAL_THRESHOLD and every device wait in the approval queue until a second
admin approves or rejects them; the proposer can never decide their own award (checked
here and by a database constraint). Everything is audited.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lab.accounts.models import User
from lab.core import audit
from lab.core.clock import utcnow
from lab.core.db import locked
from lab.core.errors import DomainError
from lab.extensions import db
from lab.notify.services import notify, register_kind
from lab.rewards import badges, catalog, rules
from lab.rewards.ledger import award_points
from lab.rewards.models import (
    AWARD_APPROVED,
    AWARD_BADGE,
    AWARD_DEVICE,
    AWARD_KINDS,
    AWARD_POINTS,
    AWARD_REJECTED,
    AWARD_REWARD,
    DEVICE,
    PROPOSED,
    Award,
    Reward,
)

PROPOSED_ACTION = audit.register_action("award.proposed", _l("Award proposed"))
APPROVED_ACTION = audit.register_action("award.approved", _l("Award approved"))
REJECTED_ACTION = audit.register_action("award.rejected", _l("Award rejected"))
AWARD_RECEIVED = register_kind("award.received", _l("You received an award: %(why)s"))

STATE_LABELS = {
    PROPOSED: _l("waiting for approval"),
    AWARD_APPROVED: _l("in effect"),
    AWARD_REJECTED: _l("rejected"),
}


class AwardError(DomainError):
    pass


# Award kinds another domain proposes and carries out (a test device kept by its tester):
# kind -> (on_approve(award, approver), on_reject(award, approver)). Rewards calls the
# functions it was given and imports none of those domains.
KIND_HANDLERS: dict[str, tuple] = {}


def register_kind_handler(kind: str, *, on_approve, on_reject) -> None:
    KIND_HANDLERS[kind] = (on_approve, on_reject)


def propose_for(proposer, member: User, *, kind: str, reason: str, request_key: str,
                source: tuple[str, object]) -> tuple[Award, bool]:
    """An award of a kind another domain handles; it always waits for a second admin."""
    if kind not in KIND_HANDLERS:
        raise AwardError(_l("Please choose what to award."), "kind")
    existing = award_by_key(request_key)
    if existing is not None:
        return existing, False
    if member.id == proposer.id:
        raise AwardError(_l("You cannot propose an award for yourself."), "member")
    award = Award(member_id=member.id, kind=kind, reason=reason.strip(),
                  request_key=request_key, source_kind=source[0], source_id=str(source[1]),
                  proposed_by_id=proposer.id, needs_approval=True)
    db.session.add(award)
    db.session.flush()
    audit.record(proposer, PROPOSED_ACTION, "award", award.id, member=member.id, kind=kind,
                 source=f"{source[0]}:{source[1]}", reason=award.reason, needs_approval=True)
    return award, True


def award_by_key(request_key: str) -> Award | None:
    return db.session.scalar(select(Award).where(Award.request_key == request_key))


def propose(proposer, member: User | None, *, kind: str, reason: str, request_key: str,
            points: int | None = None, badge: str | None = None,
            reward_id: int | None = None, source: tuple[str, object] | None = None,
            ) -> tuple[Award, bool]:
    """Propose an award; returns (award, created). Small ones take effect at once; the
    same form sent twice (request_key) returns the first award."""
    existing = award_by_key(request_key) if request_key else None
    if existing is not None:
        if existing.proposed_by_id != proposer.id or existing.member_id != getattr(
                member, "id", None):
            raise AwardError(_l("The form was incomplete. Please reload the page."))
        return existing, False
    reward = _check_proposal(proposer, member, kind, reason, points, badge, reward_id)
    award = Award(
        member_id=member.id, kind=kind, reason=reason.strip(), request_key=request_key,
        points=points if kind == AWARD_POINTS else None,
        badge=badge if kind == AWARD_BADGE else None,
        reward_id=reward.id if reward else None,
        source_kind=source[0] if source else None,
        source_id=str(source[1]) if source else None,
        proposed_by_id=proposer.id, needs_approval=needs_approval(kind, points, reward),
    )
    db.session.add(award)
    db.session.flush()
    audit.record(proposer, PROPOSED_ACTION, "award", award.id, member=member.id, kind=kind,
                 points=award.points, badge=award.badge, reward=award.reward_id,
                 reason=award.reason, needs_approval=award.needs_approval)
    if not award.needs_approval:
        _apply(award, approver=None)
    return award, True


def needs_approval(kind: str, points: int | None, reward: Reward | None) -> bool:
    if kind == AWARD_POINTS:
        return points > current_app.config["AWARD_APPROVAL_THRESHOLD"]
    return kind == AWARD_REWARD and reward is not None and reward.kind == DEVICE


def _check_proposal(proposer, member, kind, reason, points, badge, reward_id) -> Reward | None:
    if member is None or not member.active:
        raise AwardError(_l("There is no active member with this handle."), "member")
    if member.id == proposer.id:
        raise AwardError(_l("You cannot propose an award for yourself."), "member")
    if kind not in AWARD_KINDS:
        raise AwardError(_l("Please choose what to award."), "kind")
    if not (reason or "").strip():
        raise AwardError(_l("Please give a reason."), "reason")
    if kind == AWARD_POINTS and (not isinstance(points, int) or points <= 0):
        raise AwardError(_l("The number of points must be a whole number above zero."),
                         "points")
    if kind == AWARD_BADGE and badge not in {b.code for b in badges.MANUAL}:
        raise AwardError(_l("Please choose a badge that admins award."), "badge")
    if kind != AWARD_REWARD:
        return None
    reward = db.session.get(Reward, reward_id) if reward_id else None
    if reward is None or not reward.active:
        raise AwardError(_l("Please choose an active reward."), "reward_id")
    if reward.stock is not None and reward.stock < 1:
        raise AwardError(_l("This reward is out of stock."), "reward_id")
    return reward


def _locked(award_id: int) -> Award:
    award = locked(Award, award_id)
    if award is None:
        raise AwardError(_l("This award does not exist."))
    return award


def _check_decision(approver, award: Award) -> None:
    """Only admins decide; explain why ``award.can_decide(approver)`` is false, if it is."""
    if not approver.is_admin:
        raise AwardError(_l("Only admins decide on awards."))
    if award.can_decide(approver):
        return
    if award.state != PROPOSED:
        raise AwardError(_l("This award was already decided."))
    if approver.id == award.proposed_by_id:
        raise AwardError(_l("Four eyes: another admin must decide on your own proposal."))
    raise AwardError(_l("Another admin must decide on an award for you."))


def approve(approver, award_id: int) -> Award:
    award = _locked(award_id)
    _check_decision(approver, award)
    _apply(award, approver=approver)
    audit.record(approver, APPROVED_ACTION, "award", award.id, member=award.member_id)
    return award


def reject(approver, award_id: int, reason: str) -> Award:
    award = _locked(award_id)
    _check_decision(approver, award)
    if not (reason or "").strip():
        raise AwardError(_l("Please give a reason for the rejection."), "reason")
    award.state, award.decided_by_id, award.decided_at = AWARD_REJECTED, approver.id, utcnow()
    award.decision_reason = reason.strip()
    db.session.flush()
    if award.kind in KIND_HANDLERS:
        KIND_HANDLERS[award.kind][1](award, approver)
    audit.record(approver, REJECTED_ACTION, "award", award.id, member=award.member_id,
                 reason=award.decision_reason)
    return award


def _apply(award: Award, approver) -> None:
    """Make the award take effect: post the points, grant the badge or reserve the item."""
    member, proposer = award.member, award.proposed_by
    if award.kind == AWARD_POINTS:
        award_points(member, award.points, rules.MANUAL_AWARD, key=f"award:{award.id}",
                     source=("award", award.id), note=award.reason,
                     created_by=proposer, approved_by=approver)
    elif award.kind == AWARD_BADGE:
        badges.grant(member, award.badge, by=approver or proposer, reason=award.reason)
    elif award.kind in KIND_HANDLERS:
        KIND_HANDLERS[award.kind][0](award, approver)
    else:
        try:
            catalog.take_for_award(award.reward, member, award.id)
        except catalog.RewardError as error:
            raise AwardError(error.message) from error
    award.state = AWARD_APPROVED
    if approver is not None:
        award.decided_by_id, award.decided_at = approver.id, utcnow()
    db.session.flush()
    link = {AWARD_POINTS: "/me/points", AWARD_BADGE: f"/members/{member.handle}",
            AWARD_DEVICE: "/me/"}.get(
        award.kind, "/me/redemptions")
    notify(member, AWARD_RECEIVED, link=link, why=award.reason)


def queue_query():
    """Awards waiting for a second admin, oldest first."""
    return (select(Award).where(Award.state == PROPOSED)
            .order_by(Award.created_at, Award.id))


def recent_query():
    return select(Award).order_by(Award.id.desc())
