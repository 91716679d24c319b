"""The staff dashboard /staff/: what waits too long, across campaigns and domains."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import format_percent
from sqlalchemy import func, select

from lab.campaigns.lifecycle import STATE_LABELS
from lab.campaigns.models import EVALUATION, TESTING, Campaign
from lab.community import moderation
from lab.core.clock import utcnow
from lab.core.durations import humanise
from lab.core.permissions import staff_required
from lab.extensions import db
from lab.feedback.models import OPEN_REPORT_STATUSES, Report
from lab.logistics import shipping
from lab.notify import clocks

bp = Blueprint("staff", __name__, url_prefix="/staff")

OVERDUE_SHOWN = 50
CAMPAIGNS_SHOWN = 20
RESPONSE_DAYS = 30


def _campaigns_in_test():
    """Campaigns in testing or evaluation with their open reports: one query."""
    open_reports = (select(func.count()).where(Report.campaign_id == Campaign.id,
                                               Report.status.in_(OPEN_REPORT_STATUSES))
                    .correlate(Campaign).scalar_subquery())
    return db.session.execute(
        select(Campaign.slug, Campaign.title, Campaign.state, Campaign.test_ends_at,
               open_reports.label("open_reports"))
        .where(Campaign.state.in_((TESTING, EVALUATION)))
        .order_by(Campaign.test_ends_at, Campaign.id).limit(CAMPAIGNS_SHOWN)).all()


def _devices_overdue(now) -> int:
    """How many test devices are overdue for return: one query."""
    overdue = shipping.overdue_returns_query(now).order_by(None).subquery()
    return db.session.scalar(select(func.count()).select_from(overdue))


@bp.get("/")
@staff_required
def dashboard():
    now = utcnow()
    overdue, overdue_total = clocks.overdue(now, limit=OVERDUE_SHOWN)
    times = clocks.response_times(RESPONSE_DAYS, now)
    return render_template(
        "staff/dashboard.html", overdue=overdue, overdue_total=overdue_total,
        times=times, days=RESPONSE_DAYS,
        within_share=format_percent(times.within_target / times.count) if times.count else "",
        campaigns=_campaigns_in_test(), states=STATE_LABELS, duration=humanise,
        devices_overdue=_devices_overdue(now), flags_waiting=moderation.open_flag_count())
