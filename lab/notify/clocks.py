"""Response clocks: nothing waits unseen.

Any domain starts a clock when something arrives that staff must answer (a bug report,
later a community question), naming its kind and category, e.g. ("report", "critical").
The target is looked up as "<kind>.<category>", then "<kind>", in RESPONSE_TARGETS
(hours; the defaults below, overridable per deployment, see the README). The first staff
response stops the clock; ``stop`` ends it without one (the item needs none any more).

Overdue items show on the staff dashboard; ``escalate`` tells the admins, once, about
items overdue by more than twice their target (``escalate_at`` = due + 2 × target).
Domains register how their items are titled and linked with ``register_subject``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lab.accounts.models import ADMIN, Role, User
from lab.core.clock import utcnow
from lab.extensions import db
from lab.notify.models import ResponseClock
from lab.notify.services import (
    notify_by_mail,
    register_kind,
    register_param_label,
    remind_once,
)

DEFAULT_TARGETS = {"report.critical": 4, "report.major": 24, "report": 72, "question": 24}
FALLBACK_HOURS = 72

ESCALATED_KIND = register_kind("clock.escalated", _l(
    "Waiting far too long: “%(title)s” (%(clock_kind)s) has had no staff response for "
    "%(hours)d hours; its target was %(target)d hours."))
register_param_label("clock_kind", lambda code: str(SUBJECTS[code][0]) if code in SUBJECTS
                     else code)


@dataclass(frozen=True)
class Subject:
    """How the dashboard shows a clock's item."""

    title: str
    link: str
    context: str = ""  # e.g. the campaign
    category_label: str = ""


# kind -> (label of the kind, function: ids -> {id: Subject}) — one query per kind
SUBJECTS: dict[str, tuple[object, Callable[[list[int]], dict[int, Subject]]]] = {}


def register_subject(kind: str, label, describe: Callable[[list[int]], dict[int, Subject]]):
    SUBJECTS[kind] = (label, describe)


def target_hours(kind: str, category: str | None = None) -> int:
    targets = {**DEFAULT_TARGETS, **(current_app.config.get("RESPONSE_TARGETS") or {})}
    if category and f"{kind}.{category}" in targets:
        return int(targets[f"{kind}.{category}"])
    return int(targets.get(kind, FALLBACK_HOURS))


def clock_of(kind: str, subject_id: int) -> ResponseClock | None:
    return db.session.scalar(select(ResponseClock).where(
        ResponseClock.subject_kind == kind, ResponseClock.subject_id == subject_id))


def start(kind: str, subject_id: int, category: str | None = None,
          at: datetime | None = None) -> ResponseClock:
    at = at or utcnow()
    clock = ResponseClock(subject_kind=kind, subject_id=subject_id, started_at=at)
    _set_target(clock, category)
    db.session.add(clock)
    return clock


def _set_target(clock: ResponseClock, category: str | None) -> None:
    hours = target_hours(clock.subject_kind, category)
    clock.category = category
    clock.target_minutes = hours * 60
    clock.due_at = clock.started_at + timedelta(hours=hours)
    clock.escalate_at = clock.due_at + timedelta(hours=2 * hours)


def retarget(kind: str, subject_id: int, category: str | None) -> None:
    """The category changed (e.g. the severity) while the item still waits."""
    clock = clock_of(kind, subject_id)
    if clock is not None and clock.responded_at is None and clock.stopped_at is None:
        _set_target(clock, category)


def responded(kind: str, subject_id: int, responder, at: datetime | None = None) -> bool:
    """Record the first staff response; later ones change nothing. True if this was it."""
    clock = clock_of(kind, subject_id)
    if clock is None or clock.responded_at is not None or clock.stopped_at is not None:
        return False
    clock.responded_at = at or utcnow()
    clock.responder_id = getattr(responder, "id", responder)
    return True


def stop(kind: str, subject_id: int, at: datetime | None = None) -> None:
    clock = clock_of(kind, subject_id)
    if clock is not None and clock.responded_at is None and clock.stopped_at is None:
        clock.stopped_at = at or utcnow()


def resume(kind: str, subject_id: int) -> None:
    """Run a stopped clock again (the item waits once more, since its first start)."""
    clock = clock_of(kind, subject_id)
    if clock is not None and clock.responded_at is None and clock.stopped_at is not None:
        clock.stopped_at = None


def _waiting():
    return select(ResponseClock).where(ResponseClock.responded_at.is_(None),
                                       ResponseClock.stopped_at.is_(None))


@dataclass
class OverdueItem:
    clock: ResponseClock
    subject: Subject
    kind_label: object
    overdue_by: timedelta
    escalated: bool


def overdue(now: datetime | None = None, limit: int = 50) -> tuple[list[OverdueItem], int]:
    """Items past their target, longest overdue first, and how many there are in all.
    One query for the clocks, one for the count, one per kind of item shown."""
    now = now or utcnow()
    query = _waiting().where(ResponseClock.due_at < now)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    clocks = list(db.session.scalars(query.order_by(ResponseClock.due_at, ResponseClock.id)
                                     .limit(limit)))
    subjects = {}
    for kind in {clock.subject_kind for clock in clocks}:
        ids = [c.subject_id for c in clocks if c.subject_kind == kind]
        described = SUBJECTS[kind][1](ids) if kind in SUBJECTS else {}
        subjects.update({(kind, key): value for key, value in described.items()})
    items = []
    for clock in clocks:
        subject = subjects.get((clock.subject_kind, clock.subject_id))
        if subject is None:
            continue
        label = SUBJECTS[clock.subject_kind][0]
        items.append(OverdueItem(clock, subject, label, now - clock.due_at,
                                 clock.escalated_at is not None))
    return items, total


@dataclass(frozen=True)
class ResponseTimes:
    count: int
    median: timedelta | None
    p90: timedelta | None
    within_target: int


def response_times(days: int = 30, now: datetime | None = None,
                   kind: str | None = None) -> ResponseTimes:
    """Median and 90th percentile of first response times of the items answered in the
    last ``days`` days (nearest-rank percentiles, so each is a time that really
    occurred)."""
    now = now or utcnow()
    query = select(ResponseClock.started_at, ResponseClock.responded_at,
                   ResponseClock.due_at).where(
        ResponseClock.responded_at >= now - timedelta(days=days),
        ResponseClock.responded_at <= now)
    if kind:
        query = query.where(ResponseClock.subject_kind == kind)
    rows = db.session.execute(query).all()
    waits = sorted(responded - started for started, responded, _due in rows)
    within = sum(1 for _started, responded, due in rows if responded <= due)
    if not waits:
        return ResponseTimes(0, None, None, 0)
    return ResponseTimes(len(waits), percentile(waits, 50), percentile(waits, 90), within)


def percentile(ordered: list, share: float):
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, math.ceil(share / 100 * len(ordered)))
    return ordered[rank - 1]


def escalate(now: datetime | None = None) -> int:
    """Tell every admin, once, about each item overdue by more than twice its target.
    Idempotent: the clock remembers it was escalated (and the reminder key guards
    against two runs at once)."""
    now = now or utcnow()
    clocks = list(db.session.scalars(
        _waiting().where(ResponseClock.escalate_at < now, ResponseClock.escalated_at.is_(None))
        .order_by(ResponseClock.escalate_at)))
    if not clocks:
        return 0
    admins = list(db.session.scalars(
        select(User).where(User.active, User.roles.any(Role.name == ADMIN)).order_by(User.id)))
    described = {}
    for kind in {clock.subject_kind for clock in clocks}:
        ids = [c.subject_id for c in clocks if c.subject_kind == kind]
        if kind in SUBJECTS:
            described.update({(kind, k): v for k, v in SUBJECTS[kind][1](ids).items()})
    sent = 0
    for clock in clocks:
        if not remind_once(f"escalate:{clock.subject_kind}:{clock.subject_id}"):
            continue
        clock.escalated_at = now
        subject = described.get((clock.subject_kind, clock.subject_id))
        title = subject.title if subject else f"{clock.subject_kind} {clock.subject_id}"
        for admin in admins:
            notify_by_mail(admin, ESCALATED_KIND, subject=_l("Waiting far too long"),
                           link=subject.link if subject else "/staff/", title=title,
                           clock_kind=clock.subject_kind,
                           hours=int((now - clock.started_at).total_seconds() // 3600),
                           target=clock.target_minutes // 60)
        sent += 1
    return sent
