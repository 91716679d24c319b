"""Admin pages for accounts: find users, change roles, deactivate and reactivate."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional

from lab.accounts import services
from lab.accounts.forms import MultiCheckboxField
from lab.accounts.models import ROLE_NAMES, User
from lab.core import audit
from lab.core.db import commit
from lab.core.errors import DomainError
from lab.core.forms import ActionForm
from lab.core.formtools import perform
from lab.core.pagination import paginate
from lab.core.permissions import admin_required
from lab.extensions import db

bp = Blueprint("accounts_admin", __name__, url_prefix="/admin/users")

ROLE_LABELS = {"member": _l("Member"), "staff": _l("Staff"),
               "logistics": _l("Logistics (ships devices, sees addresses)"),
               "admin": _l("Admin")}


class UserSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Search by e-mail or handle"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), choices=[("", _l("All roles"))] + list(ROLE_LABELS.items()),
                       validators=[Optional()])
    state = SelectField(_l("State"), validators=[Optional()], choices=[
        ("", _l("All")), ("active", _l("Active")), ("inactive", _l("Deactivated"))])
    submit = SubmitField(_l("Search"))


class RolesForm(FlaskForm):
    roles = MultiCheckboxField(
        _l("Roles"),
        choices=[(name, ROLE_LABELS[name]) for name in ROLE_NAMES],
        description=_l("Every account is a member. Admins are always staff too."),
    )
    submit = SubmitField(_l("Save roles"))


@bp.get("")
@admin_required
def list_users():
    form = UserSearchForm(request.args)
    form.validate()
    active = {"active": True, "inactive": False}.get(form.state.data or "")
    query = services.users_query(
        search=None if form.q.errors else form.q.data,
        role=form.role.data or None if not form.role.errors else None,
        active=active,
    )
    page = paginate(query, per_page=25)
    return render_template("admin/users.html", form=form, page=page, role_labels=ROLE_LABELS)


def _user_or_404(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


def _render_user(user: User, roles_form: RolesForm):
    history = db.session.scalars(
        audit.entries_query(object_type="user", object_id=user.id).limit(20)
    ).all()
    return render_template("admin/user.html", user=user, roles_form=roles_form,
                           history=history, role_labels=ROLE_LABELS, actions=audit.ACTIONS)


@bp.get("/<int:user_id>")
@admin_required
def show_user(user_id: int):
    user = _user_or_404(user_id)
    return _render_user(user, RolesForm(roles=sorted(user.role_names)))


@bp.post("/<int:user_id>/roles")
@admin_required
def change_roles(user_id: int):
    user = _user_or_404(user_id)
    form = RolesForm()
    if form.validate_on_submit():
        try:
            changed = services.set_roles(current_user, user, form.roles.data)
        except DomainError as error:
            form.roles.errors = [str(error.message)]
        else:
            commit()
            flash(_("Roles saved.") if changed else _("Nothing changed."), "success")
            return redirect(url_for(".show_user", user_id=user.id))
    return _render_user(user, form)


@bp.post("/<int:user_id>/active")
@admin_required
def change_active(user_id: int):
    user = _user_or_404(user_id)
    wanted = request.form.get("active") == "1"
    if ActionForm().validate_on_submit():
        perform(lambda: services.set_active(current_user, user, wanted),
                _("Account reactivated.") if wanted else _("Account deactivated."))
    return redirect(url_for(".show_user", user_id=user.id))
