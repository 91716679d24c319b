"""Return reminders for `flask lab reminders`: a device due back within three days, and
one past its return date, each told once per loan; testers who have entered the tracking
number of their parcel back are not chased."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from lab.core.clock import utcnow
from lab.extensions import db
from lab.logistics import notices
from lab.logistics.models import BACK, RETURN_REQUESTED, Assignment, Device, Shipment
from lab.logistics.shipping import return_address
from lab.notify.services import remind_once

DUE_SOON = timedelta(days=3)


@dataclass
class ReturnReminders:
    due_soon: int = 0
    overdue: int = 0


def run() -> ReturnReminders:
    now = utcnow()
    result = ReturnReminders()
    parcel_back = select(Shipment.id).where(Shipment.assignment_id == Assignment.id,
                                            Shipment.direction == BACK)
    waiting = db.session.scalars(
        select(Assignment).join(Device, Device.id == Assignment.device_id)
        .where(Assignment.ended_at.is_(None), Device.status == RETURN_REQUESTED,
               Assignment.return_due_at <= now + DUE_SOON, ~parcel_back.exists())
        .order_by(Assignment.id))
    for assignment in waiting:
        overdue = assignment.return_due_at <= now
        stage = "overdue" if overdue else "due"
        if not remind_once(f"device-return-{stage}:{assignment.id}"):
            continue
        notices.tell(assignment.member,
                     notices.RETURN_OVERDUE_KIND if overdue else notices.RETURN_DUE_KIND,
                     campaign=assignment.campaign, product=assignment.device.product.name,
                     due=assignment.return_due_at.isoformat(), address=return_address())
        if overdue:
            result.overdue += 1
        else:
            result.due_soon += 1
    return result
