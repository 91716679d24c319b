"""A device's whole way, through the services: assigned, shipped, received, asked back
after the test, returned, checked and in stock again; and kept after a completed test
once a second admin approved."""

from sqlalchemy import select

from lab.campaigns import selection
from lab.campaigns.models import KEEP
from lab.extensions import db
from lab.logistics import assignments, inventory, retention, shipping
from lab.logistics.models import (
    GIVEN_AWAY,
    IN_STOCK,
    RESERVED,
    RETURN_REQUESTED,
    RETURNED,
    SHIPPED,
    WITH_TESTER,
    DeviceEvent,
)
from lab.rewards import awards


def _statuses(device):
    return [e.to_status for e in db.session.scalars(
        select(DeviceEvent).where(DeviceEvent.device_id == device.id)
        .order_by(DeviceEvent.id))]


def test_a_returned_device_goes_the_whole_way_back_to_stock(
        shipping_campaign, make_device, logistics_staff):
    campaign, (tester, _other) = shipping_campaign()
    device = make_device(campaign.product)
    application_id = assignments.roster(campaign)[0].application.id
    assignment = assignments.assign(logistics_staff, campaign, application_id, device.id)
    assert device.status == RESERVED and device.holder_id == tester.id
    shipment = shipping.ship(logistics_staff, assignment.id, carrier="dhl",
                             tracking_number="00340434161094042557")
    assert device.status == SHIPPED
    shipping.confirm_receipt(tester, campaign, shipment.id)
    assert device.status == WITH_TESTER
    selection.finish_test(logistics_staff, application_id, campaign, completed=True)
    assert device.status == RETURN_REQUESTED and assignment.return_due_at is not None
    shipping.receive_back(logistics_staff, assignment.id)
    assert device.status == RETURNED and assignment.outcome == "returned"
    inventory.change_status(logistics_staff, device.id, IN_STOCK, reason="checked",
                            condition="good")
    assert (device.status, device.condition, device.holder_id) == (IN_STOCK, "good", None)
    assert _statuses(device) == [IN_STOCK, RESERVED, SHIPPED, WITH_TESTER, RETURN_REQUESTED,
                                 RETURNED, IN_STOCK]
    assert retention.retention_of(tester.id).until is not None


def test_a_kept_device_is_given_away_only_after_a_second_admin_approves(
        shipping_campaign, make_device, logistics_staff, make_admin):
    campaign, (tester,) = shipping_campaign(testers=1, policy=KEEP)
    device = make_device(campaign.product)
    assignments.assign_automatically(logistics_staff, campaign)
    assignment = assignments.open_assignment(assignments.roster(campaign)[0].application.id)
    shipment = shipping.ship(logistics_staff, assignment.id, carrier="dpd",
                             tracking_number="01234567890123")
    shipping.deliver(logistics_staff, assignment.id)
    assert shipment.delivered_at is not None
    selection.finish_test(logistics_staff, assignment.application_id, campaign,
                          completed=True)
    award = awards.award_by_key(f"device-kept:{assignment.id}")
    assert award.state == "proposed" and device.status == WITH_TESTER
    awards.approve(make_admin(), award.id)
    assert device.status == GIVEN_AWAY and assignment.outcome == "given_away"
