"""The reward catalog and redemptions: request, approve, fulfil, reject or cancel.

Redeeming debits the points and reserves the stock in one transaction. It holds under
concurrent requests: the member's row is locked first (balance, per-member limit and a
twice-sent form are checked under that lock), and stock is taken with a conditional
UPDATE ... WHERE stock > 0, which PostgreSQL re-checks after waiting for another writer.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from lab.accounts.services import ADDRESS_VIEWED, address_of
from lab.core import audit
from lab.core.clock import utcnow
from lab.core.db import locked
from lab.core.errors import DomainError
from lab.extensions import db
from lab.notify.services import notify_by_mail, register_kind, register_param_label
from lab.rewards import levels, rules
from lab.rewards.ledger import lock_member, reverse, spend
from lab.rewards.models import (
    APPROVED,
    CANCELLED,
    DONATION,
    FULFILLED,
    OPEN_REDEMPTION_STATES,
    REJECTED,
    REQUESTED,
    REWARD_KINDS,
    Redemption,
    Reward,
)

REWARD_SAVED = audit.register_action("reward.saved", _l("Reward saved"))
REDEMPTION_CHANGED = audit.register_action("redemption.changed", _l("Redemption changed"))

STATE_LABELS = {
    REQUESTED: _l("requested"),
    APPROVED: _l("approved"),
    FULFILLED: _l("fulfilled"),
    CANCELLED: _l("cancelled"),
    REJECTED: _l("rejected"),
}
KIND_LABELS = {
    "device": _l("Device to keep"),
    "ticket": _l("Event ticket"),
    "merchandise": _l("Merchandise"),
    "donation": _l("Donation"),
}
REDEMPTION_CHANGED_KIND = register_kind(
    "redemption.changed", _l("Your redemption of “%(title)s” is now %(state)s."))
register_param_label("state", lambda code: STATE_LABELS.get(code, code))


class RewardError(DomainError):
    pass


def catalog_query(*, include_inactive: bool = False):
    """Rewards for the catalog page, cheapest first; ended windows are left out."""
    query = select(Reward).order_by(Reward.cost, Reward.id)
    if not include_inactive:
        now = utcnow()
        query = query.where(Reward.active.is_(True),
                            (Reward.available_until.is_(None)) | (Reward.available_until > now))
    return query


def save_reward(actor, reward: Reward | None = None, **fields) -> Reward:
    """Create or change a reward after checking its fields."""
    _check_reward_fields(fields)
    created = reward is None
    reward = reward or Reward()
    for name, value in fields.items():
        setattr(reward, name, value)
    db.session.add(reward)
    db.session.flush()
    audit.record(actor, REWARD_SAVED, "reward", reward.id, created=created, title=reward.title)
    return reward


def _check_reward_fields(fields: dict) -> None:
    if fields.get("kind") not in REWARD_KINDS:
        raise RewardError(_l("Please choose a kind."), "kind")
    if not isinstance(fields.get("cost"), int) or fields["cost"] < 1:
        raise RewardError(_l("The cost must be at least 1 point."), "cost")
    if fields.get("stock") is not None and fields["stock"] < 0:
        raise RewardError(_l("Stock cannot be negative; leave it empty for unlimited."), "stock")
    if fields.get("per_member_limit") is not None and fields["per_member_limit"] < 1:
        raise RewardError(_l("The limit must be at least 1; leave it empty for none."),
                          "per_member_limit")
    if fields.get("min_level") not in levels.BY_CODE:
        raise RewardError(_l("Please choose a level."), "min_level")
    start, end = fields.get("available_from"), fields.get("available_until")
    if start and end and end <= start:
        raise RewardError(_l("The end must be after the start."), "available_until")


def redemption_by_key(request_key: str) -> Redemption | None:
    return db.session.scalar(select(Redemption).where(Redemption.request_key == request_key))


def redeem(member, reward_id: int, *, request_key: str) -> tuple[Redemption, bool]:
    """Redeem a reward: returns (redemption, created). A form sent twice (same
    request_key) returns the first redemption and changes nothing."""
    if not request_key or len(request_key) > 64:
        raise RewardError(_l("The form was incomplete. Please reload the page."))
    member = lock_member(member.id)  # first: serialises this member's redemptions
    existing = redemption_by_key(request_key)
    if existing is not None:
        if existing.member_id != member.id:
            raise RewardError(_l("The form was incomplete. Please reload the page."))
        return existing, False
    reward = db.session.get(Reward, reward_id)
    if reward is None:
        raise RewardError(_l("This reward does not exist."))
    _check_redeemable(member, reward)
    _take_stock(reward)
    redemption = Redemption(reward_id=reward.id, member_id=member.id, cost=reward.cost,
                            request_key=request_key, state=REQUESTED)
    db.session.add(redemption)
    db.session.flush()
    spend(member, reward.cost, rules.REDEMPTION, key=f"redemption:{redemption.id}",
          source=("redemption", redemption.id), created_by=member)
    _tell_member(redemption)
    return redemption, True


def _check_redeemable(member, reward: Reward) -> None:
    if not reward.is_available(utcnow()):
        raise RewardError(_l("This reward cannot be redeemed at the moment."))
    if not levels.reaches(member.reputation, reward.min_level):
        raise RewardError(_l("This reward needs the level %(level)s.",
                             level=levels.BY_CODE[reward.min_level].label))
    if reward.per_member_limit is not None:
        taken = db.session.scalar(
            select(func.count()).select_from(Redemption).where(
                Redemption.member_id == member.id, Redemption.reward_id == reward.id,
                Redemption.state.in_((REQUESTED, APPROVED, FULFILLED))))
        if taken >= reward.per_member_limit:
            raise RewardError(_l("You have already redeemed this reward as often as allowed."))
    if member.points_balance < reward.cost:
        raise RewardError(_l("Not enough points: you have %(balance)d, this reward costs "
                             "%(cost)d.", balance=member.points_balance, cost=reward.cost))
    if reward.needs_address and address_of(member) is None:
        raise RewardError(_l("This reward is sent by post. Please add your shipping address "
                             "first."), "address")
    if reward.stock is not None and reward.stock < 1:
        raise RewardError(_l("This reward is out of stock."))


def _take_stock(reward: Reward) -> None:
    """Reserve one piece; the WHERE makes two buyers of the last piece fail one of them."""
    if reward.stock is None:
        return
    taken = db.session.execute(
        update(Reward).where(Reward.id == reward.id, Reward.stock > 0)
        .values(stock=Reward.stock - 1).execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(reward, ["stock"])
    if not taken:
        raise RewardError(_l("This reward is out of stock."))


def _return_stock(reward_id: int) -> None:
    db.session.execute(
        update(Reward).where(Reward.id == reward_id, Reward.stock.is_not(None))
        .values(stock=Reward.stock + 1).execution_options(synchronize_session=False))


def take_for_award(reward: Reward, member, award_id: int) -> Redemption:
    """A reward given as an award: reserved like a redemption, but costs no points."""
    if not reward.active:
        raise RewardError(_l("This reward is not active."))
    _take_stock(reward)
    redemption = Redemption(reward_id=reward.id, member_id=member.id, cost=0, state=APPROVED,
                            request_key=f"award:{award_id}", award_id=award_id)
    db.session.add(redemption)
    db.session.flush()
    _tell_member(redemption)
    return redemption


def _locked(redemption_id: int) -> Redemption:
    redemption = locked(Redemption, redemption_id)
    if redemption is None:
        raise RewardError(_l("This redemption does not exist."))
    return redemption


def approve(actor, redemption_id: int) -> Redemption:
    redemption = _locked(redemption_id)
    _expect(redemption, (REQUESTED,))
    return _move(actor, redemption, APPROVED)


def fulfil(actor, redemption_id: int, code: str | None) -> Redemption:
    """Mark as sent or handed over; devices, merchandise and tickets need a tracking
    number or ticket code."""
    redemption = _locked(redemption_id)
    _expect(redemption, OPEN_REDEMPTION_STATES)
    code = (code or "").strip()
    if not code and redemption.reward.kind != DONATION:
        raise RewardError(_l("Please enter the tracking number or ticket code."),
                          "fulfilment_code")
    redemption.fulfilment_code = code or None
    return _move(actor, redemption, FULFILLED)


def reject(actor, redemption_id: int, reason: str) -> Redemption:
    """Staff turn a redemption down: points are refunded and the stock returned."""
    return _close(actor, redemption_id, reason, REJECTED, OPEN_REDEMPTION_STATES)


def cancel(member, redemption_id: int, reason: str | None = None) -> Redemption:
    """The member takes back a request that staff have not approved yet."""
    redemption = db.session.get(Redemption, redemption_id)
    if redemption is None or redemption.member_id != member.id:
        raise RewardError(_l("This redemption does not exist."))
    return _close(member, redemption_id, reason or str(_l("Cancelled by the member")),
                  CANCELLED, (REQUESTED,))


def _close(actor, redemption_id: int, reason: str, state: str, allowed) -> Redemption:
    if not (reason or "").strip():
        raise RewardError(_l("Please give a reason."), "reason")
    found = db.session.get(Redemption, redemption_id)
    if found is None:
        raise RewardError(_l("This redemption does not exist."))
    lock_member(found.member_id)  # member first, then the redemption: the order redeem uses
    redemption = _locked(redemption_id)
    _expect(redemption, allowed)
    redemption.decision_reason = reason.strip()
    if redemption.cost:
        reverse(f"redemption:{redemption.id}", reason.strip(), actor=actor)
    _return_stock(redemption.reward_id)
    return _move(actor, redemption, state)


def _expect(redemption: Redemption, states) -> None:
    if redemption.state not in states:
        raise RewardError(_l("This redemption is already %(state)s.",
                             state=STATE_LABELS[redemption.state]))


def _move(actor, redemption: Redemption, state: str) -> Redemption:
    before = redemption.state
    redemption.state = state
    redemption.decided_by_id = actor.id
    db.session.flush()
    audit.record(actor, REDEMPTION_CHANGED, "redemption", redemption.id,
                 before=before, after=state, reason=redemption.decision_reason,
                 code=redemption.fulfilment_code)
    _tell_member(redemption)
    return redemption


def _tell_member(redemption: Redemption) -> None:
    notify_by_mail(redemption.member, REDEMPTION_CHANGED_KIND,
                   subject=_l("Your reward: %(title)s", title=redemption.reward.title),
                   link="/me/redemptions", title=redemption.reward.title,
                   state=redemption.state)


def shipping_address_for(actor, redemption: Redemption):
    """The member's address, for logistics staff sending an open postal redemption; every
    look is audited (who saw whose address, when). None when there is nothing to send or
    the actor does not ship."""
    if not (actor.is_logistics and redemption.reward.needs_address and redemption.is_open):
        return None
    address = address_of(redemption.member)
    if address is not None:
        audit.record(actor, ADDRESS_VIEWED, "user", redemption.member_id,
                     redemption=redemption.id)
    return address


def redemptions_of(member_id: int):
    return (select(Redemption).where(Redemption.member_id == member_id)
            .order_by(Redemption.id.desc()))


def redemptions_query(state: str | None = None):
    query = select(Redemption).order_by(Redemption.created_at, Redemption.id)
    if state:
        query = query.where(Redemption.state == state)
    return query
