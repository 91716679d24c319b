"""Which confirmed tester gets which device: by hand or automatically from stock.

A device is with at most one tester, and a tester has one device per campaign. Both are
held by locks on the rows involved and, behind them, by two partial unique indexes on
the open assignments (lab.logistics.models).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select
from sqlalchemy.orm import lazyload

from lab.campaigns.models import (
    COMPLETED,
    CONFIRMED,
    DROPPED,
    OWN_DEVICE,
    TESTING,
    Application,
    Campaign,
)
from lab.core import audit
from lab.core.clock import utcnow
from lab.core.db import locked
from lab.extensions import db
from lab.logistics.inventory import LogisticsError, locked_device, move
from lab.logistics.models import (
    DEFECTIVE,
    ENDED_CANCELLED,
    IN_STOCK,
    RESERVED,
    Assignment,
    Device,
)

DEVICE_ASSIGNED = audit.register_action("device.assigned", _l("Device assigned to a tester"))
ASSIGNMENT_CANCELLED = audit.register_action("device.unassigned",
                                             _l("Device reservation cancelled"))

# testers shown on a campaign's devices page: those testing and those who finished
ROSTER_STATUSES = (CONFIRMED, COMPLETED, DROPPED)
# better devices go out first (defective ones never)
CONDITION_ORDER = case({"new": 0, "good": 1}, value=Device.condition, else_=2)


@dataclass(frozen=True)
class RosterRow:
    application: Application
    assignment: Assignment | None  # the open one, else the latest


def roster(campaign: Campaign) -> list[RosterRow]:
    """The campaign's testers with their device, in the order they confirmed."""
    applications = list(db.session.scalars(
        select(Application).options(lazyload(Application.campaign))  # known already
        .where(Application.campaign_id == campaign.id,
               Application.status.in_(ROSTER_STATUSES)
               # a tester who gave the place up may still have the device
               | Application.id.in_(select(Assignment.application_id).where(
                   Assignment.campaign_id == campaign.id)))
        .order_by(Application.confirmed_at, Application.id)))
    latest: dict[int, Assignment] = {}
    for assignment in db.session.scalars(
            select(Assignment).where(Assignment.campaign_id == campaign.id)
            .order_by(Assignment.id)):
        current = latest.get(assignment.application_id)
        if current is None or current.ended_at is not None:
            latest[assignment.application_id] = assignment
    return [RosterRow(a, latest.get(a.id)) for a in applications]


def open_assignment(application_id: int) -> Assignment | None:
    return db.session.scalar(select(Assignment).where(
        Assignment.application_id == application_id, Assignment.ended_at.is_(None)))


def _expect_shipping(campaign: Campaign) -> None:
    if campaign.device_policy == OWN_DEVICE:
        raise LogisticsError(_l("Testers of this campaign use their own devices."))
    if campaign.state != TESTING:
        raise LogisticsError(_l("Devices are assigned while the campaign is in testing."))


def _tester(campaign: Campaign, application_id: int) -> Application:
    application = locked(Application, application_id)
    if application is None or application.campaign_id != campaign.id:
        raise LogisticsError(_l("This tester does not belong to this campaign."),
                             "application_id")
    if application.status != CONFIRMED:
        raise LogisticsError(_l("Only confirmed testers get a device."), "application_id")
    if open_assignment(application.id) is not None:
        raise LogisticsError(_l("This tester already has a device for this campaign."),
                             "application_id")
    return application


def _hand_out(actor, campaign: Campaign, application: Application, device: Device
              ) -> Assignment:
    assignment = Assignment(device_id=device.id, campaign_id=campaign.id,
                            application_id=application.id, member_id=application.member_id,
                            assigned_by_id=getattr(actor, "id", None))
    db.session.add(assignment)
    move(device, RESERVED, actor, member_id=application.member_id, campaign_id=campaign.id)
    device.campaign_id, device.holder_id = campaign.id, application.member_id
    db.session.flush()
    audit.record(actor, DEVICE_ASSIGNED, "device", device.id, campaign=campaign.id,
                 member=application.member_id, assignment=assignment.id)
    return assignment


def assign(actor, campaign: Campaign, application_id: int, device_id: int | None
           ) -> Assignment:
    """Reserve one device from stock for one confirmed tester."""
    _expect_shipping(campaign)
    if not device_id:
        raise LogisticsError(_l("Please choose a device."), "device_id")
    application = _tester(campaign, application_id)
    device = locked_device(device_id)
    if device.product_id != campaign.product_id:
        raise LogisticsError(_l("This device is a %(product)s, not the product of this "
                                "campaign.", product=device.product.name), "device_id")
    if device.status != IN_STOCK:
        raise LogisticsError(_l("This device is not in stock."), "device_id")
    if device.condition == DEFECTIVE:
        raise LogisticsError(_l("This device is marked defective; it is not sent to "
                                "testers."), "device_id")
    return _hand_out(actor, campaign, application, device)


def assign_automatically(actor, campaign: Campaign) -> tuple[int, int]:
    """Give every confirmed tester without a device one from stock (new ones first).

    Returns (assigned, still waiting). Two people pressing the button at once: the
    testers' rows are locked, so the second run waits and then finds them served; stock
    is taken with SKIP LOCKED, so two campaigns of one product never take the same device.
    """
    _expect_shipping(campaign)
    waiting = list(db.session.scalars(
        select(Application).where(Application.campaign_id == campaign.id,
                                  Application.status == CONFIRMED)
        .order_by(Application.confirmed_at, Application.id)
        .with_for_update(of=Application)))
    # read after the locks: a run that held them has committed its assignments by now
    served = set(db.session.scalars(select(Assignment.application_id).where(
        Assignment.campaign_id == campaign.id, Assignment.ended_at.is_(None))))
    waiting = [a for a in waiting if a.id not in served]
    if not waiting:
        return 0, 0
    devices = list(db.session.scalars(
        select(Device).where(*_shippable(campaign))
        .order_by(CONDITION_ORDER, Device.id).limit(len(waiting))
        .with_for_update(of=Device, skip_locked=True)
        .execution_options(populate_existing=True)))
    devices = [d for d in devices if d.status == IN_STOCK]
    for application, device in zip(waiting, devices, strict=False):
        _hand_out(actor, campaign, application, device)
    return min(len(waiting), len(devices)), max(len(waiting) - len(devices), 0)


def locked_assignment(assignment_id: int) -> Assignment:
    assignment = locked(Assignment, assignment_id)
    if assignment is None:
        raise LogisticsError(_l("This assignment does not exist."))
    return assignment


def end(assignment: Assignment, outcome: str) -> None:
    assignment.ended_at, assignment.outcome = utcnow(), outcome


def unassign(actor, assignment_id: int, *, reason: str | None = None) -> Assignment:
    """Put a reserved device back on the shelf (not yet shipped)."""
    assignment = locked_assignment(assignment_id)
    device = locked_device(assignment.device_id)
    if assignment.ended_at is not None or device.status != RESERVED:
        raise LogisticsError(_l("Only a reserved device that has not been shipped can be "
                                "put back."))
    move(device, IN_STOCK, actor, reason=reason)
    device.campaign_id = device.holder_id = None
    end(assignment, ENDED_CANCELLED)
    audit.record(actor, ASSIGNMENT_CANCELLED, "device", device.id, assignment=assignment.id)
    return assignment


def stock_for(campaign: Campaign, limit: int = 200) -> list[Device]:
    """In-stock devices of the campaign's product, for the manual choice."""
    return list(db.session.scalars(
        select(Device).where(*_shippable(campaign))
        .order_by(CONDITION_ORDER, Device.id).limit(limit)))


def _shippable(campaign: Campaign) -> tuple:
    """In stock, of the campaign's product, and not defective."""
    return (Device.product_id == campaign.product_id, Device.status == IN_STOCK,
            Device.condition != DEFECTIVE)
