"""Screening questions: the builder staff use, and the checking of applicants' answers.

Answers are stored per question id with the question's label and kind, so the record
shows what the applicant was asked even if the question is edited later.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lab.campaigns import lifecycle
from lab.campaigns.models import (
    CHOICE_KINDS,
    LONG_TEXT,
    MULTIPLE,
    NUMBER,
    QUESTION_KINDS,
    SCALES,
    SHORT_TEXT,
    SINGLE,
    YES_NO,
    Campaign,
    CampaignQuestion,
)
from lab.core.errors import DomainError
from lab.extensions import db

KIND_LABELS = {
    SHORT_TEXT: _l("Short text"),
    LONG_TEXT: _l("Long text"),
    SINGLE: _l("Single choice"),
    MULTIPLE: _l("Multiple choice"),
    YES_NO: _l("Yes / no"),
    NUMBER: _l("Number"),
}
MAX_QUESTIONS = 30
MAX_OPTIONS = 20
TEXT_LIMITS = {SHORT_TEXT: 200, LONG_TEXT: 4000}
NUMBER_LIMIT = Decimal("1e12")


class AnswerErrors(DomainError):
    """Several answers are wrong: ``errors`` maps the field name (q<id>) to its message."""

    def __init__(self, errors: dict[str, object]):
        super().__init__(_l("Please correct the marked answers."))
        self.errors = errors


def field_name(question: CampaignQuestion) -> str:
    return f"q{question.id}"


def save_question(actor, campaign: Campaign, question: CampaignQuestion | None = None, *,
                  kind: str, label: str, help_text: str | None, required: bool,
                  options: list[str]) -> tuple[CampaignQuestion, bool]:
    """Add or change a question; returns it and whether the campaign went back to review."""
    check_question(QUESTION_KINDS, kind, label, options)
    if question is None:
        count = db.session.scalar(select(func.count()).select_from(CampaignQuestion)
                                  .where(CampaignQuestion.campaign_id == campaign.id))
        if count >= MAX_QUESTIONS:
            raise DomainError(_l("A campaign can have at most %(n)d questions.",
                                 n=MAX_QUESTIONS))
    elif question.campaign_id != campaign.id:
        raise DomainError(_l("This question belongs to another campaign."))
    # before a new question joins the session: a refused one must not be flushed later
    back_to_review = lifecycle.content_changed(actor, campaign)
    if question is None:
        question = CampaignQuestion(campaign=campaign, position=count + 1)
        db.session.add(question)
    fill_question(question, kind=kind, label=label, help_text=help_text, required=required,
                  options=options)
    db.session.flush()
    return question, back_to_review


def check_question(kinds, kind: str, label: str, options: list[str]) -> None:
    """Refuse an unknown kind, an empty question, or a choice without 2 to 20 options."""
    if kind not in kinds:
        raise DomainError(_l("Please choose a kind."), "kind")
    if not (label or "").strip():
        raise DomainError(_l("Please write the question."), "label")
    _clean_options(kind, options)


def fill_question(question, *, kind: str, label: str, help_text: str | None, required: bool,
                  options: list[str]) -> None:
    """Set a checked question's fields (a screening or a feedback form question)."""
    question.kind, question.label, question.required = kind, label.strip()[:300], bool(required)
    question.help_text = (help_text or "").strip()[:300] or None
    question.options = _clean_options(kind, options)


def _clean_options(kind: str, options: list[str]) -> list[str]:
    if kind not in CHOICE_KINDS:
        return []
    cleaned = []
    for option in options:
        option = option.strip()
        if option and option not in cleaned:
            cleaned.append(option[:120])
    if not 2 <= len(cleaned) <= MAX_OPTIONS:
        raise DomainError(_l("A choice needs between 2 and %(n)d different options, one "
                             "per line.", n=MAX_OPTIONS), "options")
    return cleaned


def delete_question(actor, campaign: Campaign, question: CampaignQuestion) -> bool:
    if question.campaign_id != campaign.id:
        raise DomainError(_l("This question belongs to another campaign."))
    back_to_review = lifecycle.content_changed(actor, campaign)
    campaign.questions.remove(question)
    renumber(campaign.questions)
    return back_to_review


def move_question(actor, campaign: Campaign, question: CampaignQuestion, step: int) -> bool:
    """Move a question one place up (step -1) or down (+1)."""
    if question.campaign_id != campaign.id:
        raise DomainError(_l("This question belongs to another campaign."))
    if not can_move(campaign.questions, question, step):
        return False
    back_to_review = lifecycle.content_changed(actor, campaign)
    move_in(campaign.questions, question, step)
    return back_to_review


def _ordered(items) -> list:
    # by position: a loaded list keeps its load order after an earlier move
    return sorted(items, key=lambda item: (item.position, item.id or 0))


def can_move(items, item, step: int) -> bool:
    target = _ordered(items).index(item) + (1 if step > 0 else -1)
    return 0 <= target < len(items)


def move_in(items, item, step: int) -> None:
    """Swap an item (with a ``position``) with its neighbour above (-1) or below (+1)."""
    ordered = _ordered(items)
    index = ordered.index(item)
    target = index + (1 if step > 0 else -1)
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, each in enumerate(ordered, start=1):
        each.position = position


def renumber(items) -> None:
    for position, item in enumerate(_ordered(items), start=1):
        item.position = position


def clean_answers(campaign: Campaign, raw: dict[str, object], *, complete: bool) -> dict:
    """Check an applicant's answers against the campaign's questions (see ``clean``)."""
    return clean(campaign.questions, raw, complete=complete, stray=_l(
        "The form contained a question that is not part of this campaign. Nothing was "
        "saved; please reload the page."))


def clean(question_list, raw: dict[str, object], *, complete: bool, stray) -> dict:
    """Check answers sent as {"q<id>": value or [values]} against the questions.

    ``complete`` (submitting, not saving a draft) also requires every required answer.
    A field for a question not in the list means a tampered form: refused whole with the
    message ``stray``. Raises AnswerErrors with a message per field.
    """
    questions = {field_name(q): q for q in question_list}
    if any(name not in questions for name in raw):
        raise DomainError(stray)
    answers, errors = {}, {}
    for name, question in questions.items():
        value = raw.get(name)
        try:
            cleaned = _clean_value(question, value)
        except ValueError as problem:
            errors[name] = problem.args[0]
            continue
        if cleaned in (None, "", []):
            if complete and question.required:
                errors[name] = _l("Please answer this question.")
            continue
        answers[str(question.id)] = {"label": question.label, "kind": question.kind,
                                     "value": cleaned}
    if errors:
        raise AnswerErrors(errors)
    return answers


def _clean_value(question: CampaignQuestion, value):
    if question.kind == MULTIPLE:
        values = value if isinstance(value, list) else ([value] if value else [])
        values = [v for v in values if v]
        if any(v not in question.options for v in values):
            raise ValueError(_l("Please choose from the options."))
        return [option for option in question.options if option in values]
    if isinstance(value, list):
        value = value[0] if value else None
    value = (value or "").strip() if isinstance(value, str) else value
    if value in (None, ""):
        return None
    if question.kind in TEXT_LIMITS:
        if len(value) > TEXT_LIMITS[question.kind]:
            raise ValueError(_l("Please keep it under %(n)d characters.",
                                n=TEXT_LIMITS[question.kind]))
        return value
    if question.kind == SINGLE:
        if value not in question.options:
            raise ValueError(_l("Please choose from the options."))
        return value
    if question.kind == YES_NO:
        if value not in ("yes", "no"):
            raise ValueError(_l("Please answer yes or no."))
        return value
    if question.kind in SCALES:
        return _on_scale(value, SCALES[question.kind])
    return _number(value)


def _on_scale(value, scale: range) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        number = None
    if number not in scale:
        raise ValueError(_l("Please choose a value from %(low)d to %(high)d.",
                            low=scale[0], high=scale[-1]))
    return number


def _number(value: str):
    try:
        number = Decimal(str(value).replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        raise ValueError(_l("Please enter a number, e.g. 3 or 2.5.")) from None
    if not number.is_finite() or abs(number) >= NUMBER_LIMIT:
        raise ValueError(_l("Please enter a number, e.g. 3 or 2.5."))
    return int(number) if number == number.to_integral_value() else float(number)
