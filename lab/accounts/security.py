"""Flask-Security-Too wired to our models: registration with a handle, our password
rules, and mail that goes through the outbox."""

from __future__ import annotations

import uuid

import zxcvbn
from flask import current_app, g, request
from flask_babel import lazy_gettext as _l
from flask_security import RegisterFormV2, SQLAlchemyUserDatastore
from flask_security.mail_util import MailUtil
from flask_security.password_util import PasswordUtil
from wtforms import StringField, ValidationError
from wtforms.validators import DataRequired, Length

from lab.accounts import services
from lab.accounts.models import Role, TesterProfile, User
from lab.extensions import db
from lab.notify.mail import queue_mail, send_pending


class LabUserDatastore(SQLAlchemyUserDatastore):
    def create_user(self, **kwargs):
        """Every new account is a member and has an (empty) tester profile."""
        kwargs.setdefault("fs_uniquifier", uuid.uuid4().hex)
        kwargs.setdefault("roles", ["member"])
        user = super().create_user(**kwargs)
        user.profile = TesterProfile()
        return user


def make_datastore() -> LabUserDatastore:
    return LabUserDatastore(db, User, Role)


def _handle_available(form, field):
    problem = services.handle_problem(field.data or "")
    if problem:
        raise ValidationError(str(problem))


class LabRegisterForm(RegisterFormV2):
    handle = StringField(
        _l("Public handle"),
        description=_l("Shown next to everything you post. 3-30 letters, digits, . - _"),
        validators=[DataRequired(), Length(max=30), _handle_available],
        render_kw={"autocomplete": "nickname"},
    )


class LabPasswordUtil(PasswordUtil):
    """Length from Flask-Security, then a guessability check with our own words
    (zxcvbn's own feedback is English only)."""

    def validate(self, password, is_register, **kwargs):
        problems, normalised = super().validate(password, is_register, **kwargs)
        if problems:
            return problems, normalised
        user = kwargs.get("user")
        hints = [v for v in (kwargs.get("email"), kwargs.get("handle"),
                             getattr(user, "email", None), getattr(user, "handle", None)) if v]
        score = zxcvbn.zxcvbn(normalised[:100], user_inputs=hints)["score"]
        if score < current_app.config["SECURITY_PASSWORD_MIN_SCORE"]:
            return [str(_l("This password is too easy to guess. Use a longer phrase of "
                           "unrelated words, or add more characters."))], normalised
        return None, normalised


class OutboxMailUtil(MailUtil):
    """Flask-Security's mails (confirmation, reset, ...) go through our outbox."""

    def send_mail(self, template, subject, recipient, sender, body, html, **kwargs):
        if isinstance(sender, tuple):
            sender = f"{sender[0]} <{sender[1]}>"
        queue_mail(recipient, str(subject), body or "", body_html=html,
                   kind=f"security/{template}", sender=str(sender))
        # Flask-Security sends after its own commit; make sure the mail is stored too.
        db.session.commit()
        if current_app.config.get("MAIL_SEND_IMMEDIATELY"):
            send_pending()


# Flask-Security's form pages, re-rendered with the visitor's input when the CSRF token
# was missing or stale: (form name, template setting, template variable, more context).
_FORM_PAGES = {
    "security.login": ("login_form", "LOGIN_USER_TEMPLATE", "login_user_form", {}),
    "security.register": ("register_form", "REGISTER_USER_TEMPLATE", "register_user_form", {}),
    "security.forgot_password": (
        "forgot_password_form", "FORGOT_PASSWORD_TEMPLATE", "forgot_password_form", {}),
    "security.send_confirmation": (
        "send_confirmation_form", "SEND_CONFIRMATION_TEMPLATE", "send_confirmation_form", {}),
    "security.change_password": (
        "change_password_form", "CHANGE_PASSWORD_TEMPLATE", "change_password_form",
        {"active_password": True}),
}


def _rerenderer(form_name: str, template_setting: str, variable: str, extra: dict):
    def rerender() -> str:
        security = current_app.extensions["security"]
        form = security.forms[form_name].cls(formdata=request.form)
        form.csrf_token.errors = [str(g.get("csrf_error") or "CSRF")]
        template = current_app.config[f"SECURITY_{template_setting}"]
        return security.render_template(template, **{variable: form}, **extra)

    return rerender


def register_csrf_rerenderers() -> None:
    from lab.core.web import CSRF_RERENDER

    for endpoint, spec in _FORM_PAGES.items():
        CSRF_RERENDER[endpoint] = _rerenderer(*spec)
