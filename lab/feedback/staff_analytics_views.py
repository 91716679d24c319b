"""A campaign's analytics page and the exports of responses and reports."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from lab.campaigns.models import Campaign
from lab.core.export import csv_response, xlsx_response
from lab.core.permissions import staff_required
from lab.extensions import db
from lab.feedback import analytics, exports, notices, staff_forms
from lab.feedback.models import OPEN_REPORT_STATUSES, REPORT_STATUSES, SEVERITIES

bp = Blueprint("feedback_analytics", __name__, url_prefix="/staff/campaigns")


def _campaign_or_404(slug: str) -> Campaign:
    return db.session.scalar(select(Campaign).where(Campaign.slug == slug)) or abort(404)


def _number(value) -> str:
    """An average or a median in the reader's notation: 4.33, 4, 1,250.5."""
    return "–" if value is None else format_decimal(value, format="#,##0.##")


def report_grid(counts: dict[tuple[str, str | None], int]) -> dict:
    """The (status, severity) counts as a table: a row per severity and one for reports
    without (ideas, praise), a column per status, with totals; and the open reports per
    severity for the chart."""
    severities = [*SEVERITIES, None]
    rows = [(severity, [counts.get((status, severity), 0) for status in REPORT_STATUSES])
            for severity in severities]
    return {
        "rows": [(severity, cells, sum(cells)) for severity, cells in rows],
        "totals": [sum(counts.get((status, s), 0) for s in severities)
                   for status in REPORT_STATUSES],
        "total": sum(counts.values()),
        "open": [(severity, sum(counts.get((status, severity), 0)
                                for status in OPEN_REPORT_STATUSES))
                 for severity in severities],
    }


@bp.get("/<slug>/analytics")
@staff_required
def show_analytics(slug: str):
    campaign = _campaign_or_404(slug)
    numbers = analytics.for_campaign(campaign)
    return render_template(
        "feedback/staff/analytics.html", campaign=campaign, numbers=numbers,
        grid=report_grid(numbers.reports), statuses=REPORT_STATUSES,
        status_labels=notices.STATUS_LABELS, severity_labels=notices.SEVERITY_LABELS,
        kind_labels=staff_forms.KIND_LABELS, number=_number)


@bp.get("/<slug>/export/<any(responses, reports):what>.<any(csv, xlsx):fmt>")
@staff_required
def export(slug: str, what: str, fmt: str):
    campaign = _campaign_or_404(slug)
    filename = f"{campaign.slug}-{what}.{fmt}"
    if what == "responses":
        if fmt == "csv":
            return csv_response(filename, *exports.responses_long(campaign))
        return xlsx_response(filename, exports.responses_sheets(campaign))
    header, rows = exports.reports_table(campaign)
    if fmt == "csv":
        return csv_response(filename, header, rows)
    return xlsx_response(filename, [(_("Reports"), header, rows)])
