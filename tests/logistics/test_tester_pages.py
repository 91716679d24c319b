"""The tester's side of a test device: /tests/<slug>/device with the parcels out and back,
the receipt, the parcel back, and the device card of the participant area. Only the
campaign's testers get in; nobody sees or confirms another member's parcel; bad input
comes back beside its field with the input kept, never a 500."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from lab.campaigns import selection
from lab.campaigns.models import KEEP, OWN_DEVICE
from lab.core.clock import frozen_at
from lab.extensions import db
from lab.logistics import assignments, shipping
from lab.logistics.models import BACK, OUT, RETURN_REQUESTED, SHIPPED, WITH_TESTER
from tests.support import field_error, post_form, text

pytestmark = pytest.mark.usefixtures("english")

T0 = datetime(2025, 3, 3, 9, 0)
TRACKING_OUT = "00340434161094042557"


class Lab:
    """A phone campaign in testing with two English-reading testers, ``me`` and
    ``other``, each with a device shipped to them, and the logistics staff."""

    def __init__(self, campaign, me, other, staff):
        self.campaign, self.me, self.other, self.staff = campaign, me, other, staff
        self.slug = campaign.slug
        self.device_page = f"/tests/{self.slug}/device"
        self.applications = {row.application.member_id: row.application
                             for row in assignments.roster(campaign)}

    def assign(self, member, device):
        return assignments.assign(self.staff, self.campaign,
                                  self.applications[member.id].id, device.id)

    def ship(self, assignment):
        return shipping.ship(self.staff, assignment.id, carrier="dhl",
                             tracking_number=TRACKING_OUT)

    def shipment_url(self, shipment) -> str:
        return f"/tests/{self.slug}/shipments/{shipment.id}"

    def finish(self, member):
        selection.finish_test(self.staff, self.applications[member.id].id, self.campaign,
                              completed=True)


@pytest.fixture
def make_lab(shipping_campaign, make_device, logistics_staff):
    def make(policy="return", ship=True):
        campaign, (me, other) = shipping_campaign(policy=policy)
        me.locale = other.locale = "en"
        lab = Lab(campaign, me, other, logistics_staff)
        if ship:
            for member in (me, other):
                assignment = lab.assign(member, make_device(campaign.product))
                lab.ship(assignment)
        db.session.commit()
        return lab

    return make


@pytest.fixture
def lab(make_lab):
    return make_lab()


@pytest.fixture
def me(lab, auth):
    return auth.login(lab.me)


def mine(lab, member=None):
    return shipping.tester_assignment(member or lab.me, lab.campaign)


def asked_back(lab):
    """My device arrived, and the test is over: it is asked back (due in 14 days)."""
    with frozen_at(T0):
        shipping.deliver(lab.staff, mine(lab).id)
        lab.finish(lab.me)
    db.session.commit()
    assert mine(lab).device.status == RETURN_REQUESTED


# ---- who gets in ---------------------------------------------------------------------

def test_a_member_who_is_not_a_tester_gets_403_on_the_device_page(client, auth, lab,
                                                                  make_member):
    auth.login(make_member(locale="en"))
    answer = client.get(lab.device_page)
    assert answer.status_code == 403
    assert "Only the confirmed testers of this campaign can open its test area." \
        in text(answer)


def test_an_unknown_campaign_is_404(client, me):
    assert client.get("/tests/no-such-test/device").status_code == 404


def test_another_members_shipment_page_is_404(client, lab, me):
    theirs = mine(lab, lab.other).shipment(OUT)
    assert client.get(lab.shipment_url(theirs)).status_code == 404


def test_confirming_another_members_parcel_is_404_and_changes_nothing(client, lab, me):
    theirs = mine(lab, lab.other)
    answer = post_form(client, f"{lab.shipment_url(theirs.shipment(OUT))}/received", {},
                       page=lab.device_page)
    assert answer.status_code == 404
    db.session.expire_all()
    assert theirs.device.status == SHIPPED and theirs.shipment(OUT).delivered_at is None


# ---- the parcel out and its receipt ----------------------------------------------------

def test_the_tester_sees_the_shipped_device_and_its_parcel(client, lab, me):
    assignment = mine(lab)
    page = text(client.get(lab.device_page))
    assert "Your test device is on its way." in page
    assert assignment.device.product.name in page and assignment.device.serial in page
    assert f"Carrier DHL Tracking number {TRACKING_OUT}" in page
    assert "I have received the device" in page


def test_the_tester_confirms_receipt_and_has_the_device(client, lab, me):
    shipment = mine(lab).shipment(OUT)
    answer = post_form(client, f"{lab.shipment_url(shipment)}/received", {},
                       page=lab.device_page, follow_redirects=True)
    assert "The device is marked as received." in text(answer)
    assert "The test device is with you." in text(answer)
    db.session.expire_all()
    assert mine(lab).device.status == WITH_TESTER
    assert shipment.delivered_at is not None


def test_confirming_an_arrived_parcel_again_says_so(client, lab, me):
    shipment = mine(lab).shipment(OUT)
    shipping.deliver(lab.staff, mine(lab).id)
    db.session.commit()
    answer = post_form(client, f"{lab.shipment_url(shipment)}/received", {},
                       page=lab.shipment_url(shipment), follow_redirects=True)
    assert answer.status_code == 200
    assert "This parcel has already arrived." in text(answer)


def test_confirming_receipt_without_csrf_token_is_400_and_changes_nothing(client, lab, me):
    shipment = mine(lab).shipment(OUT)
    answer = client.post(f"{lab.shipment_url(shipment)}/received")
    assert answer.status_code == 400
    db.session.expire_all()
    assert mine(lab).device.status == SHIPPED and shipment.delivered_at is None


def test_the_shipment_page_shows_the_parcel(client, lab, me):
    shipment = mine(lab).shipment(OUT)
    page = text(client.get(lab.shipment_url(shipment)))
    assert "Direction from the team to you" in page
    assert f"Tracking number {TRACKING_OUT}" in page
    assert "Arrived on not yet" in page


# ---- no device yet -----------------------------------------------------------------------

def test_a_tester_without_a_device_is_told_it_comes_soon(client, auth, make_lab):
    lab = make_lab(ship=False)
    auth.login(lab.me)
    page = text(client.get(lab.device_page))
    assert "The team will send you your test device soon" in page


def test_in_an_own_device_test_the_tester_is_told_to_use_their_own(client, auth, make_lab):
    lab = make_lab(policy=OWN_DEVICE, ship=False)
    auth.login(lab.me)
    assert "In this test you use your own device." in text(client.get(lab.device_page))


# ---- sending it back ---------------------------------------------------------------------

def sent_back_url(lab) -> str:
    return f"{lab.device_page}/sent-back"


def test_an_asked_back_device_shows_the_return_instructions(client, app, lab, me):
    asked_back(lab)
    with frozen_at(T0 + timedelta(days=1)):
        page = text(client.get(lab.device_page))
    assert "Please send the device back by Mar 17, 2025." in page
    assert app.config["RETURN_ADDRESS"] in page
    assert "all its accessories" in page


def test_an_overdue_device_is_asked_for_today(client, lab, me):
    asked_back(lab)
    with frozen_at(T0 + timedelta(days=20)):
        page = text(client.get(lab.device_page))
    assert "The device was due back on Mar 17, 2025: please send it back today." in page


def test_sending_back_without_tracking_number_shows_the_error_and_keeps_the_input(
        client, lab, me):
    asked_back(lab)
    answer = post_form(client, sent_back_url(lab), {"carrier": "hermes",
                                                    "tracking_number": ""},
                       page=lab.device_page)
    assert answer.status_code == 200
    assert field_error(answer, "tracking_number") == "Please enter the tracking number."
    assert '<option selected value="hermes">' in answer.get_data(as_text=True)
    db.session.expire_all()
    assert mine(lab).shipment(BACK) is None


def test_sending_back_with_an_unknown_carrier_shows_the_error_and_keeps_the_input(
        client, lab, me):
    asked_back(lab)
    answer = post_form(client, sent_back_url(lab), {"carrier": "pigeon",
                                                    "tracking_number": "JJD0001234"},
                       page=lab.device_page)
    assert answer.status_code == 200
    assert field_error(answer, "carrier") == "Please choose the carrier."
    assert 'value="JJD0001234"' in answer.get_data(as_text=True)
    db.session.expire_all()
    assert mine(lab).shipment(BACK) is None


def test_sending_back_records_the_parcel_back_and_shows_it(client, lab, me):
    asked_back(lab)
    answer = post_form(client, sent_back_url(lab), {"carrier": "hermes",
                                                    "tracking_number": "h 1234 5678 90"},
                       page=lab.device_page, follow_redirects=True)
    page = text(answer)
    assert "Your parcel back to us is recorded" in page
    assert "The device is on its way back to us." in page
    assert "Parcel back to us Carrier Hermes Tracking number H1234567890" in page
    assert "I have sent it back" not in page
    db.session.expire_all()
    back = mine(lab).shipment(BACK)
    assert (back.carrier, back.tracking_number) == ("hermes", "H1234567890")


def test_sending_back_without_csrf_token_is_400_and_changes_nothing(client, lab, me):
    asked_back(lab)
    answer = client.post(sent_back_url(lab), data={"carrier": "dhl",
                                                   "tracking_number": "JJD0001234"})
    assert answer.status_code == 400
    db.session.expire_all()
    assert mine(lab).shipment(BACK) is None


def test_a_tester_who_dropped_out_can_still_send_the_device_back(client, lab, me):
    shipping.deliver(lab.staff, mine(lab).id)
    selection.finish_test(lab.staff, lab.applications[lab.me.id].id, lab.campaign,
                          completed=False, reason="Moved abroad")
    db.session.commit()
    answer = client.get(lab.device_page)
    assert answer.status_code == 200
    assert "I have sent it back" in text(answer)


def test_a_kept_device_waits_for_approval(client, auth, make_lab):
    lab = make_lab(policy=KEEP)
    auth.login(lab.me)
    shipping.deliver(lab.staff, mine(lab).id)
    lab.finish(lab.me)
    db.session.commit()
    assert "waiting for approval to keep it" in text(client.get(lab.device_page))


# ---- the device card of the participant area -------------------------------------------

def test_the_area_shows_the_device_card_with_the_receipt_button(client, lab, me):
    shipment = mine(lab).shipment(OUT)
    answer = client.get(f"/tests/{lab.slug}/")
    card = answer.get_data(as_text=True).split('id="device"', 1)[1].split("</section>", 1)[0]
    assert "Your test device is on its way." in card
    assert f'action="{lab.shipment_url(shipment)}/received"' in card
    assert "I have received the device" in card
    assert f'href="{lab.device_page}"' in card


def test_confirming_from_the_area_returns_to_the_area(client, lab, me):
    area = f"/tests/{lab.slug}/"
    shipment = mine(lab).shipment(OUT)
    answer = post_form(client, f"{lab.shipment_url(shipment)}/received", {"next": area},
                       page=area)
    assert answer.status_code == 302 and answer.location.endswith(area)


def test_the_area_card_asks_to_send_the_device_back_by_its_date(client, lab, me):
    asked_back(lab)
    with frozen_at(T0 + timedelta(days=1)):
        page = text(client.get(f"/tests/{lab.slug}/"))
    assert "Send it back by Mar 17, 2025" in page


# ---- the staff dashboard ------------------------------------------------------------------

def test_the_staff_dashboard_counts_the_devices_overdue_for_return(client, auth, lab,
                                                                   make_staff):
    asked_back(lab)  # due on 17 March; the other tester's device is still on its way
    auth.login(make_staff(locale="en"))
    with frozen_at(T0 + timedelta(days=20)):
        answer = client.get("/staff/")
    line = re.search(r'<p id="devices-overdue">(.*?)</p>', answer.get_data(as_text=True), re.S)
    assert line and 'href="/staff/devices/overdue"' in line.group(1)
    assert "Devices overdue for return: 1" in line.group(1)
