"""A tester's tasks: done when ticked off, or, for a task with a form, when the form is
submitted. State and due dates for the participant area and the reminders."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lab.core.errors import DomainError
from lab.extensions import db
from lab.feedback import access
from lab.feedback.models import FormResponse, Task, TaskDone

DUE_SOON = timedelta(hours=48)
DAY = timedelta(days=1)

TO_DO, DUE_SOON_STATE, OVERDUE, DONE = "todo", "due_soon", "overdue", "done"
TASK_STATE_LABELS = {
    TO_DO: _l("to do"),
    DUE_SOON_STATE: _l("due soon"),
    OVERDUE: _l("overdue"),
    DONE: _l("done"),
}


@dataclass(frozen=True)
class TaskState:
    task: Task
    state: str
    done_at: datetime | None


def state_of(task: Task, done_at: datetime | None, now: datetime) -> str:
    if done_at is not None:
        return DONE
    if now >= task.due_at:
        return OVERDUE
    return DUE_SOON_STATE if task.due_at - now <= DUE_SOON else TO_DO


def done_times(member_ids, tasks: list[Task]) -> dict[tuple[int, int], datetime]:
    """(task id, member id) -> when it was done, for these members: two queries."""
    member_ids = list(member_ids)
    if not tasks or not member_ids:
        return {}
    done = {(row.task_id, row.member_id): row.created_at for row in db.session.execute(
        select(TaskDone.task_id, TaskDone.member_id, TaskDone.created_at).where(
            TaskDone.task_id.in_([t.id for t in tasks]),
            TaskDone.member_id.in_(member_ids)))}
    by_form = {}
    for task in tasks:
        if task.form_id:
            by_form.setdefault(task.form_id, []).append(task.id)
    if by_form:
        for form_id, member_id, submitted_at in db.session.execute(
                select(FormResponse.form_id, FormResponse.member_id,
                       FormResponse.submitted_at).where(
                    FormResponse.form_id.in_(by_form), FormResponse.member_id.in_(member_ids),
                    FormResponse.submitted_at.is_not(None))):
            for task_id in by_form[form_id]:
                done[(task_id, member_id)] = submitted_at
    return done


def states_for(member_id: int, tasks: list[Task], now: datetime) -> list[TaskState]:
    done = done_times([member_id], tasks)
    return [TaskState(task, state_of(task, done.get((task.id, member_id)), now),
                      done.get((task.id, member_id))) for task in tasks]


def task_in(campaign_id: int, task_id: int) -> Task | None:
    task = db.session.get(Task, task_id)
    return task if task is not None and task.campaign_id == campaign_id else None


def mark_done(participation: access.Participation, task: Task, done: bool = True) -> None:
    """Tick a task off (or undo it). Tasks with a form are done by submitting the form."""
    access.writable(participation)
    if task.campaign_id != participation.campaign.id:
        raise DomainError(_l("This task belongs to another campaign."))
    if task.form_id:
        raise DomainError(_l("This task is done when its form is submitted."))
    existing = db.session.scalar(select(TaskDone).where(
        TaskDone.task_id == task.id, TaskDone.member_id == participation.member_id))
    if done and existing is None:
        # a parallel click may have ticked it first: then there is nothing to do
        with suppress(IntegrityError), db.session.begin_nested():
            db.session.add(TaskDone(task_id=task.id, member_id=participation.member_id))
    elif not done and existing is not None:
        db.session.delete(existing)
