"""Member forms of the test lab: the filter of the list, the screening questionnaire
(built from the campaign's questions) and the confirmation with the address."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    SearchField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from lab.accounts.forms import AddressForm, MultiCheckboxField
from lab.campaigns import questions
from lab.campaigns.models import LONG_TEXT, MULTIPLE, NUMBER, SINGLE, YES_NO
from lab.campaigns.products import CATEGORY_LABELS

SHOW_CHOICES = [
    ("current", _l("Open and running")),
    ("open", _l("Open for applications")),
    ("running", _l("Running tests")),
    ("past", _l("Past")),
    ("all", _l("All")),
]


class CampaignFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    show = SelectField(_l("Show"), choices=SHOW_CHOICES, default="current",
                       validators=[Optional()])
    category = SelectField(_l("Product category"), validators=[Optional()], choices=[])
    q = SearchField(_l("Search"), validators=[Optional(), Length(max=80)])
    submit = SubmitField(_l("Filter"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [("", _l("All categories")), *CATEGORY_LABELS.items()]


class _QuestionnaireBase(FlaskForm):
    accept_terms = BooleanField(_l("I have read and accept the participation terms."))
    save_draft = SubmitField(_l("Save draft"))
    submit = SubmitField(_l("Send application"))


def questionnaire(campaign, **kwargs) -> FlaskForm:
    """A form class made for this campaign's questions (fields q<id>), instantiated."""

    class Questionnaire(_QuestionnaireBase):
        pass

    for question in campaign.questions:
        setattr(Questionnaire, questions.field_name(question), _field_for(question))
    form = Questionnaire(**kwargs)
    form.question_fields = [form[questions.field_name(q)] for q in campaign.questions]
    return form


def _field_for(question):
    label = question.label + ("" if question.required else " " + str(_l("(optional)")))
    options = dict(description=question.help_text or "",
                   validators=[Optional()])  # the service checks answers, with messages
    if question.kind == SINGLE:
        return RadioField(label, choices=[(o, o) for o in question.options],
                          validate_choice=False, **options)
    if question.kind == MULTIPLE:
        return MultiCheckboxField(label, choices=[(o, o) for o in question.options],
                                  validate_choice=False, **options)
    if question.kind == YES_NO:
        return RadioField(label, choices=[("yes", _l("Yes")), ("no", _l("No"))],
                          validate_choice=False, **options)
    if question.kind == LONG_TEXT:
        return TextAreaField(label, render_kw={"rows": 5, "maxlength": 4000}, **options)
    if question.kind == NUMBER:
        return StringField(label, render_kw={"inputmode": "decimal"}, **options)
    return StringField(label, render_kw={"maxlength": 200}, **options)


def answers_as_data(application) -> dict:
    """Stored answers as form data, for editing an application."""
    if application is None:
        return {}
    return {f"q{qid}": answer["value"] if answer.get("kind") != NUMBER
            else str(answer["value"]) for qid, answer in (application.answers or {}).items()}


class ConfirmForm(AddressForm):
    accept_terms = BooleanField(_l("I have read and accept the participation terms."))
    submit = SubmitField(_l("Confirm my place"))


class ConfirmWithoutDeviceForm(FlaskForm):
    accept_terms = BooleanField(_l("I have read and accept the participation terms."))
    submit = SubmitField(_l("Confirm my place"))


ADDRESS_FIELDS = ("full_name", "street", "extra", "postcode", "city", "country", "phone")
