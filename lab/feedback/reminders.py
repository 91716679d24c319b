"""Task reminders for `flask lab reminders`: a task due within 48 hours, and a task past
its due date, each told once per tester (lab.notify.services.remind_once keys)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from lab.accounts.models import User
from lab.campaigns.models import CONFIRMED, Campaign
from lab.core.clock import utcnow
from lab.extensions import db
from lab.feedback import access, notices, tasks
from lab.feedback.models import Task
from lab.notify.services import remind_once


@dataclass
class TaskReminders:
    due_soon: int = 0
    overdue: int = 0


def run() -> TaskReminders:
    """Tasks of campaigns in testing or evaluation, due within 48 hours or overdue (for at
    most 30 days: older ones have been told already or no longer matter)."""
    now = utcnow()
    result = TaskReminders()
    candidates = list(db.session.scalars(
        select(Task).join(Campaign, Task.campaign_id == Campaign.id)
        .where(Campaign.state.in_(access.WRITABLE_STATES),
               Task.due_at <= now + tasks.DUE_SOON, Task.due_at > now - 30 * tasks.DAY)
        .order_by(Task.id)))
    for campaign_id in sorted({task.campaign_id for task in candidates}):
        campaign_tasks = [t for t in candidates if t.campaign_id == campaign_id]
        # testers whose test is finished are not chased any more
        testers = access.tester_ids(campaign_id, statuses=(CONFIRMED,))
        done = tasks.done_times(testers, campaign_tasks)
        members = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(testers)))}
        campaign = db.session.get(Campaign, campaign_id)
        for task in campaign_tasks:
            overdue = task.due_at <= now
            for member_id in testers:
                if (task.id, member_id) in done:
                    continue
                stage = "overdue" if overdue else "due"
                if not remind_once(f"task-{stage}:{task.id}:{member_id}"):
                    continue
                notices.tell(members[member_id],
                             notices.TASK_OVERDUE_KIND if overdue else notices.TASK_DUE_KIND,
                             link=f"/tests/{campaign.slug}/", title=task.title,
                             campaign=campaign.title, due=task.due_at.isoformat())
                if overdue:
                    result.overdue += 1
                else:
                    result.due_soon += 1
    return result
