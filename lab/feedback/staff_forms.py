"""Forms of the staff pages that build a campaign's test: a feedback form's title and
dates, its questions, and tasks."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from lab.campaigns import questions
from lab.campaigns.models import NPS, RATING
from lab.campaigns.staff_forms import QuestionFields
from lab.core.forms import LocalDateTimeField
from lab.feedback.models import FORM_QUESTION_KINDS

_EXTRA_KIND_LABELS = {RATING: _l("Rating 1–5"), NPS: _l("Recommendation 0–10 (NPS)")}
# every kind a feedback form question can have, in the order of FORM_QUESTION_KINDS
KIND_LABELS = {kind: _EXTRA_KIND_LABELS.get(kind) or questions.KIND_LABELS[kind]
               for kind in FORM_QUESTION_KINDS}


class FeedbackFormForm(FlaskForm):
    """A feedback form's title, introduction and window (typed in Berlin time)."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=160)],
                        description=_l("E.g. “First impressions” or “Final survey”."),
                        render_kw={"maxlength": 160})
    intro = TextAreaField(_l("Introduction"), validators=[Optional(), Length(max=5000)],
                          description=_l("Shown to testers above the questions (optional). "
                                         "Markdown: **bold**, *italic*, lists, links."),
                          render_kw={"rows": 3, "maxlength": 5000})
    opens_at = LocalDateTimeField(_l("Opens"), validators=[InputRequired()])
    due_at = LocalDateTimeField(_l("Due"), validators=[InputRequired()],
                                description=_l("Testers can send and change their answers "
                                               "until then."))
    submit = SubmitField(_l("Save form"))


class _QuestionFields(QuestionFields):
    kind = SelectField(_l("Kind of answer"), choices=list(KIND_LABELS.items()))

    def lock_kind_and_options(self, question) -> None:
        """Answers exist: offer only the question's own kind and show the options read-only
        (the service refuses a change sent anyway, with its message)."""
        self.kind.choices = [(question.kind, KIND_LABELS.get(question.kind, question.kind))]
        self.kind.validate_choice = False
        self.options.render_kw = {**self.options.render_kw, "readonly": True}


class NewQuestionForm(_QuestionFields):
    """Add a question below a form's fields; the button's name tells the two forms apart."""

    add_question = SubmitField(_l("Add question"))


class QuestionForm(_QuestionFields):
    submit = SubmitField(_l("Save question"))


NO_FORM = 0


class TaskForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=160)],
                        description=_l("E.g. “Set up the router”."),
                        render_kw={"maxlength": 160})
    description = TextAreaField(_l("What to do"), validators=[Optional(), Length(max=5000)],
                                render_kw={"rows": 3, "maxlength": 5000})
    due_at = LocalDateTimeField(_l("Due"), validators=[InputRequired()])
    # any id is passed on: the service refuses a form of another campaign beside the field
    form_id = SelectField(_l("Form"), coerce=int, choices=[], validate_choice=False,
                          description=_l("A task with a form is done when the tester submits "
                                         "the form; without one, testers tick it off."))
    submit = SubmitField(_l("Save task"))

    def __init__(self, *args, forms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.form_id.choices = [(NO_FORM, _l("– no form –"))] + [
            (form.id, form.title) for form in forms]
