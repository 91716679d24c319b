"""A campaign's lists for the warehouse: the pick list (which devices to take from the
shelf, no addresses) and the shipping list (where the parcels go, logistics staff only,
every address audited), as rows for a printable page and as CSV for the carrier; and the
numbers of the campaign's devices page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lab.accounts.models import ShippingAddress, User
from lab.campaigns.models import Campaign, Product
from lab.extensions import db
from lab.logistics import addresses
from lab.logistics.inventory import CONDITION_LABELS
from lab.logistics.models import (
    ENDED_CANCELLED,
    ENDED_GIVEN_AWAY,
    ENDED_LOST,
    ENDED_RETURNED,
    RESERVED,
    RETURN_REQUESTED,
    SHIPPED,
    WITH_TESTER,
    Assignment,
    Device,
)

SHIPPING_LIST = "shipping list"  # the purpose written to the audit log
SHIPPING_LIST_CSV = "shipping list (CSV)"

OUTCOME_LABELS = {
    ENDED_RETURNED: _l("returned"),
    ENDED_GIVEN_AWAY: _l("given away"),
    ENDED_LOST: _l("lost"),
    ENDED_CANCELLED: _l("reservation cancelled"),
}


@dataclass(frozen=True)
class PickRow:
    """A reserved device still on the shelf, and who it goes to."""

    assignment_id: int
    member_id: int
    handle: str
    device_id: int
    product: str
    serial: str
    imei: str | None
    condition: str


@dataclass(frozen=True)
class ShippingRow:
    item: PickRow
    address: ShippingAddress | None  # None: the tester gave none (or it was purged)


def pick_list(campaign: Campaign) -> list[PickRow]:
    """The campaign's reserved devices not yet shipped, by tester handle."""
    rows = db.session.execute(
        select(Assignment.id, Assignment.member_id, User.handle, Device.id, Product.name,
               Device.serial, Device.imei, Device.condition)
        .join(Device, Device.id == Assignment.device_id)
        .join(Product, Product.id == Device.product_id)
        .join(User, User.id == Assignment.member_id)
        .where(Assignment.campaign_id == campaign.id, Assignment.ended_at.is_(None),
               Device.status == RESERVED)
        .order_by(func.lower(User.handle), Assignment.id))
    return [PickRow(*row) for row in rows]


def shipping_list(actor, campaign: Campaign, *, purpose: str = SHIPPING_LIST
                  ) -> list[ShippingRow]:
    """The pick list with each tester's address. Only for logistics staff and campaigns
    in testing or evaluation (else addresses.AddressRefused, also with nothing to ship);
    every address returned is written to the audit log."""
    addresses.check_may_see(actor, campaign)
    items = pick_list(campaign)
    found = addresses.addresses_for(actor, campaign, {item.member_id for item in items},
                                    purpose=purpose)
    return [ShippingRow(item, found.get(item.member_id)) for item in items]


def pick_list_table(rows: Sequence[PickRow]) -> tuple[list[str], list[list]]:
    """Header and rows of the pick list's CSV."""
    header = [_("Tester"), _("Product"), _("Serial number"), _("IMEI"), _("Condition")]
    return header, [[row.handle, row.product, row.serial, row.imei or "",
                     str(CONDITION_LABELS.get(row.condition, row.condition))]
                    for row in rows]


def shipping_list_table(rows: Sequence[ShippingRow]) -> tuple[list[str], list[list]]:
    """Header and rows of the CSV for the carrier; the serial number is the parcel's
    reference. A tester without an address gets a row saying so, to be noticed."""
    header = [_("Name"), _("Street"), _("Address extra"), _("Postcode"), _("City"),
              _("Country"), _("Phone"), _("Reference")]
    body = []
    for row in rows:
        address = row.address
        if address is None:
            body.append([row.item.handle, _("no address"), "", "", "", "", "",
                         row.item.serial])
        else:
            body.append([address.full_name, address.street, address.extra or "",
                         address.postcode, address.city, address.country,
                         address.phone or "", row.item.serial])
    return header, body


def roster_counts(rows) -> dict[str, int]:
    """The numbers above the roster: testers, and their devices by where they are."""
    counts = {"testers": len(rows), RESERVED: 0, SHIPPED: 0, WITH_TESTER: 0,
              RETURN_REQUESTED: 0, ENDED_RETURNED: 0, ENDED_GIVEN_AWAY: 0}
    for row in rows:
        assignment = row.assignment
        if assignment is None:
            continue
        key = assignment.device.status if assignment.ended_at is None else assignment.outcome
        if key in counts:
            counts[key] += 1
    return counts
