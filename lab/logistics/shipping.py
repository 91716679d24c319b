"""Parcels out to testers and back: shipping, delivery (confirmed by the tester or by
staff), asking for the device back, the tester's return parcel, and receiving it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lab.campaigns.models import CANCELLED, CLOSED, CONFIRMED, Application, Campaign
from lab.core import audit
from lab.core.clock import utcnow
from lab.extensions import db
from lab.logistics import notices
from lab.logistics.assignments import end, locked_assignment
from lab.logistics.inventory import LogisticsError, locked_device, move
from lab.logistics.models import (
    BACK,
    CARRIERS,
    ENDED_RETURNED,
    OUT,
    RESERVED,
    RETURN_REQUESTED,
    RETURNED,
    SHIPPED,
    WITH_TESTER,
    Assignment,
    Device,
    Shipment,
)

DEVICE_SHIPPED = audit.register_action("device.shipped", _l("Device shipped"))
DEVICE_DELIVERED = audit.register_action("device.delivered", _l("Device delivered"))
RETURN_REQUESTED_ACTION = audit.register_action("device.return_requested",
                                                _l("Device return requested"))
DEVICE_RECEIVED_BACK = audit.register_action("device.received_back",
                                             _l("Device received back"))

CARRIER_LABELS = {"dhl": "DHL", "dpd": "DPD", "hermes": "Hermes", "ups": "UPS", "gls": "GLS",
                  "post": _l("Deutsche Post"), "other": _l("other")}
TRACKING_PATTERN = re.compile(r"[A-Z0-9]{6,40}")


class NotYours(LogisticsError):
    """The member asked for a shipment or device that is not theirs (shown as 404)."""


def _check_parcel(carrier: str, tracking_number: str) -> str:
    if carrier not in CARRIERS:
        raise LogisticsError(_l("Please choose the carrier."), "carrier")
    tracking = re.sub(r"\s+", "", tracking_number or "").upper()
    if not tracking:
        raise LogisticsError(_l("Please enter the tracking number."), "tracking_number")
    if not TRACKING_PATTERN.fullmatch(tracking):
        raise LogisticsError(_l("A tracking number has 6 to 40 letters and digits."),
                             "tracking_number")
    return tracking


def ship(actor, assignment_id: int, *, carrier: str, tracking_number: str,
         shipped_at: datetime | None = None) -> Shipment:
    """The reserved device leaves the warehouse; the tester is told how to follow it."""
    tracking = _check_parcel(carrier, tracking_number)
    assignment = locked_assignment(assignment_id)
    device = locked_device(assignment.device_id)
    if assignment.ended_at is not None or device.status != RESERVED:
        raise LogisticsError(_l("Only a reserved device can be shipped; this one is "
                                "already on its way or back."))
    shipment = Shipment(assignment_id=assignment.id, direction=OUT, carrier=carrier,
                        tracking_number=tracking, shipped_at=shipped_at or utcnow(),
                        created_by_id=getattr(actor, "id", None))
    db.session.add(shipment)
    move(device, SHIPPED, actor)
    db.session.flush()
    audit.record(actor, DEVICE_SHIPPED, "device", device.id, shipment=shipment.id,
                 carrier=carrier, tracking=tracking)
    notices.tell(assignment.member, notices.SHIPPED_KIND, campaign=assignment.campaign,
                 product=device.product.name, carrier=str(CARRIER_LABELS[carrier]),
                 tracking=tracking)
    return shipment


def deliver(actor, assignment_id: int, *, by_tester: bool = False) -> Assignment:
    """The parcel arrived: the tester has the device (said by the tester or by staff)."""
    assignment = locked_assignment(assignment_id)
    device = locked_device(assignment.device_id)
    shipment = assignment.shipment(OUT)
    if assignment.ended_at is not None or device.status != SHIPPED or shipment is None:
        raise LogisticsError(_l("This parcel has already arrived."))
    now = utcnow()
    shipment.delivered_at, shipment.delivered_by_id = now, getattr(actor, "id", None)
    assignment.received_at = now
    move(device, WITH_TESTER, actor,
         reason="confirmed by the tester" if by_tester else None)
    audit.record(actor, DEVICE_DELIVERED, "device", device.id, shipment=shipment.id,
                 by_tester=by_tester)
    if _test_finished(assignment):
        # the test ended while the parcel was under way: what follows a test follows now
        from lab.logistics.after_test import device_after_test

        device_after_test(assignment, actor)
    return assignment


def _test_finished(assignment: Assignment) -> bool:
    """The tester's test was finished, or the whole campaign ended, before delivery."""
    application = db.session.get(Application, assignment.application_id)
    return (application is not None and application.status != CONFIRMED
            or assignment.campaign.state in (CLOSED, CANCELLED))


def tester_assignment(member, campaign: Campaign) -> Assignment | None:
    """The member's current (else latest) device for this campaign."""
    return db.session.scalar(
        select(Assignment).where(Assignment.member_id == member.id,
                                 Assignment.campaign_id == campaign.id)
        .order_by(Assignment.ended_at.is_(None).desc(), Assignment.id.desc()).limit(1))


def own_shipment(member, campaign: Campaign, shipment_id: int) -> Shipment:
    """A shipment of the member's own device in this campaign, else NotYours."""
    shipment = db.session.get(Shipment, shipment_id)
    if (shipment is None or shipment.assignment.member_id != member.id
            or shipment.assignment.campaign_id != campaign.id):
        raise NotYours(_l("There is no such shipment for you."))
    return shipment


def confirm_receipt(member, campaign: Campaign, shipment_id: int) -> Assignment:
    shipment = own_shipment(member, campaign, shipment_id)
    if shipment.direction != OUT:
        raise LogisticsError(_l("This is your parcel back to us; we confirm its arrival."))
    return deliver(member, shipment.assignment_id, by_tester=True)


def request_return(actor, assignment: Assignment, *, reason: str | None = None,
                   kind: str = notices.RETURN_KIND) -> None:
    """Ask the tester to send the device back within RETURN_DAYS, with instructions."""
    device = locked_device(assignment.device_id)
    if device.status != WITH_TESTER:
        raise LogisticsError(_l("Only a device the tester has can be asked back."))
    now = utcnow()
    assignment.return_requested_at = now
    assignment.return_due_at = now + timedelta(days=current_app.config["RETURN_DAYS"])
    move(device, RETURN_REQUESTED, actor, reason=reason)
    audit.record(actor, RETURN_REQUESTED_ACTION, "device", device.id,
                 assignment=assignment.id, due=assignment.return_due_at.isoformat())
    notices.tell(assignment.member, kind, campaign=assignment.campaign,
                 product=device.product.name, due=assignment.return_due_at.isoformat(),
                 address=return_address())


def request_return_by_staff(actor, assignment_id: int, reason: str | None) -> Assignment:
    from lab.logistics.after_test import kept_pending

    assignment = locked_assignment(assignment_id)
    if assignment.ended_at is not None:
        raise LogisticsError(_l("This loan has ended."))
    if kept_pending(assignment):
        raise LogisticsError(_l("A second admin is deciding whether the tester keeps this "
                                "device; approve or reject that award first."))
    request_return(actor, assignment, reason=(reason or "").strip() or None)
    return assignment


def return_address() -> str:
    return current_app.config["RETURN_ADDRESS"]


def sent_back(member, campaign: Campaign, *, carrier: str, tracking_number: str
              ) -> Shipment:
    """The tester says the device is on its way back, with the parcel's tracking number."""
    tracking = _check_parcel(carrier, tracking_number)
    current = tester_assignment(member, campaign)
    if current is None or current.ended_at is not None:
        raise LogisticsError(_l("You have no device of this test to send back."))
    assignment = locked_assignment(current.id)
    device = locked_device(assignment.device_id)
    if device.status not in (WITH_TESTER, RETURN_REQUESTED):
        raise LogisticsError(_l("You have no device of this test to send back."))
    if assignment.shipment(BACK) is not None:
        raise LogisticsError(_l("You have already told us about your parcel back."),
                             "tracking_number")
    shipment = Shipment(assignment_id=assignment.id, direction=BACK, carrier=carrier,
                        tracking_number=tracking, shipped_at=utcnow(),
                        created_by_id=member.id)
    db.session.add(shipment)
    db.session.flush()
    return shipment


def receive_back(actor, assignment_id: int, *, note: str | None = None) -> Assignment:
    """The device is back at the warehouse (it is checked before it is in stock again)."""
    assignment = locked_assignment(assignment_id)
    device = locked_device(assignment.device_id)
    if assignment.ended_at is not None or device.status not in (
            SHIPPED, WITH_TESTER, RETURN_REQUESTED):
        raise LogisticsError(_l("This device is not out with a tester."))
    now = utcnow()
    back = assignment.shipment(BACK)
    if back is not None:
        back.delivered_at, back.delivered_by_id = now, getattr(actor, "id", None)
    move(device, RETURNED, actor, reason=(note or "").strip() or None)
    device.campaign_id = device.holder_id = None
    end(assignment, ENDED_RETURNED)
    audit.record(actor, DEVICE_RECEIVED_BACK, "device", device.id, assignment=assignment.id)
    return assignment


def overdue_returns_query(now: datetime | None = None):
    """Loans whose device should be back by now, longest overdue first."""
    now = now or utcnow()
    return (select(Assignment).join(Device, Assignment.device_id == Device.id)
            .where(Assignment.ended_at.is_(None), Device.status == RETURN_REQUESTED,
                   Assignment.return_due_at < now)
            .order_by(Assignment.return_due_at, Assignment.id))
