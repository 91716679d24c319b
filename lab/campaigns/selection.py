"""Choosing the testers: by the ranking, by a recorded draw, or one by one; confirming,
declining, the waiting list, and the end of a test.

Slots hold under concurrency: a slot is taken only by the conditional
``UPDATE campaign SET slots_taken = slots_taken + 1 WHERE slots_taken < slots``. On
PostgreSQL a second writer waits for the first and then re-checks the condition, so two
staff members selecting at once never pass the campaign's slots (a CHECK constraint
stands behind it). Each application is locked before its status changes.
"""

from __future__ import annotations

import random
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from lab.accounts.services import save_address
from lab.campaigns import eligibility, notices
from lab.campaigns.applications import ApplicationError, application_of, move
from lab.campaigns.lifecycle import CampaignError, new_seed
from lab.campaigns.models import (
    COMPLETED,
    CONFIRMED,
    DECLINED,
    DROPPED,
    EVALUATION,
    NOT_SELECTED,
    OWN_DEVICE,
    SELECTED,
    SELECTION,
    STARTED,
    SUBMITTED,
    TESTING,
    UNDECIDED_STATUSES,
    WAITLISTED,
    Application,
    Campaign,
    Draw,
)
from lab.core import audit
from lab.core.clock import utcnow
from lab.core.db import locked
from lab.extensions import db
from lab.rewards import services as rewards

SELECT, WAITLIST, DECLINE = "select", "waitlist", "decline"
DECISIONS = (SELECT, WAITLIST, DECLINE)

APPLICATION_DECIDED = audit.register_action("application.decided",
                                            _l("Application decided by hand"))
SELECTION_RUN = audit.register_action("campaign.selection", _l("Testers selected"))
DRAW_RUN = audit.register_action("campaign.draw", _l("Lottery drawn"))
TEST_FINISHED = audit.register_action("application.finished", _l("Test finished"))


class SelectionError(ApplicationError):
    pass


# ---- slots ---------------------------------------------------------------------------

def _take_slot(campaign: Campaign) -> None:
    taken = db.session.execute(
        update(Campaign).where(Campaign.id == campaign.id,
                               Campaign.slots_taken < Campaign.slots)
        .values(slots_taken=Campaign.slots_taken + 1)
        .execution_options(synchronize_session=False)).rowcount
    if not taken:
        raise SelectionError(_l("All %(slots)d places are taken. Free one (or add slots) "
                                "before selecting more testers.", slots=campaign.slots))
    db.session.refresh(campaign, ["slots_taken"])


def _free_slot(campaign: Campaign) -> None:
    db.session.execute(
        update(Campaign).where(Campaign.id == campaign.id, Campaign.slots_taken > 0)
        .values(slots_taken=Campaign.slots_taken - 1)
        .execution_options(synchronize_session=False))
    db.session.refresh(campaign, ["slots_taken"])


def _offer(application: Application, campaign: Campaign, actor, *, kind=None,
           note: str | None = None) -> None:
    """Give the application a slot and ask the member to confirm in time."""
    _take_slot(campaign)
    now = utcnow()
    application.offered_at = now
    application.confirm_by = now + timedelta(days=campaign.confirm_days)
    application.waitlist_position = None
    application.decided_by_id = actor.id if actor is not None else None
    move(application, SELECTED, actor, note=note, notify=kind is None)
    if kind is not None:
        notices.tell(application, kind)


# ---- staff decisions ------------------------------------------------------------------

def _expect_selection(campaign: Campaign) -> None:
    if campaign.state != SELECTION:
        raise CampaignError(_l("Testers are chosen while the campaign is in selection."))
    if campaign.ranked_at is None:
        raise CampaignError(_l("Please rank the applicants first."))


def _lock_applications(campaign: Campaign, ids: list[int]) -> list[Application]:
    if not ids:
        raise SelectionError(_l("Please choose at least one application."))
    chosen = []
    for application_id in sorted(set(ids)):
        application = locked(Application, application_id)
        if application is None or application.campaign_id != campaign.id:
            raise SelectionError(_l("An application you chose does not belong to this "
                                    "campaign. Nothing was changed."))
        chosen.append(application)
    return chosen


def against_ranking(campaign: Campaign, decision: str, chosen: list[Application]) -> bool:
    """Does this choice go against the ranking (and so need a reason)?

    - selecting someone while a better-ranked eligible applicant is still undecided;
    - waitlisting or declining someone eligible ranked above a selected tester, or (for
      declining) above anyone still undecided.
    """
    ids = [a.id for a in chosen]
    if any(a.eligible is False for a in chosen) and decision == DECLINE:
        return not all(a.eligible is False for a in chosen)
    if decision == SELECT:
        worst = max((a.rank or 10**9) for a in chosen)
        return bool(_count_ranked(campaign, ids, UNDECIDED_STATUSES, better_than=worst))
    best = min((a.rank or 10**9) for a in chosen)
    statuses = (SELECTED, CONFIRMED) + (UNDECIDED_STATUSES if decision == DECLINE else ())
    return bool(_count_ranked(campaign, ids, statuses, worse_than=best))


def _count_ranked(campaign, excluding, statuses, *, better_than=None, worse_than=None) -> int:
    query = (select(func.count()).select_from(Application)
             .where(Application.campaign_id == campaign.id, Application.rank.is_not(None),
                    Application.status.in_(statuses), Application.id.not_in(excluding)))
    if better_than is not None:
        query = query.where(Application.rank < better_than)
    if worse_than is not None:
        query = query.where(Application.rank > worse_than)
    return db.session.scalar(query)


def decide(actor, campaign: Campaign, application_ids: list[int], decision: str,
           reason: str | None = None) -> int:
    """Select, waitlist or decline applications by hand (one or many). A choice against
    the ranking needs a reason, which is audited. All or nothing."""
    if decision not in DECISIONS:
        raise SelectionError(_l("Unknown decision."))
    _expect_selection(campaign)
    campaign = locked(Campaign, campaign.id)
    chosen = _lock_applications(campaign, application_ids)
    for application in chosen:
        if application.status not in UNDECIDED_STATUSES:
            raise SelectionError(_l("@%(handle)s's application is already decided.",
                                    handle=application.member.handle))
    reason = (reason or "").strip()
    needs_reason = against_ranking(campaign, decision, chosen)
    if needs_reason and not reason:
        raise SelectionError(_l("This choice goes against the ranking; please give a "
                                "reason."), "reason")
    if decision == SELECT:
        _check_still_eligible(campaign, chosen)
        # all or nothing: refuse before the first change, not at the slot that runs out
        # (a single choice meets the full campaign in _take_slot)
        if len(chosen) > 1 and len(chosen) > campaign.free_slots:
            raise SelectionError(_l("Only %(free)d of %(slots)d places are free; please "
                                    "choose fewer testers.",
                                    free=campaign.free_slots, slots=campaign.slots))
    # locked in id order (above); decided in ranking order, so several waitlisted at
    # once queue as they rank
    for application in sorted(chosen, key=lambda a: (a.rank or 10**9, a.id)):
        _apply_decision(actor, campaign, application, decision, reason or None)
        if needs_reason:
            audit.record(actor, APPLICATION_DECIDED, "application", application.id,
                         decision=decision, reason=reason[:500], rank=application.rank)
    db.session.flush()
    return len(chosen)


def _check_still_eligible(campaign: Campaign, chosen: list[Application]) -> None:
    now = utcnow()
    facts = eligibility.facts_for(a.member_id for a in chosen)
    for application in chosen:
        if eligibility.unmet(campaign.eligibility, facts[application.member_id], now):
            raise SelectionError(_l("@%(handle)s does not meet the campaign's requirements "
                                    "and cannot be selected.",
                                    handle=application.member.handle))


def _apply_decision(actor, campaign, application, decision, note) -> None:
    application.decision_note = note
    application.decided_by_id = actor.id
    if decision == SELECT:
        _offer(application, campaign, actor, note=note)
    elif decision == WAITLIST:
        if application.status != WAITLISTED:
            application.waitlist_position = _next_waitlist_position(campaign)
            move(application, WAITLISTED, actor, note=note)
    else:
        application.outcome_reason = "not_eligible" if application.eligible is False \
            else "staff"
        application.waitlist_position = None
        move(application, NOT_SELECTED, actor, note=note, outcome=application.outcome_reason)


def _next_waitlist_position(campaign: Campaign) -> int:
    highest = db.session.scalar(select(func.max(Application.waitlist_position))
                                .where(Application.campaign_id == campaign.id))
    return (highest or 0) + 1


def select_by_ranking(actor, campaign: Campaign) -> tuple[int, int]:
    """Fill the free slots from the top of the ranking, among everyone undecided (also
    those already on the waiting list); the other eligible applicants go on the waiting
    list in ranking order. Returns (selected, waitlisted)."""
    _expect_selection(campaign)
    campaign = locked(Campaign, campaign.id)
    undecided = list(db.session.scalars(
        select(Application).where(Application.campaign_id == campaign.id,
                                  Application.status.in_(UNDECIDED_STATUSES),
                                  Application.rank.is_not(None))
        .order_by(Application.rank).with_for_update(of=Application)))
    return _fill(actor, campaign, undecided, "ranking")


def _fill(actor, campaign, ordered: list[Application], method: str) -> tuple[int, int]:
    """Offer places in the given order; the rest join the waiting list (those on it
    keep their place). Whoever no longer meets the rules is told so and skipped."""
    now = utcnow()
    facts = eligibility.facts_for(a.member_id for a in ordered)
    selected = waitlisted = 0
    position = _next_waitlist_position(campaign)
    for application in ordered:
        if eligibility.unmet(campaign.eligibility, facts[application.member_id], now):
            application.eligible, application.rank = False, None
            application.outcome_reason = "not_eligible"
            move(application, NOT_SELECTED, actor, outcome="not_eligible")
        elif campaign.free_slots > 0:
            _offer(application, campaign, actor)
            selected += 1
        elif application.status != WAITLISTED:
            application.waitlist_position = position
            position += 1
            move(application, WAITLISTED, actor)
            waitlisted += 1
    audit.record(actor, SELECTION_RUN, "campaign", campaign.id, method=method,
                 selected=selected, waitlisted=waitlisted)
    db.session.flush()
    return selected, waitlisted


# ---- the draw -------------------------------------------------------------------------

def drawn_order(seed: str, entrants: list[int]) -> list[int]:
    """The lottery: the entrants (ascending ids) shuffled by a generator seeded with the
    stored seed. Python's Mersenne Twister seeded with a string is the same on every
    platform and version since 3.2, so a stored draw replays exactly."""
    order = sorted(entrants)
    random.Random(seed).shuffle(order)
    return order


def run_draw(actor, campaign: Campaign) -> Draw:
    """Draw the free slots among all eligible undecided applicants; the rest go on the
    waiting list in drawn order. The seed and the list it ran on are stored."""
    _expect_selection(campaign)
    campaign = locked(Campaign, campaign.id)
    entrants = list(db.session.scalars(
        select(Application).where(Application.campaign_id == campaign.id,
                                  Application.status == SUBMITTED,
                                  Application.eligible.is_(True))
        .order_by(Application.id).with_for_update(of=Application)))
    if not entrants:
        raise SelectionError(_l("There is nobody eligible left to draw from."))
    if campaign.free_slots < 1:
        raise SelectionError(_l("All places are taken; there is nothing to draw."))
    seed = new_seed()
    ids = [a.id for a in entrants]
    order = drawn_order(seed, ids)
    draw = Draw(campaign_id=campaign.id, seed=seed, slots=campaign.free_slots, entrants=ids,
                order=order, run_by_id=actor.id)
    db.session.add(draw)
    by_id = {a.id: a for a in entrants}
    _fill(actor, campaign, [by_id[i] for i in order], "draw")
    db.session.flush()
    audit.record(actor, DRAW_RUN, "campaign", campaign.id, draw=draw.id, seed=seed,
                 entrants=len(ids), slots=draw.slots)
    return draw


def replay(draw: Draw) -> list[int]:
    """The winners the stored seed and list give when drawn again."""
    return drawn_order(draw.seed, draw.entrants)[:draw.slots]


def latest_draw(campaign_id: int) -> Draw | None:
    return db.session.scalar(select(Draw).where(Draw.campaign_id == campaign_id)
                             .order_by(Draw.id.desc()).limit(1))


# ---- the member's answer --------------------------------------------------------------

def confirm(member, campaign: Campaign, *, accept_terms: bool,
            address: dict | None = None) -> Application:
    """The selected member takes the place: accepts the terms and (for a device test)
    gives the shipping address, asked only now."""
    application = _own_offer(member, campaign)
    if utcnow() > application.confirm_by:
        raise SelectionError(_l("The time to confirm has passed, so the place went to the "
                                "next person. We are sorry."))
    if not accept_terms:
        raise SelectionError(_l("Please accept the participation terms."), "accept_terms")
    if campaign.device_policy != OWN_DEVICE:
        if address is None:
            raise SelectionError(_l("Please give the address the device should go to."))
        save_address(member, **address)
    application.terms_version = campaign.terms_version
    application.terms_accepted_at = utcnow()
    application.confirmed_at = utcnow()
    move(application, CONFIRMED, member)
    return application


def decline_offer(member, campaign: Campaign) -> Application:
    """The member gives the place up; the next on the waiting list is offered it."""
    application = application_of(member.id, campaign.id)
    if application is None or application.status not in (SELECTED, CONFIRMED) \
            or campaign.state not in (SELECTION, TESTING):
        raise SelectionError(_l("There is no place to give up."))
    application = locked(Application, application.id)
    was_testing = application.status == CONFIRMED
    _release(member, campaign, application, DECLINED)
    if was_testing:  # a tester leaving mid-test: what follows a test follows (device back)
        for hook in FINISH_HOOKS:
            hook(application, member)
    return application


def _own_offer(member, campaign: Campaign) -> Application:
    application = application_of(member.id, campaign.id)
    if application is None or application.status != SELECTED:
        raise SelectionError(_l("There is no place waiting for your confirmation."))
    return locked(Application, application.id)


def _release(actor, campaign, application, status, *, note=None, kind=None) -> None:
    move(application, status, actor, note=note, notify=kind is None)
    if kind is not None:
        notices.tell(application, kind)
    _free_slot(campaign)
    offer_next(campaign)


def offer_next(campaign: Campaign) -> int:
    """Offer free places to the waiting list, in order, while the campaign is in
    selection. Returns how many were offered."""
    if campaign.state != SELECTION:
        return 0
    offered = 0
    while campaign.free_slots > 0:
        application = db.session.scalar(
            select(Application).where(Application.campaign_id == campaign.id,
                                      Application.status == WAITLISTED)
            .order_by(Application.waitlist_position, Application.id).limit(1)
            .with_for_update(of=Application))
        if application is None:
            break
        facts = eligibility.facts_for([application.member_id])[application.member_id]
        if eligibility.unmet(campaign.eligibility, facts, utcnow()):
            application.outcome_reason = "not_eligible"
            move(application, NOT_SELECTED, None, outcome="not_eligible")
            continue
        _offer(application, campaign, None, kind=notices.OFFERED_KIND,
               note="waiting list")
        offered += 1
    return offered


def expire_offers() -> int:
    """Places not confirmed in time go to the next on the waiting list."""
    now = utcnow()
    expired = list(db.session.scalars(
        select(Application).where(Application.status == SELECTED,
                                  Application.confirm_by < now)
        .order_by(Application.id)))
    for application in expired:
        application = locked(Application, application.id)
        if application.status != SELECTED:
            continue
        _release(None, application.campaign, application, DECLINED,
                 note="not confirmed in time", kind=notices.EXPIRED_KIND)
    return len(expired)


# ---- ends -----------------------------------------------------------------------------

def finish_selection(actor, campaign: Campaign) -> int:
    """The test starts: everyone still undecided is told, kindly, why not."""
    method = "draw" if latest_draw(campaign.id) else "ranking"
    undecided = list(db.session.scalars(
        select(Application).where(Application.campaign_id == campaign.id,
                                  Application.status.in_(UNDECIDED_STATUSES))))
    for application in undecided:
        application.outcome_reason = "not_eligible" if application.eligible is False \
            else method
        application.waitlist_position = None
        move(application, NOT_SELECTED, actor, outcome=application.outcome_reason)
    return len(undecided)


def campaign_cancelled(actor, campaign: Campaign) -> None:
    active = list(db.session.scalars(
        select(Application).where(Application.campaign_id == campaign.id,
                                  Application.status.in_(
                                      (STARTED, SUBMITTED, WAITLISTED, SELECTED,
                                       CONFIRMED)))))
    for application in active:
        if application.status in (SELECTED, CONFIRMED):
            application.finished_at = utcnow()
            # not the tester's doing: history.records_for leaves it out of the ranking
            application.outcome_reason = "cancelled"
            move(application, DROPPED, actor, note="campaign cancelled", notify=False)
        else:
            application.outcome_reason = "cancelled"
            move(application, NOT_SELECTED, actor, note="campaign cancelled", notify=False)
        notices.tell(application, notices.CANCELLED_KIND)


# functions other domains register to run when a tester's test is finished, called with
# (application, actor) once its status is completed or dropped: the feedback domain
# records whether the forms came in on time, logistics asks for the device back or
# proposes it as a gift; campaigns imports none of them
FINISH_HOOKS: list = []


def register_finish_hook(hook) -> None:
    if hook not in FINISH_HOOKS:
        FINISH_HOOKS.append(hook)


def finish_test(actor, application_id: int, campaign: Campaign, *, completed: bool,
                reason: str | None = None) -> Application:
    """Staff mark a confirmed tester's test completed (paying the campaign's points) or
    dropped (with a reason)."""
    if campaign.state not in (TESTING, EVALUATION):
        raise CampaignError(_l("Tests are finished while the campaign is in testing or "
                               "evaluation."))
    application = locked(Application, application_id)
    if application is None or application.campaign_id != campaign.id:
        raise SelectionError(_l("This application does not belong to this campaign."))
    if application.status != CONFIRMED:
        raise SelectionError(_l("Only a confirmed tester's test can be finished."))
    reason = (reason or "").strip()
    if not completed and not reason:
        raise SelectionError(_l("Please give a reason."), "reason")
    application.finished_at = utcnow()
    move(application, COMPLETED if completed else DROPPED, actor, note=reason or None)
    for hook in FINISH_HOOKS:
        hook(application, actor)
    if completed and campaign.completion_points:
        rewards.award_points(application.member, campaign.completion_points,
                             rewards.TEST_COMPLETED, key=f"test-completed:{application.id}",
                             source=("application", application.id), created_by=actor)
    elif not completed:
        _free_slot(campaign)
    audit.record(actor, TEST_FINISHED, "application", application.id,
                 completed=completed, reason=(reason or "")[:500])
    return application

