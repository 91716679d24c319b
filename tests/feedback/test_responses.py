"""Testers fill feedback forms: drafts, submitting, the answers checked, the opening and
due dates (with a frozen clock), editing until the due date, the on-time points, and
whether a finished tester sent every form in time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lab.campaigns import lifecycle, selection
from lab.campaigns.models import (
    CLOSED,
    EVALUATION,
    NOT_SELECTED,
    SUBMITTED,
    TESTING,
    Application,
)
from lab.campaigns.questions import AnswerErrors
from lab.core.clock import frozen_at, utcnow
from lab.core.errors import DomainError
from lab.extensions import db
from lab.feedback import access, responses
from lab.feedback.models import FeedbackForm, FormResponse
from lab.feedback.responses import DRAFT, MISSED, NOT_OPEN, OPEN
from lab.feedback.responses import SUBMITTED as FORM_SUBMITTED
from lab.rewards import rules
from lab.rewards.models import LedgerEntry
from tests.feedback.conftest import answers_for, participation_of
from tests.rewards.helpers import count, entries_of

pytestmark = pytest.mark.usefixtures("english")

MINUTE, DAY = timedelta(minutes=1), timedelta(days=1)


@pytest.fixture
def test(make_test_campaign, make_form):
    """(campaign in testing, [two confirmed testers], a form with every kind of question,
    open since yesterday and due in a week)"""
    campaign, testers = make_test_campaign(testers=2)
    return campaign, testers, make_form(campaign)


def save(member, campaign, form, raw, *, submit):
    return responses.save(participation_of(member, campaign), form, raw, submit=submit)


def field(form, kind) -> str:
    return next(f"q{q.id}" for q in form.questions if q.kind == kind)


def qid(form, kind) -> str:
    return next(str(q.id) for q in form.questions if q.kind == kind)


def stored(member, form) -> FormResponse | None:
    """The member's response as it is in the database now."""
    db.session.flush()
    db.session.expire_all()
    return db.session.scalar(select(FormResponse).where(
        FormResponse.member_id == member.id, FormResponse.form_id == form.id))


def feedback_points() -> int:
    return rules.rule_for(rules.FEEDBACK_ON_TIME).points


def values(response) -> dict[str, object]:
    return {answer["kind"]: answer["value"] for answer in response.answers.values()}


# --- drafts and submitting ------------------------------------------------------------------

def test_a_draft_is_saved_without_the_required_answers(test):
    campaign, [tester, _], form = test
    saved = save(tester, campaign, form, {}, submit=False)
    assert (saved.submitted, saved.points) == (False, 0)
    response = stored(tester, form)
    assert (response.answers, response.submitted_at) == ({}, None)


def test_a_draft_keeps_the_answers_given_so_far(test):
    campaign, [tester, _], form = test
    save(tester, campaign, form, {field(form, "rating"): "2", field(form, "yes_no"): "no"},
         submit=False)
    assert values(stored(tester, form)) == {"rating": 2, "yes_no": "no"}


def test_a_draft_is_checked_like_a_submission_apart_from_missing_answers(test):
    campaign, [tester, _], form = test
    with pytest.raises(AnswerErrors) as refused:
        save(tester, campaign, form, {field(form, "rating"): "9"}, submit=False)
    assert list(refused.value.errors) == [field(form, "rating")]
    assert stored(tester, form) is None


def test_a_submission_stores_each_answer_with_its_question_and_cleaned_value(test):
    campaign, [tester, _], form = test
    with frozen_at(form.opens_at + DAY) as now:
        saved = save(tester, campaign, form, answers_for(form, **{
            field(form, "short_text"): "  1.2.3  ", field(form, "number"): "2,5"}), submit=True)
    assert saved.submitted is True
    response = stored(tester, form)
    assert response.submitted_at == now
    assert values(response) == {"rating": 4, "nps": 9, "single": "Flat",
                                "multiple": ["WiFi", "LAN"], "short_text": "1.2.3",
                                "long_text": "The range.", "yes_no": "yes", "number": 2.5}
    rating = next(q for q in form.questions if q.kind == "rating")
    assert response.answers[str(rating.id)] == {"label": rating.label, "kind": "rating",
                                                "value": 4}


def test_submitting_requires_every_required_answer(test):
    campaign, [tester, _], form = test
    raw = answers_for(form)
    del raw[field(form, "rating")]
    raw[field(form, "single")] = ""
    raw[field(form, "multiple")] = []
    with pytest.raises(AnswerErrors) as refused:
        save(tester, campaign, form, raw, submit=True)
    errors = {name: str(message) for name, message in refused.value.errors.items()}
    assert errors == {field(form, kind): "Please answer this question."
                      for kind in ("rating", "single", "multiple")}
    assert str(refused.value.message) == "Please correct the marked answers."
    assert stored(tester, form) is None


def test_optional_questions_may_stay_empty(test):
    campaign, [tester, _], form = test
    optional = [q for q in form.questions if not q.required]
    assert {q.kind for q in optional} == {"short_text", "long_text", "number"}
    saved = save(tester, campaign, form, answers_for(form, **{
        f"q{q.id}": "" for q in optional}), submit=True)
    assert saved.submitted
    assert set(values(stored(tester, form))) == {"rating", "nps", "single", "multiple",
                                                 "yes_no"}


@pytest.mark.parametrize("kind,value,message", [
    ("rating", "0", "Please choose a value from 1 to 5."),
    ("rating", "6", "Please choose a value from 1 to 5."),
    ("rating", "-1", "Please choose a value from 1 to 5."),
    ("rating", "4.5", "Please choose a value from 1 to 5."),
    ("rating", "good", "Please choose a value from 1 to 5."),
    ("nps", "-1", "Please choose a value from 0 to 10."),
    ("nps", "11", "Please choose a value from 0 to 10."),
    ("nps", "ten", "Please choose a value from 0 to 10."),
    ("number", "fast", "Please enter a number, e.g. 3 or 2.5."),
    ("number", "1e13", "Please enter a number, e.g. 3 or 2.5."),
    ("number", "NaN", "Please enter a number, e.g. 3 or 2.5."),
    ("yes_no", "maybe", "Please answer yes or no."),
    ("single", "Garden", "Please choose from the options."),
    ("multiple", ["WiFi", "5G"], "Please choose from the options."),
    ("short_text", "x" * 201, "Please keep it under 200 characters."),
])
def test_a_value_the_question_does_not_allow_is_refused_with_a_message(test, kind, value,
                                                                       message):
    campaign, [tester, _], form = test
    with pytest.raises(AnswerErrors) as refused:
        save(tester, campaign, form, answers_for(form, **{field(form, kind): value}),
             submit=True)
    assert {name: str(text) for name, text in refused.value.errors.items()} == {
        field(form, kind): message}
    assert stored(tester, form) is None


@pytest.mark.parametrize("kind,value,kept", [
    ("rating", "1", 1), ("rating", "5", 5), ("nps", "0", 0), ("nps", "10", 10),
    ("number", "-3", -3), ("number", "1 000", 1000), ("yes_no", "no", "no"),
    ("multiple", ["Mesh", "WiFi"], ["WiFi", "Mesh"]),
])
def test_the_edges_of_each_scale_and_format_are_accepted(test, kind, value, kept):
    campaign, [tester, _], form = test
    save(tester, campaign, form, answers_for(form, **{field(form, kind): value}), submit=True)
    assert values(stored(tester, form))[kind] == kept


def test_every_wrong_answer_is_named_at_once(test):
    campaign, [tester, _], form = test
    raw = answers_for(form, **{field(form, "rating"): "7", field(form, "nps"): "12",
                               field(form, "number"): "many"})
    with pytest.raises(AnswerErrors) as refused:
        save(tester, campaign, form, raw, submit=True)
    assert set(refused.value.errors) == {field(form, k) for k in ("rating", "nps", "number")}


def test_a_field_of_another_forms_question_is_refused_whole(test, make_form):
    campaign, [tester, _], form = test
    other = make_form(campaign, title="Final survey")
    tampered = answers_for(form, **{f"q{other.questions[0].id}": "5"})
    with pytest.raises(DomainError, match="not part of this form. Nothing was saved") as refused:
        save(tester, campaign, form, tampered, submit=False)
    assert not isinstance(refused.value, AnswerErrors)
    assert stored(tester, form) is None
    assert stored(tester, other) is None


def test_a_field_that_is_no_question_at_all_is_refused_whole(test):
    campaign, [tester, _], form = test
    save(tester, campaign, form, answers_for(form), submit=False)
    with pytest.raises(DomainError, match="not part of this form"):
        save(tester, campaign, form, answers_for(form, q0="1", **{field(form, "rating"): "1"}),
             submit=False)
    assert values(stored(tester, form))["rating"] == 4


def test_a_form_of_another_campaign_is_refused(test, make_test_campaign, make_form):
    campaign, [tester, _], _form = test
    other_campaign, _ = make_test_campaign(testers=0)
    other = make_form(other_campaign)
    with pytest.raises(DomainError, match="belongs to another campaign"):
        save(tester, campaign, other, answers_for(other), submit=True)
    assert count(FormResponse, FormResponse.form_id == other.id) == 0


# --- opening and due dates ------------------------------------------------------------------

def test_a_form_cannot_be_answered_before_it_opens(test):
    campaign, [tester, _], form = test
    with frozen_at(form.opens_at - MINUTE), \
            pytest.raises(DomainError, match="This form opens later"):
        save(tester, campaign, form, answers_for(form), submit=False)
    assert stored(tester, form) is None


def test_a_form_can_be_answered_from_the_moment_it_opens(test):
    campaign, [tester, _], form = test
    with frozen_at(form.opens_at):
        assert save(tester, campaign, form, answers_for(form), submit=True).submitted


def test_a_form_can_be_submitted_until_just_before_its_due_date(test):
    campaign, [tester, _], form = test
    with frozen_at(form.due_at - timedelta(seconds=1)):
        saved = save(tester, campaign, form, answers_for(form), submit=True)
    assert (saved.submitted, saved.points) == (True, feedback_points())


@pytest.mark.parametrize("after_due", [timedelta(0), MINUTE, 30 * DAY])
def test_at_or_after_the_due_date_nothing_is_sent(test, after_due):
    campaign, [tester, _], form = test
    with frozen_at(form.due_at + after_due), \
            pytest.raises(DomainError, match="due date of this form has passed"):
        save(tester, campaign, form, answers_for(form), submit=True)
    assert stored(tester, form) is None
    assert entries_of(tester) == []


def test_after_the_due_date_a_draft_stays_as_it_was(test):
    campaign, [tester, _], form = test
    save(tester, campaign, form, {field(form, "rating"): "4"}, submit=False)
    with frozen_at(form.due_at), pytest.raises(DomainError, match="has passed"):
        save(tester, campaign, form, answers_for(form, **{field(form, "rating"): "1"}),
             submit=True)
    response = stored(tester, form)
    assert (response.submitted_at, values(response)) == (None, {"rating": 4})


def test_after_the_due_date_a_submitted_response_stays_as_it_was(test):
    campaign, [tester, _], form = test
    with frozen_at(form.opens_at + DAY) as submitted_at:
        save(tester, campaign, form, answers_for(form), submit=True)
    with frozen_at(form.due_at + MINUTE), pytest.raises(DomainError, match="has passed"):
        save(tester, campaign, form, answers_for(form, **{field(form, "rating"): "1"}),
             submit=False)
    response = stored(tester, form)
    assert (response.submitted_at, values(response)["rating"]) == (submitted_at, 4)


# --- editing after submitting ---------------------------------------------------------------

def test_a_submitted_response_can_be_edited_until_the_due_date_and_stays_submitted(test):
    campaign, [tester, _], form = test
    with frozen_at(form.opens_at + DAY) as submitted_at:
        save(tester, campaign, form, answers_for(form), submit=True)
    with frozen_at(form.due_at - MINUTE):
        saved = save(tester, campaign, form, answers_for(form, **{field(form, "rating"): "2"}),
                     submit=False)
    assert saved.submitted is True
    response = stored(tester, form)
    assert (response.submitted_at, values(response)["rating"]) == (submitted_at, 2)


def test_editing_a_submitted_response_needs_every_required_answer(test):
    campaign, [tester, _], form = test
    save(tester, campaign, form, answers_for(form), submit=True)
    raw = answers_for(form)
    del raw[field(form, "yes_no")]
    with pytest.raises(AnswerErrors) as refused:
        save(tester, campaign, form, raw, submit=False)
    assert list(refused.value.errors) == [field(form, "yes_no")]
    assert values(stored(tester, form))["yes_no"] == "yes"


def test_a_draft_can_be_submitted_later(test):
    campaign, [tester, _], form = test
    first = save(tester, campaign, form, {field(form, "rating"): "3"}, submit=False)
    second = save(tester, campaign, form, answers_for(form, **{field(form, "rating"): "3"}),
                  submit=True)
    assert second.response.id == first.response.id
    assert (second.submitted, second.points) == (True, feedback_points())
    assert stored(tester, form).submitted_at is not None


# --- points ---------------------------------------------------------------------------------

def test_the_first_submission_pays_the_on_time_points_once(test):
    campaign, [tester, _], form = test
    before = tester.reputation
    saved = save(tester, campaign, form, answers_for(form), submit=True)
    assert saved.points == feedback_points() > 0
    [entry] = entries_of(tester)
    assert (entry.reason, entry.key, entry.amount) == (
        rules.FEEDBACK_ON_TIME, f"feedback-on-time:{saved.response.id}", feedback_points())
    assert (entry.source_kind, entry.source_id) == ("feedback_response", str(saved.response.id))
    db.session.refresh(tester)
    assert tester.reputation == before + feedback_points()


def test_editing_or_submitting_again_pays_nothing_more(test):
    campaign, [tester, _], form = test
    save(tester, campaign, form, answers_for(form), submit=True)
    again = save(tester, campaign, form, answers_for(form, **{field(form, "nps"): "3"}),
                 submit=True)
    edited = save(tester, campaign, form, answers_for(form), submit=False)
    assert (again.points, edited.points) == (0, 0)
    assert count(LedgerEntry, LedgerEntry.member_id == tester.id) == 1


def test_a_draft_pays_nothing(test):
    campaign, [tester, _], form = test
    assert save(tester, campaign, form, answers_for(form), submit=False).points == 0
    assert entries_of(tester) == []


def test_each_form_pays_its_own_points(test, make_form):
    campaign, [tester, _], form = test
    other = make_form(campaign, title="Final survey")
    save(tester, campaign, form, answers_for(form), submit=True)
    save(tester, campaign, other, answers_for(other), submit=True)
    assert sorted(e.key for e in entries_of(tester)) == sorted(
        f"feedback-on-time:{r.id}" for r in responses.responses_of(
            tester.id, [form.id, other.id]).values())


# --- who may answer -------------------------------------------------------------------------

def test_a_member_without_an_application_is_not_a_tester(test, make_member):
    campaign, _testers, _form = test
    with pytest.raises(access.NotATester, match="Only the confirmed testers"):
        access.participation(make_member().id, campaign)


@pytest.mark.parametrize("status", [SUBMITTED, NOT_SELECTED, "selected", "dropped"])
def test_an_applicant_who_is_not_confirmed_is_not_a_tester(test, make_member, status):
    campaign, _testers, _form = test
    member = make_member()
    db.session.add(Application(campaign_id=campaign.id, member_id=member.id, status=status,
                               answers={}))
    db.session.flush()
    with pytest.raises(access.NotATester):
        access.participation(member.id, campaign)


def test_a_tester_of_another_campaign_is_not_a_tester_here(test, make_test_campaign):
    campaign, _testers, _form = test
    _other, [stranger] = make_test_campaign(testers=1)
    with pytest.raises(access.NotATester):
        access.participation(stranger.id, campaign)


def test_a_tester_can_still_answer_while_the_campaign_is_in_evaluation(test):
    campaign, [tester, _], form = test
    lifecycle.advance(campaign.created_by, campaign)
    assert campaign.state == EVALUATION
    assert save(tester, campaign, form, answers_for(form), submit=True).submitted


def test_a_tester_of_a_closed_campaign_can_only_read(test):
    campaign, [tester, _], form = test
    save(tester, campaign, form, {field(form, "rating"): "4"}, submit=False)
    while campaign.state != CLOSED:
        lifecycle.advance(campaign.created_by, campaign)
    participation = participation_of(tester, campaign)
    assert participation.can_write is False
    with pytest.raises(DomainError, match="The test has ended"):
        responses.save(participation, form, answers_for(form), submit=True)
    response = stored(tester, form)
    assert (response.submitted_at, values(response)) == (None, {"rating": 4})


# --- one response per tester and form -------------------------------------------------------

def test_saving_again_updates_the_same_response(test):
    campaign, [tester, _], form = test
    first = save(tester, campaign, form, {field(form, "rating"): "1"}, submit=False)
    second = save(tester, campaign, form, {field(form, "rating"): "5"}, submit=False)
    assert second.response.id == first.response.id
    assert count(FormResponse, FormResponse.form_id == form.id) == 1
    assert values(stored(tester, form)) == {"rating": 5}


def test_answers_of_one_tester_never_reach_another_testers_response(test):
    campaign, [alice, bob], form = test
    save(alice, campaign, form, answers_for(form, **{field(form, "rating"): "5",
                                                     field(form, "long_text"): "Alice's"}),
         submit=True)
    save(bob, campaign, form, {field(form, "rating"): "1"}, submit=False)
    alices, bobs = stored(alice, form), stored(bob, form)
    assert alices.id != bobs.id
    assert (values(alices)["rating"], values(alices)["long_text"]) == (5, "Alice's")
    assert values(bobs) == {"rating": 1}
    assert bobs.submitted_at is None
    assert responses.responses_of(bob.id, [form.id]) == {form.id: bobs}
    assert responses.responses_of(alice.id, [form.id]) == {form.id: alices}


def test_responses_of_gives_the_members_response_per_form(test, make_form):
    campaign, [tester, _], form = test
    unanswered = make_form(campaign, title="Final survey")
    saved = save(tester, campaign, form, {}, submit=False)
    assert responses.responses_of(tester.id, [form.id, unanswered.id]) == {
        form.id: saved.response}
    assert responses.responses_of(tester.id, []) == {}


def test_form_in_finds_only_a_form_of_that_campaign(test, make_test_campaign):
    campaign, _testers, form = test
    other_campaign, _ = make_test_campaign(testers=0)
    assert responses.form_in(campaign.id, form.id) is form
    assert responses.form_in(other_campaign.id, form.id) is None
    assert responses.form_in(campaign.id, 987654) is None


# --- the state of a form for a tester -------------------------------------------------------

def _response(submitted_at=None) -> FormResponse:
    return FormResponse(answers={}, submitted_at=submitted_at)


@pytest.mark.parametrize("moment,response,state", [
    ("before opening", None, NOT_OPEN),
    ("at opening", None, OPEN),
    ("while open", None, OPEN),
    ("while open", "draft", DRAFT),
    ("while open", "submitted", FORM_SUBMITTED),
    ("at due date", None, MISSED),
    ("at due date", "draft", MISSED),
    ("after due date", "draft", MISSED),
    ("after due date", "submitted", FORM_SUBMITTED),
])
def test_form_state(moment, response, state):
    opens = utcnow()
    form = FeedbackForm(title="Week one", opens_at=opens, due_at=opens + 7 * DAY)
    now = {"before opening": opens - MINUTE, "at opening": opens, "while open": opens + DAY,
           "at due date": form.due_at, "after due date": form.due_at + DAY}[moment]
    given = {None: None, "draft": _response(), "submitted": _response(opens + DAY)}[response]
    assert responses.form_state(form, given, now) == state


def test_every_form_state_has_a_label():
    assert set(responses.FORM_STATE_LABELS) == {NOT_OPEN, OPEN, DRAFT, FORM_SUBMITTED, MISSED}
    assert str(responses.FORM_STATE_LABELS[MISSED]) == "missed"


# --- did the tester send every form in time? -------------------------------------------------

@pytest.fixture
def two_forms(test, make_form):
    """(campaign, tester, form due in a week, form due in two weeks)"""
    campaign, [tester, _], first = test
    final = make_form(campaign, title="Final survey", due_in=14 * DAY)
    return campaign, tester, first, final


def application_of(member, campaign) -> Application:
    return participation_of(member, campaign).application


def test_on_time_share_is_none_while_no_form_is_due(two_forms):
    campaign, tester, first, _final = two_forms
    with frozen_at(first.due_at - MINUTE):
        assert responses.on_time_share(application_of(tester, campaign)) is None


def test_on_time_share_is_true_when_every_due_form_was_submitted(two_forms):
    campaign, tester, first, final = two_forms
    save(tester, campaign, first, answers_for(first), submit=True)
    with frozen_at(first.due_at):
        assert responses.on_time_share(application_of(tester, campaign)) is True
    save(tester, campaign, final, answers_for(final), submit=True)
    with frozen_at(final.due_at + DAY):
        assert responses.on_time_share(application_of(tester, campaign)) is True


def test_on_time_share_is_false_when_a_due_form_was_missed(two_forms):
    campaign, tester, first, final = two_forms
    save(tester, campaign, first, answers_for(first), submit=True)
    save(tester, campaign, final, answers_for(final), submit=False)  # a draft is not sent
    with frozen_at(final.due_at):
        assert responses.on_time_share(application_of(tester, campaign)) is False


def test_forms_of_other_testers_and_campaigns_do_not_count(test, two_forms,
                                                           make_test_campaign, make_form):
    campaign, tester, first, _final = two_forms
    _campaign, [_tester, colleague], _form = test
    other_campaign, _ = make_test_campaign(testers=[tester])
    make_form(other_campaign, due_in=DAY)  # missed there, but that is another test
    save(tester, campaign, first, answers_for(first), submit=True)
    with frozen_at(first.due_at + DAY):
        assert responses.on_time_share(application_of(tester, campaign)) is True
        # the colleague missed it
        assert responses.on_time_share(application_of(colleague, campaign)) is False


def finish(member, campaign, **kw):
    kw = {"completed": True} | kw
    return selection.finish_test(campaign.created_by, application_of(member, campaign).id,
                                 campaign, **kw)


def test_finishing_a_test_records_that_every_due_form_came_in_on_time(two_forms):
    campaign, tester, first, final = two_forms
    save(tester, campaign, first, answers_for(first), submit=True)
    save(tester, campaign, final, answers_for(final), submit=True)
    with frozen_at(final.due_at + DAY):
        application = finish(tester, campaign)
    assert (application.status, application.feedback_on_time) == ("completed", True)


def test_finishing_a_test_records_a_missed_form(two_forms):
    campaign, tester, first, final = two_forms
    save(tester, campaign, final, answers_for(final), submit=True)
    with frozen_at(first.due_at + DAY):
        application = finish(tester, campaign)
    assert application.feedback_on_time is False


def test_finishing_a_test_before_any_form_was_due_records_nothing(two_forms):
    campaign, tester, first, _final = two_forms
    save(tester, campaign, first, answers_for(first), submit=True)
    with frozen_at(first.due_at - MINUTE):
        application = finish(tester, campaign)
    assert application.feedback_on_time is None


def test_finishing_a_test_without_any_form_records_nothing(make_test_campaign):
    campaign, [tester] = make_test_campaign(testers=1)
    assert campaign.state == TESTING
    assert finish(tester, campaign).feedback_on_time is None


def test_a_dropped_tester_gets_the_record_too(two_forms):
    campaign, tester, first, _final = two_forms
    with frozen_at(first.due_at + DAY):
        application = finish(tester, campaign, completed=False, reason="Moved abroad")
    assert (application.status, application.feedback_on_time) == ("dropped", False)
