"""The member's notifications: the bell's count on every page and /me/notifications."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lab.core.db import commit
from lab.core.forms import ActionForm, safe_next
from lab.core.pagination import paginate
from lab.core.permissions import member_required
from lab.notify import services

bp = Blueprint("notify", __name__, url_prefix="/me/notifications")


@bp.app_context_processor
def bell():
    if not current_user.is_authenticated:
        return {}
    return {"unread_notifications": services.unread_count(current_user.id)}


@bp.app_template_global()
def notification_text(note):
    return services.text_of(note)


@bp.get("")
@member_required
def list_notifications():
    page = paginate(services.notifications_query(current_user.id), per_page=30)
    return render_template("notify/notifications.html", page=page)


@bp.post("/read")
@member_required
def mark_all_read():
    if ActionForm().validate_on_submit():
        count = services.mark_read(current_user.id)
        commit()
        flash(_("All notifications marked as read.") if count else
              _("There were no unread notifications."), "success")
    return redirect(url_for(".list_notifications"))


@bp.post("/<int:notification_id>/open")
@member_required
def open_notification(notification_id: int):
    note = services.own_notification(current_user.id, notification_id)
    if note is None:
        abort(404)
    services.mark_read(current_user.id, note.id)
    commit()
    return redirect(safe_next(note.link, url_for(".list_notifications")))
