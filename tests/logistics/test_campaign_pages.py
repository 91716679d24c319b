"""A campaign's devices pages for staff, /staff/campaigns/<slug>/devices: the roster with
its actions for logistics staff (assign, ship, deliver, ask back, receive back), the pick
list and the shipping list with the testers' addresses, which only logistics staff see,
only while the campaign runs, and never after the addresses were purged."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lab.accounts.services import ADDRESS_VIEWED
from lab.campaigns import lifecycle
from lab.campaigns.models import EVALUATION, OWN_DEVICE
from lab.core.audit import AuditEntry
from lab.core.clock import utcnow
from lab.extensions import db
from lab.logistics import assignments, inventory, retention, shipping
from lab.logistics.models import (
    IN_STOCK,
    LOST,
    RESERVED,
    RETURN_REQUESTED,
    RETURNED,
    SHIPPED,
    WITH_TESTER,
    Assignment,
    Device,
)
from tests.support import csrf_token, post_form, text

ADDRESS = "Hauptstraße 1"  # the first tester's street (tests.logistics.conftest.address_of)
NAME = "Erika Muster 1"
TRACKING = "00340434161094042557"
GET_PAGES = ["", "picklist", "picklist.csv", "shipping-list", "shipping-list.csv"]


# ---- helpers -------------------------------------------------------------------------

def field_error(answer, field_id: str) -> str | None:
    """The error shown beside the field with this id, or None."""
    match = re.search(rf'id="{field_id}-error"[^>]*>(.*?)</div>',
                      answer.get_data(as_text=True), re.S)
    if match is None:
        return None
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def base(campaign) -> str:
    return f"/staff/campaigns/{campaign.slug}/devices/"


def act(client, campaign, path: str, data=None, **kwargs):
    """POST one of the roster's forms with the roster's CSRF token."""
    return post_form(client, base(campaign) + path, data or {}, page=base(campaign),
                     **kwargs)


def fresh(model, object_id):
    db.session.expire_all()
    return db.session.get(model, object_id)


def viewed_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == ADDRESS_VIEWED))


class Desk:
    """A phone campaign in testing with two testers (their addresses given), two new
    devices in stock, and an English-reading logistics member."""


@pytest.fixture
def desk(shipping_campaign, make_device, make_logistics):
    desk = Desk()
    desk.campaign, (desk.first, desk.second) = shipping_campaign()
    desk.devices = [make_device(desk.campaign.product) for _ in range(2)]
    desk.rows = assignments.roster(desk.campaign)
    desk.logistics = make_logistics(locale="en")
    return desk


def reserve(desk, row=0, device=0) -> Assignment:
    return assignments.assign(desk.logistics, desk.campaign, desk.rows[row].application.id,
                              desk.devices[device].id)


def reserved_and_shipped(desk) -> Assignment:
    assignment = reserve(desk)
    shipping.ship(desk.logistics, assignment.id, carrier="dhl", tracking_number=TRACKING)
    return assignment


# ---- who gets in ---------------------------------------------------------------------

@pytest.mark.parametrize("page", GET_PAGES)
def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client, desk, page):
    db.session.commit()
    answer = client.get(base(desk.campaign) + page)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


@pytest.mark.parametrize("page", GET_PAGES)
def test_a_member_gets_403_on_every_page(client, auth, desk, make_member, page):
    reserve(desk)
    auth.login(make_member(locale="en"))
    answer = client.get(base(desk.campaign) + page)
    assert answer.status_code == 403
    assert ADDRESS not in answer.get_data(as_text=True)


def test_staff_without_logistics_see_the_roster_without_forms(client, auth, desk,
                                                               make_staff):
    reserve(desk)
    auth.login(make_staff(locale="en"))
    answer = client.get(base(desk.campaign))
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert desk.devices[0].serial in page and f"@{desk.first.handle}" in page
    assert "Logistics staff assign and ship the devices" in text(answer)
    assert "<form" not in page.split('id="roster"')[1]
    assert "Assign automatically" not in page and "shipping-list" not in page


@pytest.mark.parametrize("page", ["picklist", "picklist.csv"])
def test_staff_without_logistics_open_the_pick_list(client, auth, desk, make_staff, page):
    reserve(desk)
    auth.login(make_staff(locale="en"))
    answer = client.get(base(desk.campaign) + page)
    assert answer.status_code == 200 and desk.devices[0].serial in answer.get_data(as_text=True)


@pytest.mark.parametrize("page", ["shipping-list", "shipping-list.csv"])
def test_staff_without_logistics_get_403_on_the_shipping_list(client, auth, desk, make_staff,
                                                              page):
    reserve(desk)
    auth.login(make_staff(locale="en"))
    answer = client.get(base(desk.campaign) + page)
    assert answer.status_code == 403
    assert ADDRESS not in answer.get_data(as_text=True) and viewed_count() == 0


@pytest.mark.parametrize("path", ["assign", "assign-automatically", "{id}/unassign",
                                  "{id}/ship", "{id}/delivered", "{id}/request-return",
                                  "{id}/received-back"])
def test_staff_without_logistics_get_403_on_every_action(client, auth, desk, make_staff,
                                                         path):
    assignment = reserve(desk)
    auth.login(make_staff(locale="en"))
    answer = act(client, desk.campaign, path.format(id=assignment.id),
                 {"application_id": desk.rows[1].application.id,
                  "device_id": desk.devices[1].id, "carrier": "dhl",
                  "tracking_number": TRACKING})
    assert answer.status_code == 403
    assert fresh(Device, desk.devices[0].id).status == RESERVED
    assert fresh(Device, desk.devices[1].id).status == IN_STOCK


@pytest.mark.parametrize("page", GET_PAGES)
def test_logistics_staff_open_every_page(client, auth, desk, page):
    reserve(desk)
    auth.login(desk.logistics)
    assert client.get(base(desk.campaign) + page).status_code == 200


def test_an_unknown_campaign_is_404(client, auth, desk):
    auth.login(desk.logistics)
    assert client.get("/staff/campaigns/no-such-campaign/devices/").status_code == 404


# ---- the roster ----------------------------------------------------------------------

def test_the_roster_shows_each_tester_with_device_shipment_and_return(client, auth, desk):
    assignment = reserved_and_shipped(desk)
    shipping.deliver(desk.logistics, assignment.id)
    shipping.request_return_by_staff(desk.logistics, assignment.id, None)
    shipping.sent_back(desk.first, desk.campaign, carrier="dpd",
                       tracking_number="01234567890123")
    auth.login(desk.logistics)
    answer = client.get(base(desk.campaign))
    page = text(answer)
    row = answer.get_data(as_text=True).split(f'id="tester-{desk.rows[0].application.id}"')[1]
    assert f'href="/staff/devices/{desk.devices[0].id}"' in row.split("</tr>")[0]
    assert f"DHL · {TRACKING}" in page and "delivered" in page
    assert "parcel back announced: DPD · 01234567890123" in page
    assert "return requested" in page and "Received back" in page
    assert f"@{desk.second.handle}" in page and "no device" in page
    assert "Testers 2 Reserved 0 Shipped 0 With the tester 0 Asked back 1" in page


def test_the_roster_explains_the_return_policy(client, auth, desk):
    auth.login(desk.logistics)
    assert "Testers send the device back after the test, within 14 days of being asked." \
        in text(client.get(base(desk.campaign)))


def test_a_campaign_with_own_devices_says_no_devices_are_shipped(
        client, auth, shipping_campaign, make_logistics):
    campaign, _testers = shipping_campaign(policy=OWN_DEVICE)
    auth.login(make_logistics(locale="en"))
    answer = client.get(base(campaign))
    assert "no devices are shipped for this campaign" in text(answer)
    assert "Assign automatically" not in text(answer)
    assert 'name="device_id"' not in answer.get_data(as_text=True)


def test_assigning_devices_in_a_campaign_with_own_devices_is_refused_with_a_message(
        client, auth, shipping_campaign, make_device, make_logistics):
    campaign, _testers = shipping_campaign(policy=OWN_DEVICE)
    device = make_device(campaign.product)
    auth.login(make_logistics(locale="en"))
    answer = act(client, campaign, "assign-automatically")
    assert answer.status_code == 422
    assert "Testers of this campaign use their own devices." in text(answer)
    assert fresh(Device, device.id).status == IN_STOCK


def test_logistics_assign_a_device_by_hand(client, auth, desk):
    auth.login(desk.logistics)
    application_id = desk.rows[0].application.id
    answer = act(client, desk.campaign, "assign",
                 {"application_id": application_id, "device_id": desk.devices[1].id})
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"#tester-{application_id}")
    device = fresh(Device, desk.devices[1].id)
    assert (device.status, device.holder_id) == (RESERVED, desk.first.id)
    assert f"Device {device.serial} is reserved for @{desk.first.handle}." \
        in text(client.get(base(desk.campaign)))


def test_logistics_assign_automatically(client, auth, desk):
    auth.login(desk.logistics)
    answer = act(client, desk.campaign, "assign-automatically", follow_redirects=True)
    assert "2 assigned." in text(answer)
    assert {fresh(Device, d.id).status for d in desk.devices} == {RESERVED}


def test_assigning_automatically_with_too_little_stock_says_who_still_waits(
        client, auth, desk):
    inventory.change_status(desk.logistics, desk.devices[0].id, LOST, reason="Dropped")
    auth.login(desk.logistics)
    answer = act(client, desk.campaign, "assign-automatically", follow_redirects=True)
    assert "1 assigned, 1 still without a device (stock empty)." in text(answer)
    assert fresh(Device, desk.devices[1].id).status == RESERVED


def test_assigning_a_device_that_is_not_in_stock_is_refused_beside_the_field(
        client, auth, desk):
    reserve(desk, row=0, device=0)
    auth.login(desk.logistics)
    application_id = desk.rows[1].application.id
    answer = act(client, desk.campaign, "assign",
                 {"application_id": application_id, "device_id": desk.devices[0].id})
    assert answer.status_code == 422
    assert field_error(answer, f"device_id-{application_id}") == "This device is not in stock."
    assert "Nothing was changed." in text(answer)
    device = fresh(Device, desk.devices[0].id)
    assert (device.status, device.holder_id) == (RESERVED, desk.first.id)
    assert assignments.open_assignment(application_id) is None


def test_assigning_a_tester_of_another_campaign_is_refused(client, auth, desk,
                                                           shipping_campaign):
    other, _testers = shipping_campaign(testers=1)
    stranger = assignments.roster(other)[0].application.id
    auth.login(desk.logistics)
    answer = act(client, desk.campaign, "assign",
                 {"application_id": stranger, "device_id": desk.devices[0].id})
    assert answer.status_code == 422
    assert "This tester does not belong to this campaign." in text(answer)
    assert fresh(Device, desk.devices[0].id).status == IN_STOCK


def test_logistics_ship_a_reserved_device(client, auth, desk):
    assignment = reserve(desk)
    auth.login(desk.logistics)
    answer = act(client, desk.campaign, f"{assignment.id}/ship",
                 {"carrier": "dhl", "tracking_number": "0034 0434 1610 9404 2557"},
                 follow_redirects=True)
    assert f"Shipped with DHL, tracking number {TRACKING}. The tester was told." \
        in text(answer)
    assert fresh(Device, desk.devices[0].id).status == SHIPPED
    assert fresh(Assignment, assignment.id).shipment("out").tracking_number == TRACKING


def test_shipping_without_a_tracking_number_is_refused_beside_the_field(client, auth, desk):
    assignment = reserve(desk)
    auth.login(desk.logistics)
    answer = act(client, desk.campaign, f"{assignment.id}/ship",
                 {"carrier": "dpd", "tracking_number": ""})
    key = assignment.application_id
    assert answer.status_code == 422
    assert field_error(answer, f"tracking_number-{key}") == "Please enter the tracking number."
    assert re.search(r'<option selected value="dpd">|<option value="dpd" selected',
                     answer.get_data(as_text=True))
    assert fresh(Device, desk.devices[0].id).status == RESERVED
    assert fresh(Assignment, assignment.id).shipments == []


def test_a_bad_tracking_number_comes_back_as_typed(client, auth, desk):
    assignment = reserve(desk)
    auth.login(desk.logistics)
    answer = act(client, desk.campaign, f"{assignment.id}/ship",
                 {"carrier": "dhl", "tracking_number": "AB-1"})
    key = assignment.application_id
    assert field_error(answer, f"tracking_number-{key}") == \
        "A tracking number has 6 to 40 letters and digits."
    assert 'value="AB-1"' in answer.get_data(as_text=True)
    assert fresh(Device, desk.devices[0].id).status == RESERVED


def test_logistics_put_a_reserved_device_back_in_stock(client, auth, desk):
    assignment = reserve(desk)
    auth.login(desk.logistics)
    answer = act(client, desk.campaign, f"{assignment.id}/unassign")
    assert answer.status_code == 302
    assert fresh(Device, desk.devices[0].id).status == IN_STOCK
    assert fresh(Assignment, assignment.id).outcome == "cancelled"


def test_logistics_mark_a_parcel_delivered(client, auth, desk):
    assignment = reserved_and_shipped(desk)
    auth.login(desk.logistics)
    answer = act(client, desk.campaign, f"{assignment.id}/delivered")
    assert answer.status_code == 302
    assert fresh(Device, desk.devices[0].id).status == WITH_TESTER
    assert fresh(Assignment, assignment.id).shipment("out").delivered_at is not None


def test_marking_a_parcel_delivered_twice_says_so_in_its_row(client, auth, desk):
    assignment = reserved_and_shipped(desk)
    shipping.deliver(desk.logistics, assignment.id)
    auth.login(desk.logistics)
    answer = act(client, desk.campaign, f"{assignment.id}/delivered")
    assert answer.status_code == 422
    row_error = answer.get_data(as_text=True).split(
        f'id="row-error-{assignment.application_id}"')[1]
    assert "This parcel has already arrived." in row_error.split("</div>")[0]


def test_logistics_ask_for_a_device_back(client, auth, desk):
    assignment = reserved_and_shipped(desk)
    shipping.deliver(desk.logistics, assignment.id)
    auth.login(desk.logistics)
    answer = act(client, desk.campaign, f"{assignment.id}/request-return",
                 {"reason": "The test is over."}, follow_redirects=True)
    assert f"@{desk.first.handle} was asked to send device {desk.devices[0].serial} back" \
        in text(answer)
    assert fresh(Device, desk.devices[0].id).status == RETURN_REQUESTED
    assert fresh(Assignment, assignment.id).return_due_at is not None


def test_logistics_receive_a_device_back(client, auth, desk):
    assignment = reserved_and_shipped(desk)
    shipping.deliver(desk.logistics, assignment.id)
    auth.login(desk.logistics)
    answer = act(client, desk.campaign, f"{assignment.id}/received-back",
                 {"note": "Box dented"})
    assert answer.status_code == 302
    assert fresh(Device, desk.devices[0].id).status == RETURNED
    assert fresh(Assignment, assignment.id).outcome == "returned"


def test_an_assignment_of_another_campaign_is_404(client, auth, desk, shipping_campaign,
                                                  make_device):
    other, _testers = shipping_campaign(testers=1)
    device = make_device(other.product)
    foreign = assignments.assign(desk.logistics, other,
                                 assignments.roster(other)[0].application.id, device.id)
    auth.login(desk.logistics)
    answer = act(client, desk.campaign, f"{foreign.id}/ship",
                 {"carrier": "dhl", "tracking_number": TRACKING})
    assert answer.status_code == 404
    assert fresh(Device, device.id).status == RESERVED


def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(client, auth, desk):
    assignment = reserve(desk)
    auth.login(desk.logistics)
    answer = client.post(base(desk.campaign) + f"{assignment.id}/ship",
                         data={"carrier": "dhl", "tracking_number": TRACKING})
    assert answer.status_code == 400
    assert fresh(Device, desk.devices[0].id).status == RESERVED
    assert csrf_token(client, base(desk.campaign))  # the page still works


# ---- the lists -----------------------------------------------------------------------

@pytest.mark.parametrize("page", ["picklist", "picklist.csv"])
def test_the_pick_list_has_no_addresses(client, auth, desk, page):
    reserve(desk)
    auth.login(desk.logistics)
    answer = client.get(base(desk.campaign) + page)
    body = answer.get_data(as_text=True)
    assert desk.devices[0].serial in body and desk.first.handle in body
    assert ADDRESS not in body and NAME not in body and viewed_count() == 0


def test_the_shipping_list_shows_the_addresses_and_audits_each(client, auth, desk):
    reserve(desk, row=0, device=0)
    reserve(desk, row=1, device=1)
    auth.login(desk.logistics)
    answer = client.get(base(desk.campaign) + "shipping-list")
    page = text(answer)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    assert f"{NAME} {ADDRESS} 53113 Bonn DE" in page and "Hauptstraße 2" in page
    assert viewed_count() == 2


def test_the_shipping_list_csv_has_the_addresses_and_audits_each(client, auth, desk):
    reserve(desk, row=0, device=0)
    reserve(desk, row=1, device=1)
    auth.login(desk.logistics)
    answer = client.get(base(desk.campaign) + "shipping-list.csv")
    body = answer.get_data(as_text=True)
    assert answer.mimetype == "text/csv"
    assert f"{NAME},{ADDRESS},,53113,Bonn,DE,,{desk.devices[0].serial}" in body
    assert viewed_count() == 2


def test_a_campaign_in_evaluation_still_shows_the_addresses(client, auth, desk):
    reserve(desk)
    lifecycle.advance(desk.campaign.created_by, desk.campaign)
    assert desk.campaign.state == EVALUATION
    auth.login(desk.logistics)
    assert ADDRESS in text(client.get(base(desk.campaign) + "shipping-list"))


@pytest.mark.parametrize("page", ["shipping-list", "shipping-list.csv"])
def test_no_address_is_shown_for_a_campaign_that_is_not_running(client, auth, page,
                                                                shipping_campaign,
                                                                make_logistics):
    campaign, _testers = shipping_campaign(state="closed")
    auth.login(make_logistics(locale="en"))
    answer = client.get(base(campaign) + page)
    assert answer.status_code == 403
    assert "Addresses are shown only while a campaign is in testing or evaluation." \
        in text(answer)
    assert ADDRESS not in answer.get_data(as_text=True) and viewed_count() == 0


def test_a_member_a_staff_member_without_logistics_and_a_logistics_member_after_purge_cannot_see_an_address(  # noqa: E501
        client, auth, desk, make_member, make_staff, make_test_campaign, make_device, app):
    assignment = reserve(desk)
    urls = [base(desk.campaign) + "shipping-list", base(desk.campaign) + "shipping-list.csv"]
    for who in (make_member(locale="en"), make_staff(locale="en")):
        auth.login(who)
        for url in urls:
            answer = client.get(url)
            assert answer.status_code == 403
            assert ADDRESS not in answer.get_data(as_text=True)
    assert viewed_count() == 0

    # logistics staff see it while the device waits to be sent
    auth.login(desk.logistics)
    assert NAME in text(client.get(urls[0]))
    assert ADDRESS in client.get(urls[1]).get_data(as_text=True)

    # the test ends: the device comes back, the campaign closes, the days pass, purge
    shipping.ship(desk.logistics, assignment.id, carrier="dhl", tracking_number=TRACKING)
    shipping.deliver(desk.logistics, assignment.id)
    shipping.receive_back(desk.logistics, assignment.id)
    lifecycle.advance(desk.campaign.created_by, desk.campaign)
    lifecycle.advance(desk.campaign.created_by, desk.campaign)
    days = app.config["ADDRESS_RETENTION_DAYS"]
    assert retention.purge(now=utcnow() + timedelta(days=days + 1)) == 2
    db.session.commit()

    # the closed campaign shows no addresses at all
    for url in urls:
        answer = client.get(url)
        assert answer.status_code == 403 and ADDRESS not in answer.get_data(as_text=True)
    # the same tester in a new test: logistics find no address left to see
    viewed = viewed_count()
    campaign, _testers = make_test_campaign([desk.first], product=desk.campaign.product,
                                            device_policy="return")
    assignments.assign(desk.logistics, campaign, assignments.roster(campaign)[0].application.id,
                       make_device(campaign.product).id)
    db.session.commit()
    page = client.get(base(campaign) + "shipping-list")
    exported = client.get(base(campaign) + "shipping-list.csv").get_data(as_text=True)
    assert page.status_code == 200 and f"@{desk.first.handle}" in text(page)
    assert "no address" in text(page) and "no address" in exported
    for shown in (page.get_data(as_text=True), exported):
        assert ADDRESS not in shown and NAME not in shown
    assert viewed_count() == viewed


@pytest.mark.parametrize("values", [{"application_id": "99999999999999999999"},
                                    {"device_id": "99999999999999999999"}])
def test_a_number_too_big_for_an_id_is_refused_without_an_error_page(client, auth, desk,
                                                                     values):
    auth.login(desk.logistics)
    answer = act(client, desk.campaign, "assign",
                 {"application_id": desk.rows[0].application.id,
                  "device_id": desk.devices[0].id} | values)
    assert answer.status_code == 422
    assert "Nothing was changed." in text(answer)
    assert fresh(Device, desk.devices[0].id).status == "in_stock"
