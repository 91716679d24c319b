"""`flask lab reminders`: idempotent, safe to run from cron every few minutes.

- places not confirmed in time go to the next on the waiting list (who is told);
- members who started an application but did not send it hear 24 h before the close;
- selected members hear 24 h before their confirmation deadline.
Each reminder is claimed by a key (lab.notify.services.remind_once), so it goes out once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from lab.campaigns import eligibility, notices, selection
from lab.campaigns.models import RECRUITING, SELECTED, STARTED, Application, Campaign
from lab.core.clock import utcnow
from lab.extensions import db
from lab.notify.services import remind_once

AHEAD = timedelta(hours=24)


@dataclass
class ReminderRun:
    expired: int = 0
    closing: int = 0
    confirm: int = 0


def run() -> ReminderRun:
    result = ReminderRun(expired=selection.expire_offers())
    result.closing = _closing_soon()
    result.confirm = _confirm_soon()
    return result


def _closing_soon() -> int:
    now = utcnow()
    drafts = list(db.session.scalars(
        select(Application).join(Campaign, Application.campaign_id == Campaign.id)
        .where(Application.status == STARTED, Campaign.state == RECRUITING,
               Campaign.applications_close_at > now,
               Campaign.applications_close_at <= now + AHEAD)
        .order_by(Application.id)))
    facts = eligibility.facts_for(a.member_id for a in drafts)
    sent = 0
    for application in drafts:
        campaign = application.campaign
        if eligibility.unmet(campaign.eligibility, facts[application.member_id], now):
            continue
        if remind_once(f"closing:{application.id}"):
            notices.tell(application, notices.CLOSING_KIND,
                         deadline=campaign.applications_close_at.isoformat())
            sent += 1
    return sent


def _confirm_soon() -> int:
    now = utcnow()
    offers = db.session.scalars(
        select(Application).where(Application.status == SELECTED,
                                  Application.confirm_by > now,
                                  Application.confirm_by <= now + AHEAD)
        .order_by(Application.id))
    sent = 0
    for application in offers:
        if remind_once(f"confirm:{application.id}:{application.confirm_by.isoformat()}"):
            notices.tell(application, notices.CONFIRM_REMINDER_KIND)
            sent += 1
    return sent
