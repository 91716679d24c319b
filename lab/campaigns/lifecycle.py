"""A campaign's life, enforced here and nowhere else.

draft -> in_review -> recruiting -> selection -> testing -> evaluation -> closed, and
cancelled from any open state. Four eyes: a draft is submitted for review and a
different staff member (neither the submitter nor the last editor) approves it, which
starts recruiting; or returns it to draft with a comment. Editing what applicants read
or answer (text, terms, eligibility, questions, device policy, points) of an approved
campaign sends it back to review. Dates, slots and whether testers see each other's
reports may change without a new review.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lab.campaigns import eligibility, notices
from lab.campaigns.models import (
    CANCELLED,
    CLOSED,
    DEVICE_POLICIES,
    DRAFT,
    EVALUATION,
    IN_REVIEW,
    OPEN_STATES,
    RECRUITING,
    SELECTION,
    TESTING,
    Campaign,
    Product,
)
from lab.core import audit
from lab.core.clock import utcnow
from lab.core.errors import DomainError
from lab.extensions import db

CAMPAIGN_SAVED = audit.register_action("campaign.saved", _l("Campaign saved"))
CAMPAIGN_SUBMITTED = audit.register_action("campaign.submitted",
                                           _l("Campaign submitted for review"))
CAMPAIGN_APPROVED = audit.register_action("campaign.approved", _l("Campaign approved"))
CAMPAIGN_RETURNED = audit.register_action("campaign.returned",
                                          _l("Campaign returned to draft"))
CAMPAIGN_STATE = audit.register_action("campaign.state", _l("Campaign state changed"))
CAMPAIGN_CANCELLED = audit.register_action("campaign.cancelled", _l("Campaign cancelled"))

STATE_LABELS = {
    DRAFT: _l("draft"),
    IN_REVIEW: _l("in review"),
    RECRUITING: _l("recruiting"),
    SELECTION: _l("selection"),
    TESTING: _l("testing"),
    EVALUATION: _l("evaluation"),
    CLOSED: _l("closed"),
    CANCELLED: _l("called off"),
}
POLICY_LABELS = {
    "return": _l("Return the device after the test"),
    "keep": _l("Keep the device on completion"),
    "own": _l("Test with your own device"),
}
EDITABLE_STATES = (DRAFT, IN_REVIEW, RECRUITING)
# Changing one of these changes what applicants read or answer: it needs a new review.
REVIEWED_FIELDS = ("title", "summary", "description", "product_id", "device_policy",
                   "eligibility", "terms", "completion_points")
FIELDS = REVIEWED_FIELDS + ("slug", "slots", "applications_open_at",
                            "applications_close_at", "test_starts_at", "test_ends_at",
                            "confirm_days",
                            # a setting of the test phase: nothing applicants read
                            "reports_shared")
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,78})[a-z0-9]$")

# the next state staff can move a campaign on to, and the action's name
ADVANCES = {RECRUITING: SELECTION, SELECTION: TESTING, TESTING: EVALUATION,
            EVALUATION: CLOSED}


class CampaignError(DomainError):
    pass


def new_seed() -> str:
    return secrets.token_hex(8)


def create_campaign(actor, **fields) -> Campaign:
    campaign = Campaign(state=DRAFT, created_by_id=actor.id, ranking_seed=new_seed())
    _apply(campaign, fields)
    campaign.last_edited_by_id = actor.id
    db.session.add(campaign)
    db.session.flush()
    audit.record(actor, CAMPAIGN_SAVED, "campaign", campaign.id, created=True,
                 slug=campaign.slug)
    return campaign


def update_campaign(actor, campaign: Campaign, **fields) -> bool:
    """Save changes; returns True when they sent an approved campaign back to review."""
    if campaign.state not in EDITABLE_STATES:
        raise CampaignError(_l("A campaign in the state “%(state)s” can no longer be edited.",
                               state=STATE_LABELS[campaign.state]))
    old_terms = campaign.terms
    changed = _apply(campaign, fields)
    if not changed:
        return False
    if campaign.terms != old_terms:
        campaign.terms_version += 1
    campaign.last_edited_by_id = actor.id
    back_to_review = bool(set(changed) & set(REVIEWED_FIELDS)) and _needs_new_review(
        actor, campaign)
    audit.record(actor, CAMPAIGN_SAVED, "campaign", campaign.id, changed=sorted(changed),
                 back_to_review=back_to_review)
    return back_to_review


def content_changed(actor, campaign: Campaign) -> bool:
    """Something applicants read changed outside the form (the screening questions)."""
    if campaign.state not in EDITABLE_STATES:
        raise CampaignError(_l("The questions of a campaign in the state “%(state)s” can no "
                               "longer be changed.", state=STATE_LABELS[campaign.state]))
    campaign.last_edited_by_id = actor.id
    return _needs_new_review(actor, campaign)


def _needs_new_review(actor, campaign: Campaign) -> bool:
    if campaign.state != RECRUITING:
        return False
    campaign.state = IN_REVIEW
    campaign.approved_by_id = None
    campaign.approved_at = None
    campaign.submitted_by_id = actor.id
    campaign.submitted_at = utcnow()
    return True


def _apply(campaign: Campaign, fields: dict) -> list[str]:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown campaign fields: {sorted(unknown)}")
    merged = {name: getattr(campaign, name) for name in FIELDS} | fields
    merged["eligibility"] = eligibility.clean_rules(merged.get("eligibility") or [])
    _check(campaign, merged)
    changed = [name for name in FIELDS if getattr(campaign, name) != merged[name]]
    for name in changed:
        setattr(campaign, name, merged[name])
    return changed


def _check(campaign: Campaign, fields: dict) -> None:
    slug = (fields.get("slug") or "").strip()
    if not SLUG.match(slug):
        raise CampaignError(_l("Use 3 to 80 lower-case letters, digits and hyphens, "
                               "starting and ending with a letter or digit."), "slug")
    taken = db.session.scalar(select(Campaign.id).where(Campaign.slug == slug))
    if taken is not None and taken != campaign.id:
        raise CampaignError(_l("This address is already used by another campaign."), "slug")
    if campaign.id and campaign.state != DRAFT and slug != campaign.slug:
        raise CampaignError(_l("The address of a published campaign cannot change "
                               "(links and bookmarks use it)."), "slug")
    for name in ("title", "summary"):
        if not (fields.get(name) or "").strip():
            raise CampaignError(_l("Please fill in this field."), name)
    if fields.get("product_id") is None or db.session.get(Product, fields["product_id"]) is None:
        raise CampaignError(_l("Please choose a product."), "product_id")
    if fields.get("device_policy") not in DEVICE_POLICIES:
        raise CampaignError(_l("Please choose a device policy."), "device_policy")
    slots = fields.get("slots")
    if not isinstance(slots, int) or not 1 <= slots <= 10_000:
        raise CampaignError(_l("Please enter between 1 and 10,000 slots."), "slots")
    if slots < (campaign.slots_taken or 0):
        raise CampaignError(_l("%(taken)d testers are already selected; there cannot be "
                               "fewer slots.", taken=campaign.slots_taken), "slots")
    points = fields.get("completion_points")
    if not isinstance(points, int) or not 0 <= points <= 10_000:
        raise CampaignError(_l("Please enter between 0 and 10,000 points."),
                            "completion_points")
    days = fields.get("confirm_days")
    if not isinstance(days, int) or not 1 <= days <= 30:
        raise CampaignError(_l("Please enter between 1 and 30 days."), "confirm_days")
    _check_dates(fields)


def _check_dates(fields: dict) -> None:
    names = ("applications_open_at", "applications_close_at", "test_starts_at", "test_ends_at")
    for name in names:
        if not isinstance(fields.get(name), datetime):
            raise CampaignError(_l("Please enter a date and time."), name)
    if fields["applications_close_at"] <= fields["applications_open_at"]:
        raise CampaignError(_l("Applications must close after they open."),
                            "applications_close_at")
    if fields["test_starts_at"] < fields["applications_close_at"]:
        raise CampaignError(_l("The test cannot start before applications close."),
                            "test_starts_at")
    if fields["test_ends_at"] <= fields["test_starts_at"]:
        raise CampaignError(_l("The test must end after it starts."), "test_ends_at")


def submit_for_review(actor, campaign: Campaign) -> None:
    _expect(campaign, DRAFT)
    campaign.state = IN_REVIEW
    campaign.submitted_by_id = actor.id
    campaign.submitted_at = utcnow()
    campaign.review_comment = None
    audit.record(actor, CAMPAIGN_SUBMITTED, "campaign", campaign.id)


def can_review(user, campaign: Campaign) -> bool:
    """Four eyes: neither the submitter nor the last editor may approve."""
    return (campaign.state == IN_REVIEW and user.is_staff
            and user.id not in (campaign.submitted_by_id, campaign.last_edited_by_id))


def approve(actor, campaign: Campaign) -> None:
    _expect(campaign, IN_REVIEW)
    if not can_review(actor, campaign):
        raise CampaignError(_l("A different staff member must approve: you submitted or "
                               "last edited this campaign."))
    campaign.state = RECRUITING
    campaign.approved_by_id = actor.id
    campaign.approved_at = utcnow()
    campaign.review_comment = None
    audit.record(actor, CAMPAIGN_APPROVED, "campaign", campaign.id,
                 submitted_by=campaign.submitted_by_id)
    notices.tell_staff(campaign.submitted_by_id, notices.CAMPAIGN_APPROVED_KIND, campaign)


def return_to_draft(actor, campaign: Campaign, comment: str) -> None:
    _expect(campaign, IN_REVIEW)
    if not can_review(actor, campaign):
        raise CampaignError(_l("A different staff member must review: you submitted or "
                               "last edited this campaign."))
    comment = (comment or "").strip()
    if not comment:
        raise CampaignError(_l("Please say what needs to change."), "reason")
    campaign.state = DRAFT
    campaign.review_comment = comment[:2000]
    audit.record(actor, CAMPAIGN_RETURNED, "campaign", campaign.id, comment=comment[:500])
    notices.tell_staff(campaign.submitted_by_id, notices.CAMPAIGN_RETURNED_KIND, campaign)


def advance(actor, campaign: Campaign, *, expected: str | None = None) -> str:
    """Move on to the next state (selection, testing, evaluation, closed).

    ``expected`` is the state the button was shown for: a button pressed twice, or by two
    people, moves the campaign on once, never past a state nobody saw.
    """
    from lab.campaigns import ranking, selection

    if expected is not None and campaign.state != expected:
        raise CampaignError(_l("The campaign has already moved on to “%(state)s”.",
                               state=STATE_LABELS[campaign.state]))
    target = ADVANCES.get(campaign.state)
    if target is None:
        raise CampaignError(_l("A campaign in the state “%(state)s” cannot move on.",
                               state=STATE_LABELS[campaign.state]))
    now = utcnow()
    if target == SELECTION:
        if now < campaign.applications_open_at:
            raise CampaignError(_l("Applications have not opened yet."))
        if now < campaign.applications_close_at:
            campaign.applications_close_at = now  # close early: the window is the rule
    previous = campaign.state
    campaign.state = target
    if target == SELECTION:
        ranking.rank(actor, campaign)
    if target == TESTING:
        selection.finish_selection(actor, campaign)
    if target == CLOSED:
        campaign.ended_at = now
    _run_state_hooks(actor, campaign, previous)
    audit.record(actor, CAMPAIGN_STATE, "campaign", campaign.id, **{"from": previous,
                                                                   "to": target})
    return target


def cancel(actor, campaign: Campaign, reason: str) -> None:
    from lab.campaigns import selection

    if campaign.state not in OPEN_STATES:
        raise CampaignError(_l("Only an open campaign can be cancelled."))
    reason = (reason or "").strip()
    if not reason:
        raise CampaignError(_l("Please give a reason."), "reason")
    previous = campaign.state
    campaign.state = CANCELLED
    campaign.cancel_reason = reason[:2000]
    campaign.ended_at = utcnow()
    selection.campaign_cancelled(actor, campaign)
    _run_state_hooks(actor, campaign, previous)
    audit.record(actor, CAMPAIGN_CANCELLED, "campaign", campaign.id, reason=reason[:500])


# functions other domains register to run after a campaign moved on or was cancelled
# (logistics asks for the devices back); called with (actor, campaign, previous state)
STATE_HOOKS: list = []


def register_state_hook(hook) -> None:
    if hook not in STATE_HOOKS:
        STATE_HOOKS.append(hook)


def _run_state_hooks(actor, campaign: Campaign, previous: str) -> None:
    for hook in STATE_HOOKS:
        hook(actor, campaign, previous)


def _expect(campaign: Campaign, state: str) -> None:
    if campaign.state != state:
        raise CampaignError(_l("This is only possible for a campaign in the state "
                               "“%(expected)s”; it is “%(state)s”.",
                               expected=STATE_LABELS[state],
                               state=STATE_LABELS[campaign.state]))
