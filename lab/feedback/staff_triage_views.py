"""Staff triage of a campaign's reports: list, one report, status, severity, merge,
thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from lab.accounts.models import User
from lab.campaigns.lookup import campaign_or_404
from lab.campaigns.models import Campaign
from lab.core.clock import utcnow
from lab.core.db import commit
from lab.core.durations import humanise
from lab.core.errors import DomainError
from lab.core.formtools import attach_error
from lab.core.pagination import paginate_rows
from lab.core.permissions import staff_required
from lab.extensions import db
from lab.feedback import reports, triage
from lab.feedback.models import IMAGE, REPORT_STATUSES, SEVERITIES, Report
from lab.feedback.notices import KIND_LABELS, SEVERITY_LABELS, STATUS_LABELS
from lab.feedback.triage_forms import (
    CommentForm,
    MergeForm,
    ReportFilterForm,
    SeverityForm,
    StatusForm,
)
from lab.notify import clocks
from lab.notify.models import ResponseClock

bp = Blueprint("feedback_triage", __name__, url_prefix="/staff/campaigns")


def _report_or_404(campaign: Campaign, report_id: int) -> Report:
    report = db.session.get(Report, report_id)
    if report is None or report.campaign_id != campaign.id:
        abort(404)
    return report


# ---- the response clock as text --------------------------------------------------------

@dataclass(frozen=True)
class ClockState:
    state: str  # answered, stopped, waiting, overdue, none
    text: str


def clock_state(clock: ResponseClock | None, now: datetime) -> ClockState:
    """Where a report's first response stands, in words (never only a colour)."""
    if clock is None:
        return ClockState("none", "–")
    if clock.responded_at is not None:
        return ClockState("answered", _("answered after %(time)s",
                                        time=humanise(clock.responded_at - clock.started_at)))
    if clock.stopped_at is not None:
        return ClockState("stopped", _("no response needed"))
    if now < clock.due_at:
        return ClockState("waiting", _("due in %(time)s", time=humanise(clock.due_at - now)))
    return ClockState("overdue", _("overdue by %(time)s", time=humanise(now - clock.due_at)))


# ---- the list --------------------------------------------------------------------------

def _summary(counts: dict[tuple[str, str | None], int]) -> list[tuple[str, list[int], int]]:
    """Rows (status, [count per severity..., ideas and praise], total) of the statuses
    that have reports."""
    rows = []
    for status in REPORT_STATUSES:
        cells = [counts.get((status, severity), 0) for severity in (*SEVERITIES, None)]
        if sum(cells):
            rows.append((status, cells, sum(cells)))
    return rows


@bp.get("/<slug>/reports")
@staff_required
def list_reports(slug: str):
    campaign = campaign_or_404(slug)
    form = ReportFilterForm(request.args)
    form.validate()
    # the campaign is loaded already (many-to-one: found in the session, not joined again)
    query = triage.reports_query(campaign.id, form.filters()).options(lazyload(Report.campaign))
    page = paginate_rows(query, per_page=50)
    now = utcnow()
    return render_template(
        "feedback/staff/reports.html", campaign=campaign, form=form, page=page,
        clock_of_row={row[0].id: clock_state(row[1], now) for row in page.items},
        summary=_summary(triage.counts_by(campaign.id)), kinds=KIND_LABELS,
        severities=SEVERITY_LABELS, statuses=STATUS_LABELS)


# ---- one report ------------------------------------------------------------------------

def _render_report(campaign: Campaign, report: Report, status: int = 200, **forms):
    clock = clocks.clock_of(reports.CLOCK_KIND, report.id)
    events = reports.events_of(report.id)
    comments = reports.comments_of(report.id)
    user_ids = {event.actor_id for event in events if event.actor_id}
    if clock is not None and clock.responder_id:
        user_ids.add(clock.responder_id)
    users = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    other_ids = {event.other_report_id for event in events if event.other_report_id}
    if report.duplicate_of_id:
        other_ids.add(report.duplicate_of_id)
    # number and title only: the other reports' campaign and reporter are not needed
    others = dict(db.session.execute(select(Report.id, Report.title).where(
        Report.id.in_(other_ids))).all()) if other_ids else {}
    forms = {
        "status_form": StatusForm(formdata=None, report=report),
        "severity_form": SeverityForm(formdata=None, severity=report.severity),
        "merge_form": MergeForm(formdata=None),
        "comment_form": CommentForm(formdata=None),
    } | forms
    return render_template(
        "feedback/staff/report.html", campaign=campaign, report=report, clock=clock,
        clock_now=clock_state(clock, utcnow()), events=events, comments=comments,
        users=users, others=others, kinds=KIND_LABELS, severities=SEVERITY_LABELS,
        statuses=STATUS_LABELS, transitions=triage.TRANSITIONS[report.status],
        image=IMAGE, **forms), status


@bp.get("/<slug>/reports/<int:report_id>")
@staff_required
def show_report(slug: str, report_id: int):
    campaign = campaign_or_404(slug)
    return _render_report(campaign, _report_or_404(campaign, report_id))


def _act(slug: str, report_id: int, form_name: str, make_form: Callable,
         action: Callable, success: Callable):
    """Validate the form, run the triage service, commit, and back to the report; a
    refusal re-renders the report with the message beside the field (422)."""
    campaign = campaign_or_404(slug)
    report = _report_or_404(campaign, report_id)
    form = make_form(report)
    if form.validate_on_submit():
        try:
            result = action(report, form)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            commit()
            flash(success(result, form), "success")
            return redirect(url_for(".show_report", slug=campaign.slug, report_id=report.id))
    return _render_report(campaign, report, 422, **{form_name: form})


@bp.post("/<slug>/reports/<int:report_id>/status")
@staff_required
def set_status(slug: str, report_id: int):
    return _act(slug, report_id, "status_form", lambda report: StatusForm(report=report),
                lambda report, form: triage.set_status(current_user, report, form.status.data,
                                                       form.status_note.data),
                lambda _result, form: _("The status is now “%(status)s”. The tester was told.",
                                        status=STATUS_LABELS[form.status.data]))


@bp.post("/<slug>/reports/<int:report_id>/severity")
@staff_required
def set_severity(slug: str, report_id: int):
    return _act(slug, report_id, "severity_form", lambda _report: SeverityForm(),
                lambda report, form: triage.set_severity(current_user, report,
                                                         form.severity.data,
                                                         form.severity_note.data),
                lambda _result, form: _("The severity is now “%(severity)s”. The tester was "
                                        "told.", severity=SEVERITY_LABELS[form.severity.data]))


@bp.post("/<slug>/reports/<int:report_id>/merge")
@staff_required
def merge_report(slug: str, report_id: int):
    return _act(slug, report_id, "merge_form", lambda _report: MergeForm(),
                lambda report, form: triage.merge(current_user, report, form.into.data,
                                                  form.merge_note.data),
                lambda kept, _form: _("Joined to report #%(id)d as a duplicate; its “me "
                                      "too”s moved there.", id=kept.id))


@bp.post("/<slug>/reports/<int:report_id>/comment")
@staff_required
def comment_report(slug: str, report_id: int):
    return _act(slug, report_id, "comment_form", lambda _report: CommentForm(),
                lambda report, form: triage.comment(current_user, report, form.body.data),
                lambda _result, _form: _("Your reply was sent to the tester."))
