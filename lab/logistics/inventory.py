"""The device inventory: adding devices, the status machine with its history, and the
lists staff search."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from lab.campaigns.models import Product
from lab.core import audit
from lab.core.clock import utcnow
from lab.core.db import locked
from lab.core.errors import DomainError
from lab.extensions import db
from lab.logistics.identifiers import (
    clean_imei,
    clean_serial,
    imei_problem,
    serial_problem,
)
from lab.logistics.models import (
    CONDITIONS,
    ENDED_LOST,
    GIVEN_AWAY,
    IN_STOCK,
    LOST,
    RESERVED,
    RETURN_REQUESTED,
    RETURNED,
    SHIPPED,
    STATUSES,
    WITH_TESTER,
    Assignment,
    Device,
    DeviceEvent,
)

DEVICE_ADDED = audit.register_action("device.added", _l("Device added"))
DEVICE_EDITED = audit.register_action("device.edited", _l("Device edited"))
DEVICE_STATUS = audit.register_action("device.status", _l("Device status changed"))

STATUS_LABELS = {
    IN_STOCK: _l("in stock"),
    RESERVED: _l("reserved"),
    SHIPPED: _l("shipped"),
    WITH_TESTER: _l("with tester"),
    RETURN_REQUESTED: _l("return requested"),
    RETURNED: _l("returned"),
    LOST: _l("lost"),
    GIVEN_AWAY: _l("given away"),
}
CONDITION_LABELS = {
    "new": _l("new"),
    "good": _l("good"),
    "worn": _l("worn"),
    "defective": _l("defective"),
}

# The status machine: where a device may go from each status. A returned device is
# checked before it is in stock again; a lost one that turns up counts as returned.
TRANSITIONS = {
    IN_STOCK: (RESERVED, LOST),
    RESERVED: (SHIPPED, IN_STOCK),
    SHIPPED: (WITH_TESTER, RETURNED, LOST),
    WITH_TESTER: (RETURN_REQUESTED, RETURNED, GIVEN_AWAY, LOST),
    RETURN_REQUESTED: (RETURNED, GIVEN_AWAY, LOST),
    RETURNED: (IN_STOCK,),
    LOST: (RETURNED,),
    GIVEN_AWAY: (),
}
# the moves staff make by hand on a device's page; the others belong to assigning,
# shipping and returning, which keep the assignment in step
MANUAL_MOVES = {(IN_STOCK, LOST), (SHIPPED, LOST), (WITH_TESTER, LOST),
                (RETURN_REQUESTED, LOST), (LOST, RETURNED), (RETURNED, IN_STOCK)}


class LogisticsError(DomainError):
    pass


def can_move(device: Device, to: str) -> bool:
    return to in TRANSITIONS.get(device.status, ())


def move(device: Device, to: str, actor, *, reason: str | None = None,
         member_id: int | None = None, campaign_id: int | None = None) -> DeviceEvent:
    """Change the device's status if the machine allows it, and keep the step."""
    if not can_move(device, to):
        raise LogisticsError(_l("A device that is “%(status)s” cannot become “%(to)s”.",
                                status=STATUS_LABELS[device.status], to=STATUS_LABELS[to]))
    event = DeviceEvent(device_id=device.id, from_status=device.status, to_status=to,
                        actor_id=getattr(actor, "id", None), reason=reason,
                        member_id=member_id if member_id is not None else device.holder_id,
                        campaign_id=campaign_id if campaign_id is not None
                        else device.campaign_id)
    device.status = to
    db.session.add(event)
    audit.record(actor, DEVICE_STATUS, "device", device.id, **{
        "from": event.from_status, "to": to, "reason": (reason or "")[:300]})
    return event


def locked_device(device_id: int) -> Device:
    device = locked(Device, device_id)
    if device is None:
        raise LogisticsError(_l("This device does not exist."))
    return device


def product_for(product_id) -> Product:
    product = db.session.get(Product, product_id) if product_id else None
    if product is None:
        raise LogisticsError(_l("Please choose a product."), "product_id")
    return product


def check_identifiers(product: Product, serial: str, imei: str,
                      ignore_device_id: int | None = None) -> tuple[str, str | None]:
    """The cleaned serial and IMEI, valid and not used by another device."""
    serial, imei = clean_serial(serial), clean_imei(imei)
    problem = serial_problem(serial)
    if problem:
        raise LogisticsError(problem, "serial")
    problem = imei_problem(imei, product.category)
    if problem:
        raise LogisticsError(problem, "imei")
    taken = select(Device.id).where(Device.id != (ignore_device_id or 0))
    if db.session.scalar(taken.where(Device.serial == serial)):
        raise LogisticsError(_l("A device with this serial number is already in the "
                                "inventory."), "serial")
    if imei and db.session.scalar(taken.where(Device.imei == imei)):
        raise LogisticsError(_l("A device with this IMEI is already in the inventory."),
                             "imei")
    return serial, imei or None


def _check_condition(condition: str) -> str:
    if condition not in CONDITIONS:
        raise LogisticsError(_l("Please choose the condition."), "condition")
    return condition


def add_device(actor, *, product_id, serial: str, imei: str | None, condition: str,
               notes: str | None = None) -> Device:
    product = product_for(product_id)
    serial, imei = check_identifiers(product, serial, imei)
    device = Device(product_id=product.id, serial=serial, imei=imei,
                    condition=_check_condition(condition),
                    notes=(notes or "").strip() or None, status=IN_STOCK)
    db.session.add(device)
    db.session.flush()
    db.session.add(DeviceEvent(device_id=device.id, from_status=None, to_status=IN_STOCK,
                               actor_id=getattr(actor, "id", None)))
    audit.record(actor, DEVICE_ADDED, "device", device.id, serial=serial)
    return device


def update_device(actor, device_id: int, *, serial: str, imei: str | None, condition: str,
                  notes: str | None) -> bool:
    """Correct a device's data; returns False when nothing changed."""
    device = locked_device(device_id)
    serial, imei = check_identifiers(device.product, serial, imei, ignore_device_id=device.id)
    fields = {"serial": serial, "imei": imei, "condition": _check_condition(condition),
              "notes": (notes or "").strip() or None}
    changed = sorted(name for name, value in fields.items()
                     if getattr(device, name) != value)
    if not changed:
        return False
    for name in changed:
        setattr(device, name, fields[name])
    audit.record(actor, DEVICE_EDITED, "device", device.id, fields=changed)
    return True


def change_status(actor, device_id: int, to: str, *, reason: str,
                  condition: str | None = None) -> Device:
    """A move staff make by hand: lost, found again, or checked and back in stock. Each
    leaves the device with no one; "lost" ends the loan it was on."""
    # the loan first, then the device: the order every other step locks them in
    loan = db.session.scalar(
        select(Assignment).where(Assignment.device_id == device_id,
                                 Assignment.ended_at.is_(None))
        .with_for_update(of=Assignment))
    device = locked_device(device_id)
    if to not in STATUSES or (device.status, to) not in MANUAL_MOVES:
        raise LogisticsError(_l("A device that is “%(status)s” cannot become “%(to)s” "
                                "here.", status=STATUS_LABELS[device.status],
                                to=STATUS_LABELS.get(to, to)), "status")
    reason = (reason or "").strip()
    if not reason and to != IN_STOCK:
        raise LogisticsError(_l("Please give a reason."), "reason")
    if to == IN_STOCK:
        device.condition = _check_condition(condition or "")
    move(device, to, actor, reason=reason or None)
    if loan is not None and to == LOST:
        loan.ended_at, loan.outcome = utcnow(), ENDED_LOST
    device.campaign_id = device.holder_id = None
    db.session.flush()
    return device


# ---- lists ----------------------------------------------------------------------------

def devices_query(*, search: str | None = None, product_id: int | None = None,
                  status: str | None = None, campaign_id: int | None = None):
    """Devices for the inventory list, newest first."""
    query = select(Device).order_by(Device.id.desc())
    if search:
        matches = [Device.serial.contains(clean_serial(search), autoescape=True)]
        digits = clean_imei(search)
        if digits.isdigit():
            matches.append(Device.imei.startswith(digits, autoescape=True))
        query = query.where(or_(*matches))
    if product_id:
        query = query.where(Device.product_id == product_id)
    if status:
        query = query.where(Device.status == status)
    if campaign_id:
        query = query.where(Device.campaign_id == campaign_id)
    return query


def status_counts(product_id: int | None = None) -> dict[str, int]:
    query = select(Device.status, func.count()).group_by(Device.status)
    if product_id:
        query = query.where(Device.product_id == product_id)
    counts = dict.fromkeys(STATUSES, 0)
    counts.update(dict(db.session.execute(query).all()))
    return counts


def history(device_id: int) -> list[DeviceEvent]:
    return list(db.session.scalars(
        select(DeviceEvent).where(DeviceEvent.device_id == device_id)
        .order_by(DeviceEvent.id.desc())))


def assignments_of(device_id: int) -> list[Assignment]:
    return list(db.session.scalars(
        select(Assignment).where(Assignment.device_id == device_id)
        .order_by(Assignment.id.desc())))


def products_with_devices() -> list[Product]:
    return list(db.session.scalars(
        select(Product).where(Product.id.in_(select(Device.product_id).distinct()))
        .order_by(Product.name)))
