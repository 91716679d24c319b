"""Applying: save a draft, submit, edit or withdraw while the window is open.

One application per member and campaign (a unique constraint; a second attempt finds
the first). Eligibility and the window are checked here on every call, whatever the
page showed. Every status change is kept as an event and told to the member.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lab.campaigns import eligibility, notices, questions
from lab.campaigns.models import (
    APPLICATION_STATUSES,
    COMPLETED,
    CONFIRMED,
    DECLINED,
    DROPPED,
    NOT_SELECTED,
    RECRUITING,
    SELECTED,
    STARTED,
    SUBMITTED,
    WAITLISTED,
    WITHDRAWN,
    Application,
    ApplicationEvent,
    Campaign,
)
from lab.core.clock import utcnow
from lab.core.errors import DomainError
from lab.extensions import db

STATUS_LABELS = {
    STARTED: _l("started, not sent"),
    SUBMITTED: _l("submitted"),
    WITHDRAWN: _l("withdrawn"),
    WAITLISTED: _l("waiting list"),
    SELECTED: _l("selected, please confirm"),
    CONFIRMED: _l("confirmed"),
    DECLINED: _l("declined"),
    NOT_SELECTED: _l("not selected"),
    COMPLETED: _l("completed"),
    DROPPED: _l("dropped out"),
}
assert set(STATUS_LABELS) == set(APPLICATION_STATUSES)
# while the window is open the applicant may still change these
EDITABLE_STATUSES = (STARTED, SUBMITTED, WITHDRAWN)


class ApplicationError(DomainError):
    pass


class NotEligible(ApplicationError):
    def __init__(self, reasons: list[str]):
        super().__init__(_l("You cannot apply for this campaign: %(reasons)s",
                            reasons=" ".join(reasons)))
        self.reasons = reasons


def application_of(member_id: int, campaign_id: int) -> Application | None:
    return db.session.scalar(select(Application).where(
        Application.campaign_id == campaign_id, Application.member_id == member_id))


def unmet_rules(member, campaign: Campaign, now=None) -> list[dict]:
    facts = eligibility.facts_for([member.id])[member.id]
    return eligibility.unmet(campaign.eligibility, facts, now or utcnow())


def save(member, campaign: Campaign, raw_answers: dict, *, submit: bool,
         accept_terms: bool = False) -> Application:
    """Save the answers as a draft, or submit them (then every required answer and the
    terms are needed). Nothing is stored unless all of it is valid."""
    now = utcnow()
    _check_open(campaign, now)
    reasons = [eligibility.explain(rule) for rule in unmet_rules(member, campaign, now)]
    if reasons:
        raise NotEligible(reasons)
    existing = application_of(member.id, campaign.id)
    # a sent application stays complete, even when saved without sending it again
    sent = existing is not None and existing.status == SUBMITTED
    answers = questions.clean_answers(campaign, raw_answers, complete=submit or sent)
    if submit and not accept_terms:
        raise ApplicationError(_l("Please accept the participation terms."), "accept_terms")
    application = existing or _start(member, campaign)
    if application.status not in EDITABLE_STATUSES:
        raise ApplicationError(_l("Your application has been decided and can no longer "
                                  "be changed."))
    application.answers = answers
    if submit:
        application.terms_version = campaign.terms_version
        application.terms_accepted_at = now
        if application.status != SUBMITTED:
            application.submitted_at = now
            move(application, SUBMITTED, member)
    elif application.status == WITHDRAWN:
        move(application, STARTED, member, notify=False)
    db.session.flush()
    return application


def _start(member, campaign: Campaign) -> Application:
    """A new, unsent application; if a parallel request made one first, that one."""
    application = Application(campaign=campaign, member=member, status=STARTED, answers={})
    try:
        with db.session.begin_nested():
            db.session.add(application)
            db.session.flush()
    except IntegrityError:
        existing = application_of(member.id, campaign.id)
        if existing is None:
            raise
        return existing
    db.session.add(ApplicationEvent(application_id=application.id, status=STARTED,
                                    actor_id=member.id))
    return application


def withdraw(member, campaign: Campaign) -> Application:
    now = utcnow()
    _check_open(campaign, now)
    application = application_of(member.id, campaign.id)
    if application is None or application.status not in (STARTED, SUBMITTED):
        raise ApplicationError(_l("There is no open application to withdraw."))
    move(application, WITHDRAWN, member, notify=application.status == SUBMITTED)
    return application


def _check_open(campaign: Campaign, now) -> None:
    if campaign.accepts_applications(now):
        return
    if campaign.state == RECRUITING and now < campaign.applications_open_at:
        raise ApplicationError(_l("Applications for this campaign have not opened yet."))
    raise ApplicationError(_l("Applications for this campaign are closed."))


def move(application: Application, status: str, actor=None, *, note: str | None = None,
         notify: bool = True, **params) -> None:
    """Change the status, keep the step in the history and tell the member."""
    application.status = status
    db.session.add(ApplicationEvent(application_id=application.id, status=status,
                                    actor_id=actor.id if actor is not None else None,
                                    note=note))
    if notify:
        notices.tell_status(application, **params)


def history_of(application_ids: list[int]) -> dict[int, list[ApplicationEvent]]:
    """The events of many applications in one query, oldest first."""
    events: dict[int, list[ApplicationEvent]] = {i: [] for i in application_ids}
    if application_ids:
        for event in db.session.scalars(
                select(ApplicationEvent)
                .where(ApplicationEvent.application_id.in_(application_ids))
                .order_by(ApplicationEvent.id)):
            events[event.application_id].append(event)
    return events


def member_applications_query(member_id: int):
    return (select(Application).where(Application.member_id == member_id)
            .order_by(Application.created_at.desc(), Application.id.desc()))


def own_application(member_id: int, application_id: int) -> Application | None:
    """The member's own application, or None (also for someone else's id)."""
    application = db.session.get(Application, application_id)
    if application is None or application.member_id != member_id:
        return None
    return application


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def explain_outcome(application: Application) -> str | None:
    """The plain reason of a 'not selected', if there is one."""
    if application.status != NOT_SELECTED or not application.outcome_reason:
        return None
    reason = notices.OUTCOME_REASONS.get(application.outcome_reason)
    return _("Reason: %(reason)s.", reason=reason) if reason else None

