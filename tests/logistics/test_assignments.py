"""Which confirmed tester gets which device: only in testing, never for "own device", only
confirmed testers, only devices of the campaign's product that are in stock, one device
per tester; automatically the best devices first; a reservation can be taken back until
the device is shipped."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lab.campaigns import selection
from lab.campaigns.applications import application_of
from lab.campaigns.models import EVALUATION, OWN_DEVICE, SELECTED, SELECTION, Application
from lab.extensions import db
from lab.logistics import assignments, inventory, shipping
from lab.logistics.inventory import LogisticsError
from lab.logistics.models import (
    ENDED_CANCELLED,
    IN_STOCK,
    LOST,
    RESERVED,
    RETURNED,
    Assignment,
    DeviceEvent,
)

pytestmark = pytest.mark.usefixtures("english")


def application_id(member, campaign) -> int:
    return application_of(member.id, campaign.id).id


def open_assignments(campaign) -> int:
    return db.session.scalar(select(func.count()).select_from(Assignment).where(
        Assignment.campaign_id == campaign.id, Assignment.ended_at.is_(None)))


def device_of(member, campaign):
    return assignments.open_assignment(application_id(member, campaign)).device


# --- when and for whom ----------------------------------------------------------------------

def test_a_device_is_reserved_for_a_confirmed_tester(shipping_campaign, make_device,
                                                     logistics_staff):
    campaign, (tester, _other) = shipping_campaign()
    device = make_device(campaign.product)
    assignment = assignments.assign(logistics_staff, campaign,
                                    application_id(tester, campaign), device.id)
    assert (device.status, device.holder_id, device.campaign_id) == (
        RESERVED, tester.id, campaign.id)
    assert (assignment.member_id, assignment.assigned_by_id, assignment.ended_at) == (
        tester.id, logistics_staff.id, None)
    event = db.session.scalar(select(DeviceEvent).where(DeviceEvent.device_id == device.id,
                                                        DeviceEvent.to_status == RESERVED))
    assert (event.actor_id, event.member_id, event.campaign_id) == (
        logistics_staff.id, tester.id, campaign.id)


@pytest.mark.parametrize("state", [SELECTION, EVALUATION])
def test_devices_are_assigned_only_while_the_campaign_is_in_testing(
        shipping_campaign, make_device, logistics_staff, state):
    campaign, (tester,) = shipping_campaign(testers=1, state=state)
    device = make_device(campaign.product)
    with pytest.raises(LogisticsError, match="in testing"):
        assignments.assign(logistics_staff, campaign, application_id(tester, campaign),
                           device.id)
    with pytest.raises(LogisticsError, match="in testing"):
        assignments.assign_automatically(logistics_staff, campaign)
    assert (device.status, open_assignments(campaign)) == (IN_STOCK, 0)


def test_no_device_is_assigned_when_testers_use_their_own(shipping_campaign, make_device,
                                                          logistics_staff):
    campaign, (tester,) = shipping_campaign(testers=1, policy=OWN_DEVICE)
    device = make_device(campaign.product)
    with pytest.raises(LogisticsError, match="own devices"):
        assignments.assign(logistics_staff, campaign, application_id(tester, campaign),
                           device.id)
    with pytest.raises(LogisticsError, match="own devices"):
        assignments.assign_automatically(logistics_staff, campaign)
    assert (device.status, open_assignments(campaign)) == (IN_STOCK, 0)


@pytest.mark.parametrize("finished", ["completed", "dropped"])
def test_a_tester_whose_test_is_finished_gets_no_device(shipping_campaign, make_device,
                                                        logistics_staff, finished):
    campaign, (tester,) = shipping_campaign(testers=1)
    device = make_device(campaign.product)
    selection.finish_test(logistics_staff, application_id(tester, campaign), campaign,
                          completed=finished == "completed", reason="Stopped answering.")
    with pytest.raises(LogisticsError, match="Only confirmed testers") as error:
        assignments.assign(logistics_staff, campaign, application_id(tester, campaign),
                           device.id)
    assert error.value.field == "application_id"
    assert assignments.assign_automatically(logistics_staff, campaign) == (0, 0)
    assert device.status == IN_STOCK


def test_a_selected_member_who_has_not_confirmed_gets_no_device(
        shipping_campaign, make_device, make_member, logistics_staff):
    campaign, _testers = shipping_campaign(testers=0)
    member = make_member()
    db.session.add(Application(campaign_id=campaign.id, member_id=member.id, status=SELECTED,
                               answers={}))
    db.session.flush()
    device = make_device(campaign.product)
    with pytest.raises(LogisticsError, match="Only confirmed testers"):
        assignments.assign(logistics_staff, campaign, application_id(member, campaign),
                           device.id)
    assert assignments.assign_automatically(logistics_staff, campaign) == (0, 0)
    assert device.status == IN_STOCK


def test_a_tester_of_another_campaign_is_refused(shipping_campaign, make_device,
                                                 logistics_staff):
    campaign, _testers = shipping_campaign(testers=1)
    other, (stranger,) = shipping_campaign(testers=1)
    device = make_device(campaign.product)
    with pytest.raises(LogisticsError, match="does not belong") as error:
        assignments.assign(logistics_staff, campaign, application_id(stranger, other),
                           device.id)
    assert error.value.field == "application_id"
    assert device.status == IN_STOCK


def test_a_tester_who_has_a_device_gets_no_second_one(shipping_campaign, make_device,
                                                      logistics_staff):
    campaign, (tester,) = shipping_campaign(testers=1)
    first, second = make_device(campaign.product), make_device(campaign.product)
    assignments.assign(logistics_staff, campaign, application_id(tester, campaign), first.id)
    with pytest.raises(LogisticsError, match="already has a device") as error:
        assignments.assign(logistics_staff, campaign, application_id(tester, campaign),
                           second.id)
    assert error.value.field == "application_id"
    assert (second.status, second.holder_id, open_assignments(campaign)) == (IN_STOCK, None, 1)


# --- which device -----------------------------------------------------------------------------

def test_no_device_chosen_is_an_error_on_the_device_field(shipping_campaign, logistics_staff):
    campaign, (tester,) = shipping_campaign(testers=1)
    with pytest.raises(LogisticsError, match="choose a device") as error:
        assignments.assign(logistics_staff, campaign, application_id(tester, campaign), None)
    assert error.value.field == "device_id"


def test_a_device_of_another_product_is_refused(shipping_campaign, make_device, make_product,
                                                logistics_staff):
    campaign, (tester,) = shipping_campaign(testers=1)
    router = make_device(make_product(name="Fritz!Box 7690"))
    with pytest.raises(LogisticsError, match="Fritz!Box 7690") as error:
        assignments.assign(logistics_staff, campaign, application_id(tester, campaign),
                           router.id)
    assert error.value.field == "device_id"
    assert (router.status, open_assignments(campaign)) == (IN_STOCK, 0)


def test_a_device_reserved_for_another_tester_is_refused(shipping_campaign, make_device,
                                                         logistics_staff):
    campaign, (first, second) = shipping_campaign()
    device = make_device(campaign.product)
    assignments.assign(logistics_staff, campaign, application_id(first, campaign), device.id)
    with pytest.raises(LogisticsError, match="not in stock") as error:
        assignments.assign(logistics_staff, campaign, application_id(second, campaign),
                           device.id)
    assert error.value.field == "device_id"
    assert (device.holder_id, open_assignments(campaign)) == (first.id, 1)


def test_a_lost_device_is_refused(shipping_campaign, make_device, logistics_staff):
    campaign, (tester,) = shipping_campaign(testers=1)
    device = make_device(campaign.product)
    inventory.change_status(logistics_staff, device.id, LOST, reason="Not on the shelf.")
    with pytest.raises(LogisticsError, match="not in stock"):
        assignments.assign(logistics_staff, campaign, application_id(tester, campaign),
                           device.id)
    assert (device.status, open_assignments(campaign)) == (LOST, 0)


def test_a_returned_device_not_yet_checked_is_refused(shipping_campaign, make_device,
                                                      logistics_staff):
    campaign, (first, second) = shipping_campaign()
    device = make_device(campaign.product)
    loan = assignments.assign(logistics_staff, campaign, application_id(first, campaign),
                              device.id)
    shipping.ship(logistics_staff, loan.id, carrier="dhl", tracking_number="JJD0001234")
    shipping.receive_back(logistics_staff, loan.id, note="Refused by the tester.")
    assert device.status == RETURNED
    with pytest.raises(LogisticsError, match="not in stock"):
        assignments.assign(logistics_staff, campaign, application_id(second, campaign),
                           device.id)
    assert assignments.assign_automatically(logistics_staff, campaign) == (0, 2)
    assert device.status == RETURNED


# --- automatically ----------------------------------------------------------------------------

def test_automatic_assignment_gives_the_best_devices_first(shipping_campaign, make_device,
                                                          logistics_staff):
    campaign, (first, second) = shipping_campaign()
    worn = make_device(campaign.product, "worn")
    good = make_device(campaign.product, "good")
    new = make_device(campaign.product, "new")
    assert assignments.assign_automatically(logistics_staff, campaign) == (2, 0)
    assert {device_of(first, campaign), device_of(second, campaign)} == {new, good}
    assert (worn.status, worn.holder_id) == (IN_STOCK, None)


def test_automatic_assignment_serves_testers_in_the_order_they_confirmed(
        shipping_campaign, make_device, logistics_staff):
    campaign, (first, second) = shipping_campaign()
    earlier = application_of(first.id, campaign.id).confirmed_at - timedelta(hours=1)
    application_of(second.id, campaign.id).confirmed_at = earlier
    good = make_device(campaign.product, "good")
    assert assignments.assign_automatically(logistics_staff, campaign) == (1, 1)
    assert (good.holder_id, assignments.open_assignment(application_id(first, campaign))) == (
        second.id, None)


def test_automatic_assignment_takes_only_the_campaigns_product_in_stock(
        shipping_campaign, make_device, make_product, logistics_staff):
    campaign, (tester,) = shipping_campaign(testers=1)
    other_product = make_device(make_product(name="Tab 3", category="tablet"))
    lost = make_device(campaign.product)
    inventory.change_status(logistics_staff, lost.id, LOST, reason="Stolen at the fair.")
    assert assignments.assign_automatically(logistics_staff, campaign) == (0, 1)
    assert (other_product.status, lost.status) == (IN_STOCK, LOST)


def test_automatic_assignment_never_sends_a_defective_device(shipping_campaign, make_device,
                                                             logistics_staff):
    campaign, (first, second) = shipping_campaign()
    good = make_device(campaign.product, "good")
    broken = make_device(campaign.product, "defective")
    assert assignments.assign_automatically(logistics_staff, campaign) == (1, 1)
    assert good.status == RESERVED
    assert (broken.status, broken.holder_id) == (IN_STOCK, None)


def test_short_stock_serves_as_many_as_it_can_and_says_how_many_wait(
        shipping_campaign, make_device, logistics_staff):
    campaign, testers = shipping_campaign(testers=3)
    devices = [make_device(campaign.product) for _ in range(2)]
    assert assignments.assign_automatically(logistics_staff, campaign) == (2, 1)
    assert {d.holder_id for d in devices} == {testers[0].id, testers[1].id}
    assert assignments.open_assignment(application_id(testers[2], campaign)) is None


def test_running_automatic_assignment_twice_assigns_nothing_new(shipping_campaign,
                                                                 make_device,
                                                                 logistics_staff):
    campaign, _testers = shipping_campaign(testers=3)
    for _ in range(2):
        make_device(campaign.product)
    assert assignments.assign_automatically(logistics_staff, campaign) == (2, 1)
    assert assignments.assign_automatically(logistics_staff, campaign) == (0, 1)
    assert open_assignments(campaign) == 2


def test_automatic_assignment_skips_testers_who_already_have_a_device(
        shipping_campaign, make_device, logistics_staff):
    campaign, (first, second) = shipping_campaign()
    by_hand = make_device(campaign.product, "worn")
    assignments.assign(logistics_staff, campaign, application_id(first, campaign), by_hand.id)
    spare = make_device(campaign.product)
    assert assignments.assign_automatically(logistics_staff, campaign) == (1, 0)
    assert (device_of(first, campaign), device_of(second, campaign)) == (by_hand, spare)


def test_stock_for_the_manual_choice_lists_the_best_devices_first(
        shipping_campaign, make_device, make_product, logistics_staff):
    campaign, _testers = shipping_campaign(testers=0)
    worn = make_device(campaign.product, "worn")
    new = make_device(campaign.product, "new")
    good = make_device(campaign.product, "good")
    make_device(make_product(name="Other phone", category="smartphone"))
    assert assignments.stock_for(campaign) == [new, good, worn]


# --- taking a reservation back ----------------------------------------------------------------

def test_a_reserved_device_goes_back_to_stock(shipping_campaign, make_device, logistics_staff):
    campaign, (tester,) = shipping_campaign(testers=1)
    device = make_device(campaign.product)
    loan = assignments.assign(logistics_staff, campaign, application_id(tester, campaign),
                              device.id)
    assignments.unassign(logistics_staff, loan.id, reason="Wrong colour.")
    assert (device.status, device.holder_id, device.campaign_id) == (IN_STOCK, None, None)
    assert (loan.outcome, loan.ended_at is not None) == (ENDED_CANCELLED, True)
    assert inventory.history(device.id)[0].reason == "Wrong colour."


def test_a_tester_whose_reservation_was_taken_back_can_get_another_device(
        shipping_campaign, make_device, logistics_staff):
    campaign, (tester,) = shipping_campaign(testers=1)
    first, second = make_device(campaign.product), make_device(campaign.product)
    loan = assignments.assign(logistics_staff, campaign, application_id(tester, campaign),
                              first.id)
    assignments.unassign(logistics_staff, loan.id)
    again = assignments.assign(logistics_staff, campaign, application_id(tester, campaign),
                               second.id)
    assert (again.ended_at, second.holder_id) == (None, tester.id)


def test_a_shipped_device_cannot_be_put_back(shipping_campaign, make_device, logistics_staff):
    campaign, (tester,) = shipping_campaign(testers=1)
    device = make_device(campaign.product)
    loan = assignments.assign(logistics_staff, campaign, application_id(tester, campaign),
                              device.id)
    shipping.ship(logistics_staff, loan.id, carrier="dpd", tracking_number="01234567890123")
    with pytest.raises(LogisticsError, match="reserved device"):
        assignments.unassign(logistics_staff, loan.id)
    assert (loan.ended_at, device.holder_id) == (None, tester.id)


def test_a_reservation_is_taken_back_only_once(shipping_campaign, make_device,
                                               logistics_staff):
    campaign, (tester,) = shipping_campaign(testers=1)
    device = make_device(campaign.product)
    loan = assignments.assign(logistics_staff, campaign, application_id(tester, campaign),
                              device.id)
    assignments.unassign(logistics_staff, loan.id)
    with pytest.raises(LogisticsError, match="reserved device"):
        assignments.unassign(logistics_staff, loan.id)
    assert [e.to_status for e in inventory.history(device.id)] == [IN_STOCK, RESERVED,
                                                                     IN_STOCK]


# --- the roster -----------------------------------------------------------------------------

def test_the_roster_shows_each_testers_open_assignment_else_the_latest(
        shipping_campaign, make_device, logistics_staff):
    campaign, (first, second) = shipping_campaign()
    a, b = make_device(campaign.product), make_device(campaign.product)
    cancelled = assignments.assign(logistics_staff, campaign,
                                   application_id(first, campaign), a.id)
    assignments.unassign(logistics_staff, cancelled.id)
    current = assignments.assign(logistics_staff, campaign,
                                 application_id(first, campaign), b.id)
    only_cancelled = assignments.assign(logistics_staff, campaign,
                                        application_id(second, campaign), a.id)
    assignments.unassign(logistics_staff, only_cancelled.id)
    rows = {row.application.member_id: row.assignment for row in assignments.roster(campaign)}
    assert rows == {first.id: current, second.id: only_cancelled}


def test_the_roster_lists_finished_testers_but_not_other_applicants(
        shipping_campaign, make_member, logistics_staff):
    campaign, (done, dropped, testing) = shipping_campaign(testers=3)
    selection.finish_test(logistics_staff, application_id(done, campaign), campaign,
                          completed=True)
    selection.finish_test(logistics_staff, application_id(dropped, campaign), campaign,
                          completed=False, reason="Moved abroad.")
    waiting = make_member()
    db.session.add(Application(campaign_id=campaign.id, member_id=waiting.id,
                               status=SELECTED, answers={}))
    db.session.flush()
    rows = assignments.roster(campaign)
    assert {row.application.member_id for row in rows} == {done.id, dropped.id, testing.id}
    assert all(row.assignment is None for row in rows)
