"""Test devices: the inventory, each device's history, who has which device for which
test (assignments), and the parcels out and back (shipments)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lab.accounts.models import User
from lab.campaigns.models import Campaign, Product
from lab.core.audit import register_append_only
from lab.core.models import CreatedMixin, TimestampMixin
from lab.extensions import db

# Device conditions, best first
NEW, GOOD, WORN, DEFECTIVE = "new", "good", "worn", "defective"
CONDITIONS = (NEW, GOOD, WORN, DEFECTIVE)

# Device statuses, in the order a device usually goes through them
IN_STOCK, RESERVED, SHIPPED, WITH_TESTER, RETURN_REQUESTED, RETURNED, LOST, GIVEN_AWAY = (
    "in_stock", "reserved", "shipped", "with_tester", "return_requested", "returned", "lost",
    "given_away")
STATUSES = (IN_STOCK, RESERVED, SHIPPED, WITH_TESTER, RETURN_REQUESTED, RETURNED, LOST,
            GIVEN_AWAY)

# How an assignment ended
ENDED_RETURNED, ENDED_GIVEN_AWAY, ENDED_LOST, ENDED_CANCELLED = (
    "returned", "given_away", "lost", "cancelled")

# Shipment directions and carriers
OUT, BACK = "out", "back"
DIRECTIONS = (OUT, BACK)
CARRIERS = ("dhl", "dpd", "hermes", "ups", "gls", "post", "other")


class Device(db.Model, TimestampMixin):
    __tablename__ = "device"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    # stored upper-case without spaces, so "ab 12" and "AB12" are the same device
    serial: Mapped[str] = mapped_column(String(40), unique=True)
    imei: Mapped[str | None] = mapped_column(String(15), unique=True)
    condition: Mapped[str] = mapped_column(String(10), default=NEW)
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=IN_STOCK)
    # who has the device and for which campaign: kept in step with the open assignment
    # (and the member it was given to), so lists filter without joining the history
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), index=True)
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)

    product: Mapped[Product] = relationship(lazy="joined", innerjoin=True)
    campaign: Mapped[Campaign | None] = relationship()
    holder: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint(f"status IN {STATUSES}", name="device_status_known"),
        CheckConstraint(f"condition IN {CONDITIONS}", name="device_condition_known"),
        db.Index("ix_device_product_status", "product_id", "status", "id"),
        db.Index("ix_device_status", "status", "id"),
    )

    def __repr__(self) -> str:
        return f"<Device {self.serial} {self.status}>"


@register_append_only
class DeviceEvent(db.Model, CreatedMixin):
    """One step of a device's history: from which status to which, who, why."""

    __tablename__ = "device_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id", ondelete="CASCADE"))
    from_status: Mapped[str | None] = mapped_column(String(16))  # None: added to stock
    to_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"))
    reason: Mapped[str | None] = mapped_column(Text)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    member: Mapped[User | None] = relationship(foreign_keys=[member_id])

    __table_args__ = (db.Index("ix_device_event_device", "device_id", "id"),)


class Assignment(db.Model, CreatedMixin):
    """A device lent to one confirmed tester of one campaign, from reservation until it
    is back, given away, lost or the reservation is cancelled."""

    __tablename__ = "device_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    received_at: Mapped[datetime | None]
    return_requested_at: Mapped[datetime | None]
    return_due_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(12))

    device: Mapped[Device] = relationship(lazy="joined", innerjoin=True)
    member: Mapped[User] = relationship(foreign_keys=[member_id])
    campaign: Mapped[Campaign] = relationship()
    shipments: Mapped[list[Shipment]] = relationship(
        back_populates="assignment", order_by="Shipment.id", lazy="selectin")

    __table_args__ = (
        # a device is with at most one tester, and a tester has one device per campaign
        db.Index("ux_assignment_open_device", "device_id", unique=True,
                 sqlite_where=text("ended_at IS NULL"),
                 postgresql_where=text("ended_at IS NULL")),
        db.Index("ux_assignment_open_application", "application_id", unique=True,
                 sqlite_where=text("ended_at IS NULL"),
                 postgresql_where=text("ended_at IS NULL")),
        db.Index("ix_assignment_campaign", "campaign_id", "ended_at"),
        db.Index("ix_assignment_device", "device_id", "id"),
        db.Index("ix_assignment_return_due", "ended_at", "return_due_at"),
    )

    def shipment(self, direction: str) -> Shipment | None:
        return next((s for s in self.shipments if s.direction == direction), None)


class Shipment(db.Model, CreatedMixin):
    """A parcel: out to the tester, or back from them."""

    __tablename__ = "shipment"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("device_assignment.id"))
    direction: Mapped[str] = mapped_column(String(4))
    carrier: Mapped[str] = mapped_column(String(10))
    tracking_number: Mapped[str] = mapped_column(String(40))
    shipped_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    delivered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    assignment: Mapped[Assignment] = relationship(back_populates="shipments")

    __table_args__ = (
        UniqueConstraint("assignment_id", "direction", name="one_shipment_each_way"),
        CheckConstraint(f"direction IN {DIRECTIONS}", name="shipment_direction_known"),
    )
