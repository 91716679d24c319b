"""Forms of the participant area: answering a feedback form, filing a report, replying
in a report's thread, the "me too" and "done" buttons."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField

from lab.campaigns import questions
from lab.campaigns.forms import question_form
from lab.campaigns.models import MULTIPLE
from lab.feedback import attachments
from lab.feedback.models import SEVERITIES
from lab.feedback.notices import KIND_LABELS, SEVERITY_LABELS

QUESTION_FIELD = re.compile(r"^q\d+$")
ACCEPTED_FILES = "image/*,video/*,.log,.txt"


class AnswerFormBase(FlaskForm):
    """The buttons under a feedback form; the questions are added per form."""

    submit = SubmitField(_l("Submit"))
    save_draft = SubmitField(_l("Save draft"))
    # once submitted, answers are edited until the due date and stay submitted
    save_changes = SubmitField(_l("Save changes"))


def answer_form(feedback_form, **kwargs) -> FlaskForm:
    """The feedback form's questions as fields q<id> (``form.question_fields``)."""
    return question_form(feedback_form.questions, AnswerFormBase, **kwargs)


def raw_answers(formdata, feedback_form) -> dict:
    """The answers as sent ({"q<id>": value, multiple choices as lists}); fields of
    questions not in this form are kept for the service to refuse."""
    known = {questions.field_name(q): q for q in feedback_form.questions}
    raw = {}
    for name in formdata:
        if not QUESTION_FIELD.match(name):
            continue
        question = known.get(name)
        if question is not None and question.kind == MULTIPLE:
            raw[name] = formdata.getlist(name)
        else:
            raw[name] = formdata.get(name)
    return raw


class ReportForm(FlaskForm):
    """A bug, an idea or praise. The rules (what is required for which kind, sizes and
    types of files) are checked by lab.feedback.reports, whose errors name these fields."""

    kind = RadioField(_l("What do you want to report?"), choices=list(KIND_LABELS.items()),
                      default="bug", validate_choice=False)
    title = StringField(_l("Title"), description=_l(
        "A short summary, e.g. “WiFi drops every hour”. Similar reports are suggested "
        "while you type."), render_kw={"maxlength": 160, "autocomplete": "off"})
    severity = SelectField(_l("Severity (bugs only)"), validate_choice=False, description=_l(
        "Critical: unusable or data lost; major: an important function fails; minor: "
        "a workaround exists; cosmetic: looks wrong but works."))
    steps = TextAreaField(_l("Steps to reproduce (bugs)"), render_kw={"rows": 4},
                          description=_l("What did you do, step by step?"))
    expected = TextAreaField(_l("Expected result (bugs, optional)"), render_kw={"rows": 2})
    actual = TextAreaField(_l("Actual result (bugs)"), render_kw={"rows": 3})
    description = TextAreaField(_l("Description"), render_kw={"rows": 5}, description=_l(
        "Required for ideas and praise; for a bug anything else worth knowing."))
    device = StringField(_l("Device (optional)"), render_kw={"maxlength": 120},
                         description=_l("e.g. the phone or computer you tested with."))
    version = StringField(_l("Firmware or app version (optional)"),
                          render_kw={"maxlength": 80})
    attachments = MultipleFileField(
        _l("Attachments (optional)"),
        render_kw={"accept": ACCEPTED_FILES},
        description=_l("Up to %(n)d files: screenshots (JPEG, PNG, WebP, GIF, up to 5 MB; "
                       "stored without their metadata), short videos (MP4, MOV, WebM, up to "
                       "20 MB) or log files (text, up to 2 MB).", n=attachments.MAX_FILES))
    submit = SubmitField(_l("Send report"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.severity.choices = [("", _l("Choose the severity")),
                                 *((code, SEVERITY_LABELS[code]) for code in SEVERITIES)]

    def uploads(self) -> list[attachments.Upload]:
        return [attachments.Upload(file.filename or "", file.read())
                for file in self.attachments.data or []]


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Your reply"), render_kw={"rows": 4, "maxlength": 5000})
    submit = SubmitField(_l("Send reply"))


class MeTooForm(FlaskForm):
    """Say (on=1) or take back (on=0) "me too"; ``next`` is the page to go back to."""

    on = HiddenField(default="1")
    next = HiddenField()


class TaskDoneForm(FlaskForm):
    """Tick a task off (done=1) or undo it (done=0)."""

    done = HiddenField(default="1")
