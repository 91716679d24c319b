"""What staff build for a campaign's test: feedback forms with their questions, and tasks.

Once a form has submitted answers, its questions keep their kind and options (answers
stored against them must stay comparable); wording, help, order and dates may change.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lab.campaigns import questions as question_rules
from lab.campaigns.models import CANCELLED, CLOSED, Campaign
from lab.core import audit
from lab.core.errors import DomainError
from lab.extensions import db
from lab.feedback.models import (
    FORM_QUESTION_KINDS,
    FeedbackForm,
    FormQuestion,
    FormResponse,
    Task,
)

FORM_SAVED = audit.register_action("feedback.form_saved", _l("Feedback form saved"))
FORM_DELETED = audit.register_action("feedback.form_deleted", _l("Feedback form deleted"))
TASK_SAVED = audit.register_action("feedback.task_saved", _l("Test task saved"))
TASK_DELETED = audit.register_action("feedback.task_deleted", _l("Test task deleted"))
REPORTS_SHARING = audit.register_action("feedback.reports_shared",
                                        _l("Sharing of reports between testers changed"))

MAX_FORM_QUESTIONS = 40


def _editable(campaign: Campaign) -> None:
    if campaign.state in (CLOSED, CANCELLED):
        raise DomainError(_l("This campaign is over; its forms and tasks stay as they are."))


def _check_window(opens_at: datetime | None, due_at: datetime | None) -> None:
    if opens_at is None:
        raise DomainError(_l("Please give a date."), "opens_at")
    if due_at is None:
        raise DomainError(_l("Please give a date."), "due_at")
    if due_at <= opens_at:
        raise DomainError(_l("The due date must be after the opening date."), "due_at")


def forms_of(campaign_id: int) -> list[FeedbackForm]:
    return list(db.session.scalars(select(FeedbackForm).where(
        FeedbackForm.campaign_id == campaign_id).order_by(FeedbackForm.opens_at,
                                                          FeedbackForm.id)))


def has_answers(form: FeedbackForm) -> bool:
    return bool(db.session.scalar(select(FormResponse.id).where(
        FormResponse.form_id == form.id, FormResponse.submitted_at.is_not(None)).limit(1)))


def save_form(actor, campaign: Campaign, form: FeedbackForm | None = None, *, title: str,
              intro: str | None, opens_at: datetime | None,
              due_at: datetime | None) -> FeedbackForm:
    _editable(campaign)
    title = (title or "").strip()
    if not title:
        raise DomainError(_l("Please give the form a title."), "title")
    _check_window(opens_at, due_at)
    if form is None:
        form = FeedbackForm(campaign_id=campaign.id)
        db.session.add(form)
    elif form.campaign_id != campaign.id:
        raise DomainError(_l("This form belongs to another campaign."))
    form.title, form.intro = title[:160], (intro or "").strip() or None
    form.opens_at, form.due_at = opens_at, due_at
    db.session.flush()
    audit.record(actor, FORM_SAVED, "feedback_form", form.id, title=form.title)
    return form


def delete_form(actor, campaign: Campaign, form: FeedbackForm) -> None:
    _editable(campaign)
    _own(campaign, form)
    if has_answers(form):
        raise DomainError(_l("Testers have already answered this form; it cannot be "
                             "deleted."))
    audit.record(actor, FORM_DELETED, "feedback_form", form.id, title=form.title)
    db.session.delete(form)


def _own(campaign: Campaign, form: FeedbackForm) -> None:
    if form.campaign_id != campaign.id:
        raise DomainError(_l("This form belongs to another campaign."))


def save_question(actor, form: FeedbackForm, question: FormQuestion | None = None, *,
                  kind: str, label: str, help_text: str | None, required: bool,
                  options: list[str]) -> FormQuestion:
    _editable(form.campaign)
    question_rules.check_question(FORM_QUESTION_KINDS, kind, label, options)
    answered = has_answers(form)
    if question is None:
        if answered:
            raise DomainError(_l("Testers have already answered this form: questions can "
                                 "be reworded, but not added or removed."))
        if len(form.questions) >= MAX_FORM_QUESTIONS:
            raise DomainError(_l("A form can have at most %(n)d questions.",
                                 n=MAX_FORM_QUESTIONS))
        question = FormQuestion(form=form, position=len(form.questions) + 1)
        db.session.add(question)
    elif question.form_id != form.id:
        raise DomainError(_l("This question belongs to another form."))
    elif answered and (kind != question.kind or _options_changed(question, options)):
        raise DomainError(_l("Testers have already answered this form: the kind and the "
                             "options of a question can no longer change."), "kind")
    question_rules.fill_question(question, kind=kind, label=label, help_text=help_text,
                                 required=required, options=options)
    db.session.flush()
    audit.record(actor, FORM_SAVED, "feedback_form", form.id, question=question.id)
    return question


def _options_changed(question: FormQuestion, options: list[str]) -> bool:
    cleaned = [o.strip() for o in options if o.strip()]
    return question.kind in ("single", "multiple") and cleaned != list(question.options)


def delete_question(actor, form: FeedbackForm, question: FormQuestion) -> None:
    _editable(form.campaign)
    if question.form_id != form.id:
        raise DomainError(_l("This question belongs to another form."))
    if has_answers(form):
        raise DomainError(_l("Testers have already answered this form: questions can be "
                             "reworded, but not added or removed."))
    form.questions.remove(question)
    question_rules.renumber(form.questions)
    audit.record(actor, FORM_SAVED, "feedback_form", form.id, deleted_question=question.id)


def move_question(actor, form: FeedbackForm, question: FormQuestion, step: int) -> bool:
    _editable(form.campaign)
    if question.form_id != form.id:
        raise DomainError(_l("This question belongs to another form."))
    if not question_rules.can_move(form.questions, question, step):
        return False
    question_rules.move_in(form.questions, question, step)
    return True


def share_reports(actor, campaign: Campaign, shared: bool) -> None:
    """Let testers see (and "me too") each other's reports, or not; also during the test,
    unlike the campaign form's other fields."""
    _editable(campaign)
    if campaign.reports_shared != bool(shared):
        campaign.reports_shared = bool(shared)
        audit.record(actor, REPORTS_SHARING, "campaign", campaign.id, shared=bool(shared))


# ---- tasks ------------------------------------------------------------------------------

def tasks_of(campaign_id: int) -> list[Task]:
    return list(db.session.scalars(select(Task).where(Task.campaign_id == campaign_id)
                                   .order_by(Task.due_at, Task.position, Task.id)))


def save_task(actor, campaign: Campaign, task: Task | None = None, *, title: str,
              description: str | None, due_at: datetime | None,
              form_id: int | None) -> Task:
    _editable(campaign)
    title = (title or "").strip()
    if not title:
        raise DomainError(_l("Please give the task a title."), "title")
    if due_at is None:
        raise DomainError(_l("Please give a date."), "due_at")
    if form_id:
        form = db.session.get(FeedbackForm, form_id)
        if form is None or form.campaign_id != campaign.id:
            raise DomainError(_l("Please choose a form of this campaign."), "form_id")
    if task is None:
        count = db.session.scalar(select(func.count()).select_from(Task)
                                  .where(Task.campaign_id == campaign.id))
        task = Task(campaign_id=campaign.id, position=count + 1)
        db.session.add(task)
    elif task.campaign_id != campaign.id:
        raise DomainError(_l("This task belongs to another campaign."))
    task.title, task.description = title[:160], (description or "").strip() or None
    task.due_at, task.form_id = due_at, form_id or None
    db.session.flush()
    audit.record(actor, TASK_SAVED, "test_task", task.id, title=task.title)
    return task


def delete_task(actor, campaign: Campaign, task: Task) -> None:
    _editable(campaign)
    if task.campaign_id != campaign.id:
        raise DomainError(_l("This task belongs to another campaign."))
    audit.record(actor, TASK_DELETED, "test_task", task.id, title=task.title)
    db.session.delete(task)
