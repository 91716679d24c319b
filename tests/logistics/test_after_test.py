"""What happens to a device when its tester's test ends or the campaign closes: asked back
(policy "return", or a dropped test), proposed as a gift that a second admin approves
(policy "keep" and a completed test), back on the shelf when it was never shipped."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lab.campaigns import lifecycle, selection
from lab.campaigns.applications import application_of
from lab.campaigns.models import CLOSED, EVALUATION, KEEP
from lab.core.clock import frozen_at, utcnow
from lab.extensions import db
from lab.logistics import assignments, inventory, notices, shipping
from lab.logistics.inventory import LogisticsError
from lab.logistics.models import (
    ENDED_CANCELLED,
    ENDED_GIVEN_AWAY,
    GIVEN_AWAY,
    IN_STOCK,
    LOST,
    RESERVED,
    RETURN_REQUESTED,
    RETURNED,
    SHIPPED,
    WITH_TESTER,
    DeviceEvent,
)
from lab.rewards import awards
from lab.rewards.awards import AwardError
from lab.rewards.models import AWARD_APPROVED, AWARD_DEVICE, AWARD_REJECTED, PROPOSED
from tests.rewards.helpers import notifications

pytestmark = pytest.mark.usefixtures("english")

TRACKING = "00340434161094042557"


def reserve(staff, campaign, tester, device):
    return assignments.assign(staff, campaign, application_of(tester.id, campaign.id).id,
                              device.id)


def lend(staff, campaign, tester, device):
    """The device reserved, shipped and delivered: the tester has it."""
    loan = reserve(staff, campaign, tester, device)
    shipping.ship(staff, loan.id, carrier="dhl", tracking_number=TRACKING)
    shipping.deliver(staff, loan.id)
    return loan


def finish(actor, campaign, tester, *, completed=True):
    return selection.finish_test(actor, application_of(tester.id, campaign.id).id, campaign,
                                 completed=completed,
                                 reason=None if completed else "Did not send any feedback.")


def kept_award(loan):
    return awards.award_by_key(f"device-kept:{loan.id}")


def asked_back(loan, tester, kind=notices.RETURN_KIND) -> bool:
    return (loan.device.status == RETURN_REQUESTED and loan.return_due_at is not None
            and len(notifications(tester, kind)) == 1)


@pytest.fixture
def keep_test(shipping_campaign, make_device, logistics_staff, make_admin):
    """(campaign with policy keep, tester, the tester's loan with the device delivered,
    the admin who finished the test, the award proposed for the device)."""
    campaign, (tester,) = shipping_campaign(testers=1, policy=KEEP)
    loan = lend(logistics_staff, campaign, tester, make_device(campaign.product))
    finisher = make_admin()
    finish(finisher, campaign, tester)
    return campaign, tester, loan, finisher, kept_award(loan)


# --- the test ends ----------------------------------------------------------------------------

@pytest.mark.parametrize("completed", [True, False])
def test_with_policy_return_the_device_is_asked_back_when_the_test_ends(
        shipping_campaign, make_device, logistics_staff, completed):
    campaign, (tester,) = shipping_campaign(testers=1)
    loan = lend(logistics_staff, campaign, tester, make_device(campaign.product))
    finish(logistics_staff, campaign, tester, completed=completed)
    assert asked_back(loan, tester)
    assert (loan.ended_at, kept_award(loan)) == (None, None)


def test_a_dropped_tester_sends_a_device_of_a_keep_campaign_back(
        shipping_campaign, make_device, logistics_staff):
    campaign, (tester,) = shipping_campaign(testers=1, policy=KEEP)
    loan = lend(logistics_staff, campaign, tester, make_device(campaign.product))
    finish(logistics_staff, campaign, tester, completed=False)
    assert asked_back(loan, tester)
    assert kept_award(loan) is None


def test_a_completed_keep_test_proposes_the_device_as_an_award(keep_test):
    _campaign, tester, loan, finisher, award = keep_test
    assert (award.kind, award.state, award.needs_approval, award.member_id,
            award.proposed_by_id) == (AWARD_DEVICE, PROPOSED, True, tester.id, finisher.id)
    assert (award.source_kind, award.source_id) == ("device", str(loan.device.id))
    assert loan.device.serial in award.reason
    assert len(notifications(tester, notices.KEEP_PROPOSED_KIND)) == 1
    assert (loan.device.status, loan.device.holder_id, loan.ended_at,
            loan.return_due_at) == (WITH_TESTER, tester.id, None, None)
    assert notifications(tester, notices.RETURN_KIND) == []


def test_the_admin_who_finished_the_test_cannot_approve_the_gift(keep_test):
    _campaign, _tester, loan, finisher, award = keep_test
    with pytest.raises(AwardError, match="Four eyes"):
        awards.approve(finisher, award.id)
    assert (award.state, loan.device.status, loan.ended_at) == (PROPOSED, WITH_TESTER, None)


def test_the_tester_cannot_approve_their_own_gift(keep_test):
    _campaign, tester, loan, _finisher, award = keep_test
    with pytest.raises(AwardError):
        awards.approve(tester, award.id)
    assert (award.state, loan.device.status) == (PROPOSED, WITH_TESTER)


def test_a_second_admin_approves_and_the_device_is_given_away(keep_test, make_admin):
    _campaign, tester, loan, _finisher, award = keep_test
    approver = make_admin()
    awards.approve(approver, award.id)
    assert (award.state, award.decided_by_id) == (AWARD_APPROVED, approver.id)
    assert (loan.device.status, loan.outcome) == (GIVEN_AWAY, ENDED_GIVEN_AWAY)
    assert loan.ended_at is not None
    event = db.session.scalar(select(DeviceEvent).where(
        DeviceEvent.device_id == loan.device.id, DeviceEvent.to_status == GIVEN_AWAY))
    assert (event.from_status, event.actor_id, event.member_id) == (
        WITH_TESTER, approver.id, tester.id)
    assert len(notifications(tester, notices.GIVEN_AWAY_KIND)) == 1


def test_a_rejected_gift_asks_the_device_back(app, keep_test, make_admin):
    _campaign, tester, loan, _finisher, award = keep_test
    admin = make_admin()
    awards.reject(admin, award.id, "Prototype: the maker wants it back.")
    assert (award.state, award.decision_reason) == (
        AWARD_REJECTED, "Prototype: the maker wants it back.")
    assert asked_back(loan, tester, notices.KEEP_REJECTED_KIND)
    [note] = notifications(tester, notices.KEEP_REJECTED_KIND)
    assert note.params["address"] == app.config["RETURN_ADDRESS"]
    assert loan.ended_at is None


def test_a_rejection_needs_a_reason_and_changes_nothing_without_one(keep_test, make_admin):
    _campaign, tester, loan, _finisher, award = keep_test
    with pytest.raises(AwardError, match="reason") as error:
        awards.reject(make_admin(), award.id, "  ")
    assert error.value.field == "reason"
    assert (award.state, loan.device.status) == (PROPOSED, WITH_TESTER)
    assert notifications(tester, notices.KEEP_REJECTED_KIND) == []


def test_the_gift_cannot_be_approved_once_the_device_is_back(keep_test, make_admin,
                                                             logistics_staff):
    _campaign, _tester, loan, _finisher, award = keep_test
    shipping.receive_back(logistics_staff, loan.id, note="Sent back unasked.")
    with pytest.raises(LogisticsError, match="no longer with this tester"):
        awards.approve(make_admin(), award.id)
    assert (award.state, award.decided_by_id) == (PROPOSED, None)
    assert (loan.device.status, loan.outcome) == (RETURNED, "returned")


def test_the_gift_cannot_be_approved_once_the_device_is_lost(keep_test, make_admin,
                                                             logistics_staff):
    _campaign, _tester, loan, _finisher, award = keep_test
    inventory.change_status(logistics_staff, loan.device.id, LOST, reason="Stolen.")
    with pytest.raises(LogisticsError, match="no longer with this tester"):
        awards.approve(make_admin(), award.id)
    assert (award.state, loan.device.status) == (PROPOSED, LOST)


def test_finishing_the_test_again_proposes_no_second_gift(keep_test, logistics_staff):
    campaign, tester, loan, _finisher, award = keep_test
    with pytest.raises(selection.SelectionError):
        finish(logistics_staff, campaign, tester)
    assert kept_award(loan) == award
    assert len(notifications(tester, notices.KEEP_PROPOSED_KIND)) == 1


@pytest.mark.parametrize("completed", [True, False])
def test_a_device_not_yet_shipped_goes_back_to_stock_when_the_test_ends(
        shipping_campaign, make_device, logistics_staff, completed):
    campaign, (tester,) = shipping_campaign(testers=1, policy=KEEP)
    device = make_device(campaign.product)
    loan = reserve(logistics_staff, campaign, tester, device)
    finish(logistics_staff, campaign, tester, completed=completed)
    assert (device.status, device.holder_id, device.campaign_id) == (IN_STOCK, None, None)
    assert (loan.outcome, kept_award(loan)) == (ENDED_CANCELLED, None)
    assert notifications(tester, notices.RETURN_KIND) == []


@pytest.mark.parametrize("by_tester", [True, False])
def test_a_device_arriving_after_the_test_ended_is_asked_back_at_once(
        shipping_campaign, make_device, logistics_staff, by_tester):
    campaign, (tester,) = shipping_campaign(testers=1)
    loan = reserve(logistics_staff, campaign, tester, make_device(campaign.product))
    out = shipping.ship(logistics_staff, loan.id, carrier="dhl", tracking_number=TRACKING)
    finish(logistics_staff, campaign, tester)
    assert (loan.device.status, loan.return_due_at) == (SHIPPED, None)
    if by_tester:
        shipping.confirm_receipt(tester, campaign, out.id)
    else:
        shipping.deliver(logistics_staff, loan.id)
    assert asked_back(loan, tester)
    assert loan.received_at is not None


def test_a_kept_device_arriving_after_completion_waits_for_the_approval_if_staff_confirm(
        shipping_campaign, make_device, logistics_staff):
    campaign, (tester,) = shipping_campaign(testers=1, policy=KEEP)
    loan = reserve(logistics_staff, campaign, tester, make_device(campaign.product))
    shipping.ship(logistics_staff, loan.id, carrier="dhl", tracking_number=TRACKING)
    finish(logistics_staff, campaign, tester)
    shipping.deliver(logistics_staff, loan.id)
    assert kept_award(loan).state == PROPOSED
    assert (loan.device.status, loan.return_due_at) == (WITH_TESTER, None)


def test_a_kept_device_arriving_after_completion_waits_for_the_approval_if_the_tester_confirms(
        shipping_campaign, make_device, logistics_staff):
    campaign, (tester,) = shipping_campaign(testers=1, policy=KEEP)
    loan = reserve(logistics_staff, campaign, tester, make_device(campaign.product))
    out = shipping.ship(logistics_staff, loan.id, carrier="dhl", tracking_number=TRACKING)
    finish(logistics_staff, campaign, tester)
    shipping.confirm_receipt(tester, campaign, out.id)
    assert notifications(tester, notices.RETURN_KIND) == []
    assert (loan.device.status, loan.return_due_at) == (WITH_TESTER, None)
    assert kept_award(loan) is not None and kept_award(loan).state == PROPOSED


# --- the campaign ends ------------------------------------------------------------------------

@pytest.fixture
def out_and_reserved(shipping_campaign, make_device, logistics_staff):
    """(campaign in testing, (tester with the device, tester with a reserved one),
    (their loans))"""
    campaign, (holding, waiting) = shipping_campaign()
    out = lend(logistics_staff, campaign, holding, make_device(campaign.product))
    kept = reserve(logistics_staff, campaign, waiting, make_device(campaign.product))
    return campaign, (holding, waiting), (out, kept)


def test_evaluation_leaves_the_devices_where_they_are(out_and_reserved):
    campaign, (holding, _waiting), (out, reserved) = out_and_reserved
    lifecycle.advance(campaign.created_by, campaign)
    assert campaign.state == EVALUATION
    assert (out.device.status, reserved.device.status) == (WITH_TESTER, RESERVED)
    assert notifications(holding, notices.RETURN_KIND) == []


def test_closing_the_campaign_asks_devices_back_and_puts_reserved_ones_on_the_shelf(
        out_and_reserved):
    campaign, (holding, waiting), (out, reserved) = out_and_reserved
    lifecycle.advance(campaign.created_by, campaign)
    with frozen_at(utcnow() + timedelta(days=1)) as closed_at:
        lifecycle.advance(campaign.created_by, campaign)
    assert (campaign.state, campaign.ended_at) == (CLOSED, closed_at)
    assert asked_back(out, holding)
    assert out.return_due_at > closed_at
    assert (reserved.device.status, reserved.device.holder_id, reserved.outcome) == (
        IN_STOCK, None, ENDED_CANCELLED)
    assert notifications(waiting, notices.RETURN_KIND) == []


def test_cancelling_the_campaign_asks_devices_back_and_puts_reserved_ones_on_the_shelf(
        out_and_reserved):
    campaign, (holding, _waiting), (out, reserved) = out_and_reserved
    with frozen_at(utcnow()) as cancelled_at:
        lifecycle.cancel(campaign.created_by, campaign, "The maker recalled the phone.")
    assert campaign.ended_at == cancelled_at
    assert asked_back(out, holding)
    assert (reserved.device.status, reserved.outcome) == (IN_STOCK, ENDED_CANCELLED)


def test_a_device_already_asked_back_keeps_its_date_when_the_campaign_closes(
        shipping_campaign, make_device, logistics_staff):
    campaign, (tester,) = shipping_campaign(testers=1)
    loan = lend(logistics_staff, campaign, tester, make_device(campaign.product))
    finish(logistics_staff, campaign, tester)
    due = loan.return_due_at
    lifecycle.advance(campaign.created_by, campaign)
    with frozen_at(utcnow() + timedelta(days=3)):
        lifecycle.advance(campaign.created_by, campaign)
    assert (loan.device.status, loan.return_due_at) == (RETURN_REQUESTED, due)
    assert len(notifications(tester, notices.RETURN_KIND)) == 1


def test_closing_leaves_a_device_waiting_for_the_keep_approval_alone(
        shipping_campaign, make_device, logistics_staff, make_admin):
    campaign, (keeper, other) = shipping_campaign(policy=KEEP)
    kept = lend(logistics_staff, campaign, keeper, make_device(campaign.product))
    still_testing = lend(logistics_staff, campaign, other, make_device(campaign.product))
    finish(logistics_staff, campaign, keeper)
    lifecycle.advance(campaign.created_by, campaign)
    lifecycle.advance(campaign.created_by, campaign)
    assert (kept.device.status, kept_award(kept).state) == (WITH_TESTER, PROPOSED)
    assert notifications(keeper, notices.RETURN_KIND) == []
    assert asked_back(still_testing, other)
    awards.approve(make_admin(), kept_award(kept).id)
    assert kept.device.status == GIVEN_AWAY


def test_a_device_on_its_way_when_the_campaign_is_cancelled_is_asked_back_on_arrival(
        shipping_campaign, make_device, logistics_staff):
    campaign, (tester,) = shipping_campaign(testers=1)
    loan = reserve(logistics_staff, campaign, tester, make_device(campaign.product))
    out = shipping.ship(logistics_staff, loan.id, carrier="dhl", tracking_number=TRACKING)
    lifecycle.cancel(campaign.created_by, campaign, "The maker recalled the phone.")
    assert loan.device.status == SHIPPED
    shipping.confirm_receipt(tester, campaign, out.id)
    assert asked_back(loan, tester)


def test_a_device_on_its_way_when_the_campaign_closes_is_asked_back_on_arrival(
        shipping_campaign, make_device, logistics_staff):
    campaign, (tester,) = shipping_campaign(testers=1)
    loan = reserve(logistics_staff, campaign, tester, make_device(campaign.product))
    out = shipping.ship(logistics_staff, loan.id, carrier="dhl", tracking_number=TRACKING)
    lifecycle.advance(campaign.created_by, campaign)
    lifecycle.advance(campaign.created_by, campaign)
    assert campaign.state == CLOSED and loan.device.status == SHIPPED
    shipping.confirm_receipt(tester, campaign, out.id)
    assert asked_back(loan, tester)


# --- found in review ---------------------------------------------------------------------------

def test_a_tester_giving_up_the_place_mid_test_is_asked_for_the_device(
        shipping_campaign, make_device, logistics_staff):
    campaign, (tester, _other) = shipping_campaign()
    loan = lend(logistics_staff, campaign, tester, make_device(campaign.product))
    selection.decline_offer(tester, campaign)
    assert asked_back(loan, tester)
    assert loan.application_id in {row.application.id for row in assignments.roster(campaign)}


def test_staff_cannot_ask_back_a_device_whose_gift_waits_for_approval(keep_test,
                                                                      logistics_staff):
    _campaign, _tester, loan, _finisher, award = keep_test
    with pytest.raises(LogisticsError):
        shipping.request_return_by_staff(logistics_staff, loan.id, "changed our mind")
    assert (loan.device.status, award.state) == (WITH_TESTER, PROPOSED)


def test_a_device_already_sent_back_is_not_given_away(keep_test, make_admin):
    campaign, tester, loan, _finisher, award = keep_test
    shipping.sent_back(tester, campaign, carrier="hermes", tracking_number="H1234567")
    with pytest.raises(LogisticsError):
        awards.approve(make_admin(), award.id)
    assert loan.device.status == WITH_TESTER


def test_rejecting_an_old_gift_does_not_touch_the_devices_next_loan(
        keep_test, shipping_campaign, logistics_staff, make_admin):
    _campaign, _tester, loan, _finisher, award = keep_test
    device = loan.device
    shipping.receive_back(logistics_staff, loan.id)
    inventory.change_status(logistics_staff, device.id, IN_STOCK, reason="checked",
                            condition="good")
    other_campaign, (next_tester,) = shipping_campaign(testers=1, policy=KEEP)
    other_campaign.product_id = device.product_id
    db.session.flush()
    next_loan = lend(logistics_staff, other_campaign, next_tester, device)

    awards.reject(make_admin(), award.id, "Returned already.")

    assert (device.status, next_loan.return_requested_at) == (WITH_TESTER, None)
    assert notifications(next_tester, notices.KEEP_REJECTED_KIND) == []


def test_a_device_received_back_or_lost_is_with_no_one(shipping_campaign, make_device,
                                                      logistics_staff):
    campaign, (first, second) = shipping_campaign()
    back = lend(logistics_staff, campaign, first, make_device(campaign.product))
    lost = lend(logistics_staff, campaign, second, make_device(campaign.product))
    shipping.receive_back(logistics_staff, back.id)
    inventory.change_status(logistics_staff, lost.device.id, LOST, reason="Stolen on a train")
    for device in (back.device, lost.device):
        assert (device.holder_id, device.campaign_id) == (None, None)
    assert (back.outcome, lost.outcome) == ("returned", "lost")
