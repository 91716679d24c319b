"""The staff builder: feedback forms with their questions, and tasks, per campaign.

Once a tester has submitted a form, its questions keep their kind and options (the
stored answers must stay comparable) and none are added or removed; wording may change.
A closed or cancelled campaign keeps its forms and tasks as they are.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from lab.campaigns import lifecycle
from lab.campaigns.models import CANCELLED, CLOSED, EVALUATION, TESTING
from lab.core.clock import utcnow
from lab.core.errors import DomainError
from lab.extensions import db
from lab.feedback import builder, responses
from lab.feedback.models import FORM_QUESTION_KINDS, FeedbackForm, FormQuestion, Task
from tests.feedback.conftest import EVERY_KIND, answers_for, participation_of, submit_form
from tests.rewards.helpers import audited, count

pytestmark = pytest.mark.usefixtures("english")

DAY = timedelta(days=1)


@pytest.fixture
def campaign(make_test_campaign):
    campaign, _testers = make_test_campaign(testers=1)
    return campaign


@pytest.fixture
def answered(make_test_campaign, make_form):
    """(campaign, form with every kind of question, the response a tester submitted)"""
    campaign, [tester] = make_test_campaign(testers=1)
    form = make_form(campaign)
    saved = submit_form(tester, campaign, form)
    return campaign, form, saved.response


def new_form(campaign, **fields):
    now = utcnow()
    values = {"title": "Final survey", "intro": None, "opens_at": now,
              "due_at": now + 7 * DAY} | fields
    return builder.save_form(campaign.created_by, campaign, **values)


def ask(form, question=None, **fields):
    """Add (or, given ``question``, change) a question as the campaign's creator."""
    values = {"kind": "short_text", "label": "Which firmware do you run?", "help_text": None,
              "required": True, "options": []} | fields
    return builder.save_question(form.campaign.created_by, form, question, **values)


def new_task(campaign, **fields):
    values = {"title": "Set up the router", "description": None,
              "due_at": utcnow() + 3 * DAY, "form_id": None} | fields
    return builder.save_task(campaign.created_by, campaign, **values)


def question_of(form, kind) -> FormQuestion:
    return next(q for q in form.questions if q.kind == kind)


def close(campaign) -> None:
    """Move a campaign in testing on to evaluation and closed, as staff do."""
    while campaign.state != CLOSED:
        lifecycle.advance(campaign.created_by, campaign)


# --- forms ---------------------------------------------------------------------------------

def test_a_form_can_ask_every_kind_of_question(make_form, campaign):
    form = make_form(campaign, EVERY_KIND)
    assert [q.kind for q in form.questions] == list(FORM_QUESTION_KINDS)
    assert [q.position for q in form.questions] == list(range(1, len(FORM_QUESTION_KINDS) + 1))
    assert question_of(form, "single").options == ["Flat", "House", "Office"]
    assert question_of(form, "multiple").options == ["WiFi", "LAN", "Mesh"]
    assert question_of(form, "short_text").required is False
    assert question_of(form, "rating").required is True


@pytest.mark.parametrize("kind", FORM_QUESTION_KINDS)
def test_each_kind_keeps_options_only_for_choices(campaign, kind):
    question = ask(new_form(campaign), kind=kind, options=["Indoors", "Outdoors"])
    assert question.kind == kind
    assert question.options == (["Indoors", "Outdoors"] if kind in ("single", "multiple")
                                else [])


def test_a_form_keeps_its_cleaned_title_intro_and_dates(campaign):
    opens, due = utcnow() + DAY, utcnow() + 8 * DAY
    form = new_form(campaign, title="  Week one  ", intro="  How was the setup?  ",
                    opens_at=opens, due_at=due)
    assert (form.title, form.intro, form.opens_at, form.due_at) == (
        "Week one", "How was the setup?", opens, due)
    assert form.campaign_id == campaign.id
    assert builder.forms_of(campaign.id) == [form]


def test_an_empty_intro_is_stored_as_none(campaign):
    assert new_form(campaign, intro="   ").intro is None


def test_a_campaign_can_have_several_forms_listed_by_opening_date(campaign):
    final = new_form(campaign, title="Final survey", opens_at=utcnow() + 20 * DAY,
                     due_at=utcnow() + 27 * DAY)
    first = new_form(campaign, title="First impressions", opens_at=utcnow(),
                     due_at=utcnow() + 7 * DAY)
    assert builder.forms_of(campaign.id) == [first, final]


def test_a_form_needs_a_title(campaign):
    with pytest.raises(DomainError, match="Please give the form a title") as refused:
        new_form(campaign, title="   ")
    assert refused.value.field == "title"
    assert count(FeedbackForm, FeedbackForm.campaign_id == campaign.id) == 0


@pytest.mark.parametrize("missing", ["opens_at", "due_at"])
def test_a_form_needs_both_dates(campaign, missing):
    with pytest.raises(DomainError, match="Please give a date") as refused:
        new_form(campaign, **{missing: None})
    assert refused.value.field == missing


@pytest.mark.parametrize("due_after_opening", [timedelta(0), -timedelta(minutes=1), -DAY])
def test_a_due_date_not_after_the_opening_is_refused(campaign, due_after_opening):
    opens = utcnow() + DAY
    with pytest.raises(DomainError, match="due date must be after the opening") as refused:
        new_form(campaign, opens_at=opens, due_at=opens + due_after_opening)
    assert refused.value.field == "due_at"
    assert count(FeedbackForm, FeedbackForm.campaign_id == campaign.id) == 0


def test_a_form_can_be_changed(campaign):
    form = new_form(campaign)
    later = utcnow() + 14 * DAY
    changed = builder.save_form(campaign.created_by, campaign, form, title="Renamed",
                                intro="New intro", opens_at=form.opens_at, due_at=later)
    assert changed is form
    assert (form.title, form.intro, form.due_at) == ("Renamed", "New intro", later)
    assert count(FeedbackForm, FeedbackForm.campaign_id == campaign.id) == 1


def test_saving_a_form_is_audited(campaign):
    form = new_form(campaign, title="Week one")
    [entry] = audited(builder.FORM_SAVED, "feedback_form", form.id)
    assert entry.actor_id == campaign.created_by.id
    assert entry.details == {"title": "Week one"}


def test_a_form_without_answers_can_be_deleted_and_that_is_audited(campaign):
    form = new_form(campaign)
    ask(form)
    builder.delete_form(campaign.created_by, campaign, form)
    assert builder.forms_of(campaign.id) == []
    assert count(FormQuestion, FormQuestion.form_id == form.id) == 0
    [entry] = audited(builder.FORM_DELETED, "feedback_form", form.id)
    assert entry.details == {"title": form.title}


def test_a_form_with_only_a_draft_can_still_be_deleted(make_test_campaign, make_form):
    campaign, [tester] = make_test_campaign(testers=1)
    form = make_form(campaign)
    responses.save(participation_of(tester, campaign), form, {}, submit=False)
    builder.delete_form(campaign.created_by, campaign, form)
    assert builder.forms_of(campaign.id) == []


# --- questions -----------------------------------------------------------------------------

def test_a_question_keeps_its_cleaned_texts(campaign):
    question = ask(new_form(campaign), label="  Which router?  ", help_text="  On the label  ",
                   required=False)
    assert (question.label, question.help_text, question.required) == (
        "Which router?", "On the label", False)


@pytest.mark.parametrize("kind", ["single", "multiple"])
@pytest.mark.parametrize("options", [[], ["Only one"], ["Same", " Same ", " "]])
def test_a_choice_needs_at_least_two_different_options(campaign, kind, options):
    form = new_form(campaign)
    with pytest.raises(DomainError, match="between 2 and 20 different options") as refused:
        ask(form, kind=kind, options=options)
    assert refused.value.field == "options"
    assert count(FormQuestion, FormQuestion.form_id == form.id) == 0


def test_choice_options_are_trimmed_and_deduplicated(campaign):
    question = ask(new_form(campaign), kind="single", options=[" Flat ", "House", "Flat", ""])
    assert question.options == ["Flat", "House"]


@pytest.mark.parametrize("fields,field", [({"kind": "essay"}, "kind"),
                                          ({"kind": "date"}, "kind"),
                                          ({"label": "  "}, "label")])
def test_an_unknown_kind_or_an_empty_question_is_refused(campaign, fields, field):
    with pytest.raises(DomainError) as refused:
        ask(new_form(campaign), **fields)
    assert refused.value.field == field


def test_a_form_holds_at_most_40_questions(campaign):
    form = new_form(campaign)
    for number in range(builder.MAX_FORM_QUESTIONS):
        ask(form, label=f"Question {number + 1}")
    assert builder.MAX_FORM_QUESTIONS == 40
    with pytest.raises(DomainError, match="at most 40 questions"):
        ask(form, label="One too many")
    assert count(FormQuestion, FormQuestion.form_id == form.id) == 40
    assert [q.position for q in form.questions] == list(range(1, 41))


def test_questions_can_be_reordered(campaign):
    form = new_form(campaign)
    first, second, third = (ask(form, label=label) for label in ("One", "Two", "Three"))
    actor = campaign.created_by

    assert builder.move_question(actor, form, third, -1) is True
    assert [q.label for q in sorted(form.questions, key=lambda q: q.position)] == [
        "One", "Three", "Two"]
    assert builder.move_question(actor, form, first, +1) is True
    assert (first.position, second.position, third.position) == (2, 3, 1)


def test_the_first_question_cannot_move_up_nor_the_last_down(campaign):
    form = new_form(campaign)
    first, last = ask(form, label="One"), ask(form, label="Two")
    assert builder.move_question(campaign.created_by, form, first, -1) is False
    assert builder.move_question(campaign.created_by, form, last, +1) is False
    assert (first.position, last.position) == (1, 2)


def test_deleting_a_question_renumbers_the_rest(campaign):
    form = new_form(campaign)
    one, two, three = (ask(form, label=label) for label in ("One", "Two", "Three"))
    builder.delete_question(campaign.created_by, form, two)
    assert [(q.label, q.position) for q in form.questions] == [("One", 1), ("Three", 2)]
    assert count(FormQuestion, FormQuestion.id == two.id) == 0
    [entry] = [e for e in audited(builder.FORM_SAVED, "feedback_form", form.id)
               if "deleted_question" in e.details]
    assert entry.details == {"deleted_question": two.id}


def test_adding_and_changing_questions_is_audited(campaign):
    form = new_form(campaign)
    question = ask(form)
    ask(form, question, label="Reworded")
    entries = audited(builder.FORM_SAVED, "feedback_form", form.id)
    assert [e.details for e in entries] == [{"title": "Final survey"},
                                            {"question": question.id},
                                            {"question": question.id}]


# --- once testers have submitted answers ----------------------------------------------------

def test_after_a_submission_questions_can_be_reworded(answered):
    _campaign, form, _response = answered
    rating = question_of(form, "rating")
    single = question_of(form, "single")
    ask(form, rating, kind="rating", label="How easy was the setup?", help_text="1 = hard",
        required=False)
    ask(form, single, kind="single", label="Where?", options=[" Flat", "House", "Office "])
    assert (rating.label, rating.help_text, rating.required) == (
        "How easy was the setup?", "1 = hard", False)
    assert (single.label, single.options) == ("Where?", ["Flat", "House", "Office"])


def test_after_a_submission_the_kind_of_a_question_cannot_change(answered):
    _campaign, form, _response = answered
    rating = question_of(form, "rating")
    with pytest.raises(DomainError, match="kind and the options") as refused:
        ask(form, rating, kind="nps", label=rating.label)
    assert refused.value.field == "kind"
    assert rating.kind == "rating"


@pytest.mark.parametrize("options", [["Flat", "House"], ["Flat", "House", "Office", "Car"],
                                     ["House", "Flat", "Office"], ["Flat", "House", "Shop"]])
def test_after_a_submission_the_options_of_a_choice_cannot_change(answered, options):
    _campaign, form, _response = answered
    single = question_of(form, "single")
    with pytest.raises(DomainError, match="kind and the options"):
        ask(form, single, kind="single", label=single.label, options=options)
    assert single.options == ["Flat", "House", "Office"]


def test_after_a_submission_no_question_can_be_added(answered):
    _campaign, form, _response = answered
    with pytest.raises(DomainError, match="not added or removed"):
        ask(form, label="One more thing")
    assert len(form.questions) == len(EVERY_KIND)
    assert count(FormQuestion, FormQuestion.form_id == form.id) == len(EVERY_KIND)


def test_after_a_submission_no_question_can_be_deleted(answered):
    campaign, form, _response = answered
    with pytest.raises(DomainError, match="not added or removed"):
        builder.delete_question(campaign.created_by, form, form.questions[0])
    assert count(FormQuestion, FormQuestion.form_id == form.id) == len(EVERY_KIND)


def test_after_a_submission_the_form_cannot_be_deleted(answered):
    campaign, form, _response = answered
    with pytest.raises(DomainError, match="already answered this form"):
        builder.delete_form(campaign.created_by, campaign, form)
    assert builder.forms_of(campaign.id) == [form]


def test_after_a_submission_the_form_dates_and_order_may_still_change(answered):
    campaign, form, _response = answered
    later = form.due_at + 7 * DAY
    builder.save_form(campaign.created_by, campaign, form, title="Week one, extended",
                      intro=None, opens_at=form.opens_at, due_at=later)
    assert builder.move_question(campaign.created_by, form, form.questions[1], -1) is True
    assert (form.title, form.due_at) == ("Week one, extended", later)


def test_a_draft_does_not_lock_the_questions(make_test_campaign, make_form):
    campaign, [tester] = make_test_campaign(testers=1)
    form = make_form(campaign)
    responses.save(participation_of(tester, campaign), form, answers_for(form), submit=False)
    assert builder.has_answers(form) is False
    ask(form, label="Added after a draft")
    rating = question_of(form, "rating")
    ask(form, rating, kind="nps", label="Changed kind")
    assert rating.kind == "nps"


def test_has_answers_says_whether_a_response_was_submitted(answered, make_form):
    campaign, form, _response = answered
    assert builder.has_answers(form) is True
    assert builder.has_answers(make_form(campaign, title="Final survey")) is False


# --- another campaign's or another form's objects -----------------------------------------

def test_a_question_of_another_form_cannot_be_changed_through_this_one(campaign, make_form,
                                                                       make_test_campaign):
    form = new_form(campaign)
    other_campaign, _ = make_test_campaign(testers=0)
    stranger = make_form(other_campaign).questions[0]
    with pytest.raises(DomainError, match="belongs to another form"):
        ask(form, stranger, kind=stranger.kind, label="Hijacked")
    assert stranger.label != "Hijacked"


def test_a_question_of_another_form_cannot_be_deleted_or_moved_through_this_one(
        campaign, make_form, make_test_campaign):
    form = new_form(campaign)
    ask(form)
    other_campaign, _ = make_test_campaign(testers=0)
    other = make_form(other_campaign)
    stranger = other.questions[1]
    with pytest.raises(DomainError, match="belongs to another form"):
        builder.delete_question(campaign.created_by, form, stranger)
    with pytest.raises(DomainError, match="belongs to another form"):
        builder.move_question(campaign.created_by, form, stranger, -1)
    assert count(FormQuestion, FormQuestion.form_id == other.id) == len(EVERY_KIND)
    assert stranger.position == 2


def test_a_form_of_another_campaign_cannot_be_changed_or_deleted(campaign, make_form,
                                                                 make_test_campaign):
    other_campaign, _ = make_test_campaign(testers=0)
    other = make_form(other_campaign, title="Theirs")
    with pytest.raises(DomainError, match="belongs to another campaign"):
        builder.save_form(campaign.created_by, campaign, other, title="Ours", intro=None,
                          opens_at=other.opens_at, due_at=other.due_at)
    with pytest.raises(DomainError, match="belongs to another campaign"):
        builder.delete_form(campaign.created_by, campaign, other)
    assert builder.forms_of(other_campaign.id) == [other]
    assert builder.forms_of(campaign.id) == []


# --- tasks ---------------------------------------------------------------------------------

def test_a_task_without_a_form(campaign):
    due = utcnow() + 3 * DAY
    task = new_task(campaign, title="  Set up the router  ", description="  At home.  ",
                    due_at=due)
    assert (task.title, task.description, task.due_at, task.form_id, task.campaign_id) == (
        "Set up the router", "At home.", due, None, campaign.id)
    assert builder.tasks_of(campaign.id) == [task]


def test_a_task_with_a_form_of_its_campaign(campaign, make_form):
    form = make_form(campaign)
    task = new_task(campaign, title="Fill in the first impressions", form_id=form.id)
    assert (task.form_id, task.form) == (form.id, form)


def test_a_task_with_a_form_of_another_campaign_is_refused(campaign, make_form,
                                                          make_test_campaign):
    other_campaign, _ = make_test_campaign(testers=0)
    other = make_form(other_campaign)
    with pytest.raises(DomainError, match="choose a form of this campaign") as refused:
        new_task(campaign, form_id=other.id)
    assert refused.value.field == "form_id"
    assert count(Task, Task.campaign_id == campaign.id) == 0


def test_a_task_with_a_form_that_does_not_exist_is_refused(campaign):
    with pytest.raises(DomainError, match="choose a form of this campaign"):
        new_task(campaign, form_id=987654)


def test_a_task_cannot_be_moved_to_a_form_of_another_campaign(campaign, make_form,
                                                             make_test_campaign):
    task = new_task(campaign)
    other = make_form(make_test_campaign(testers=0)[0])
    with pytest.raises(DomainError, match="choose a form of this campaign"):
        builder.save_task(campaign.created_by, campaign, task, title=task.title,
                          description=None, due_at=task.due_at, form_id=other.id)
    assert task.form_id is None


@pytest.mark.parametrize("fields,field,message", [
    ({"title": " "}, "title", "Please give the task a title"),
    ({"due_at": None}, "due_at", "Please give a date"),
])
def test_a_task_needs_a_title_and_a_due_date(campaign, fields, field, message):
    with pytest.raises(DomainError, match=message) as refused:
        new_task(campaign, **fields)
    assert refused.value.field == field


def test_tasks_are_listed_by_due_date(campaign):
    later = new_task(campaign, title="Final survey", due_at=utcnow() + 20 * DAY)
    sooner = new_task(campaign, title="Set up", due_at=utcnow() + 2 * DAY)
    assert builder.tasks_of(campaign.id) == [sooner, later]
    assert (later.position, sooner.position) == (1, 2)


def test_a_task_can_be_changed_and_its_form_removed(campaign, make_form):
    form = make_form(campaign)
    task = new_task(campaign, form_id=form.id)
    due = utcnow() + 5 * DAY
    builder.save_task(campaign.created_by, campaign, task, title="Test the mesh",
                      description="Upstairs too.", due_at=due, form_id=None)
    assert (task.title, task.description, task.due_at, task.form_id) == (
        "Test the mesh", "Upstairs too.", due, None)
    assert count(Task, Task.campaign_id == campaign.id) == 1


def test_a_task_of_another_campaign_cannot_be_changed_or_deleted(campaign,
                                                                make_test_campaign):
    other_campaign, _ = make_test_campaign(testers=0)
    other = new_task(other_campaign, title="Theirs")
    with pytest.raises(DomainError, match="belongs to another campaign"):
        builder.save_task(campaign.created_by, campaign, other, title="Ours",
                          description=None, due_at=other.due_at, form_id=None)
    with pytest.raises(DomainError, match="belongs to another campaign"):
        builder.delete_task(campaign.created_by, campaign, other)
    assert (other.title, builder.tasks_of(other_campaign.id)) == ("Theirs", [other])


def test_saving_and_deleting_a_task_is_audited(campaign):
    task = new_task(campaign, title="Set up the router")
    task_id = task.id
    builder.delete_task(campaign.created_by, campaign, task)
    assert builder.tasks_of(campaign.id) == []
    [saved] = audited(builder.TASK_SAVED, "test_task", task_id)
    [deleted] = audited(builder.TASK_DELETED, "test_task", task_id)
    assert saved.actor_id == deleted.actor_id == campaign.created_by.id
    assert saved.details == deleted.details == {"title": "Set up the router"}


def test_deleting_a_form_leaves_its_task_without_a_form(campaign, make_form):
    form = make_form(campaign)
    task = new_task(campaign, form_id=form.id)
    builder.delete_form(campaign.created_by, campaign, form)
    db.session.flush()
    db.session.expire(task)
    assert task.form_id is None
    assert builder.tasks_of(campaign.id) == [task]


# --- a campaign that is over ----------------------------------------------------------------

@pytest.fixture
def closed(make_test_campaign, make_form):
    """(campaign closed after its test, its form without answers, its task)"""
    campaign, _testers = make_test_campaign(testers=1)
    form = make_form(campaign)
    task = new_task(campaign, form_id=form.id)
    close(campaign)
    return campaign, form, task


OVER = "This campaign is over"


def test_a_closed_campaign_gets_no_new_forms_or_tasks(closed):
    campaign, _form, _task = closed
    with pytest.raises(DomainError, match=OVER):
        new_form(campaign)
    with pytest.raises(DomainError, match=OVER):
        new_task(campaign)
    assert count(FeedbackForm, FeedbackForm.campaign_id == campaign.id) == 1
    assert count(Task, Task.campaign_id == campaign.id) == 1


def test_a_closed_campaign_keeps_its_forms_as_they_are(closed):
    campaign, form, _task = closed
    question = form.questions[0]
    with pytest.raises(DomainError, match=OVER):
        builder.save_form(campaign.created_by, campaign, form, title="Changed", intro=None,
                          opens_at=form.opens_at, due_at=form.due_at)
    with pytest.raises(DomainError, match=OVER):
        ask(form, label="Added late")
    with pytest.raises(DomainError, match=OVER):
        ask(form, question, kind=question.kind, label="Reworded late")
    with pytest.raises(DomainError, match=OVER):
        builder.delete_question(campaign.created_by, form, question)
    with pytest.raises(DomainError, match=OVER):
        builder.move_question(campaign.created_by, form, form.questions[1], -1)
    with pytest.raises(DomainError, match=OVER):
        builder.delete_form(campaign.created_by, campaign, form)
    assert form.title == "First impressions"
    assert [q.label for q in form.questions] == [q["label"] for q in EVERY_KIND]
    assert count(FormQuestion, FormQuestion.form_id == form.id) == len(EVERY_KIND)


def test_a_closed_campaign_keeps_its_tasks_as_they_are(closed):
    campaign, _form, task = closed
    with pytest.raises(DomainError, match=OVER):
        builder.save_task(campaign.created_by, campaign, task, title="Changed",
                          description=None, due_at=task.due_at, form_id=None)
    with pytest.raises(DomainError, match=OVER):
        builder.delete_task(campaign.created_by, campaign, task)
    assert (task.title, builder.tasks_of(campaign.id)) == ("Set up the router", [task])


def test_a_cancelled_campaign_gets_no_forms(make_campaign):
    campaign = make_campaign(CANCELLED)
    with pytest.raises(DomainError, match=OVER):
        new_form(campaign)
    with pytest.raises(DomainError, match=OVER):
        new_task(campaign)


@pytest.mark.parametrize("state", ["draft", "recruiting", TESTING, EVALUATION])
def test_forms_and_tasks_can_be_built_before_and_during_the_test(make_campaign, state):
    campaign = make_campaign(state)
    form = new_form(campaign)
    ask(form)
    new_task(campaign, form_id=form.id)
    assert builder.forms_of(campaign.id) == [form]
    assert len(builder.tasks_of(campaign.id)) == 1
