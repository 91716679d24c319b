"""In-app notifications: the bell and /me/notifications, used by every domain.

A notification stores a kind and its parameters, not a sentence, so each member reads it
in their own language. Domains register their kinds with ``register_kind``.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, request
from flask_babel import force_locale
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from lab.core.clock import utcnow
from lab.extensions import db
from lab.notify.mail import queue_mail
from lab.notify.models import Notification, SentReminder

# kind -> lazy message with %(name)s placeholders filled from the notification's params
KINDS: dict[str, Any] = {}


# param name -> function giving the label of the stored code in the current language
PARAM_LABELS: dict[str, Any] = {}


def register_kind(kind: str, message) -> str:
    KINDS[kind] = message
    return kind


def register_param_label(name: str, label_of) -> None:
    PARAM_LABELS[name] = label_of


def notify(member, kind: str, *, link: str | None = None, **params: Any) -> Notification:
    """Add a notification for the member to the unit of work."""
    if kind not in KINDS:
        raise KeyError(f"unknown notification kind {kind!r}")
    note = Notification(member_id=member.id, kind=kind, link=link, params=params)
    db.session.add(note)
    return note


def text_of(note: Notification) -> str:
    """The notification as a sentence in the current language."""
    message = KINDS.get(note.kind)
    if message is None:
        return note.kind
    params = {name: PARAM_LABELS[name](value) if name in PARAM_LABELS else value
              for name, value in (note.params or {}).items()}
    try:
        return str(message) % params
    except (KeyError, TypeError, ValueError):
        return str(message)


def notify_by_mail(member, kind: str, *, subject, link: str | None = None,
                   **params: Any) -> Notification:
    """Notify in the app and by mail, both in the member's language."""
    note = notify(member, kind, link=link, **params)
    with force_locale(member.locale or "de"):
        body = text_of(note)
        if link:
            body += "\n\n" + absolute_url(link)
        queue_mail(member.email, str(subject), body, kind=f"notify:{kind}")
    return note


def absolute_url(path: str) -> str:
    """A link for a mail: this request's host, or PUBLIC_URL outside a request."""
    if has_request_context():
        return request.host_url.rstrip("/") + path
    return current_app.config["PUBLIC_URL"] + path


def unread_count(member_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Notification)
        .where(Notification.member_id == member_id, Notification.read_at.is_(None))
    ) or 0


def notifications_query(member_id: int):
    return (select(Notification).where(Notification.member_id == member_id)
            .order_by(Notification.id.desc()))


def mark_read(member_id: int, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) unread notification of the member as read."""
    statement = (update(Notification)
                 .where(Notification.member_id == member_id, Notification.read_at.is_(None))
                 .values(read_at=utcnow()))
    if notification_id is not None:
        statement = statement.where(Notification.id == notification_id)
    return db.session.execute(statement).rowcount


def own_notification(member_id: int, notification_id: int) -> Notification | None:
    note = db.session.get(Notification, notification_id)
    return note if note is not None and note.member_id == member_id else None


def remind_once(key: str) -> bool:
    """Claim a reminder by its key: True the first time (send it), False after.

    Reminder commands run from cron every few minutes; the unique key makes a second
    run, or two runs at once, send nothing twice (the loser's insert fails and it skips).
    """
    if db.session.scalar(select(SentReminder.id).where(SentReminder.key == key)):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(SentReminder(key=key))
    except IntegrityError:
        return False
    return True
