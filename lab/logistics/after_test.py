"""What happens to a device when its tester's test ends or the campaign closes: asked
back (policy "return", or a dropped test), or proposed as a gift through the four-eyes
award (policy "keep on completion"), which on approval makes it "given away"."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from lab.accounts.models import User
from lab.campaigns import lifecycle, selection
from lab.campaigns.models import (
    CANCELLED,
    CLOSED,
    COMPLETED,
    KEEP,
    Application,
    ApplicationEvent,
)
from lab.extensions import db
from lab.logistics import notices
from lab.logistics.assignments import end, locked_assignment, open_assignment, unassign
from lab.logistics.inventory import LogisticsError, locked_device, move
from lab.logistics.models import (
    BACK,
    ENDED_GIVEN_AWAY,
    GIVEN_AWAY,
    RESERVED,
    RETURN_REQUESTED,
    WITH_TESTER,
    Assignment,
)
from lab.logistics.shipping import request_return
from lab.rewards import awards
from lab.rewards.models import AWARD_DEVICE, PROPOSED


def device_after_test(assignment: Assignment, actor) -> None:
    """The tester's test is over and they have the device: keep it or send it back."""
    device = locked_device(assignment.device_id)
    if device.status != WITH_TESTER:
        return
    application = db.session.get(Application, assignment.application_id)
    campaign = assignment.campaign
    proposer = _proposer(application, actor)
    if campaign.device_policy == KEEP and application.status == COMPLETED and proposer:
        award, created = awards.propose_for(
            proposer, assignment.member, kind=AWARD_DEVICE,
            reason=_("Keeps the test device %(product)s (serial %(serial)s) after "
                     "completing “%(campaign)s”.", product=device.product.name,
                     serial=device.serial, campaign=campaign.title),
            request_key=_award_key(assignment.id), source=("device", device.id))
        if created:
            notices.tell(assignment.member, notices.KEEP_PROPOSED_KIND, campaign=campaign,
                         product=device.product.name)
        return
    request_return(actor, assignment)


def _proposer(application: Application, actor):
    """Who proposes the gift: the staff member acting, or, when the tester confirms a
    parcel that arrived after the test, the one who finished the test."""
    if actor is not None and actor.id != application.member_id:
        return actor
    finisher_id = db.session.scalar(
        select(ApplicationEvent.actor_id).where(
            ApplicationEvent.application_id == application.id,
            ApplicationEvent.status == application.status)
        .order_by(ApplicationEvent.id.desc()).limit(1))
    if finisher_id is None or finisher_id == application.member_id:
        return None
    return db.session.get(User, finisher_id)


def _test_finished(application: Application, actor) -> None:
    assignment = open_assignment(application.id)
    if assignment is None:
        return
    if assignment.device.status == RESERVED:
        unassign(actor, assignment.id, reason="test finished before shipping")
    else:
        device_after_test(assignment, actor)


def _campaign_ended(actor, campaign, previous: str) -> None:
    """Closed or cancelled: nothing stays reserved, every device still out is asked back
    (unless it waits for the approval to be kept)."""
    if campaign.state not in (CLOSED, CANCELLED):
        return
    for assignment in db.session.scalars(
            select(Assignment).where(Assignment.campaign_id == campaign.id,
                                     Assignment.ended_at.is_(None))
            .order_by(Assignment.id)):
        status = assignment.device.status
        if status == RESERVED:
            unassign(actor, assignment.id, reason="campaign ended")
        elif status == WITH_TESTER and not kept_pending(assignment):
            request_return(actor, assignment)


def _award_key(assignment_id: int) -> str:
    return f"device-kept:{assignment_id}"


def kept_pending(assignment: Assignment) -> bool:
    """A second admin is still to decide whether the tester keeps this device."""
    award = awards.award_by_key(_award_key(assignment.id))
    return award is not None and award.state == PROPOSED


def _awarded_loan(award) -> Assignment | None:
    """The loan the award was proposed for, locked, if it is still open."""
    prefix = _award_key("")
    if not award.request_key.startswith(prefix):
        return None
    assignment = locked_assignment(int(award.request_key.removeprefix(prefix)))
    return assignment if assignment.ended_at is None else None


def _give_away(award, approver) -> None:
    assignment = _awarded_loan(award)
    device = locked_device(int(award.source_id))
    if (assignment is None or assignment.device_id != device.id
            or device.status not in (WITH_TESTER, RETURN_REQUESTED)):
        raise LogisticsError(_("This device is no longer with this tester, so it cannot be "
                               "given away. Please reject the award."))
    if assignment.shipment(BACK) is not None:
        raise LogisticsError(_("The tester has already sent this device back, so it cannot "
                               "be given away. Please reject the award."))
    move(device, GIVEN_AWAY, approver, reason=f"award {award.id}")
    end(assignment, ENDED_GIVEN_AWAY)
    notices.tell(assignment.member, notices.GIVEN_AWAY_KIND, campaign=assignment.campaign,
                 product=device.product.name)


def _keep_rejected(award, approver) -> None:
    """Not kept after all: the tester of that loan (if it is still open) sends it back."""
    assignment = _awarded_loan(award)
    if assignment is None or locked_device(assignment.device_id).status != WITH_TESTER:
        return
    request_return(approver, assignment, reason=f"award {award.id} rejected",
                   kind=notices.KEEP_REJECTED_KIND)


selection.register_finish_hook(_test_finished)
lifecycle.register_state_hook(_campaign_ended)
awards.register_kind_handler(AWARD_DEVICE, on_approve=_give_away, on_reject=_keep_rejected)
