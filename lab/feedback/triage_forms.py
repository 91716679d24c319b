"""Forms of the staff triage pages: the list's filter, and status, severity, merge and
reply on one report."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from lab.feedback.notices import KIND_LABELS, SEVERITY_LABELS, STATUS_LABELS
from lab.feedback.triage import TRANSITIONS, ReportFilters

ALL, OPEN = "all", "open"
SORT_LABELS = {
    "waiting": _l("Unanswered first, by due time"),
    "newest": _l("Newest first"),
    "severity": _l("Most severe first"),
    "me_too": _l("Most “me too” first"),
}
NOTE_HELP = _l("Optional; kept with this step on the report's timeline.")


def _note(label):
    return TextAreaField(label, validators=[Optional(), Length(max=2000)],
                         description=NOTE_HELP, render_kw={"rows": 2, "maxlength": 2000})


class ReportFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    status = SelectField(_l("Status"), validators=[Optional()], default=OPEN, choices=[
        (ALL, _l("All")), (OPEN, _l("Open (new, acknowledged, forwarded)")),
        *STATUS_LABELS.items()])
    kind = SelectField(_l("Kind"), validators=[Optional()],
                       choices=[("", _l("All")), *KIND_LABELS.items()])
    severity = SelectField(_l("Severity"), validators=[Optional()],
                           choices=[("", _l("All")), *SEVERITY_LABELS.items()])
    q = StringField(_l("Title contains"), validators=[Optional(), Length(max=100)],
                    render_kw={"maxlength": 100})
    sort = SelectField(_l("Sort by"), validators=[Optional()], default="waiting",
                       choices=list(SORT_LABELS.items()))
    submit = SubmitField(_l("Filter"))

    def filters(self) -> ReportFilters:
        """The valid filters only (a bad value is ignored, never an error page)."""
        def value(field):
            return field.data if field.data and not field.errors else None

        status = value(self.status) or OPEN
        return ReportFilters(status=None if status == ALL else status, kind=value(self.kind),
                             severity=value(self.severity),
                             search=(value(self.q) or "").strip() or None,
                             sort=value(self.sort) or "waiting")


class StatusForm(FlaskForm):
    # the choices offer the allowed next statuses; the service decides (validate_choice
    # off), so a tampered value gets its message, not a generic one
    status = SelectField(_l("New status"), choices=[], validate_choice=False)
    status_note = _note(_l("Note"))
    submit_status = SubmitField(_l("Change the status"))

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [(code, STATUS_LABELS[code]) for code in TRANSITIONS[report.status]]


class SeverityForm(FlaskForm):
    severity = SelectField(_l("Severity"), choices=list(SEVERITY_LABELS.items()),
                           validate_choice=False)
    severity_note = _note(_l("Note"))
    submit_severity = SubmitField(_l("Change the severity"))


class MergeForm(FlaskForm):
    into = IntegerField(_l("Duplicate of report number"),
                        validators=[Optional()],
                        description=_l("The report that is kept; its number is shown as "
                                       "#number in the list. The “me too”s move there."),
                        render_kw={"min": 1, "inputmode": "numeric"})
    merge_note = _note(_l("Note"))
    submit_merge = SubmitField(_l("Join to that report as a duplicate"))

    def validate_into(self, field):
        if field.data is not None and not 1 <= field.data < 2**31:  # no such report number
            raise ValidationError(_l("Please give the number of a report of this campaign."))


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Reply to the tester"), validators=[Length(max=5000)],
                         description=_l("The tester is notified and can answer."),
                         render_kw={"rows": 4, "maxlength": 5000})
    submit_comment = SubmitField(_l("Send the reply"))
