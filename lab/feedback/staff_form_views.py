"""Staff pages that build a campaign's test: feedback forms (with preview) and tasks."""

from __future__ import annotations

from collections import Counter

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select

from lab.campaigns.forms import question_form
from lab.campaigns.lookup import campaign_or_404
from lab.campaigns.models import CANCELLED, CLOSED, Campaign
from lab.core.db import commit
from lab.core.errors import DomainError
from lab.core.forms import ActionForm
from lab.core.formtools import attach_error, perform
from lab.core.permissions import staff_required
from lab.extensions import db
from lab.feedback import access, builder, tasks
from lab.feedback.models import FeedbackForm, FormQuestion, FormResponse, Task
from lab.feedback.staff_forms import (
    KIND_LABELS,
    NO_FORM,
    FeedbackFormForm,
    NewQuestionForm,
    QuestionForm,
    TaskForm,
)

bp = Blueprint("feedback_forms", __name__, url_prefix="/staff/campaigns")


# ---- loading and answering --------------------------------------------------------------

def _form_or_404(campaign: Campaign, form_id: int) -> FeedbackForm:
    form = db.session.get(FeedbackForm, form_id)
    if form is None or form.campaign_id != campaign.id:
        abort(404)
    return form


def _question_or_404(form: FeedbackForm, question_id: int) -> FormQuestion:
    question = db.session.get(FormQuestion, question_id)
    if question is None or question.form_id != form.id:
        abort(404)
    return question


def _task_or_404(campaign: Campaign, task_id: int) -> Task:
    return tasks.task_in(campaign.id, task_id) or abort(404)


def _editable(campaign: Campaign) -> bool:
    return campaign.state not in (CLOSED, CANCELLED)


def _status(*forms) -> int:
    """422 for a form sent back with errors; 400 after a bad CSRF token (lab.core.web then
    shows the page with the input kept)."""
    if g.get("csrf_error"):
        return 400
    return 422 if any(form.errors for form in forms) else 200


def _saved(run, form, message: str):
    """Run a service call for a form: commit, flash and return what it saved, or put its
    error on the form and return None."""
    try:
        saved = run()
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return None
    commit()
    flash(message, "success")
    return saved


def _submitted_counts(form_ids: list[int]) -> dict[int, int]:
    """Submitted responses per form: one grouped query."""
    if not form_ids:
        return {}
    return dict(db.session.execute(
        select(FormResponse.form_id, func.count()).where(
            FormResponse.form_id.in_(form_ids), FormResponse.submitted_at.is_not(None))
        .group_by(FormResponse.form_id)).all())


# ---- forms ------------------------------------------------------------------------------

@bp.route("/<slug>/forms", methods=["GET", "POST"])
@staff_required
def list_forms(slug: str):
    campaign = campaign_or_404(slug)
    new_form = FeedbackFormForm()
    if new_form.validate_on_submit():
        created = _saved(lambda: builder.save_form(
            current_user, campaign, title=new_form.title.data, intro=new_form.intro.data,
            opens_at=new_form.opens_at.data, due_at=new_form.due_at.data),
            new_form, _("Form created. Now add its questions."))
        if created:
            return redirect(url_for(".edit_form", slug=campaign.slug, form_id=created.id))
    forms = builder.forms_of(campaign.id)
    return render_template(
        "feedback/staff/forms.html", campaign=campaign, forms=forms, new_form=new_form,
        submitted=_submitted_counts([f.id for f in forms]), editable=_editable(campaign),
        share_form=ActionForm()), \
        _status(new_form)


@bp.post("/<slug>/reports-shared")
@staff_required
def share_reports(slug: str):
    campaign = campaign_or_404(slug)
    shared = request.form.get("shared") == "1"
    if ActionForm().validate_on_submit():
        perform(lambda: builder.share_reports(current_user, campaign, shared),
                _("Testers now see each other's reports.") if shared
                else _("Testers now see only their own reports."))
    return redirect(url_for(".list_forms", slug=campaign.slug))


@bp.route("/<slug>/forms/<int:form_id>", methods=["GET", "POST"])
@staff_required
def edit_form(slug: str, form_id: int):
    campaign = campaign_or_404(slug)
    feedback_form = _form_or_404(campaign, form_id)
    # two forms on the page: the button's name says which one was sent
    adding = request.method == "POST" and "add_question" in request.form
    meta = FeedbackFormForm(formdata=None, obj=feedback_form) if adding \
        else FeedbackFormForm(obj=feedback_form)
    new_question = NewQuestionForm() if adding else NewQuestionForm(formdata=None)
    if adding and new_question.validate_on_submit():
        if _saved(lambda: builder.save_question(
                current_user, feedback_form, kind=new_question.kind.data,
                label=new_question.label.data, help_text=new_question.help_text.data,
                required=new_question.required.data, options=new_question.option_list()),
                new_question, _("Question added.")):
            return redirect(url_for(".edit_form", slug=campaign.slug, form_id=form_id,
                                    _anchor="questions"))
    elif not adding and meta.validate_on_submit():
        if _saved(lambda: builder.save_form(
                current_user, campaign, feedback_form, title=meta.title.data,
                intro=meta.intro.data, opens_at=meta.opens_at.data, due_at=meta.due_at.data),
                meta, _("Form saved.")):
            return redirect(url_for(".edit_form", slug=campaign.slug, form_id=form_id))
    return render_template(
        "feedback/staff/form.html", campaign=campaign, feedback_form=feedback_form, meta=meta,
        new_question=new_question, answered=builder.has_answers(feedback_form),
        editable=_editable(campaign), kinds=KIND_LABELS), _status(meta, new_question)


@bp.route("/<slug>/forms/<int:form_id>/questions/<int:question_id>/edit",
          methods=["GET", "POST"])
@staff_required
def edit_form_question(slug: str, form_id: int, question_id: int):
    campaign = campaign_or_404(slug)
    feedback_form = _form_or_404(campaign, form_id)
    question = _question_or_404(feedback_form, question_id)
    answered = builder.has_answers(feedback_form)
    form = QuestionForm(obj=question)
    if not form.is_submitted():
        form.options.data = "\n".join(question.options or [])
    if answered:
        form.lock_kind_and_options(question)
    if form.validate_on_submit() and _saved(lambda: builder.save_question(
            current_user, feedback_form, question, kind=form.kind.data, label=form.label.data,
            help_text=form.help_text.data, required=form.required.data,
            options=form.option_list()), form, _("Question saved.")):
        return redirect(url_for(".edit_form", slug=campaign.slug, form_id=form_id,
                                _anchor="questions"))
    return render_template(
        "feedback/staff/form_question.html", campaign=campaign, feedback_form=feedback_form,
        question=question, form=form, answered=answered), _status(form)


def _question_action(slug: str, form_id: int, question_id: int, run, success):
    campaign = campaign_or_404(slug)
    feedback_form = _form_or_404(campaign, form_id)
    question = _question_or_404(feedback_form, question_id)
    if ActionForm().validate_on_submit():
        perform(lambda: run(feedback_form, question), success)
    return redirect(url_for(".edit_form", slug=campaign.slug, form_id=form_id,
                            _anchor="questions"))


@bp.post("/<slug>/forms/<int:form_id>/questions/<int:question_id>/move")
@staff_required
def move_form_question(slug: str, form_id: int, question_id: int):
    step = -1 if request.form.get("direction") == "up" else 1
    return _question_action(slug, form_id, question_id, lambda f, q: builder.move_question(
        current_user, f, q, step), _("Question moved."))


@bp.post("/<slug>/forms/<int:form_id>/questions/<int:question_id>/delete")
@staff_required
def delete_form_question(slug: str, form_id: int, question_id: int):
    return _question_action(slug, form_id, question_id, lambda f, q: builder.delete_question(
        current_user, f, q), _("Question deleted."))


@bp.post("/<slug>/forms/<int:form_id>/delete")
@staff_required
def delete_form(slug: str, form_id: int):
    campaign = campaign_or_404(slug)
    feedback_form = _form_or_404(campaign, form_id)
    if ActionForm().validate_on_submit() and perform(
            lambda: builder.delete_form(current_user, campaign, feedback_form),
            _("Form deleted.")):
        return redirect(url_for(".list_forms", slug=campaign.slug))
    return redirect(url_for(".edit_form", slug=campaign.slug, form_id=form_id))


class _PreviewBase(FlaskForm):
    class Meta:
        csrf = False  # nothing is sent from the preview


@bp.get("/<slug>/forms/<int:form_id>/preview")
@staff_required
def preview_form(slug: str, form_id: int):
    campaign = campaign_or_404(slug)
    feedback_form = _form_or_404(campaign, form_id)
    preview = question_form(feedback_form.questions, _PreviewBase, formdata=None)
    return render_template("feedback/staff/preview.html", campaign=campaign,
                           feedback_form=feedback_form, preview=preview)


# ---- tasks ------------------------------------------------------------------------------

def _task_form(campaign: Campaign, task: Task | None = None) -> TaskForm:
    form = TaskForm(obj=task, forms=builder.forms_of(campaign.id))
    if not form.is_submitted():
        form.form_id.data = (task.form_id if task else None) or NO_FORM
    return form


def _save_task(campaign: Campaign, form: TaskForm, task: Task | None = None) -> bool:
    return bool(_saved(lambda: builder.save_task(
        current_user, campaign, task, title=form.title.data, description=form.description.data,
        due_at=form.due_at.data, form_id=form.form_id.data or None), form, _("Task saved.")))


@bp.route("/<slug>/tasks", methods=["GET", "POST"])
@staff_required
def list_tasks(slug: str):
    campaign = campaign_or_404(slug)
    new_task = _task_form(campaign)
    if new_task.validate_on_submit() and _save_task(campaign, new_task):
        return redirect(url_for(".list_tasks", slug=campaign.slug))
    task_list = builder.tasks_of(campaign.id)
    testers = access.tester_ids(campaign.id)
    done = Counter(task_id for task_id, _member in tasks.done_times(testers, task_list))
    return render_template(
        "feedback/staff/tasks.html", campaign=campaign, tasks=task_list, done=done,
        testers=len(testers), new_task=new_task, editable=_editable(campaign)), \
        _status(new_task)


@bp.route("/<slug>/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_task(slug: str, task_id: int):
    campaign = campaign_or_404(slug)
    task = _task_or_404(campaign, task_id)
    form = _task_form(campaign, task)
    if form.validate_on_submit() and _save_task(campaign, form, task):
        return redirect(url_for(".list_tasks", slug=campaign.slug))
    return render_template("feedback/staff/task.html", campaign=campaign, task=task,
                           form=form), _status(form)


@bp.post("/<slug>/tasks/<int:task_id>/delete")
@staff_required
def delete_task(slug: str, task_id: int):
    campaign = campaign_or_404(slug)
    task = _task_or_404(campaign, task_id)
    if ActionForm().validate_on_submit():
        perform(lambda: builder.delete_task(current_user, campaign, task), _("Task deleted."))
    return redirect(url_for(".list_tasks", slug=campaign.slug))
