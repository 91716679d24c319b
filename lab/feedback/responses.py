"""Testers fill feedback forms: save a draft, submit, edit until the due date.

One response per tester and form (a unique constraint). A form is answered between its
opening and its due date, checked on every call; after the due date nothing changes.
A first submission before the due date pays the FEEDBACK_ON_TIME points once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lab.campaigns import questions as question_rules
from lab.campaigns import selection
from lab.campaigns.models import Application
from lab.core.clock import utcnow
from lab.core.errors import DomainError
from lab.extensions import db
from lab.feedback import access
from lab.feedback.models import FeedbackForm, FormResponse
from lab.rewards import services as rewards

# a form's state for one tester
NOT_OPEN, OPEN, DRAFT, SUBMITTED, MISSED = "not_open", "open", "draft", "submitted", "missed"
FORM_STATE_LABELS = {
    NOT_OPEN: _l("opens later"),
    OPEN: _l("to fill in"),
    DRAFT: _l("draft saved"),
    SUBMITTED: _l("submitted"),
    MISSED: _l("missed"),
}


def form_state(form: FeedbackForm, response: FormResponse | None, now: datetime) -> str:
    if response is not None and response.submitted_at is not None:
        return SUBMITTED
    if now < form.opens_at:
        return NOT_OPEN
    if now >= form.due_at:
        return MISSED
    return DRAFT if response is not None else OPEN


def responses_of(member_id: int, form_ids) -> dict[int, FormResponse]:
    form_ids = list(form_ids)
    if not form_ids:
        return {}
    return {r.form_id: r for r in db.session.scalars(select(FormResponse).where(
        FormResponse.member_id == member_id, FormResponse.form_id.in_(form_ids)))}


def form_in(campaign_id: int, form_id: int) -> FeedbackForm | None:
    form = db.session.get(FeedbackForm, form_id)
    return form if form is not None and form.campaign_id == campaign_id else None


@dataclass(frozen=True)
class Saved:
    response: FormResponse
    submitted: bool
    points: int


def save(participation: access.Participation, form: FeedbackForm, raw: dict, *,
         submit: bool) -> Saved:
    """Save the tester's answers as a draft or submit them. A submitted response stays
    submitted: editing it needs every required answer again."""
    access.writable(participation)
    if form.campaign_id != participation.campaign.id:
        raise DomainError(_l("This form belongs to another campaign."))
    now = utcnow()
    if now < form.opens_at:
        raise DomainError(_l("This form opens later."))
    if now >= form.due_at:
        raise DomainError(_l("The due date of this form has passed: answers can no longer "
                             "be sent or changed."))
    response = _response(participation.member_id, form.id)
    complete = submit or (response is not None and response.submitted_at is not None)
    answers = question_rules.clean(form.questions, raw, complete=complete, stray=_l(
        "The form contained a question that is not part of this form. Nothing was saved; "
        "please reload the page."))
    if response is None:
        response = _create(participation.member_id, form.id)
    response.answers = answers
    first_submission = complete and response.submitted_at is None
    if first_submission:
        response.submitted_at = now
    db.session.flush()
    points = 0
    if first_submission:
        posted = rewards.earn(participation.application.member, rewards.FEEDBACK_ON_TIME,
                              key=f"feedback-on-time:{response.id}",
                              source=("feedback_response", response.id))
        points = posted.entry.amount if posted.created else 0
    return Saved(response, complete, points)


def _response(member_id: int, form_id: int) -> FormResponse | None:
    return db.session.scalar(select(FormResponse).where(
        FormResponse.member_id == member_id, FormResponse.form_id == form_id)
        .with_for_update())


def _create(member_id: int, form_id: int) -> FormResponse:
    """A new response; a parallel request that created it first wins and is used."""
    try:
        with db.session.begin_nested():
            response = FormResponse(form_id=form_id, member_id=member_id, answers={})
            db.session.add(response)
    except IntegrityError:
        response = _response(member_id, form_id)
    return response


def on_time_share(application: Application) -> bool | None:
    """Did the tester submit every form due by now? None if no form was due yet.
    (Late submission is refused, so a submitted form is an on-time one.)"""
    now = utcnow()
    due = select(FeedbackForm.id).where(FeedbackForm.campaign_id == application.campaign_id,
                                        FeedbackForm.due_at <= now)
    due_count = db.session.scalar(select(func.count()).select_from(due.subquery())) or 0
    if not due_count:
        return None
    submitted = db.session.scalar(select(func.count()).select_from(FormResponse).where(
        FormResponse.member_id == application.member_id, FormResponse.form_id.in_(due),
        FormResponse.submitted_at.is_not(None))) or 0
    return submitted >= due_count


def _record_on_time(application: Application, actor=None) -> None:
    application.feedback_on_time = on_time_share(application)


selection.register_finish_hook(_record_on_time)
