"""A tester's tasks: to do, due soon (within 48 hours), overdue or done; ticked off by
hand, or, for a task with a form, done when the form is submitted."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lab.campaigns import lifecycle
from lab.campaigns.models import CLOSED, EVALUATION
from lab.core.clock import frozen_at
from lab.core.errors import DomainError
from lab.feedback import responses, tasks
from lab.feedback.models import TaskDone
from lab.feedback.tasks import DONE, DUE_SOON_STATE, OVERDUE, TO_DO
from tests.feedback.conftest import answers_for, participation_of, submit_form
from tests.rewards.helpers import count

pytestmark = pytest.mark.usefixtures("english")

SECOND, HOUR, DAY = timedelta(seconds=1), timedelta(hours=1), timedelta(days=1)


@pytest.fixture
def test(make_test_campaign, make_task):
    """(campaign in testing, [two confirmed testers], a task without a form due in 3 days)"""
    campaign, testers = make_test_campaign(testers=2)
    return campaign, testers, make_task(campaign)


def state(member, task, now) -> str:
    [task_state] = tasks.states_for(member.id, [task], now)
    return task_state.state


def done(member, campaign, task, on=True) -> None:
    tasks.mark_done(participation_of(member, campaign), task, on)


# --- the states -----------------------------------------------------------------------------

@pytest.mark.parametrize("before_due,expected", [
    (30 * DAY, TO_DO),
    (48 * HOUR + SECOND, TO_DO),
    (48 * HOUR, DUE_SOON_STATE),
    (HOUR, DUE_SOON_STATE),
    (SECOND, DUE_SOON_STATE),
    (timedelta(0), OVERDUE),
    (-DAY, OVERDUE),
])
def test_an_open_task_is_todo_then_due_soon_within_48_hours_then_overdue(test, before_due,
                                                                         expected):
    _campaign, [tester, _], task = test
    assert state(tester, task, task.due_at - before_due) == expected


def test_a_ticked_off_task_is_done_with_the_time_it_was_done(test):
    campaign, [tester, _], task = test
    with frozen_at(task.due_at - DAY) as ticked:
        done(tester, campaign, task)
    [task_state] = tasks.states_for(tester.id, [task], task.due_at - HOUR)
    assert (task_state.task, task_state.state, task_state.done_at) == (task, DONE, ticked)


def test_a_done_task_stays_done_after_its_due_date(test):
    campaign, [tester, _], task = test
    done(tester, campaign, task)
    assert state(tester, task, task.due_at + 10 * DAY) == DONE


def test_a_task_can_be_done_after_its_due_date(test):
    campaign, [tester, _], task = test
    with frozen_at(task.due_at + DAY):
        done(tester, campaign, task)
        assert state(tester, task, task.due_at + DAY) == DONE


def test_an_open_task_has_no_done_time(test):
    _campaign, [tester, _], task = test
    [task_state] = tasks.states_for(tester.id, [task], task.due_at - DAY)
    assert task_state.done_at is None


def test_states_are_given_for_each_task_in_the_order_asked(test, make_task):
    campaign, [tester, _], setup = test
    mesh = make_task(campaign, "Test the mesh", due_in=10 * DAY)
    late = make_task(campaign, "Read the manual", due_in=-DAY)
    done(tester, campaign, setup)
    now = setup.due_at - DAY
    assert [(s.task, s.state) for s in tasks.states_for(tester.id, [mesh, setup, late], now)] \
        == [(mesh, TO_DO), (setup, DONE), (late, OVERDUE)]
    assert tasks.states_for(tester.id, [], now) == []


def test_every_task_state_has_a_label():
    assert set(tasks.TASK_STATE_LABELS) == {TO_DO, DUE_SOON_STATE, OVERDUE, DONE}
    assert str(tasks.TASK_STATE_LABELS[DUE_SOON_STATE]) == "due soon"


# --- ticking off and undoing ----------------------------------------------------------------

def test_mark_done_and_undo(test):
    campaign, [tester, _], task = test
    now = task.due_at - 4 * DAY
    done(tester, campaign, task)
    assert state(tester, task, now) == DONE
    done(tester, campaign, task, on=False)
    assert state(tester, task, now) == TO_DO
    assert count(TaskDone, TaskDone.task_id == task.id) == 0


def test_ticking_off_twice_keeps_one_record(test):
    campaign, [tester, _], task = test
    done(tester, campaign, task)
    done(tester, campaign, task)
    assert count(TaskDone, TaskDone.task_id == task.id, TaskDone.member_id == tester.id) == 1


def test_undoing_a_task_that_was_not_done_changes_nothing(test):
    campaign, [tester, _], task = test
    done(tester, campaign, task, on=False)
    assert count(TaskDone, TaskDone.task_id == task.id) == 0


def test_a_task_done_by_one_tester_is_still_open_for_another(test):
    campaign, [alice, bob], task = test
    done(alice, campaign, task)
    now = task.due_at - 4 * DAY
    assert (state(alice, task, now), state(bob, task, now)) == (DONE, TO_DO)


def test_undoing_is_each_testers_own(test):
    campaign, [alice, bob], task = test
    done(alice, campaign, task)
    done(bob, campaign, task)
    done(bob, campaign, task, on=False)
    now = task.due_at - 4 * DAY
    assert (state(alice, task, now), state(bob, task, now)) == (DONE, TO_DO)


def test_done_times_maps_each_task_and_tester(test, make_task):
    campaign, [alice, bob], setup = test
    mesh = make_task(campaign, "Test the mesh")
    with frozen_at(setup.due_at - DAY) as alice_at:
        done(alice, campaign, setup)
    with frozen_at(setup.due_at - HOUR) as bob_at:
        done(bob, campaign, mesh)
    assert tasks.done_times([alice.id, bob.id], [setup, mesh]) == {
        (setup.id, alice.id): alice_at, (mesh.id, bob.id): bob_at}
    assert tasks.done_times([alice.id], [setup, mesh]) == {(setup.id, alice.id): alice_at}
    assert tasks.done_times([], [setup]) == {}
    assert tasks.done_times([alice.id], []) == {}


# --- a task with a form ---------------------------------------------------------------------

@pytest.fixture
def form_task(test, make_form, make_task):
    """(campaign, testers, form, a task done by submitting that form)"""
    campaign, testers, _task = test
    form = make_form(campaign)
    return campaign, testers, form, make_task(campaign, "First impressions", form=form)


def test_a_task_with_a_form_is_done_when_its_form_is_submitted(form_task):
    campaign, [tester, _], form, task = form_task
    now = task.due_at - 4 * DAY
    assert state(tester, task, now) == TO_DO
    with frozen_at(task.due_at - DAY) as submitted_at:
        submit_form(tester, campaign, form)
    [task_state] = tasks.states_for(tester.id, [task], now)
    assert (task_state.state, task_state.done_at) == (DONE, submitted_at)


def test_a_draft_of_the_form_does_not_do_the_task(form_task):
    campaign, [tester, _], form, task = form_task
    responses.save(participation_of(tester, campaign), form, answers_for(form), submit=False)
    assert state(tester, task, task.due_at + HOUR) == OVERDUE


def test_another_testers_submission_does_not_do_the_task(form_task):
    campaign, [alice, bob], form, task = form_task
    submit_form(alice, campaign, form)
    assert state(bob, task, task.due_at - DAY) == DUE_SOON_STATE


def test_a_task_with_a_form_cannot_be_ticked_off_by_hand(form_task):
    campaign, [tester, _], _form, task = form_task
    for on in (True, False):
        with pytest.raises(DomainError, match="done when its form is submitted"):
            done(tester, campaign, task, on)
    assert count(TaskDone, TaskDone.task_id == task.id) == 0


def test_two_tasks_on_one_form_are_both_done_by_one_submission(form_task, make_task):
    campaign, [tester, _], form, task = form_task
    again = make_task(campaign, "Final check", form=form, due_in=10 * DAY)
    submit_form(tester, campaign, form)
    assert {s.state for s in tasks.states_for(tester.id, [task, again], task.due_at)} == {DONE}


# --- which tasks a tester may tick off ------------------------------------------------------

def test_a_task_of_another_campaign_is_refused(test, make_test_campaign, make_task):
    campaign, [tester, _], _task = test
    other_campaign, _ = make_test_campaign(testers=0)
    stranger = make_task(other_campaign, "Theirs")
    with pytest.raises(DomainError, match="belongs to another campaign"):
        done(tester, campaign, stranger)
    assert count(TaskDone, TaskDone.task_id == stranger.id) == 0


def test_task_in_finds_only_a_task_of_that_campaign(test, make_test_campaign):
    campaign, _testers, task = test
    other_campaign, _ = make_test_campaign(testers=0)
    assert tasks.task_in(campaign.id, task.id) is task
    assert tasks.task_in(other_campaign.id, task.id) is None
    assert tasks.task_in(campaign.id, 987654) is None


def test_tasks_can_be_ticked_off_while_the_campaign_is_in_evaluation(test):
    campaign, [tester, _], task = test
    lifecycle.advance(campaign.created_by, campaign)
    assert campaign.state == EVALUATION
    done(tester, campaign, task)
    assert state(tester, task, task.due_at) == DONE


def test_a_closed_campaign_refuses_ticking_off_and_undoing(test):
    campaign, [alice, bob], task = test
    done(alice, campaign, task)
    while campaign.state != CLOSED:
        lifecycle.advance(campaign.created_by, campaign)
    with pytest.raises(DomainError, match="The test has ended"):
        done(bob, campaign, task)
    with pytest.raises(DomainError, match="The test has ended"):
        done(alice, campaign, task, on=False)
    now = task.due_at + DAY
    assert (state(alice, task, now), state(bob, task, now)) == (DONE, OVERDUE)
