"""The reward catalog and redemptions: redeeming debits points and reserves stock at once;
staff approve and fulfil, or reject with a refund; members cancel what is not approved."""

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from lab.accounts.services import save_address
from lab.core.clock import utcnow
from lab.extensions import db
from lab.rewards import catalog, rules
from lab.rewards.catalog import RewardError
from lab.rewards.ledger import entry_by_key
from lab.rewards.models import (
    APPROVED,
    CANCELLED,
    FULFILLED,
    REJECTED,
    REQUESTED,
    LedgerEntry,
    Redemption,
)
from tests.rewards.helpers import (
    REWARD_FIELDS,
    count,
    entries_of,
    figures,
    give_points,
    mails_to,
    new_key,
    notifications,
)

ADDRESS = {"full_name": "Anna Beispiel", "street": "Hauptstraße 1", "extra": "",
           "postcode": "53113", "city": "Bonn", "country": "DE", "phone": ""}


@pytest.fixture
def member_with(make_member):
    """Factory: member_with(points) -> a member holding that many points."""
    def make(points: int, **columns):
        member = make_member(**columns)
        if points:
            give_points(member, points)
        return member
    return make


def redeem(member, reward):
    return catalog.redeem(member, reward.id, request_key=new_key("form"))[0]


def state_of(member, reward) -> tuple:
    """Everything a refused redemption must leave as it was."""
    db.session.refresh(reward)
    return (figures(member), reward.stock, len(entries_of(member)),
            count(Redemption, Redemption.member_id == member.id))


def assert_refused(member, reward, match: str):
    """Redeeming is refused for the reason ``match`` names, and nothing changes."""
    before = state_of(member, reward)
    with force_locale("en"), pytest.raises(RewardError, match=match):
        catalog.redeem(member, reward.id, request_key=new_key("form"))
    assert state_of(member, reward) == before


# --- saving rewards ------------------------------------------------------------------------

def test_an_admin_saves_a_reward(make_admin):
    reward = catalog.save_reward(make_admin(), **{**REWARD_FIELDS, "title": "Router"})
    assert reward.id is not None and (reward.title, reward.cost, reward.stock) == (
        "Router", 100, 10)


@pytest.mark.parametrize("field,value", [
    ("kind", "voucher"),
    ("kind", None),
    ("cost", 0),
    ("cost", -10),
    ("cost", "100"),
    ("stock", -1),
    ("per_member_limit", 0),
    ("min_level", "guru"),
    ("min_level", None),
])
def test_a_reward_with_a_bad_field_is_refused_beside_that_field(make_admin, field, value):
    with pytest.raises(RewardError) as refused:
        catalog.save_reward(make_admin(), **{**REWARD_FIELDS, field: value})
    assert refused.value.field == field


@pytest.mark.parametrize("days", [0, -1])
def test_an_availability_window_must_end_after_it_starts(make_admin, days):
    start = utcnow()
    with pytest.raises(RewardError) as refused:
        catalog.save_reward(make_admin(), **{**REWARD_FIELDS, "available_from": start,
                                             "available_until": start + timedelta(days=days)})
    assert refused.value.field == "available_until"


def test_stock_and_limit_may_be_left_empty_for_none(make_admin):
    reward = catalog.save_reward(make_admin(), **{**REWARD_FIELDS, "stock": None,
                                                  "per_member_limit": None})
    assert (reward.stock, reward.per_member_limit) == (None, None)


# --- redeeming -------------------------------------------------------------------------------

def test_redeeming_debits_the_points_and_takes_one_from_stock(member_with, make_reward):
    member, reward = member_with(150), make_reward(cost=100, stock=3)
    redemption, created = catalog.redeem(member, reward.id, request_key=new_key("form"))
    db.session.refresh(reward)
    assert created and redemption.state == REQUESTED
    assert (redemption.member_id, redemption.reward_id, redemption.cost) == (
        member.id, reward.id, 100)
    assert figures(member) == (150, 50)
    assert reward.stock == 2


def test_redeeming_writes_a_redemption_entry_to_the_ledger(member_with, make_reward):
    member = member_with(150)
    redemption = redeem(member, make_reward(cost=100))
    entry = entry_by_key(f"redemption:{redemption.id}")
    assert (entry.member_id, entry.amount, entry.reputation_delta, entry.reason) == (
        member.id, -100, 0, rules.REDEMPTION)
    assert (entry.source_kind, entry.source_id) == ("redemption", str(redemption.id))


def test_a_form_sent_twice_redeems_once(member_with, make_reward):
    member, reward = member_with(300), make_reward(cost=100, stock=5)
    key = new_key("form")
    first, _ = catalog.redeem(member, reward.id, request_key=key)
    again, created = catalog.redeem(member, reward.id, request_key=key)
    db.session.refresh(reward)
    assert created is False and again.id == first.id
    assert figures(member) == (300, 200) and reward.stock == 4
    assert count(Redemption, Redemption.member_id == member.id) == 1


def test_another_members_form_key_is_refused(member_with, make_reward):
    reward, key = make_reward(cost=100), new_key("form")
    catalog.redeem(member_with(100), reward.id, request_key=key)
    with pytest.raises(RewardError):
        catalog.redeem(member_with(100), reward.id, request_key=key)


def test_unlimited_stock_stays_unlimited(member_with, make_reward):
    reward = make_reward(cost=10, stock=None)
    redeem(member_with(10), reward)
    db.session.refresh(reward)
    assert reward.stock is None


def test_not_enough_points_is_refused_with_nothing_changed(member_with, make_reward):
    assert_refused(member_with(99), make_reward(cost=100), "Not enough points")


def test_out_of_stock_is_refused_with_nothing_changed(member_with, make_reward):
    assert_refused(member_with(500), make_reward(cost=100, stock=0), "out of stock")


def test_the_per_member_limit_is_kept(member_with, make_reward):
    member, reward = member_with(500), make_reward(cost=100, per_member_limit=2)
    redeem(member, reward)
    redeem(member, reward)
    assert_refused(member, reward, "as often as allowed")


def test_a_cancelled_redemption_does_not_count_against_the_limit(member_with, make_reward):
    member, reward = member_with(500), make_reward(cost=100, per_member_limit=1)
    catalog.cancel(member, redeem(member, reward).id)
    assert redeem(member, reward).state == REQUESTED


def test_a_reward_above_the_members_level_is_refused(member_with, make_reward):
    reward = make_reward(cost=10, min_level="helper")
    assert_refused(member_with(99), reward, "needs the level")
    assert redeem(member_with(100), reward).state == REQUESTED


@pytest.mark.parametrize("window", [
    {"available_from": utcnow() + timedelta(days=1)},
    {"available_until": utcnow() - timedelta(minutes=1)},
])
def test_a_reward_outside_its_availability_window_is_refused(member_with, make_reward,
                                                             window):
    assert_refused(member_with(500), make_reward(cost=100, **window), "at the moment")


def test_an_inactive_reward_is_refused(member_with, make_reward):
    assert_refused(member_with(500), make_reward(cost=100, active=False), "at the moment")


def test_a_reward_sent_by_post_needs_a_shipping_address(member_with, make_reward):
    member, reward = member_with(500), make_reward(cost=100, needs_address=True)
    assert_refused(member, reward, "shipping address")
    save_address(member, **ADDRESS)
    assert redeem(member, reward).state == REQUESTED


def test_an_unknown_reward_is_refused(member_with):
    with pytest.raises(RewardError):
        catalog.redeem(member_with(500), 999_999_999, request_key=new_key("form"))


# --- staff decide ------------------------------------------------------------------------------

def test_staff_approve_then_fulfil_with_a_tracking_number(member_with, make_reward,
                                                          make_staff):
    staff, redemption = make_staff(), redeem(member_with(100), make_reward(kind="device"))
    assert catalog.approve(staff, redemption.id).state == APPROVED
    fulfilled = catalog.fulfil(staff, redemption.id, "  DHL-123  ")
    assert (fulfilled.state, fulfilled.fulfilment_code, fulfilled.decided_by_id) == (
        FULFILLED, "DHL-123", staff.id)


@pytest.mark.parametrize("kind", ["device", "ticket", "merchandise"])
def test_fulfilling_needs_a_tracking_number_or_ticket_code(member_with, make_reward,
                                                           make_staff, kind):
    staff, redemption = make_staff(), redeem(member_with(100), make_reward(kind=kind))
    catalog.approve(staff, redemption.id)
    with pytest.raises(RewardError) as refused:
        catalog.fulfil(staff, redemption.id, "  ")
    assert refused.value.field == "fulfilment_code"
    db.session.refresh(redemption)
    assert redemption.state == APPROVED


def test_a_donation_is_fulfilled_without_a_code(member_with, make_reward, make_staff):
    staff, redemption = make_staff(), redeem(member_with(100), make_reward(kind="donation"))
    catalog.approve(staff, redemption.id)
    fulfilled = catalog.fulfil(staff, redemption.id, None)
    assert (fulfilled.state, fulfilled.fulfilment_code) == (FULFILLED, None)


def test_a_redemption_is_approved_only_once(member_with, make_reward, make_staff):
    staff, redemption = make_staff(), redeem(member_with(100), make_reward())
    catalog.approve(staff, redemption.id)
    with pytest.raises(RewardError):
        catalog.approve(staff, redemption.id)


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_rejection_needs_a_reason(member_with, make_reward, make_staff, reason):
    member, reward = member_with(100), make_reward(cost=100)
    redemption = redeem(member, reward)
    before = state_of(member, reward)
    with pytest.raises(RewardError):
        catalog.reject(make_staff(), redemption.id, reason)
    assert state_of(member, reward) == before


def test_a_rejection_refunds_the_points_and_returns_the_stock(member_with, make_reward,
                                                              make_staff):
    member, reward = member_with(150), make_reward(cost=100, stock=3)
    redemption = redeem(member, reward)
    rejected = catalog.reject(make_staff(), redemption.id, "  not in your region  ")
    db.session.refresh(reward)
    assert (rejected.state, rejected.decision_reason) == (REJECTED, "not in your region")
    assert figures(member) == (150, 150) and reward.stock == 3


def test_a_refund_is_a_compensating_entry_for_the_debit(member_with, make_reward,
                                                         make_staff):
    member = member_with(150)
    redemption = redeem(member, make_reward(cost=100))
    catalog.reject(make_staff(), redemption.id, "not in your region")
    debit = entry_by_key(f"redemption:{redemption.id}")
    refund = db.session.scalar(select(LedgerEntry).where(LedgerEntry.reverses_id == debit.id))
    assert (refund.amount, refund.reputation_delta, refund.reason) == (
        100, 0, rules.REDEMPTION_REFUND)


def test_an_approved_redemption_can_still_be_rejected(member_with, make_reward, make_staff):
    staff, member = make_staff(), member_with(100)
    redemption = redeem(member, make_reward(cost=100))
    catalog.approve(staff, redemption.id)
    assert catalog.reject(staff, redemption.id, "lost in the warehouse").state == REJECTED
    assert figures(member) == (100, 100)


def test_a_fulfilled_redemption_cannot_be_rejected(member_with, make_reward, make_staff):
    staff, member = make_staff(), member_with(100)
    redemption = redeem(member, make_reward(cost=100))
    catalog.fulfil(staff, redemption.id, "DHL-1")
    with pytest.raises(RewardError):
        catalog.reject(staff, redemption.id, "too late")
    assert figures(member) == (100, 0)


# --- members cancel ------------------------------------------------------------------------------

def test_a_member_cancels_a_request_and_gets_points_and_stock_back(member_with, make_reward):
    member, reward = member_with(100), make_reward(cost=100, stock=1)
    cancelled = catalog.cancel(member, redeem(member, reward).id)
    db.session.refresh(reward)
    assert (cancelled.state, cancelled.decided_by_id) == (CANCELLED, member.id)
    assert figures(member) == (100, 100) and reward.stock == 1


def test_a_member_cannot_cancel_once_staff_approved(member_with, make_reward, make_staff):
    member = member_with(100)
    redemption = redeem(member, make_reward(cost=100))
    catalog.approve(make_staff(), redemption.id)
    with pytest.raises(RewardError):
        catalog.cancel(member, redemption.id)
    assert figures(member) == (100, 0)


def test_a_member_cannot_cancel_another_members_redemption(member_with, make_reward):
    owner = member_with(100)
    redemption = redeem(owner, make_reward(cost=100))
    with pytest.raises(RewardError):
        catalog.cancel(member_with(0), redemption.id)
    db.session.refresh(redemption)
    assert redemption.state == REQUESTED and figures(owner) == (100, 0)


# --- the member is told -------------------------------------------------------------------------

def test_every_change_is_notified_and_mailed_to_the_member(member_with, make_reward,
                                                           make_staff):
    staff, member = make_staff(), member_with(100)
    redemption = redeem(member, make_reward(cost=100, title="Router X"))
    catalog.approve(staff, redemption.id)
    catalog.fulfil(staff, redemption.id, "DHL-1")
    notes = notifications(member, "redemption.changed")
    assert [n.params["state"] for n in notes] == [REQUESTED, APPROVED, FULFILLED]
    assert {n.params["title"] for n in notes} == {"Router X"}
    mails = mails_to(member)
    assert len(mails) == 3
    assert {m.kind for m in mails} == {"notify:redemption.changed"}
    assert all("Router X" in m.subject and "/me/redemptions" in m.body_text for m in mails)


def test_a_rejection_and_a_cancellation_are_told_too(member_with, make_reward, make_staff):
    member, reward = member_with(200), make_reward(cost=100)
    catalog.reject(make_staff(), redeem(member, reward).id, "not in your region")
    catalog.cancel(member, redeem(member, reward).id)
    states = [n.params["state"] for n in notifications(member, "redemption.changed")]
    assert states == [REQUESTED, REJECTED, REQUESTED, CANCELLED]
    assert len(mails_to(member)) == 4
