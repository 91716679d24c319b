"""Forms shared by every domain."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SubmitField


class ActionForm(FlaskForm):
    """An empty form: a button that changes state carries its CSRF token in one."""


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), choices=[])
    next = HiddenField()
    submit = SubmitField(_l("Switch"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = list(current_app.config["LANGUAGES"].items())


def safe_next(target: str | None, fallback: str = "/") -> str:
    """Only paths on this site are followed after a form (no open redirects)."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target
