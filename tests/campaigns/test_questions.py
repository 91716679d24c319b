"""Screening questions: the builder (kinds, options, order) and the checking of answers."""

from __future__ import annotations

import pytest

from lab.campaigns import applications, questions
from lab.campaigns.lifecycle import CampaignError
from lab.campaigns.models import (
    IN_REVIEW,
    LONG_TEXT,
    MULTIPLE,
    NUMBER,
    QUESTION_KINDS,
    RECRUITING,
    SELECTION,
    SHORT_TEXT,
    SINGLE,
    YES_NO,
    Application,
)
from lab.campaigns.questions import AnswerErrors
from lab.core.errors import DomainError
from tests.campaigns.helpers import count, valid_answers

pytestmark = pytest.mark.usefixtures("english")


def save(campaign, question=None, **fields):
    values = {"kind": SHORT_TEXT, "label": "How often do you stream?", "help_text": None,
              "required": True, "options": []} | fields
    return questions.save_question(campaign.created_by, campaign, question, **values)


def labels(campaign) -> list[str]:
    return [q.label for q in campaign.questions]


# --- the builder ---------------------------------------------------------------------------

@pytest.mark.parametrize("kind", QUESTION_KINDS)
def test_each_kind_can_be_asked(make_campaign, kind):
    campaign = make_campaign()
    options = ["A", "B"] if kind in (SINGLE, MULTIPLE) else ["ignored"]
    question, back_to_review = save(campaign, kind=kind, options=options)
    assert (question.kind, question.position, back_to_review) == (kind, 1, False)
    assert question.options == (["A", "B"] if kind in (SINGLE, MULTIPLE) else [])


def test_a_question_keeps_its_cleaned_texts(make_campaign):
    question, _ = save(make_campaign(), label="  Which router?  ", help_text="  Model  ",
                       required=False)
    assert (question.label, question.help_text, question.required) == (
        "Which router?", "Model", False)


@pytest.mark.parametrize("kind", [SINGLE, MULTIPLE])
@pytest.mark.parametrize("options", [[], ["Only one"], ["Same", " Same ", ""],
                                     [f"Option {n}" for n in range(21)]])
def test_a_choice_needs_two_to_twenty_different_options(make_campaign, kind, options):
    with pytest.raises(DomainError, match="between 2 and 20 different options") as refused:
        save(make_campaign(), kind=kind, options=options)
    assert refused.value.field == "options"


def test_options_are_trimmed_and_deduplicated(make_campaign):
    question, _ = save(make_campaign(), kind=SINGLE, options=[" Yes ", "No", "Yes", " "])
    assert question.options == ["Yes", "No"]


@pytest.mark.parametrize("fields,field", [({"kind": "essay"}, "kind"), ({"label": " "}, "label")])
def test_kind_and_label_are_required(make_campaign, fields, field):
    with pytest.raises(DomainError) as refused:
        save(make_campaign(), **fields)
    assert refused.value.field == field


def test_a_question_can_be_changed(make_campaign):
    campaign = make_campaign()
    question, _ = save(campaign)
    save(campaign, question, kind=NUMBER, label="How many devices?")
    assert (len(campaign.questions), question.kind, question.label) == (
        1, NUMBER, "How many devices?")


def test_a_question_of_another_campaign_cannot_be_changed(make_campaign):
    question, _ = save(make_campaign())
    with pytest.raises(DomainError, match="belongs to another campaign"):
        save(make_campaign(), question, label="Mine now")


def test_a_campaign_has_at_most_thirty_questions(make_campaign):
    campaign = make_campaign()
    for n in range(30):
        save(campaign, label=f"Question {n}")
    with pytest.raises(DomainError, match="at most 30 questions"):
        save(campaign, label="One too many")


def test_new_questions_go_last(make_campaign):
    campaign = make_campaign(questions=[{"label": "One"}, {"label": "Two"}, {"label": "Three"}])
    assert [(q.position, q.label) for q in campaign.questions] == [
        (1, "One"), (2, "Two"), (3, "Three")]


def test_moving_a_question_swaps_it_with_its_neighbour(make_campaign):
    campaign = make_campaign(questions=[{"label": "One"}, {"label": "Two"}, {"label": "Three"}])
    one, two, three = campaign.questions
    questions.move_question(campaign.created_by, campaign, three, -1)
    assert [q.position for q in (one, two, three)] == [1, 3, 2]
    questions.move_question(campaign.created_by, campaign, one, +1)
    assert [q.position for q in (one, two, three)] == [2, 3, 1]


@pytest.mark.parametrize("index,step", [(0, -1), (1, +1)])
def test_moving_past_either_end_changes_nothing(make_campaign, index, step):
    campaign = make_campaign(questions=[{"label": "One"}, {"label": "Two"}])
    question = campaign.questions[index]
    assert questions.move_question(campaign.created_by, campaign, question, step) is False
    assert [q.position for q in campaign.questions] == [1, 2]


def test_deleting_a_question_renumbers_the_rest(make_campaign):
    campaign = make_campaign(questions=[{"label": "One"}, {"label": "Two"}, {"label": "Three"}])
    questions.delete_question(campaign.created_by, campaign, campaign.questions[0])
    assert [(q.position, q.label) for q in campaign.questions] == [(1, "Two"), (2, "Three")]


@pytest.mark.parametrize("change", ["save", "move", "delete"])
def test_a_question_of_another_campaign_is_refused(make_campaign, change):
    foreign = make_campaign(questions=[{"label": "Foreign"}]).questions[0]
    campaign = make_campaign(questions=[{"label": "Own"}])
    with pytest.raises(DomainError, match="belongs to another campaign"):
        if change == "save":
            save(campaign, foreign)
        elif change == "move":
            questions.move_question(campaign.created_by, campaign, foreign, 1)
        else:
            questions.delete_question(campaign.created_by, campaign, foreign)
    assert labels(campaign) == ["Own"]


def test_changing_questions_of_a_recruiting_campaign_needs_a_new_review(make_campaign,
                                                                       make_staff):
    campaign, editor = make_campaign(RECRUITING), make_staff()
    _question, back_to_review = questions.save_question(
        editor, campaign, kind=YES_NO, label="Do you have a balcony?", help_text=None,
        required=True, options=[])
    assert (back_to_review, campaign.state, campaign.last_edited_by_id) == (
        True, IN_REVIEW, editor.id)


def test_questions_of_a_campaign_in_selection_are_fixed(make_campaign):
    campaign = make_campaign(SELECTION, questions=[{"label": "Fixed"}])
    with pytest.raises(CampaignError, match="can no longer be changed"):
        save(campaign, label="Late question")
    with pytest.raises(CampaignError, match="can no longer be changed"):
        questions.delete_question(campaign.created_by, campaign, campaign.questions[0])


# --- checking answers ----------------------------------------------------------------------

@pytest.fixture
def survey(make_campaign):
    """A campaign asking one question of each kind (all required)."""
    return make_campaign(RECRUITING, questions=[
        {"kind": SHORT_TEXT, "label": "Router model"},
        {"kind": LONG_TEXT, "label": "Your home network"},
        {"kind": SINGLE, "label": "Streaming", "options": ["Daily", "Weekly", "Never"]},
        {"kind": MULTIPLE, "label": "Devices", "options": ["Phone", "TV", "Laptop"]},
        {"kind": YES_NO, "label": "Balcony"},
        {"kind": NUMBER, "label": "People at home"},
    ])


def field(campaign, kind) -> str:
    return next(questions.field_name(q) for q in campaign.questions if q.kind == kind)


def errors_for(campaign, raw, *, complete=True) -> dict:
    with pytest.raises(AnswerErrors) as refused:
        questions.clean_answers(campaign, raw, complete=complete)
    return {name: str(message) for name, message in refused.value.errors.items()}


def test_valid_answers_are_stored_with_label_and_kind(survey):
    raw = valid_answers(survey) | {field(survey, MULTIPLE): ["Laptop", "Phone"],
                                   field(survey, NUMBER): " 2,5 "}
    answers = questions.clean_answers(survey, raw, complete=True)
    by_kind = {answer["kind"]: answer for answer in answers.values()}
    assert by_kind[MULTIPLE] == {"label": "Devices", "kind": MULTIPLE,
                                 "value": ["Phone", "Laptop"]}
    assert by_kind[NUMBER]["value"] == 2.5
    assert set(answers) == {str(q.id) for q in survey.questions}


def test_a_whole_number_is_stored_as_an_integer(survey):
    answers = questions.clean_answers(survey, valid_answers(survey, **{
        field(survey, NUMBER): "4"}), complete=True)
    assert [a["value"] for a in answers.values() if a["kind"] == NUMBER] == [4]


def test_every_missing_required_answer_is_named_on_submit(survey):
    raw = valid_answers(survey)
    del raw[field(survey, SINGLE)]
    raw[field(survey, SHORT_TEXT)] = "   "
    assert errors_for(survey, raw) == {
        field(survey, SINGLE): "Please answer this question.",
        field(survey, SHORT_TEXT): "Please answer this question."}


def test_a_draft_may_leave_required_answers_out(survey):
    answers = questions.clean_answers(survey, {field(survey, YES_NO): "no"}, complete=False)
    assert [a["value"] for a in answers.values()] == ["no"]


def test_an_optional_question_may_stay_unanswered(make_campaign):
    campaign = make_campaign(RECRUITING, questions=[{"label": "Anything else?",
                                                     "required": False}])
    assert questions.clean_answers(campaign, {}, complete=True) == {}


@pytest.mark.parametrize("kind,value,message", [
    (NUMBER, "abc", "Please enter a number"),
    (NUMBER, "1e12", "Please enter a number"),
    (NUMBER, "NaN", "Please enter a number"),
    (SINGLE, "Hourly", "Please choose from the options."),
    (MULTIPLE, ["Phone", "Toaster"], "Please choose from the options."),
    (YES_NO, "maybe", "Please answer yes or no."),
    (SHORT_TEXT, "x" * 201, "under 200 characters"),
    (LONG_TEXT, "x" * 4001, "under 4000 characters"),
])
def test_a_wrong_answer_is_named_with_its_reason(survey, kind, value, message):
    errors = errors_for(survey, valid_answers(survey, **{field(survey, kind): value}))
    assert list(errors) == [field(survey, kind)] and message in errors[field(survey, kind)]


@pytest.mark.parametrize("kind,value", [(SHORT_TEXT, "x" * 200), (LONG_TEXT, "x" * 4000)])
def test_texts_up_to_the_limit_are_accepted(survey, kind, value):
    answers = questions.clean_answers(
        survey, valid_answers(survey, **{field(survey, kind): value}), complete=True)
    assert value in [a["value"] for a in answers.values()]


def test_a_single_choice_sent_as_a_list_takes_its_first_value(survey):
    answers = questions.clean_answers(
        survey, valid_answers(survey, **{field(survey, SINGLE): ["Weekly"]}), complete=True)
    assert "Weekly" in [a["value"] for a in answers.values()]


def test_a_field_of_another_campaign_is_refused_whole(survey, make_campaign):
    other = make_campaign(RECRUITING, questions=[{"label": "Elsewhere"}])
    raw = valid_answers(survey) | {questions.field_name(other.questions[0]): "sneaky"}
    with pytest.raises(DomainError, match="not part of this campaign") as refused:
        questions.clean_answers(survey, raw, complete=False)
    assert not isinstance(refused.value, AnswerErrors)


def test_a_tampered_form_saves_nothing(survey, make_campaign, make_tester):
    other = make_campaign(RECRUITING, questions=[{"label": "Elsewhere"}])
    member = make_tester()
    raw = valid_answers(survey) | {questions.field_name(other.questions[0]): "sneaky"}
    with pytest.raises(DomainError, match="Nothing was saved"):
        applications.save(member, survey, raw, submit=True, accept_terms=True)
    assert count(Application, Application.member_id == member.id) == 0


def test_a_tampered_form_leaves_a_saved_draft_as_it_was(survey, make_campaign, make_tester,
                                                        apply):
    other = make_campaign(RECRUITING, questions=[{"label": "Elsewhere"}])
    member = make_tester()
    draft = apply(member, survey, submit=False)
    before = dict(draft.answers)
    raw = valid_answers(survey, **{field(survey, SHORT_TEXT): "Changed"}) | {
        questions.field_name(other.questions[0]): "sneaky"}
    with pytest.raises(DomainError):
        applications.save(member, survey, raw, submit=False)
    assert draft.answers == before


def test_a_question_with_a_guessed_id_is_refused(make_campaign):
    campaign = make_campaign(RECRUITING, questions=[{"label": "One"}])
    with pytest.raises(DomainError, match="not part of this campaign"):
        questions.clean_answers(campaign, {"q999999": "x", "csrf": "y"}, complete=False)


def test_deleting_after_a_move_keeps_the_moved_order(make_campaign):
    campaign = make_campaign(questions=[{"label": "One"}, {"label": "Two"}, {"label": "Three"}])
    questions.move_question(campaign.created_by, campaign, campaign.questions[2], -1)
    questions.delete_question(campaign.created_by, campaign, campaign.questions[0])
    assert sorted((q.position, q.label) for q in campaign.questions) == [
        (1, "Three"), (2, "Two")]
