"""Forms shared by every domain."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone, to_utc
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, HiddenField, SelectField, SubmitField


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


class LocalDateTimeField(DateTimeLocalField):
    """A date and time typed in the reader's time zone (Europe/Berlin by default), kept
    as naive UTC like every time in the database; shown again in the reader's zone."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"])
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None:
            self.data = to_utc(self.data)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        if self.data is None:
            return ""
        local = to_user_timezone(self.data).replace(tzinfo=None)
        return local.strftime(self.format[0])
