"""The participant area /tests/<slug>/: tasks, forms, reports (confirmed testers only)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from lab.campaigns.forms import answers_as_data
from lab.campaigns.lookup import published_campaign_or_404
from lab.campaigns.questions import AnswerErrors
from lab.core.clock import utcnow
from lab.core.db import commit
from lab.core.errors import DomainError
from lab.core.forms import safe_next
from lab.core.formtools import attach_error, perform
from lab.core.pagination import paginate
from lab.core.permissions import member_required
from lab.extensions import db
from lab.feedback import access, attachments, builder, reports, responses, tasks
from lab.feedback.forms import (
    MeTooForm,
    ReplyForm,
    ReportForm,
    TaskDoneForm,
    answer_form,
    raw_answers,
)
from lab.feedback.models import Report, ReportAttachment
from lab.feedback.notices import KIND_LABELS, SEVERITY_LABELS, STATUS_LABELS
from lab.logistics.shipping import tester_assignment
from lab.logistics.tester_state import device_state

bp = Blueprint("tests", __name__, url_prefix="/tests")

OTHERS_PER_PAGE = 10
SIMILAR_LIMIT = 5


def _render(template: str, status: int = 200, **context):
    """A page of the area, with the labels of states, kinds and severities."""
    return render_template(
        f"feedback/tests/{template}", kind_labels=KIND_LABELS, severity_labels=SEVERITY_LABELS,
        status_labels=STATUS_LABELS, task_labels=tasks.TASK_STATE_LABELS,
        form_labels=responses.FORM_STATE_LABELS, **context), status


def _participation(slug: str) -> access.Participation:
    """The signed-in member's place in the test, or a 403 page that says why."""
    campaign = published_campaign_or_404(slug)
    try:
        return access.participation(current_user.id, campaign)
    except access.NotATester as error:
        # an HTTPException carrying the page: also right when lab.core.web re-runs the
        # view after a failed CSRF check
        abort(make_response(render_template(
            "feedback/tests/not_a_tester.html", campaign=campaign,
            message=error.message), 403))


def _report_or_404(participation: access.Participation, report_id: int) -> Report:
    report = reports.report_in(participation, report_id)
    if report is None:
        abort(404)
    return report


@bp.get("/<slug>/")
@member_required
def area(slug: str):
    participation = _participation(slug)
    campaign = participation.campaign
    now = utcnow()
    forms = builder.forms_of(campaign.id)
    answered = responses.responses_of(participation.member_id, [f.id for f in forms])
    form_rows = [(form, responses.form_state(form, answered.get(form.id), now))
                 for form in forms]
    task_states = tasks.states_for(participation.member_id, builder.tasks_of(campaign.id),
                                   now)
    others = paginate(reports.others_query(participation), per_page=OTHERS_PER_PAGE) \
        if campaign.reports_shared else None
    joined = reports.my_me_toos(participation.member_id,
                                [r.id for r in others.items]) if others else set()
    device = tester_assignment(current_user, campaign)
    return _render("area.html", participation=participation, campaign=campaign,
                   form_rows=form_rows, task_states=task_states,
                   own=reports.own_reports(participation), others=others, joined=joined,
                   now=now, device=device,
                   device_state=device_state(device, participation.application))


@bp.route("/<slug>/forms/<int:form_id>", methods=["GET", "POST"])
@member_required
def fill_form(slug: str, form_id: int):
    participation = _participation(slug)
    feedback_form = responses.form_in(participation.campaign.id, form_id)
    if feedback_form is None:
        abort(404)
    response = responses.responses_of(participation.member_id, [form_id]).get(form_id)
    was_submitted = response is not None and response.submitted_at is not None
    if request.method == "GET":
        form = answer_form(feedback_form, data=answers_as_data(response))
    else:
        form = answer_form(feedback_form)
    failed = False
    if form.validate_on_submit():
        try:
            saved = responses.save(participation, feedback_form,
                                   raw_answers(request.form, feedback_form),
                                   submit=bool(form.submit.data or form.save_changes.data))
        except AnswerErrors as problems:
            db.session.rollback()
            for name, message in problems.errors.items():
                form[name].errors = [*form[name].errors, str(message)]
            form.form_errors.append(str(problems.message))
            failed = True
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
            failed = True
        else:
            commit()
            flash(_saved_message(saved, was_submitted, feedback_form), "success")
            if saved.submitted:
                return redirect(url_for(".area", slug=slug, _anchor="forms"))
            return redirect(url_for(".fill_form", slug=slug, form_id=form_id))
    now = utcnow()
    editable = participation.can_write and feedback_form.is_open(now)
    # after a refused POST the input stays in its fields (even when the form just closed)
    return _render("fill_form.html", 422 if failed else 200, participation=participation,
                   campaign=participation.campaign, feedback_form=feedback_form, form=form,
                   response=response, state=responses.form_state(feedback_form, response, now),
                   now=now, editable=editable, show_inputs=editable or failed)


def _saved_message(saved: responses.Saved, was_submitted: bool, feedback_form) -> str:
    if not saved.submitted:
        return _("Your draft has been saved. Please submit it by %(due)s.",
                 due=format_datetime(feedback_form.due_at, "short"))
    if was_submitted:
        return _("Your changes have been saved.")
    message = _("Thank you! Your answers have been submitted.")
    if saved.points > 0:
        message += " " + ngettext("You earned %(num)d point.", "You earned %(num)d points.",
                                  saved.points)
    return message


@bp.post("/<slug>/tasks/<int:task_id>/done")
@member_required
def task_done(slug: str, task_id: int):
    participation = _participation(slug)
    task = tasks.task_in(participation.campaign.id, task_id)
    if task is None:
        abort(404)
    form = TaskDoneForm()
    if form.validate_on_submit():
        done = form.done.data != "0"
        perform(lambda: tasks.mark_done(participation, task, done=done),
                _("“%(title)s” is marked as done.", title=task.title) if done
                else _("“%(title)s” is marked as not done.", title=task.title))
    return redirect(url_for(".area", slug=slug, _anchor="tasks"))


@bp.route("/<slug>/reports/new", methods=["GET", "POST"])
@member_required
def new_report(slug: str):
    participation = _participation(slug)
    form = ReportForm()
    failed = False
    if form.validate_on_submit():
        try:
            report = reports.file_report(
                participation, kind=form.kind.data, title=form.title.data,
                severity=form.severity.data or None, steps=form.steps.data,
                expected=form.expected.data, actual=form.actual.data,
                description=form.description.data, device=form.device.data,
                version=form.version.data, uploads=form.uploads())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
            failed = True
        else:
            commit()
            flash(_("Thank you! Your report has been filed. The team will look at it and "
                    "you can follow what happens here."), "success")
            return redirect(url_for(".show_report", slug=slug, report_id=report.id))
    return _render("new_report.html", 422 if failed else 200, participation=participation,
                   campaign=participation.campaign, form=form,
                   files_sent=failed and bool(form.attachments.data))


@bp.get("/<slug>/reports/similar")
@member_required
def similar_reports(slug: str):
    campaign = published_campaign_or_404(slug)
    try:
        participation = access.participation(current_user.id, campaign)
    except access.NotATester as error:
        return jsonify(error=str(error.message)), 403
    title = request.args.get("title", "")[:160]
    found = reports.similar(participation, title, limit=SIMILAR_LIMIT)
    return jsonify(reports=[
        {"id": report.id, "title": report.title, "status": report.status,
         "status_label": str(STATUS_LABELS.get(report.status, report.status)),
         "me_too_count": report.me_too_count,
         "url": url_for(".show_report", slug=slug, report_id=report.id),
         "note": f"{STATUS_LABELS.get(report.status, report.status)} · "
                 f"{_('“Me too”')}: {report.me_too_count}"}
        for report in found])


@bp.get("/<slug>/reports/<int:report_id>")
@member_required
def show_report(slug: str, report_id: int):
    participation = _participation(slug)
    report = _report_or_404(participation, report_id)
    own = report.member_id == participation.member_id
    return _render(
        "report.html", participation=participation,
        campaign=participation.campaign, report=report, own=own,
        events=reports.events_of(report.id) if own else [],
        comments=reports.comments_of(report.id) if own else [],
        joined=not own and report.id in reports.my_me_toos(participation.member_id,
                                                           [report.id]),
        reply_form=ReplyForm() if own and participation.can_write else None)


@bp.post("/<slug>/reports/<int:report_id>/me-too")
@member_required
def me_too(slug: str, report_id: int):
    participation = _participation(slug)
    report = _report_or_404(participation, report_id)
    form = MeTooForm()
    if form.validate_on_submit():
        on = form.on.data != "0"
        perform(lambda: reports.me_too(participation, report, on=on),
                _("You said “me too”: the report gains weight.") if on
                else _("You took back your “me too”."))
    back = url_for(".show_report", slug=slug, report_id=report.id)
    return redirect(safe_next(form.next.data, back))


@bp.post("/<slug>/reports/<int:report_id>/reply")
@member_required
def reply(slug: str, report_id: int):
    participation = _participation(slug)
    report = _report_or_404(participation, report_id)
    form = ReplyForm()
    if form.validate_on_submit():
        perform(lambda: reports.reply(participation, report, form.body.data),
                _("Your reply has been sent to the team."))
    return redirect(url_for(".show_report", slug=slug, report_id=report.id,
                            _anchor="thread"))


@bp.get("/<slug>/attachments/<int:attachment_id>")
@member_required
def attachment(slug: str, attachment_id: int):
    """A report's file, for its reporter (still a tester of the campaign) and staff;
    anyone else gets 404, as if it did not exist."""
    campaign = published_campaign_or_404(slug)
    item = db.session.get(ReportAttachment, attachment_id)
    report = item and db.session.get(Report, item.report_id)
    if report is None or report.campaign_id != campaign.id or not _may_download(report):
        abort(404)
    path = attachments.path_of(item).resolve()
    if not path.is_file():
        abort(404)
    answer = send_file(path, mimetype=item.content_type, download_name=item.original_name,
                       as_attachment=item.kind != "image", max_age=0)
    answer.headers["X-Content-Type-Options"] = "nosniff"
    answer.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    answer.headers["Cache-Control"] = "private, no-store"
    return answer


def _may_download(report: Report) -> bool:
    if current_user.is_staff:
        return True
    if report.member_id != current_user.id:
        return False
    try:
        access.participation(current_user.id, report.campaign)
    except access.NotATester:
        return False
    return True
