"""Parcels out and back: shipping needs a carrier and a tracking number and tells the
tester; the tester (or staff) confirms delivery; asking a device back gives a due date and
the return address; the tester announces the parcel back once; receiving it ends the loan;
the overdue list shows the loans past their date, longest overdue first."""

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from lab.campaigns.applications import application_of
from lab.core.clock import frozen_at, utcnow
from lab.extensions import db
from lab.logistics import assignments, notices, shipping
from lab.logistics.inventory import LogisticsError
from lab.logistics.models import (
    BACK,
    ENDED_RETURNED,
    OUT,
    RESERVED,
    RETURN_REQUESTED,
    RETURNED,
    SHIPPED,
    WITH_TESTER,
    Shipment,
)
from lab.logistics.shipping import NotYours
from tests.rewards.helpers import mails_to, notifications

pytestmark = pytest.mark.usefixtures("english")

TRACKING = "00340434161094042557"


@pytest.fixture
def reserved(shipping_campaign, make_device, logistics_staff):
    """(campaign, tester, the tester's reserved loan) and a second tester's reserved loan."""
    campaign, (tester, other) = shipping_campaign()
    loans = []
    for member in (tester, other):
        device = make_device(campaign.product)
        loans.append(assignments.assign(logistics_staff, campaign,
                                        application_of(member.id, campaign.id).id, device.id))
    return campaign, tester, loans[0], other, loans[1]


def shipments(loan) -> int:
    return db.session.scalar(select(func.count()).select_from(Shipment).where(
        Shipment.assignment_id == loan.id))


def parcel(loan, direction):
    """The loan's parcel one way, as stored (the loaded collection may predate it)."""
    return db.session.scalar(select(Shipment).where(Shipment.assignment_id == loan.id,
                                                    Shipment.direction == direction))


def with_tester(staff, loan, tester, campaign):
    out = shipping.ship(staff, loan.id, carrier="dhl", tracking_number=TRACKING)
    shipping.confirm_receipt(tester, campaign, out.id)
    return out


# --- shipping ---------------------------------------------------------------------------------

def test_shipping_records_the_parcel_and_the_device_is_on_its_way(reserved, logistics_staff):
    _campaign, _tester, loan, _other, _other_loan = reserved
    with frozen_at(utcnow()) as now:
        out = shipping.ship(logistics_staff, loan.id, carrier="dhl",
                            tracking_number="  jjd 0001 2345 ")
    assert loan.device.status == SHIPPED
    assert (out.direction, out.carrier, out.tracking_number, out.shipped_at,
            out.delivered_at, out.created_by_id) == (OUT, "dhl", "JJD00012345", now, None,
                                                     logistics_staff.id)
    assert parcel(loan, OUT) == out


def test_the_tester_is_told_the_carrier_and_tracking_number(reserved, logistics_staff):
    campaign, tester, loan, other, _other_loan = reserved
    shipping.ship(logistics_staff, loan.id, carrier="dpd", tracking_number=TRACKING)
    [note] = notifications(tester, notices.SHIPPED_KIND)
    assert (note.params["carrier"], note.params["tracking"], note.link) == (
        "DPD", TRACKING, f"/tests/{campaign.slug}/device")
    [mail] = mails_to(tester)
    assert TRACKING in mail.body_text
    assert (notifications(other, notices.SHIPPED_KIND), mails_to(other)) == ([], [])


@pytest.mark.parametrize(("carrier", "tracking", "field"), [
    ("dhl", "", "tracking_number"),
    ("dhl", "   ", "tracking_number"),
    ("dhl", "12345", "tracking_number"),
    ("dhl", "9" * 41, "tracking_number"),
    ("", TRACKING, "carrier"),
    ("fedex", TRACKING, "carrier"),
])
def test_a_parcel_without_valid_carrier_or_tracking_number_is_not_shipped(
        reserved, logistics_staff, carrier, tracking, field):
    _campaign, tester, loan, _other, _other_loan = reserved
    with pytest.raises(LogisticsError) as error:
        shipping.ship(logistics_staff, loan.id, carrier=carrier, tracking_number=tracking)
    assert error.value.field == field
    assert (loan.device.status, shipments(loan)) == (RESERVED, 0)
    assert notifications(tester, notices.SHIPPED_KIND) == []


def test_a_device_is_shipped_only_once(reserved, logistics_staff):
    _campaign, _tester, loan, _other, _other_loan = reserved
    shipping.ship(logistics_staff, loan.id, carrier="dhl", tracking_number=TRACKING)
    with pytest.raises(LogisticsError, match="Only a reserved device"):
        shipping.ship(logistics_staff, loan.id, carrier="ups", tracking_number="1Z999AA10123")
    assert (loan.device.status, shipments(loan), parcel(loan, OUT).carrier) == (
        SHIPPED, 1, "dhl")


def test_a_cancelled_reservation_is_not_shipped(reserved, logistics_staff):
    _campaign, _tester, loan, _other, _other_loan = reserved
    assignments.unassign(logistics_staff, loan.id)
    with pytest.raises(LogisticsError, match="Only a reserved device"):
        shipping.ship(logistics_staff, loan.id, carrier="dhl", tracking_number=TRACKING)
    assert shipments(loan) == 0


# --- delivery ---------------------------------------------------------------------------------

def test_the_tester_confirms_receipt(reserved, logistics_staff):
    campaign, tester, loan, _other, _other_loan = reserved
    out = shipping.ship(logistics_staff, loan.id, carrier="dhl", tracking_number=TRACKING)
    with frozen_at(utcnow() + timedelta(days=2)) as arrived:
        shipping.confirm_receipt(tester, campaign, out.id)
    assert loan.device.status == WITH_TESTER
    assert (loan.received_at, out.delivered_at, out.delivered_by_id) == (
        arrived, arrived, tester.id)


def test_staff_mark_a_parcel_delivered(reserved, logistics_staff):
    _campaign, _tester, loan, _other, _other_loan = reserved
    out = shipping.ship(logistics_staff, loan.id, carrier="dhl", tracking_number=TRACKING)
    shipping.deliver(logistics_staff, loan.id)
    assert (loan.device.status, out.delivered_by_id, loan.received_at) == (
        WITH_TESTER, logistics_staff.id, out.delivered_at)


def test_a_member_cannot_confirm_another_members_parcel(reserved, logistics_staff):
    campaign, tester, loan, other, _other_loan = reserved
    out = shipping.ship(logistics_staff, loan.id, carrier="dhl", tracking_number=TRACKING)
    with pytest.raises(NotYours):
        shipping.confirm_receipt(other, campaign, out.id)
    assert (loan.device.status, out.delivered_at, loan.received_at) == (SHIPPED, None, None)


def test_a_parcel_is_not_found_through_another_campaign(reserved, shipping_campaign,
                                                        logistics_staff):
    _campaign, tester, loan, _other, _other_loan = reserved
    other_campaign, _testers = shipping_campaign(testers=0)
    out = shipping.ship(logistics_staff, loan.id, carrier="dhl", tracking_number=TRACKING)
    with pytest.raises(NotYours):
        shipping.own_shipment(tester, other_campaign, out.id)
    with pytest.raises(NotYours):
        shipping.own_shipment(tester, other_campaign, out.id + 1000)


def test_a_parcel_is_confirmed_only_once(reserved, logistics_staff):
    campaign, tester, loan, _other, _other_loan = reserved
    out = with_tester(logistics_staff, loan, tester, campaign)
    first = out.delivered_at
    with frozen_at(utcnow() + timedelta(days=1)), \
            pytest.raises(LogisticsError, match="already arrived"):
        shipping.confirm_receipt(tester, campaign, out.id)
    assert (out.delivered_at, loan.received_at, loan.device.status) == (
        first, first, WITH_TESTER)


def test_the_tester_cannot_confirm_the_parcel_back(reserved, logistics_staff):
    campaign, tester, loan, _other, _other_loan = reserved
    with_tester(logistics_staff, loan, tester, campaign)
    back = shipping.sent_back(tester, campaign, carrier="hermes", tracking_number="H1234567")
    with pytest.raises(LogisticsError, match="parcel back"):
        shipping.confirm_receipt(tester, campaign, back.id)
    assert (back.delivered_at, loan.ended_at) == (None, None)


# --- asking for the device back ---------------------------------------------------------------

def test_asking_back_sets_the_due_date_and_tells_the_return_address(
        app, reserved, logistics_staff):
    campaign, tester, loan, _other, _other_loan = reserved
    with_tester(logistics_staff, loan, tester, campaign)
    with frozen_at(utcnow()) as now:
        shipping.request_return_by_staff(logistics_staff, loan.id, " Test ended early. ")
    due = now + timedelta(days=app.config["RETURN_DAYS"])
    assert (loan.device.status, loan.return_requested_at, loan.return_due_at) == (
        RETURN_REQUESTED, now, due)
    [note] = notifications(tester, notices.RETURN_KIND)
    assert (note.params["address"], note.params["return_by"]) == (
        app.config["RETURN_ADDRESS"], due.isoformat())
    with force_locale("de"):  # mails go out in the member's language, German by default
        subject = str(notices.SUBJECTS[notices.RETURN_KIND])
    assert [mail.subject for mail in mails_to(tester)][-1] == subject == \
        "Bitte senden Sie Ihr Testgerät zurück"


def test_the_return_days_come_from_the_configuration(app, monkeypatch, reserved,
                                                     logistics_staff):
    campaign, tester, loan, _other, _other_loan = reserved
    with_tester(logistics_staff, loan, tester, campaign)
    monkeypatch.setitem(app.config, "RETURN_DAYS", 5)
    with frozen_at(utcnow()) as now:
        shipping.request_return_by_staff(logistics_staff, loan.id, None)
    assert loan.return_due_at == now + timedelta(days=5)


def test_a_device_still_on_its_way_is_not_asked_back(reserved, logistics_staff):
    _campaign, tester, loan, _other, _other_loan = reserved
    shipping.ship(logistics_staff, loan.id, carrier="dhl", tracking_number=TRACKING)
    with pytest.raises(LogisticsError, match="asked back"):
        shipping.request_return_by_staff(logistics_staff, loan.id, None)
    assert (loan.device.status, loan.return_due_at) == (SHIPPED, None)
    assert notifications(tester, notices.RETURN_KIND) == []


def test_a_device_is_asked_back_only_once(reserved, logistics_staff):
    campaign, tester, loan, _other, _other_loan = reserved
    with_tester(logistics_staff, loan, tester, campaign)
    shipping.request_return_by_staff(logistics_staff, loan.id, None)
    due = loan.return_due_at
    with frozen_at(utcnow() + timedelta(days=3)), \
            pytest.raises(LogisticsError, match="asked back"):
        shipping.request_return_by_staff(logistics_staff, loan.id, None)
    assert loan.return_due_at == due
    assert len(notifications(tester, notices.RETURN_KIND)) == 1


# --- the parcel back --------------------------------------------------------------------------

def test_the_tester_announces_the_parcel_back(reserved, logistics_staff):
    campaign, tester, loan, _other, _other_loan = reserved
    with_tester(logistics_staff, loan, tester, campaign)
    shipping.request_return_by_staff(logistics_staff, loan.id, None)
    back = shipping.sent_back(tester, campaign, carrier="hermes", tracking_number="h 123 4567")
    assert (back.direction, back.carrier, back.tracking_number, back.created_by_id,
            back.delivered_at) == (BACK, "hermes", "H1234567", tester.id, None)
    assert (parcel(loan, BACK), loan.device.status) == (back, RETURN_REQUESTED)


@pytest.mark.parametrize(("carrier", "tracking", "field"), [
    ("dhl", "", "tracking_number"),
    ("dhl", "#12345678", "tracking_number"),
    ("pigeon", TRACKING, "carrier"),
])
def test_a_parcel_back_needs_a_carrier_and_a_valid_tracking_number(
        reserved, logistics_staff, carrier, tracking, field):
    campaign, tester, loan, _other, _other_loan = reserved
    with_tester(logistics_staff, loan, tester, campaign)
    with pytest.raises(LogisticsError) as error:
        shipping.sent_back(tester, campaign, carrier=carrier, tracking_number=tracking)
    assert error.value.field == field
    assert shipments(loan) == 1


def test_a_parcel_back_is_announced_only_once(reserved, logistics_staff):
    campaign, tester, loan, _other, _other_loan = reserved
    with_tester(logistics_staff, loan, tester, campaign)
    shipping.sent_back(tester, campaign, carrier="hermes", tracking_number="H1234567")
    with pytest.raises(LogisticsError, match="already told us") as error:
        shipping.sent_back(tester, campaign, carrier="dhl", tracking_number="JJD000999")
    assert error.value.field == "tracking_number"
    assert (shipments(loan), parcel(loan, BACK).carrier) == (2, "hermes")


def test_no_parcel_back_for_a_device_not_yet_arrived(reserved, logistics_staff):
    campaign, tester, loan, _other, _other_loan = reserved
    shipping.ship(logistics_staff, loan.id, carrier="dhl", tracking_number=TRACKING)
    with pytest.raises(LogisticsError, match="no device of this test"):
        shipping.sent_back(tester, campaign, carrier="dhl", tracking_number="JJD000999")
    assert shipments(loan) == 1


def test_no_parcel_back_for_a_member_without_a_device(reserved, make_member):
    campaign, _tester, _loan, _other, _other_loan = reserved
    with pytest.raises(LogisticsError, match="no device of this test"):
        shipping.sent_back(make_member(), campaign, carrier="dhl",
                           tracking_number="JJD000999")


# --- receiving it back ------------------------------------------------------------------------

def test_receiving_the_device_back_ends_the_loan_and_stamps_the_parcel(reserved,
                                                                       logistics_staff):
    campaign, tester, loan, _other, _other_loan = reserved
    with_tester(logistics_staff, loan, tester, campaign)
    shipping.request_return_by_staff(logistics_staff, loan.id, None)
    back = shipping.sent_back(tester, campaign, carrier="hermes", tracking_number="H1234567")
    with frozen_at(utcnow() + timedelta(days=4)) as arrived:
        shipping.receive_back(logistics_staff, loan.id, note=" Box dented. ")
    assert (loan.device.status, loan.outcome, loan.ended_at) == (RETURNED, ENDED_RETURNED,
                                                                  arrived)
    assert (back.delivered_at, back.delivered_by_id) == (arrived, logistics_staff.id)
    assert loan.device.holder_id is None  # back on our shelf, waiting for its check
    assert shipping.tester_assignment(tester, campaign) == loan


def test_a_device_sent_back_without_announcing_it_is_received_too(reserved,
                                                                  logistics_staff):
    campaign, tester, loan, _other, _other_loan = reserved
    with_tester(logistics_staff, loan, tester, campaign)
    shipping.receive_back(logistics_staff, loan.id)
    assert (loan.device.status, loan.outcome, parcel(loan, BACK)) == (
        RETURNED, ENDED_RETURNED, None)


def test_a_device_is_received_back_only_once(reserved, logistics_staff):
    campaign, tester, loan, _other, _other_loan = reserved
    with_tester(logistics_staff, loan, tester, campaign)
    shipping.receive_back(logistics_staff, loan.id)
    ended = loan.ended_at
    with frozen_at(utcnow() + timedelta(days=1)), \
            pytest.raises(LogisticsError, match="not out with a tester"):
        shipping.receive_back(logistics_staff, loan.id)
    assert loan.ended_at == ended


def test_a_reserved_device_is_not_received_back(reserved, logistics_staff):
    _campaign, _tester, loan, _other, _other_loan = reserved
    with pytest.raises(LogisticsError, match="not out with a tester"):
        shipping.receive_back(logistics_staff, loan.id)
    assert (loan.device.status, loan.ended_at) == (RESERVED, None)


def test_after_the_loan_ended_there_is_nothing_left_to_send_back(reserved, logistics_staff):
    campaign, tester, loan, _other, _other_loan = reserved
    with_tester(logistics_staff, loan, tester, campaign)
    shipping.receive_back(logistics_staff, loan.id)
    with pytest.raises(LogisticsError, match="no device of this test"):
        shipping.sent_back(tester, campaign, carrier="dhl", tracking_number="JJD000999")
    with pytest.raises(LogisticsError, match="loan has ended"):
        shipping.request_return_by_staff(logistics_staff, loan.id, None)


# --- overdue ---------------------------------------------------------------------------------

def overdue(now) -> list:
    return list(db.session.scalars(shipping.overdue_returns_query(now)))


def test_the_overdue_list_shows_loans_past_their_date_longest_overdue_first(
        shipping_campaign, make_device, logistics_staff):
    campaign, testers = shipping_campaign(testers=4)
    for _ in testers:
        make_device(campaign.product)
    assignments.assign_automatically(logistics_staff, campaign)
    loans = [assignments.open_assignment(application_of(t.id, campaign.id).id)
             for t in testers]
    for loan, tester in zip(loans, testers, strict=True):
        with_tester(logistics_staff, loan, tester, campaign)
    start = utcnow()
    # asked back: the second one first, so it is the longest overdue; the fourth not at all
    for loan, days in ((loans[1], 0), (loans[0], 2), (loans[2], 10)):
        with frozen_at(start + timedelta(days=days)):
            shipping.request_return_by_staff(logistics_staff, loan.id, None)
    later = loans[0].return_due_at + timedelta(hours=1)
    assert overdue(later) == [loans[1], loans[0]]  # the third is not due yet
    assert overdue(loans[1].return_due_at) == []  # due at that moment: not yet overdue


def test_a_returned_device_is_not_overdue(reserved, logistics_staff):
    campaign, tester, loan, _other, _other_loan = reserved
    with_tester(logistics_staff, loan, tester, campaign)
    shipping.request_return_by_staff(logistics_staff, loan.id, None)
    late = loan.return_due_at + timedelta(days=1)
    assert overdue(late) == [loan]
    shipping.receive_back(logistics_staff, loan.id)
    assert overdue(late) == []
