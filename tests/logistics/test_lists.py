"""The warehouse's lists of a campaign, through the service: the pick list (reserved
devices, no addresses), the shipping list (addresses for logistics staff only, each one
audited) and their CSV for the carrier; and the numbers of the devices page."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from lab.accounts.services import ADDRESS_VIEWED, delete_address, save_address
from lab.core.audit import AuditEntry
from lab.core.export import csv_lines
from lab.extensions import db
from lab.logistics import assignments, lists, shipping
from lab.logistics.addresses import AddressRefused
from lab.logistics.models import RESERVED, RETURN_REQUESTED, SHIPPED, WITH_TESTER
from tests.logistics.conftest import address_of


def _reserve_all(campaign, actor, make_device, condition="new"):
    """One device from stock for every confirmed tester; the assignments by tester."""
    for _row in assignments.roster(campaign):
        make_device(campaign.product, condition)
    assignments.assign_automatically(actor, campaign)
    return {row.application.member_id: row.assignment for row in assignments.roster(campaign)}


def _viewed() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == ADDRESS_VIEWED).order_by(AuditEntry.id)))


def _csv(table) -> list[list[str]]:
    return list(csv.reader(io.StringIO("".join(csv_lines(*table)).lstrip("\ufeff"))))


def test_the_pick_list_has_the_reserved_devices_not_yet_shipped(
        shipping_campaign, make_device, logistics_staff):
    campaign, (first, second) = shipping_campaign()
    by_tester = _reserve_all(campaign, logistics_staff, make_device)
    shipping.ship(logistics_staff, by_tester[second.id].id, carrier="dhl",
                  tracking_number="00340434161094042557")

    rows = lists.pick_list(campaign)

    device = by_tester[first.id].device
    assert [(r.handle, r.product, r.serial, r.imei, r.condition) for r in rows] == [
        (first.handle, campaign.product.name, device.serial, device.imei, "new")]


def test_the_pick_list_leaves_out_other_campaigns(shipping_campaign, make_device,
                                                  logistics_staff):
    campaign, _testers = shipping_campaign(testers=1)
    other, _others = shipping_campaign(testers=1)
    _reserve_all(other, logistics_staff, make_device)

    assert lists.pick_list(campaign) == []


def test_the_pick_list_csv_has_tester_product_serial_imei_and_condition_but_no_address(
        shipping_campaign, make_device, logistics_staff, english):
    campaign, (tester,) = shipping_campaign(testers=1)
    device = _reserve_all(campaign, logistics_staff, make_device, "good")[tester.id].device

    header, *body = _csv(lists.pick_list_table(lists.pick_list(campaign)))

    assert header == ["Tester", "Product", "Serial number", "IMEI", "Condition"]
    assert body == [[tester.handle, campaign.product.name, device.serial, device.imei, "good"]]
    assert "Hauptstraße" not in repr(body)


def test_the_shipping_list_gives_each_tester_their_address(
        shipping_campaign, make_device, logistics_staff):
    campaign, (first, second) = shipping_campaign()
    _reserve_all(campaign, logistics_staff, make_device)

    rows = lists.shipping_list(logistics_staff, campaign)

    assert {row.item.handle: row.address.street for row in rows} == {
        first.handle: "Hauptstraße 1", second.handle: "Hauptstraße 2"}


def test_the_shipping_list_writes_one_audit_entry_per_address_shown(
        shipping_campaign, make_device, logistics_staff):
    campaign, testers = shipping_campaign()
    _reserve_all(campaign, logistics_staff, make_device)

    lists.shipping_list(logistics_staff, campaign, purpose=lists.SHIPPING_LIST_CSV)

    entries = _viewed()
    assert sorted(e.object_id for e in entries) == sorted(str(t.id) for t in testers)
    assert {(e.actor_id, e.object_type, e.details["campaign"], e.details["purpose"])
            for e in entries} == {(logistics_staff.id, "user", campaign.id,
                                   "shipping list (CSV)")}


def test_a_tester_without_an_address_is_listed_with_no_address_and_not_audited(
        shipping_campaign, make_device, logistics_staff):
    campaign, (tester, without) = shipping_campaign()
    delete_address(without)
    _reserve_all(campaign, logistics_staff, make_device)

    rows = {row.item.handle: row.address for row in lists.shipping_list(logistics_staff,
                                                                        campaign)}

    assert rows[without.handle] is None and rows[tester.handle] is not None
    assert [e.object_id for e in _viewed()] == [str(tester.id)]


def test_the_shipping_list_is_refused_to_staff_without_the_logistics_role(
        shipping_campaign, make_device, make_staff, logistics_staff):
    campaign, _testers = shipping_campaign()
    _reserve_all(campaign, logistics_staff, make_device)

    with pytest.raises(AddressRefused):
        lists.shipping_list(make_staff(), campaign)
    assert _viewed() == []


@pytest.mark.parametrize("state", ["selection", "closed"])
def test_the_shipping_list_is_refused_outside_testing_and_evaluation(
        shipping_campaign, logistics_staff, state):
    campaign, _testers = shipping_campaign(state=state)

    with pytest.raises(AddressRefused):
        lists.shipping_list(logistics_staff, campaign)
    assert _viewed() == []


def test_the_shipping_csv_has_the_carrier_columns_with_the_serial_as_reference(
        shipping_campaign, make_device, logistics_staff, english):
    campaign, (tester,) = shipping_campaign(testers=1)
    save_address(tester, **address_of(1) | {"extra": "2. OG", "phone": "+49 228 1234"})
    device = _reserve_all(campaign, logistics_staff, make_device)[tester.id].device

    header, *body = _csv(lists.shipping_list_table(lists.shipping_list(logistics_staff,
                                                                       campaign)))

    assert header == ["Name", "Street", "Address extra", "Postcode", "City", "Country",
                      "Phone", "Reference"]
    assert body == [["Erika Muster 1", "Hauptstraße 1", "2. OG", "53113", "Bonn", "DE",
                     "'+49 228 1234", device.serial]]


def test_the_shipping_csv_says_no_address_for_a_tester_without_one(
        shipping_campaign, make_device, logistics_staff, english):
    campaign, (tester,) = shipping_campaign(testers=1)
    device = _reserve_all(campaign, logistics_staff, make_device)[tester.id].device
    delete_address(tester)

    _header, *body = _csv(lists.shipping_list_table(lists.shipping_list(logistics_staff,
                                                                        campaign)))

    assert body == [[tester.handle, "no address", "", "", "", "", "", device.serial]]


def test_a_name_starting_with_an_equals_sign_is_not_run_as_a_formula(
        shipping_campaign, make_device, logistics_staff):
    campaign, (tester,) = shipping_campaign(testers=1)
    save_address(tester, **address_of(1) | {"full_name": '=HYPERLINK("http://evil")'})
    _reserve_all(campaign, logistics_staff, make_device)

    _header, row = _csv(lists.shipping_list_table(lists.shipping_list(logistics_staff,
                                                                      campaign)))

    assert row[0] == '\'=HYPERLINK("http://evil")'


def test_the_counts_say_where_the_devices_are(shipping_campaign, make_device,
                                              logistics_staff):
    campaign, testers = shipping_campaign(testers=4)
    by_tester = _reserve_all(campaign, logistics_staff, make_device)
    shipped, with_tester, asked_back, _reserved = (by_tester[t.id].id for t in testers)
    for assignment_id in (shipped, with_tester, asked_back):
        shipping.ship(logistics_staff, assignment_id, carrier="dpd",
                      tracking_number="01234567890123")
    for assignment_id in (with_tester, asked_back):
        shipping.deliver(logistics_staff, assignment_id)
    shipping.request_return_by_staff(logistics_staff, asked_back, "test over")

    counts = lists.roster_counts(assignments.roster(campaign))

    assert counts == {"testers": 4, RESERVED: 1, SHIPPED: 1, WITH_TESTER: 1,
                      RETURN_REQUESTED: 1, "returned": 0, "given_away": 0}


def test_the_counts_keep_returned_devices(shipping_campaign, make_device, logistics_staff):
    campaign, (tester,) = shipping_campaign(testers=1)
    assignment = _reserve_all(campaign, logistics_staff, make_device)[tester.id]
    shipping.ship(logistics_staff, assignment.id, carrier="dpd",
                  tracking_number="01234567890123")
    shipping.receive_back(logistics_staff, assignment.id)

    counts = lists.roster_counts(assignments.roster(campaign))

    assert (counts["returned"], counts[SHIPPED]) == (1, 0)
