"""Testers file bug reports, ideas and praise, see each other's (when the campaign shares
them), say "me too", and talk with the staff in a thread. Triage is in triage.py.

Every report starts a response clock (lab.notify.clocks) with the target for its
severity; the first staff response stops it.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, false, func, or_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defaultload, joinedload

from lab.accounts.models import User
from lab.core.errors import DomainError
from lab.extensions import db
from lab.feedback import access, attachments
from lab.feedback.models import (
    BUG,
    DUPLICATE,
    REPORT_KINDS,
    SEVERITIES,
    Report,
    ReportComment,
    ReportEvent,
    ReportMeToo,
)
from lab.feedback.notices import SEVERITY_LABELS
from lab.notify import clocks

CLOCK_KIND = "report"
# lists show the reporter's handle, never their roles
WITHOUT_ROLES = defaultload(Report.member).lazyload(User.roles)
TEXT_LIMIT = 10_000
FILED, STATUS, SEVERITY, COMMENTED, MERGED_INTO, MERGED_IN = (
    "filed", "status", "severity", "comment", "merged_into", "merged_in")


def staff_link(report: Report) -> str:
    return f"/staff/campaigns/{report.campaign.slug}/reports/{report.id}"


def tester_link(report: Report) -> str:
    return f"/tests/{report.campaign.slug}/reports/{report.id}"


def _describe(ids: list[int]) -> dict[int, clocks.Subject]:
    return {report.id: clocks.Subject(
        title=report.title, link=staff_link(report), context=report.campaign.title,
        category_label=str(SEVERITY_LABELS.get(report.severity, "")))
        for report in db.session.scalars(select(Report).options(joinedload(Report.campaign))
                                         .where(Report.id.in_(ids)))}


clocks.register_subject(CLOCK_KIND, _l("Report"), _describe)


def record(report: Report, actor, action: str, old=None, new=None, *, other=None,
           note: str | None = None) -> ReportEvent:
    event = ReportEvent(report_id=report.id, actor_id=getattr(actor, "id", actor),
                        action=action, old_value=old, new_value=new,
                        other_report_id=other, note=note)
    db.session.add(event)
    return event


def _text(value: str | None, field: str, *, required: bool = False,
          limit: int = TEXT_LIMIT) -> str | None:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_l("Please fill in this field."), field)
    if len(value) > limit:
        raise DomainError(_l("Please keep it under %(n)d characters.", n=limit), field)
    return value or None


def file_report(participation: access.Participation, *, kind: str, title: str,
                severity: str | None = None, steps: str | None = None,
                expected: str | None = None, actual: str | None = None,
                description: str | None = None, device: str | None = None,
                version: str | None = None,
                uploads: list[attachments.Upload] | None = None) -> Report:
    access.writable(participation)
    if kind not in REPORT_KINDS:
        raise DomainError(_l("Please choose what you want to report."), "kind")
    title = _text(title, "title", required=True, limit=160)
    if len(title) < 5:
        raise DomainError(_l("Please give a title of at least 5 characters."), "title")
    if kind == BUG:
        if severity not in SEVERITIES:
            raise DomainError(_l("Please choose how severe the bug is."), "severity")
        steps = _text(steps, "steps", required=True)
        expected = _text(expected, "expected")
        actual = _text(actual, "actual", required=True)
        description = _text(description, "description")
    else:
        severity = None
        description = _text(description, "description", required=True)
        steps = expected = actual = None
    device = _text(device, "device", limit=120)
    version = _text(version, "version", limit=80)
    checked = attachments.check_all(uploads or [])
    report = Report(campaign_id=participation.campaign.id, member_id=participation.member_id,
                    kind=kind, title=title, severity=severity, steps=steps, expected=expected,
                    actual=actual, description=description, device=device, version=version)
    db.session.add(report)
    db.session.flush()
    report.attachments = attachments.store(report.id, checked)
    record(report, participation.member_id, FILED, new=severity)
    clocks.start(CLOCK_KIND, report.id, severity)
    db.session.flush()
    return report


# ---- seeing reports -------------------------------------------------------------------

def can_see(participation: access.Participation, report: Report) -> bool:
    if report.campaign_id != participation.campaign.id:
        return False
    return report.member_id == participation.member_id or participation.campaign.reports_shared


def report_in(participation: access.Participation, report_id: int) -> Report | None:
    report = db.session.get(Report, report_id)
    return report if report is not None and can_see(participation, report) else None


def own_reports(participation: access.Participation) -> list[Report]:
    return list(db.session.scalars(select(Report).options(WITHOUT_ROLES).where(
        Report.campaign_id == participation.campaign.id,
        Report.member_id == participation.member_id).order_by(Report.id.desc())))


def others_query(participation: access.Participation):
    """Other testers' reports (none unless the campaign shares them), most "me too"
    first; duplicates are left out: their weight went to the kept report."""
    query = select(Report).options(WITHOUT_ROLES).where(
        Report.campaign_id == participation.campaign.id,
        Report.member_id != participation.member_id,
                                 Report.status != DUPLICATE)
    if not participation.campaign.reports_shared:
        query = query.where(false())
    return query.order_by(Report.me_too_count.desc(), Report.id.desc())


def my_me_toos(member_id: int, report_ids) -> set[int]:
    report_ids = list(report_ids)
    if not report_ids:
        return set()
    return set(db.session.scalars(select(ReportMeToo.report_id).where(
        ReportMeToo.member_id == member_id, ReportMeToo.report_id.in_(report_ids))))


WORD = re.compile(r"\w{3,}", re.UNICODE)


def similar(participation: access.Participation, title: str, limit: int = 5) -> list[Report]:
    """Reports the tester can see whose titles share words with ``title``, best first
    (share of common words), so a duplicate is joined instead of filed again."""
    words = {w.lower() for w in WORD.findall(title or "")}
    if not words:
        return []
    visible = or_(Report.member_id == participation.member_id,
                  true() if participation.campaign.reports_shared else false())
    candidates = db.session.scalars(
        select(Report).where(Report.campaign_id == participation.campaign.id, visible,
                             Report.status != DUPLICATE,
                             or_(*[func.lower(Report.title).contains(w, autoescape=True)
                                   for w in sorted(words)[:10]]))
        .order_by(Report.id.desc()).limit(200))
    scored = []
    for report in candidates:
        theirs = {w.lower() for w in WORD.findall(report.title)}
        overlap = len(words & theirs) / len(words | theirs) if theirs else 0
        if overlap > 0:
            scored.append((overlap, report.me_too_count, report.id, report))
    scored.sort(key=lambda item: item[:3], reverse=True)
    return [item[3] for item in scored[:limit]]


# ---- me too and the thread -------------------------------------------------------------

def me_too(participation: access.Participation, report: Report, on: bool = True) -> bool:
    """Join (or leave) another tester's report. Returns whether anything changed."""
    access.writable(participation)
    if not can_see(participation, report):
        raise DomainError(_l("This report is not shared with other testers."))
    if report.member_id == participation.member_id:
        raise DomainError(_l("This is your own report."))
    if report.status == DUPLICATE:
        raise DomainError(_l("This report was joined to another one; please say “me too” "
                             "there."))
    if on:
        try:
            with db.session.begin_nested():
                db.session.add(ReportMeToo(report_id=report.id,
                                           member_id=participation.member_id))
        except IntegrityError:
            return False
        _count(report, +1)
        return True
    gone = db.session.execute(delete(ReportMeToo).where(
        ReportMeToo.report_id == report.id,
        ReportMeToo.member_id == participation.member_id)).rowcount
    if gone:
        _count(report, -1)
    return bool(gone)


def _count(report: Report, step: int) -> None:
    # one UPDATE in the database: parallel clicks never overwrite each other's count
    db.session.execute(update(Report).where(Report.id == report.id)
                       .values(me_too_count=Report.me_too_count + step)
                       .execution_options(synchronize_session=False))
    db.session.expire(report, ["me_too_count"])


def comments_of(report_id: int) -> list[ReportComment]:
    return list(db.session.scalars(select(ReportComment).where(
        ReportComment.report_id == report_id).order_by(ReportComment.id)))


def events_of(report_id: int) -> list[ReportEvent]:
    return list(db.session.scalars(select(ReportEvent).where(
        ReportEvent.report_id == report_id).order_by(ReportEvent.id)))


def reply(participation: access.Participation, report: Report, body: str) -> ReportComment:
    """The reporter writes in the thread with the staff (only the reporter can)."""
    access.writable(participation)
    if report.member_id != participation.member_id:
        raise DomainError(_l("Only the tester who filed the report can reply here."))
    body = _text(body, "body", required=True, limit=5000)
    comment = ReportComment(report_id=report.id, author_id=participation.member_id,
                            from_staff=False, body=body)
    db.session.add(comment)
    return comment
