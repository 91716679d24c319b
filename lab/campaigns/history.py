"""A member's earlier tests, as the ranking and the eligibility rules see them.

A test counts as finished when the tester completed it or dropped out (not when the
campaign was cancelled under them); its time is ``Application.finished_at``. One grouped
query serves any number of members.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select

from lab.campaigns.models import COMPLETED, TESTED_STATUSES, Application
from lab.extensions import db


@dataclass(frozen=True)
class TestRecord:
    finished: int  # earlier tests finished (completed or dropped)
    reliable: int  # of those, completed with feedback on time
    last_finished_at: datetime | None


def records_for(member_ids: Iterable[int], *, excluding_campaign: int | None = None
                ) -> dict[int, TestRecord]:
    ids = sorted(set(member_ids))
    if not ids:
        return {}
    on_time = and_(Application.status == COMPLETED,
                   or_(Application.feedback_on_time.is_(None),
                       Application.feedback_on_time.is_(True)))
    query = (select(Application.member_id, func.count(),
                    func.sum(case((on_time, 1), else_=0)), func.max(Application.finished_at))
             .where(Application.member_id.in_(ids), Application.status.in_(TESTED_STATUSES),
                    # a test cut short by a cancelled campaign is not the tester's record
                    or_(Application.outcome_reason.is_(None),
                        Application.outcome_reason != "cancelled"))
             .group_by(Application.member_id))
    if excluding_campaign is not None:
        query = query.where(Application.campaign_id != excluding_campaign)
    return {member_id: TestRecord(count, int(reliable or 0), last)
            for member_id, count, reliable, last in db.session.execute(query)}


def last_test_finished(member_ids: Iterable[int]) -> dict[int, datetime]:
    return {member_id: record.last_finished_at
            for member_id, record in records_for(member_ids).items()
            if record.last_finished_at is not None}
