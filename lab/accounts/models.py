"""Accounts: users and roles (Flask-Security), tester profile, private address."""

from __future__ import annotations

from datetime import datetime

from flask_security import RoleMixin, UserMixin
from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from lab.core.clock import utcnow
from lab.core.models import TimestampMixin
from lab.extensions import db

MEMBER, STAFF, ADMIN = "member", "staff", "admin"
# the staff who ship test devices: the only ones who see testers' addresses
LOGISTICS = "logistics"
ROLE_NAMES = (MEMBER, STAFF, LOGISTICS, ADMIN)

roles_users = Table(
    "roles_users",
    db.metadata,
    Column("user_id", Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", Integer, ForeignKey("role.id", ondelete="CASCADE"), primary_key=True),
)


class Role(db.Model, RoleMixin):
    __tablename__ = "role"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str | None] = mapped_column(String(255))


class User(db.Model, UserMixin):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    # The public name; handle_key is its lower-case form, unique so "Anna" and "anna" clash.
    handle: Mapped[str] = mapped_column(String(30))
    handle_key: Mapped[str] = mapped_column(String(30), unique=True)
    password: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    fs_uniquifier: Mapped[str] = mapped_column(String(64), unique=True)
    confirmed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    locale: Mapped[str | None] = mapped_column(String(8))

    # Cached from the points ledger (lab.rewards), changed only in the same transaction as
    # an entry. Reputation is lifetime points earned; points_balance is what can be spent.
    reputation: Mapped[int] = mapped_column(default=0, server_default="0")
    points_balance: Mapped[int] = mapped_column(default=0, server_default="0")

    last_login_at: Mapped[datetime | None]
    current_login_at: Mapped[datetime | None]
    last_login_ip: Mapped[str | None] = mapped_column(String(64))
    current_login_ip: Mapped[str | None] = mapped_column(String(64))
    login_count: Mapped[int | None]

    tf_primary_method: Mapped[str | None] = mapped_column(String(64))
    tf_totp_secret: Mapped[str | None] = mapped_column(String(255))
    tf_phone_number: Mapped[str | None] = mapped_column(String(128))

    roles: Mapped[list[Role]] = relationship(secondary=roles_users, lazy="selectin")

    __table_args__ = (
        CheckConstraint("reputation >= 0", name="reputation_not_negative"),
        CheckConstraint("points_balance >= 0", name="points_balance_not_negative"),
        db.Index("ix_user_leaderboard", "reputation", "id"),
    )
    profile: Mapped[TesterProfile | None] = relationship(
        back_populates="user", uselist=False, cascade="all, delete-orphan"
    )

    @validates("handle")
    def _keep_handle_key(self, key, value):
        # Keep the uniqueness key in step with the handle, however it is set.
        self.handle_key = value.casefold()
        return value

    @property
    def role_names(self) -> set[str]:
        return {role.name for role in self.roles}

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.role_names

    @property
    def is_staff(self) -> bool:
        # admin and logistics imply staff
        return bool({STAFF, ADMIN, LOGISTICS} & self.role_names)

    @property
    def is_logistics(self) -> bool:
        # not implied by admin: seeing addresses is a role of its own, granted and audited
        return LOGISTICS in self.role_names

    def check_tf_required(self, tf_setup_methods, tf_fresh):
        """Admins must use two-factor where the deployment requires it (production)."""
        from flask import current_app

        required, methods = super().check_tf_required(tf_setup_methods, tf_fresh)
        if current_app.config.get("TWO_FACTOR_REQUIRED_FOR_ADMINS") and self.is_admin:
            return True, methods
        return required, methods

    def __repr__(self) -> str:
        return f"<User {self.handle}>"


class TesterProfile(db.Model, TimestampMixin):
    """What later campaigns check eligibility against; private to its member and staff."""

    __tablename__ = "tester_profile"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    connection_type: Mapped[str | None] = mapped_column(String(20), index=True)
    has_mobile_contract: Mapped[bool | None]
    region: Mapped[str | None] = mapped_column(String(8), index=True)
    postcode_area: Mapped[str | None] = mapped_column(String(2), index=True)
    about: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(back_populates="profile")
    devices: Mapped[list[OwnedDevice]] = relationship(
        cascade="all, delete-orphan", order_by="OwnedDevice.id", lazy="selectin"
    )
    interests: Mapped[list[MemberInterest]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def interest_codes(self) -> list[str]:
        return sorted(i.code for i in self.interests)


class OwnedDevice(db.Model):
    __tablename__ = "owned_device"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("tester_profile.user_id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    brand: Mapped[str] = mapped_column(String(60))
    model: Mapped[str] = mapped_column(String(80))
    os: Mapped[str] = mapped_column(String(20), index=True)


class MemberInterest(db.Model):
    __tablename__ = "member_interest"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("tester_profile.user_id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)


class ShippingAddress(db.Model, TimestampMixin):
    """A member's private postal address: seen by its owner and, for confirmed testers of
    running campaigns, by logistics staff (lab.logistics.addresses); purged after the
    test (lab.logistics.retention)."""

    __tablename__ = "shipping_address"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    full_name: Mapped[str] = mapped_column(String(120))
    street: Mapped[str] = mapped_column(String(120))
    extra: Mapped[str | None] = mapped_column(String(120))
    postcode: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(80))
    country: Mapped[str] = mapped_column(String(2))
    phone: Mapped[str | None] = mapped_column(String(40))
