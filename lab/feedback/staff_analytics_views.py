"""A campaign's analytics page and the exports of responses and reports."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import format_decimal
from flask_babel import gettext as _

from lab.campaigns.lookup import campaign_or_404
from lab.core.export import csv_response, xlsx_response
from lab.core.permissions import staff_required
from lab.feedback import analytics, exports, notices, staff_forms
from lab.feedback.models import REPORT_STATUSES

bp = Blueprint("feedback_analytics", __name__, url_prefix="/staff/campaigns")


def _number(value) -> str:
    """An average or a median in the reader's notation: 4.33, 4, 1,250.5."""
    return "–" if value is None else format_decimal(value, format="#,##0.##")


@bp.get("/<slug>/analytics")
@staff_required
def show_analytics(slug: str):
    campaign = campaign_or_404(slug)
    numbers = analytics.for_campaign(campaign)
    return render_template(
        "feedback/staff/analytics.html", campaign=campaign, numbers=numbers,
        grid=analytics.report_grid(numbers.reports), statuses=REPORT_STATUSES,
        status_labels=notices.STATUS_LABELS, severity_labels=notices.SEVERITY_LABELS,
        kind_labels=staff_forms.KIND_LABELS, number=_number)


@bp.get("/<slug>/export/<any(responses, reports):what>.<any(csv, xlsx):fmt>")
@staff_required
def export(slug: str, what: str, fmt: str):
    campaign = campaign_or_404(slug)
    filename = f"{campaign.slug}-{what}.{fmt}"
    if what == "responses":
        if fmt == "csv":
            return csv_response(filename, *exports.responses_long(campaign))
        return xlsx_response(filename, exports.responses_sheets(campaign))
    header, rows = exports.reports_table(campaign)
    if fmt == "csv":
        return csv_response(filename, header, rows)
    return xlsx_response(filename, [(_("Reports"), header, rows)])
