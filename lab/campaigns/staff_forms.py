"""Forms of the staff pages of the test lab: products, campaigns with their eligibility
rules, screening questions, filters and decisions on applications."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from lab.accounts import choices
from lab.campaigns import eligibility, lifecycle, questions
from lab.campaigns.applications import STATUS_LABELS
from lab.campaigns.products import CATEGORY_LABELS
from lab.campaigns.selection import DECLINE, SELECT, WAITLIST
from lab.core.forms import LocalDateTimeField
from lab.rewards import levels

# the campaign's own columns the form edits (its eligibility is composed separately)
CAMPAIGN_FIELDS = ("slug", "title", "product_id", "summary", "description", "terms",
                   "device_policy", "slots", "completion_points", "confirm_days",
                   "applications_open_at", "applications_close_at", "test_starts_at",
                   "test_ends_at", "reports_shared")


def _when(label):
    return LocalDateTimeField(label, validators=[InputRequired()])


class ProductForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)],
                       render_kw={"maxlength": 120})
    maker = StringField(_l("Maker"), validators=[DataRequired(), Length(max=80)],
                        render_kw={"maxlength": 80})
    category = SelectField(_l("Category"), choices=list(CATEGORY_LABELS.items()))
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)],
                                render_kw={"rows": 4})
    image = FileField(_l("Image"), description=_l("JPEG, PNG, WebP or GIF, at most 5 MB. "
                                                 "Location data is removed."))
    submit = SubmitField(_l("Save product"))


class CampaignForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=160)],
                        render_kw={"maxlength": 160})
    slug = StringField(_l("Address (slug)"), validators=[DataRequired(), Length(max=80)],
                       description=_l("Part of the campaign's web address, e.g. "
                                      "fritzbox-7690-test. It cannot change once published."),
                       render_kw={"maxlength": 80, "autocomplete": "off"})
    product_id = SelectField(_l("Product"), coerce=int, choices=[])
    summary = StringField(_l("Summary"), validators=[DataRequired(), Length(max=300)],
                          description=_l("One or two sentences for the list of campaigns."),
                          render_kw={"maxlength": 300})
    description = TextAreaField(_l("Description"), validators=[Length(max=20_000)],
                                description=_l("Markdown: **bold**, *italic*, lists, "
                                               "links; headings start at ##."),
                                render_kw={"rows": 8})
    terms = TextAreaField(_l("Participation terms"), validators=[Length(max=20_000)],
                          description=_l("Applicants accept them. Changing them makes a "
                                         "new version that testers accept again."),
                          render_kw={"rows": 6})
    device_policy = SelectField(_l("Device policy"),
                                choices=list(lifecycle.POLICY_LABELS.items()))
    slots = IntegerField(_l("Slots (testers)"), validators=[InputRequired()],
                         render_kw={"min": 1, "max": 10_000})
    completion_points = IntegerField(_l("Points for a completed test"),
                                     validators=[InputRequired()], default=0,
                                     render_kw={"min": 0, "max": 10_000})
    confirm_days = IntegerField(_l("Days a selected tester has to confirm"),
                                validators=[InputRequired()], default=5,
                                render_kw={"min": 1, "max": 30})
    applications_open_at = _when(_l("Applications open"))
    applications_close_at = _when(_l("Applications close"))
    test_starts_at = _when(_l("Test starts"))
    test_ends_at = _when(_l("Test ends"))
    reports_shared = BooleanField(_l("Testers see and can “me too” each other's reports"),
                                  default=True,
                                  description=_l("So the same bug gathers weight instead of "
                                                 "being filed again. Testers always see "
                                                 "their own reports."))

    # the eligibility rules; an empty field adds no rule
    elig_owns_os = SelectMultipleField(
        eligibility.RULE_NAMES[eligibility.OWNS_OS], choices=choices.OPERATING_SYSTEMS,
        validators=[Optional()], render_kw={"size": 6})
    elig_owns_device_kind = SelectMultipleField(
        eligibility.RULE_NAMES[eligibility.OWNS_DEVICE_KIND], choices=choices.DEVICE_KINDS,
        validators=[Optional()], render_kw={"size": 6})
    elig_connection = SelectMultipleField(
        eligibility.RULE_NAMES[eligibility.CONNECTION], choices=choices.CONNECTION_TYPES,
        validators=[Optional()], render_kw={"size": 6})
    elig_region = SelectMultipleField(
        eligibility.RULE_NAMES[eligibility.REGION], choices=choices.REGIONS,
        validators=[Optional()], render_kw={"size": 8})
    elig_min_level = SelectField(
        eligibility.RULE_NAMES[eligibility.MIN_LEVEL], choices=levels.choices(),
        description=_l("The first level means no requirement."))
    elig_member_days = IntegerField(
        eligibility.RULE_NAMES[eligibility.MEMBER_DAYS], validators=[Optional()],
        description=_l("Leave empty for no requirement."), render_kw={"min": 1, "max": 3650})
    elig_no_test_months = IntegerField(
        eligibility.RULE_NAMES[eligibility.NO_TEST_MONTHS], validators=[Optional()],
        description=_l("Leave empty for no requirement."), render_kw={"min": 1, "max": 3650})
    submit = SubmitField(_l("Save campaign"))

    ELIGIBILITY_FIELDS = ("elig_owns_os", "elig_owns_device_kind", "elig_connection",
                          "elig_region", "elig_min_level", "elig_member_days",
                          "elig_no_test_months")

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.product_id.choices = [(0, _l("– choose –"))] + [
            (product.id, f"{product.maker} {product.name}") for product in products]

    def show_rules(self, rules: list[dict]) -> None:
        """Fill the rule fields from a campaign's stored rules."""
        for name in eligibility.LIST_RULES:
            getattr(self, f"elig_{name}").data = eligibility.rule_value(rules, name) or []
        self.elig_min_level.data = (eligibility.rule_value(rules, eligibility.MIN_LEVEL)
                                    or levels.LEVELS[0].code)
        for name in eligibility.NUMBER_RULES:
            getattr(self, f"elig_{name}").data = eligibility.rule_value(rules, name)

    def campaign_fields(self) -> dict:
        """The fields for lifecycle.create_campaign / update_campaign."""
        fields = {name: getattr(self, name).data for name in CAMPAIGN_FIELDS}
        fields["product_id"] = fields["product_id"] or None
        for name in ("description", "terms"):
            fields[name] = fields[name] or ""
        fields["eligibility"] = self.rules()
        return fields

    def rules(self) -> list[dict]:
        rules = [{"rule": name, "values": getattr(self, f"elig_{name}").data or []}
                 for name in eligibility.LIST_RULES]
        rules.append({"rule": eligibility.MIN_LEVEL, "value": self.elig_min_level.data})
        rules += [{"rule": name, "value": getattr(self, f"elig_{name}").data}
                  for name in eligibility.NUMBER_RULES]
        return rules


class QuestionFields(FlaskForm):
    """The fields of a question, for screening questions and (with more kinds) for the
    questions of feedback forms."""

    kind = SelectField(_l("Kind of answer"), choices=list(questions.KIND_LABELS.items()))
    label = StringField(_l("Question"), validators=[DataRequired(), Length(max=300)],
                        render_kw={"maxlength": 300})
    help_text = StringField(_l("Help text"), validators=[Optional(), Length(max=300)],
                            description=_l("Shown below the question (optional)."),
                            render_kw={"maxlength": 300})
    required = BooleanField(_l("An answer is required"), default=True)
    options = TextAreaField(_l("Options, one per line"), validators=[Length(max=5000)],
                            description=_l("Only for single and multiple choice."),
                            render_kw={"rows": 4})

    def option_list(self) -> list[str]:
        return (self.options.data or "").splitlines()


class QuestionForm(QuestionFields):
    submit = SubmitField(_l("Save question"))


class ReasonForm(FlaskForm):
    """A comment or reason sent with a button (return to draft, cancel, drop out)."""

    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])


class DecisionForm(FlaskForm):
    """A decision on the applications ticked in the table."""

    ids = SelectMultipleField(_l("Applications"), coerce=int, validate_choice=False)
    decision = SelectField(_l("Decision"), choices=[
        (SELECT, _l("Select")), (WAITLIST, _l("Put on the waiting list")),
        (DECLINE, _l("Decline"))])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=1000)],
                           description=_l("Needed when the choice goes against the ranking; "
                                          "it is written to the audit log."),
                           render_kw={"rows": 2})
    submit = SubmitField(_l("Apply decision to the ticked applications"))


ELIGIBLE_CHOICES = [("", _l("All")), ("yes", _l("Eligible")), ("no", _l("Not eligible"))]
SORTS = {"rank": _l("Rank"), "score": _l("Score"), "submitted": _l("Submitted"),
         "handle": _l("Handle")}


class ApplicationFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    status = SelectField(_l("Status"), validators=[Optional()],
                         choices=[("", _l("All"))] + list(STATUS_LABELS.items()))
    eligible = SelectField(_l("Eligibility"), validators=[Optional()],
                           choices=ELIGIBLE_CHOICES)
    q = StringField(_l("Handle contains"), validators=[Optional(), Length(max=30)])
    sort = SelectField(_l("Sort by"), validators=[Optional()], choices=list(SORTS.items()))
    submit = SubmitField(_l("Filter"))

    def filters(self) -> dict:
        """The valid filters only (a bad value is ignored, never an error page)."""
        def value(field):
            return field.data if field.data and not field.errors else None

        return {"status": value(self.status), "eligible": value(self.eligible),
                "search": (value(self.q) or "").strip() or None,
                "sort": value(self.sort) or "rank"}
