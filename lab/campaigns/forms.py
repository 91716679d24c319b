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
from lab.campaigns.models import LONG_TEXT, MULTIPLE, NPS, NUMBER, RATING, SCALES, SINGLE, YES_NO
from lab.campaigns.products import CATEGORY_LABELS

# what the ends of a scale mean, shown with the question
SCALE_ENDS = {
    RATING: _l("1 = very poor, 5 = excellent."),
    NPS: _l("0 = not at all likely, 10 = extremely likely."),
}

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
    """A form made for this campaign's screening questions, instantiated."""
    return question_form(campaign.questions, _QuestionnaireBase, **kwargs)


def question_form(question_list, base: type[FlaskForm], **kwargs) -> FlaskForm:
    """A form class with a field q<id> per question (screening or feedback form), made
    from ``base`` and instantiated; ``form.question_fields`` lists them in order."""

    class Questions(base):
        pass

    for question in question_list:
        setattr(Questions, questions.field_name(question), _field_for(question))
    form = Questions(**kwargs)
    form.question_fields = [form[questions.field_name(q)] for q in question_list]
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
    if question.kind in SCALES:
        scale = SCALES[question.kind]
        ends = SCALE_ENDS[question.kind]
        options["description"] = " ".join(filter(None, [str(ends), question.help_text]))
        return RadioField(label, choices=[(str(n), str(n)) for n in scale],
                          validate_choice=False, render_kw={"class": "scale"}, **options)
    if question.kind == LONG_TEXT:
        return TextAreaField(label, render_kw={"rows": 5, "maxlength": 4000}, **options)
    if question.kind == NUMBER:
        return StringField(label, render_kw={"inputmode": "decimal"}, **options)
    return StringField(label, render_kw={"maxlength": 200}, **options)


def answers_as_data(application) -> dict:
    """Stored answers (of an application or a feedback response) as form data."""
    if application is None:
        return {}
    return {f"q{qid}": str(answer["value"]) if answer.get("kind") in (NUMBER, *SCALES)
            else answer["value"] for qid, answer in (application.answers or {}).items()}


class ConfirmForm(AddressForm):
    accept_terms = BooleanField(_l("I have read and accept the participation terms."))
    submit = SubmitField(_l("Confirm my place"))


class ConfirmWithoutDeviceForm(FlaskForm):
    accept_terms = BooleanField(_l("I have read and accept the participation terms."))
    submit = SubmitField(_l("Confirm my place"))


ADDRESS_FIELDS = ("full_name", "street", "extra", "postcode", "city", "country", "phone")
