"""Admin pages spanning domains: the audit log."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional

from lab.accounts.services import find_user
from lab.core import audit
from lab.core.pagination import paginate
from lab.core.permissions import admin_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    actor = StringField(_l("Who (e-mail or handle)"), validators=[Optional(), Length(max=255)])
    action = SelectField(_l("What"), validators=[Optional()], choices=[])
    object_type = SelectField(_l("Object type"), validators=[Optional()], choices=[
        ("", _l("All")), ("user", _l("User"))])
    object_id = StringField(_l("Object id"), validators=[Optional(), Length(max=64)])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until (inclusive)"), validators=[Optional()])
    submit = SubmitField(_l("Filter"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        actions = sorted(audit.ACTIONS.items())
        self.action.choices = [("", _l("All")), *actions]


@bp.get("/audit")
@admin_required
def audit_log():
    form = AuditFilterForm(request.args)
    form.validate()
    filters = {}
    unknown_actor = False
    if form.actor.data and not form.actor.errors:
        actor = find_user(form.actor.data)
        unknown_actor = actor is None
        filters["actor_id"] = actor.id if actor else -1
    if form.action.data and not form.action.errors:
        filters["action"] = form.action.data
    if form.object_type.data and not form.object_type.errors:
        filters["object_type"] = form.object_type.data
    if form.object_id.data and not form.object_id.errors:
        filters["object_id"] = form.object_id.data
    if form.since.data and not form.since.errors:
        filters["since"] = datetime.combine(form.since.data, time.min)
    if form.until.data and not form.until.errors:
        filters["until"] = datetime.combine(form.until.data + timedelta(days=1), time.min)
    page = paginate(audit.entries_query(**filters), per_page=50)
    return render_template("admin/audit.html", form=form, page=page, actions=audit.ACTIONS,
                           unknown_actor=unknown_actor)
