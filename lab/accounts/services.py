"""Account rules: creating users, roles, activation, tester profile and address."""

from __future__ import annotations

import re
import uuid

from flask_babel import lazy_gettext as _l
from flask_security import hash_password
from sqlalchemy import func, or_, select

from lab.accounts.choices import POSTCODE_PATTERNS
from lab.accounts.models import (
    ADMIN,
    LOGISTICS,
    MEMBER,
    ROLE_NAMES,
    STAFF,
    MemberInterest,
    OwnedDevice,
    Role,
    ShippingAddress,
    TesterProfile,
    User,
)
from lab.core import audit
from lab.core.clock import utcnow
from lab.core.errors import DomainError
from lab.extensions import db

HANDLE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,29}$")
RESERVED_HANDLES = {"admin", "staff", "testlab", "support", "moderator", "system", "root", "me"}
MAX_DEVICES = 20

ROLES_CHANGED = audit.register_action("user.roles_changed", _l("Roles changed"))
DEACTIVATED = audit.register_action("user.deactivated", _l("Account deactivated"))
REACTIVATED = audit.register_action("user.reactivated", _l("Account reactivated"))
CREATED = audit.register_action("user.created", _l("Account created"))
ADDRESS_VIEWED = audit.register_action("address.viewed", _l("Shipping address viewed"))
ADDRESS_PURGED = audit.register_action("address.purged", _l("Shipping address deleted"))


class AccountError(DomainError):
    pass


def handle_problem(handle: str, *, ignore_user_id: int | None = None):
    """Why a handle cannot be used, or None if it can."""
    if not HANDLE_PATTERN.match(handle or ""):
        return _l(
            "3 to 30 characters: letters, digits, dot, dash or underscore, "
            "starting with a letter or digit."
        )
    if handle.casefold() in RESERVED_HANDLES:
        return _l("This handle is reserved.")
    query = select(User.id).where(User.handle_key == handle.casefold())
    if ignore_user_id is not None:
        query = query.where(User.id != ignore_user_id)
    if db.session.scalar(query) is not None:
        return _l("This handle is already taken.")
    return None


def check_email_free(email: str) -> str:
    """The address, normalised, if no account uses it yet (case-insensitive)."""
    email = email.strip().lower()
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise AccountError(_l("This e-mail address is already registered."), "email")
    return email


def ensure_roles() -> dict[str, Role]:
    """The three roles exist (idempotent); returns them by name."""
    existing = {r.name: r for r in db.session.scalars(select(Role))}
    for name in ROLE_NAMES:
        if name not in existing:
            existing[name] = Role(name=name)
            db.session.add(existing[name])
    db.session.flush()
    return existing


def _roles_for(names) -> list[Role]:
    """Every account is a member; admin and logistics imply staff."""
    wanted = set(names) | {MEMBER}
    if wanted & {ADMIN, LOGISTICS}:
        wanted.add(STAFF)
    unknown = wanted - set(ROLE_NAMES)
    if unknown:
        raise AccountError(_l("Unknown role: %(role)s", role=", ".join(sorted(unknown))))
    roles = ensure_roles()
    return [roles[name] for name in ROLE_NAMES if name in wanted]


def create_user(email: str, handle: str, password: str, *, roles=(), confirmed=True,
                actor=None, password_hash: str | None = None) -> User:
    """A new active account, confirmed unless told otherwise, with an empty profile."""
    email = check_email_free(email)
    problem = handle_problem(handle)
    if problem:
        raise AccountError(problem, "handle")
    user = User(
        email=email,
        handle=handle,
        password=password_hash or hash_password(password),
        active=True,
        fs_uniquifier=uuid.uuid4().hex,
        confirmed_at=utcnow() if confirmed else None,
        roles=_roles_for(roles),
    )
    user.profile = TesterProfile()
    db.session.add(user)
    db.session.flush()
    audit.record(actor, CREATED, "user", user.id, roles=sorted(user.role_names))
    return user


def find_user(identifier: str) -> User | None:
    """A user by e-mail or handle (case-insensitive)."""
    ident = identifier.strip()
    return db.session.scalar(
        select(User).where(
            or_(func.lower(User.email) == ident.lower(), User.handle_key == ident.casefold())
        )
    )


def users_query(search: str | None = None, role: str | None = None, active: bool | None = None):
    """Users for the admin list, newest first, narrowed by a search term, role and state."""
    query = select(User).order_by(User.created_at.desc(), User.id.desc())
    if search:
        # escape LIKE wildcards so "50%" finds the literal text
        term = search.strip().lower().replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
        pattern = f"%{term}%"
        query = query.where(
            or_(
                func.lower(User.email).like(pattern, escape="\\"),
                User.handle_key.like(pattern, escape="\\"),
            )
        )
    if role:
        query = query.where(User.roles.any(Role.name == role))
    if active is not None:
        query = query.where(User.active == active)
    return query


def _admin_count() -> int:
    return db.session.scalar(
        select(func.count(User.id)).where(User.active, User.roles.any(Role.name == ADMIN))
    )


def set_roles(actor: User, user: User, names) -> bool:
    """Give the user exactly these roles (plus member; admin brings staff). Audited.

    Returns False when nothing changed. An admin cannot take away their own admin role,
    so the portal is never left without someone who can hand it on.
    """
    new_roles = _roles_for(names)
    before = sorted(user.role_names)
    after = sorted(r.name for r in new_roles)
    if before == after:
        return False
    if user.id == actor.id and ADMIN in before and ADMIN not in after:
        raise AccountError(_l("You cannot remove your own admin role."), "roles")
    user.roles = new_roles
    audit.record(actor, ROLES_CHANGED, "user", user.id, before=before, after=after)
    return True


def set_active(actor: User, user: User, active: bool) -> bool:
    """Deactivate or reactivate an account. Audited; returns False if already so."""
    if user.active == active:
        return False
    if not active and user.id == actor.id:
        raise AccountError(_l("You cannot deactivate your own account."))
    if not active and user.is_admin and _admin_count() <= 1:
        raise AccountError(_l("The last active admin cannot be deactivated."))
    user.active = active
    if not active:
        # log them out everywhere: Flask-Security checks this on every request
        user.fs_uniquifier = uuid.uuid4().hex
    audit.record(actor, REACTIVATED if active else DEACTIVATED, "user", user.id)
    return True


def profile_of(user: User) -> TesterProfile:
    if user.profile is None:
        user.profile = TesterProfile()
        db.session.flush()
    return user.profile


def save_profile(user: User, *, connection_type, has_mobile_contract, region, postcode_area,
                 interests, locale) -> TesterProfile:
    """Store the tester profile and display language."""
    if postcode_area and not re.fullmatch(r"\d{2}", postcode_area):
        raise AccountError(_l("Enter the first two digits of your postcode."), "postcode_area")
    profile = profile_of(user)
    profile.connection_type = connection_type or None
    profile.has_mobile_contract = has_mobile_contract
    profile.region = region or None
    profile.postcode_area = postcode_area or None
    wanted = set(interests or [])
    profile.interests = [i for i in profile.interests if i.code in wanted] + [
        MemberInterest(code=code) for code in sorted(wanted - set(profile.interest_codes))
    ]
    user.locale = locale or None
    db.session.flush()
    return profile


def add_device(user: User, *, kind: str, brand: str, model: str, os: str) -> OwnedDevice:
    profile = profile_of(user)
    if len(profile.devices) >= MAX_DEVICES:
        raise AccountError(_l("You can list at most %(n)d devices.", n=MAX_DEVICES))
    device = OwnedDevice(kind=kind, brand=brand.strip(), model=model.strip(), os=os)
    profile.devices.append(device)
    db.session.flush()
    return device


def remove_device(user: User, device_id: int) -> None:
    """Remove one of the member's own devices; another member's id is simply not found."""
    device = db.session.scalar(
        select(OwnedDevice).where(OwnedDevice.id == device_id, OwnedDevice.user_id == user.id)
    )
    if device is None:
        raise AccountError(_l("This device is not in your profile."))
    profile_of(user).devices.remove(device)
    db.session.flush()


def address_of(user: User) -> ShippingAddress | None:
    return db.session.get(ShippingAddress, user.id)


def save_address(user: User, *, full_name, street, extra, postcode, city, country,
                 phone) -> ShippingAddress:
    """Store the member's private shipping address (postcode checked per country)."""
    pattern = POSTCODE_PATTERNS.get(country)
    if pattern is None:
        raise AccountError(_l("We ship to Germany, Austria and Switzerland only."), "country")
    if not re.fullmatch(pattern, (postcode or "").strip()):
        raise AccountError(_l("This is not a valid postcode for the chosen country."), "postcode")
    address = address_of(user) or ShippingAddress(user_id=user.id)
    address.full_name = full_name.strip()
    address.street = street.strip()
    address.extra = (extra or "").strip() or None
    address.postcode = postcode.strip()
    address.city = city.strip()
    address.country = country
    address.phone = (phone or "").strip() or None
    db.session.add(address)
    db.session.flush()
    return address


def delete_address(user: User) -> bool:
    address = address_of(user)
    if address is None:
        return False
    db.session.delete(address)
    db.session.flush()
    return True
