"""Responses and reports as tables for CSV and XLSX (lab.core.export writes them).

Responses: in CSV one row per answer (form, tester, question, answer), which suits any
number of forms; in XLSX one sheet per form with a column per question. Only submitted
responses are exported; no contact data.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import defaultload, selectinload

from lab.accounts.models import User
from lab.campaigns.models import Campaign
from lab.extensions import db
from lab.feedback import builder, notices
from lab.feedback.models import FeedbackForm, FormResponse, Report


def _when(moment) -> str | None:
    return moment.isoformat(sep=" ", timespec="minutes") if moment else None


def _submitted(form_ids) -> list[FormResponse]:
    if not form_ids:
        return []
    return list(db.session.scalars(select(FormResponse).options(
        defaultload(FormResponse.member).lazyload(User.roles)).where(
        FormResponse.form_id.in_(form_ids), FormResponse.submitted_at.is_not(None))
        .order_by(FormResponse.form_id, FormResponse.id)))


def _value(response: FormResponse, question_id: int):
    return ((response.answers or {}).get(str(question_id)) or {}).get("value")


def responses_long(campaign: Campaign) -> tuple[list[str], list[list]]:
    forms = builder.forms_of(campaign.id)
    by_id = {form.id: form for form in forms}
    header = [_("Form"), _("Tester"), _("Submitted at (UTC)"), _("Question"), _("Answer")]
    rows = []
    for response in _submitted(list(by_id)):
        form = by_id[response.form_id]
        for question in form.questions:
            rows.append([form.title, response.member.handle, _when(response.submitted_at),
                         question.label, _value(response, question.id)])
    return header, rows


def responses_sheets(campaign: Campaign) -> list[tuple[str, list, list]]:
    forms = builder.forms_of(campaign.id)
    responses = _submitted([f.id for f in forms])
    sheets = []
    for number, form in enumerate(forms, start=1):
        header = [_("Tester"), _("Submitted at (UTC)")] + [q.label for q in form.questions]
        rows = [[r.member.handle, _when(r.submitted_at)]
                + [_value(r, q.id) for q in form.questions]
                for r in responses if r.form_id == form.id]
        sheets.append((f"{number} {_sheet_title(form)}", header, rows))
    return sheets or [(_("Responses"), [_("No forms yet")], [])]


def _sheet_title(form: FeedbackForm) -> str:
    # Excel forbids : \ / ? * [ ] in sheet titles
    return "".join(" " if ch in ':\\/?*[]' else ch for ch in form.title)[:27]


def reports_table(campaign: Campaign) -> tuple[list[str], list[list]]:
    header = [_("Number"), _("Kind"), _("Title"), _("Severity"), _("Status"), _("Me too"),
              _("Duplicate of"), _("Tester"), _("Filed at (UTC)"), _("Device"), _("Version"),
              _("Steps to reproduce"), _("Expected result"), _("Actual result"),
              _("Description"), _("Attachments")]
    reports = db.session.scalars(select(Report).options(
        defaultload(Report.member).lazyload(User.roles), selectinload(Report.attachments))
        .where(Report.campaign_id == campaign.id)
                                 .order_by(Report.id))
    rows = [[r.id, str(notices.KIND_LABELS[r.kind]), r.title,
             str(notices.SEVERITY_LABELS[r.severity]) if r.severity else None,
             str(notices.STATUS_LABELS[r.status]), r.me_too_count, r.duplicate_of_id,
             r.member.handle, _when(r.created_at), r.device, r.version, r.steps, r.expected,
             r.actual, r.description, len(r.attachments)] for r in reports]
    return header, rows
