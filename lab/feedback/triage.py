"""Staff triage of reports: status, severity, merging duplicates, the thread with the
tester. Any of these is a staff response and stops the report's response clock.

Statuses: new → acknowledged → forwarded to the product team → fixed / won't fix;
duplicate (by merging) and invalid close a report too. A bug that reaches "forwarded" or
"fixed" is confirmed and pays its reporter (BUG_CONFIRMED, more for a critical one);
marking it duplicate or invalid later takes the bonus back.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import aliased

from lab.core import audit
from lab.core.db import locked
from lab.core.errors import DomainError
from lab.extensions import db
from lab.feedback import notices
from lab.feedback.models import (
    ACKNOWLEDGED,
    BUG,
    CRITICAL,
    DUPLICATE,
    FIXED,
    FORWARDED,
    INVALID,
    NEW,
    OPEN_REPORT_STATUSES,
    REPORT_KINDS,
    REPORT_STATUSES,
    SEVERITIES,
    WONT_FIX,
    Report,
    ReportComment,
    ReportEvent,
    ReportMeToo,
)
from lab.feedback.reports import (
    CLOCK_KIND,
    COMMENTED,
    MERGED_IN,
    MERGED_INTO,
    SEVERITY,
    STATUS,
    WITHOUT_ROLES,
    record,
    tester_link,
)
from lab.notify import clocks
from lab.notify.models import ResponseClock
from lab.rewards import services as rewards

REPORT_TRIAGED = audit.register_action("feedback.report_triaged", _l("Report triaged"))
REPORT_MERGED = audit.register_action("feedback.report_merged", _l("Report merged"))

# where each status may go by hand (duplicate only by merging)
TRANSITIONS = {
    NEW: (ACKNOWLEDGED, FORWARDED, FIXED, WONT_FIX, INVALID),
    ACKNOWLEDGED: (FORWARDED, FIXED, WONT_FIX, INVALID),
    FORWARDED: (ACKNOWLEDGED, FIXED, WONT_FIX, INVALID),
    FIXED: (ACKNOWLEDGED,),
    WONT_FIX: (ACKNOWLEDGED,),
    INVALID: (ACKNOWLEDGED,),
    DUPLICATE: (),
}
CONFIRMING = (FORWARDED, FIXED)
REVERSING = (DUPLICATE, INVALID)


def _responded(actor, report: Report) -> None:
    clocks.responded(CLOCK_KIND, report.id, actor)


def _lock(report: Report) -> Report:
    return locked(Report, report.id)


def set_status(actor, report: Report, status: str, note: str | None = None) -> None:
    report = _lock(report)
    if status not in REPORT_STATUSES:
        raise DomainError(_l("Please choose a status."), "status")
    if status == report.status:
        raise DomainError(_l("The report already has this status."), "status")
    if status not in TRANSITIONS[report.status]:
        raise DomainError(_l("A report cannot go from “%(old)s” to “%(new)s”.",
                             old=notices.STATUS_LABELS[report.status],
                             new=notices.STATUS_LABELS[status]), "status")
    old, report.status = report.status, status
    note = (note or "").strip()[:2000] or None
    record(report, actor, STATUS, old, status, note=note)
    _responded(actor, report)
    _points(actor, report)
    audit.record(actor, REPORT_TRIAGED, "feedback_report", report.id, status=status)
    notices.tell(report.member, notices.STATUS_KIND, link=tester_link(report),
                 title=report.title, report_status=status)


def _points(actor, report: Report) -> None:
    if report.kind != BUG:
        return
    if report.status in CONFIRMING:
        reason = (rewards.BUG_CONFIRMED_CRITICAL if report.severity == CRITICAL
                  else rewards.BUG_CONFIRMED)
        rewards.earn(report.member, reason, key=_confirmation_key(report),
                     source=("feedback_report", report.id), actor=actor)
    elif report.status in REVERSING:
        rewards.reverse(("feedback_report", report.id),
                        str(_l("Report marked as %(status)s",
                               status=notices.STATUS_LABELS[report.status])), actor=actor)


def _confirmation_key(report: Report) -> str:
    """One bonus per confirmation: a bug marked invalid (bonus reversed) and later
    confirmed again pays again, under a key naming the round."""
    rounds = db.session.scalar(select(func.count()).select_from(ReportEvent).where(
        ReportEvent.report_id == report.id, ReportEvent.action == STATUS,
        ReportEvent.new_value == INVALID)) or 0
    key = f"bug-confirmed:{report.id}"
    return f"{key}:{rounds}" if rounds else key


def set_severity(actor, report: Report, severity: str, note: str | None = None) -> None:
    report = _lock(report)
    if report.kind != BUG:
        raise DomainError(_l("Only bugs have a severity."), "severity")
    if severity not in SEVERITIES:
        raise DomainError(_l("Please choose a severity."), "severity")
    if severity == report.severity:
        raise DomainError(_l("The report already has this severity."), "severity")
    old, report.severity = report.severity, severity
    record(report, actor, SEVERITY, old, severity, note=(note or "").strip()[:2000] or None)
    _responded(actor, report)
    audit.record(actor, REPORT_TRIAGED, "feedback_report", report.id, severity=severity)
    notices.tell(report.member, notices.SEVERITY_KIND, link=tester_link(report),
                 title=report.title, severity=severity)


def comment(actor, report: Report, body: str) -> ReportComment:
    body = (body or "").strip()
    if not body:
        raise DomainError(_l("Please write something."), "body")
    if len(body) > 5000:
        raise DomainError(_l("Please keep it under %(n)d characters.", n=5000), "body")
    entry = ReportComment(report_id=report.id, author_id=actor.id, from_staff=True, body=body)
    db.session.add(entry)
    record(report, actor, COMMENTED)
    _responded(actor, report)
    notices.tell(report.member, notices.COMMENT_KIND, link=tester_link(report),
                 title=report.title)
    return entry


def merge(actor, report: Report, into_id: int | None, note: str | None = None) -> Report:
    """Close ``report`` as a duplicate of the report ``into_id`` of the same campaign: its
    "me too"s, and its reporter, join the kept report; its bonus is taken back."""
    report = _lock(report)
    kept = locked(Report, into_id) if into_id else None
    if kept is None or kept.campaign_id != report.campaign_id:
        raise DomainError(_l("Please give the number of a report of this campaign."),
                          "into")
    if kept.id == report.id:
        raise DomainError(_l("A report cannot be a duplicate of itself."), "into")
    if kept.status == DUPLICATE:
        raise DomainError(_l("Report #%(id)d is itself a duplicate; please choose the report "
                             "it was joined to.", id=kept.id), "into")
    if report.status == DUPLICATE:
        raise DomainError(_l("This report is already a duplicate."))
    _move_me_toos(report, kept)
    old, report.status, report.duplicate_of_id = report.status, DUPLICATE, kept.id
    note = (note or "").strip()[:2000] or None
    record(report, actor, MERGED_INTO, old, DUPLICATE, other=kept.id, note=note)
    record(kept, actor, MERGED_IN, other=report.id)
    _responded(actor, report)
    _points(actor, report)
    audit.record(actor, REPORT_MERGED, "feedback_report", report.id, into=kept.id)
    notices.tell(report.member, notices.MERGED_KIND, link=tester_link(kept),
                 title=report.title)
    return kept


def _move_me_toos(report: Report, kept: Report) -> None:
    already = set(db.session.scalars(select(ReportMeToo.member_id)
                                     .where(ReportMeToo.report_id == kept.id)))
    already.add(kept.member_id)
    movers = [m for m in db.session.scalars(select(ReportMeToo.member_id)
                                            .where(ReportMeToo.report_id == report.id))
              if m not in already]
    db.session.execute(update(ReportMeToo).where(
        ReportMeToo.report_id == report.id, ReportMeToo.member_id.in_(movers))
        .values(report_id=kept.id).execution_options(synchronize_session=False))
    db.session.execute(delete(ReportMeToo).where(ReportMeToo.report_id == report.id)
                       .execution_options(synchronize_session=False))
    if report.member_id not in already and report.member_id not in movers:
        db.session.add(ReportMeToo(report_id=kept.id, member_id=report.member_id))
    db.session.flush()
    kept.me_too_count = db.session.scalar(select(func.count()).select_from(ReportMeToo)
                                          .where(ReportMeToo.report_id == kept.id))
    report.me_too_count = 0


# ---- the staff list -------------------------------------------------------------------

@dataclass
class ReportFilters:
    status: str | None = None  # a status, or "open"
    kind: str | None = None
    severity: str | None = None
    search: str | None = None
    sort: str = "waiting"


SORTS = ("waiting", "newest", "severity", "me_too")


def reports_query(campaign_id: int, filters: ReportFilters):
    """Reports with their clock: rows of (Report, ResponseClock or None)."""
    clock = aliased(ResponseClock)
    query = (select(Report, clock).options(WITHOUT_ROLES).outerjoin(
        clock, (clock.subject_kind == CLOCK_KIND) & (clock.subject_id == Report.id))
        .where(Report.campaign_id == campaign_id))
    if filters.status == "open":
        query = query.where(Report.status.in_(OPEN_REPORT_STATUSES))
    elif filters.status in REPORT_STATUSES:
        query = query.where(Report.status == filters.status)
    if filters.kind in REPORT_KINDS:
        query = query.where(Report.kind == filters.kind)
    if filters.severity in SEVERITIES:
        query = query.where(Report.severity == filters.severity)
    if filters.search:
        query = query.where(func.lower(Report.title).contains(filters.search.lower(),
                                                              autoescape=True))
    severity_order = case({s: i for i, s in enumerate(SEVERITIES)}, value=Report.severity,
                          else_=len(SEVERITIES))
    orders = {
        "newest": (Report.id.desc(),),
        "severity": (severity_order, Report.id),
        "me_too": (Report.me_too_count.desc(), Report.id),
        # unanswered first, by when they are due
        "waiting": (clock.responded_at.is_not(None), clock.due_at, Report.id),
    }
    return query.order_by(*orders.get(filters.sort, orders["waiting"]))


def counts_by(campaign_id: int) -> dict[tuple[str, str | None], int]:
    """(status, severity) -> number of reports: one query."""
    return {(status, severity): count for status, severity, count in db.session.execute(
        select(Report.status, Report.severity, func.count()).where(
            Report.campaign_id == campaign_id).group_by(Report.status, Report.severity))}
