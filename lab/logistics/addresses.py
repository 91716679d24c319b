"""Testers' shipping addresses, for the staff who ship: only logistics staff, only for
confirmed testers of a campaign in testing or evaluation, and every address shown or
exported is written to the audit log (who saw whose address, when, what for)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select

from lab.accounts.models import ShippingAddress
from lab.accounts.services import ADDRESS_VIEWED
from lab.campaigns.models import COMPLETED, CONFIRMED, EVALUATION, TESTING, Application, Campaign
from lab.core.audit import AuditEntry
from lab.core.clock import utcnow
from lab.core.errors import DomainError
from lab.extensions import db

# campaigns whose testers' addresses may be seen, and whose testers
VISIBLE_STATES = (TESTING, EVALUATION)
ADDRESSED_STATUSES = (CONFIRMED, COMPLETED)


class AddressRefused(DomainError):
    """Not allowed to see these addresses (shown as 403)."""


def may_see(actor, campaign: Campaign) -> bool:
    try:
        check_may_see(actor, campaign)
    except AddressRefused:
        return False
    return True


def check_may_see(actor, campaign: Campaign) -> None:
    if not getattr(actor, "is_logistics", False):
        raise AddressRefused(_l("Only logistics staff see testers' addresses."))
    if campaign.state not in VISIBLE_STATES:
        raise AddressRefused(_l("Addresses are shown only while a campaign is in testing or "
                                "evaluation."))


def addresses_for(actor, campaign: Campaign, member_ids, *, purpose: str
                  ) -> dict[int, ShippingAddress]:
    """The addresses of these members that are confirmed testers of the campaign, each
    look audited. Members without an address (never given, or purged) are left out."""
    check_may_see(actor, campaign)
    member_ids = list(member_ids)
    if not member_ids:
        return {}
    testers = select(Application.member_id).where(
        Application.campaign_id == campaign.id,
        Application.status.in_(ADDRESSED_STATUSES),
        Application.member_id.in_(member_ids))
    found = {a.user_id: a for a in db.session.scalars(
        select(ShippingAddress).where(ShippingAddress.user_id.in_(testers)))}
    _audit(actor, campaign, sorted(found), purpose)
    return found


def _audit(actor, campaign: Campaign, member_ids: list[int], purpose: str) -> None:
    # one entry per address seen, written in one statement (a shipping list has hundreds)
    if not member_ids:
        return
    now = utcnow()
    db.session.execute(insert(AuditEntry), [
        {"created_at": now, "actor_id": actor.id, "action": ADDRESS_VIEWED,
         "object_type": "user", "object_id": str(member_id),
         "details": {"campaign": campaign.id, "purpose": purpose}}
        for member_id in member_ids])
