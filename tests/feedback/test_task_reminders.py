"""`flask lab reminders` for tasks: each tester who has not done a task is told once when
it is due within 48 hours and once more when it is overdue; only in campaigns being
tested (testing or evaluation), only confirmed testers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lab.campaigns import lifecycle
from lab.campaigns.models import CLOSED, EVALUATION, NOT_SELECTED, Application
from lab.core.clock import frozen_at, utcnow
from lab.extensions import db
from lab.feedback import notices, reminders, tasks
from lab.feedback.reminders import TaskReminders
from tests.feedback.conftest import participation_of, submit_form
from tests.rewards.helpers import mails_to, notifications

pytestmark = pytest.mark.usefixtures("english")

MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
DUE, LATE = notices.TASK_DUE_KIND, notices.TASK_OVERDUE_KIND


@pytest.fixture
def test(make_test_campaign, make_member, make_task):
    """(campaign in testing, [two confirmed testers reading English], a task due in 3
    days)"""
    testers = [make_member(locale="en") for _ in range(2)]
    campaign, testers = make_test_campaign(testers=testers)
    return campaign, testers, make_task(campaign, "Set up the router")


def run_at(moment) -> tuple[int, int]:
    with frozen_at(moment):
        result = reminders.run()
    db.session.flush()
    return result.due_soon, result.overdue


def told(member, kind=DUE) -> int:
    return len(notifications(member, kind))


# --- due within 48 hours --------------------------------------------------------------------

def test_a_task_due_within_48_hours_reminds_each_tester_once(test):
    _campaign, [alice, bob], task = test
    assert run_at(task.due_at - 24 * HOUR) == (2, 0)
    assert (told(alice), told(bob)) == (1, 1)
    assert run_at(task.due_at - 23 * HOUR) == (0, 0)
    assert run_at(task.due_at - MINUTE) == (0, 0)
    assert (told(alice), told(bob)) == (1, 1)


def test_no_reminder_earlier_than_48_hours_before_the_due_date(test):
    _campaign, [alice, _bob], task = test
    assert run_at(task.due_at - 48 * HOUR - MINUTE) == (0, 0)
    assert told(alice) == 0
    assert run_at(task.due_at - 48 * HOUR) == (2, 0)


def test_the_reminder_names_the_task_campaign_and_due_date_and_links_the_test_area(test):
    campaign, [alice, _bob], task = test
    run_at(task.due_at - 24 * HOUR)
    [note] = notifications(alice, DUE)
    assert note.link == f"/tests/{campaign.slug}/"
    assert note.params == {"title": "Set up the router", "campaign": campaign.title,
                           "due": task.due_at.isoformat()}


def test_the_reminder_is_also_mailed_in_the_testers_language(test):
    campaign, [alice, _bob], task = test
    run_at(task.due_at - 24 * HOUR)
    [mail] = mails_to(alice)
    assert (mail.subject, mail.kind) == ("A test task is due soon", f"notify:{DUE}")
    assert "Set up the router" in mail.body_text
    assert campaign.title in mail.body_text
    assert f"/tests/{campaign.slug}/" in mail.body_text


def test_a_tester_who_did_the_task_gets_nothing(test):
    campaign, [alice, bob], task = test
    tasks.mark_done(participation_of(alice, campaign), task)
    assert run_at(task.due_at - 24 * HOUR) == (1, 0)
    assert run_at(task.due_at + HOUR) == (0, 1)
    assert (told(alice), told(alice, LATE), mails_to(alice)) == (0, 0, [])
    assert (told(bob), told(bob, LATE)) == (1, 1)


def test_a_tester_who_submitted_the_tasks_form_gets_nothing(test, make_form, make_task):
    campaign, [alice, bob], _setup = test
    form = make_form(campaign, due_in=10 * DAY)
    task = make_task(campaign, "First impressions", form=form, due_in=5 * DAY)
    submit_form(alice, campaign, form)
    run_at(task.due_at - 24 * HOUR)
    assert (told(alice), told(bob)) == (0, 1)


def test_each_task_is_reminded_on_its_own(test, make_task):
    campaign, [alice, _bob], setup = test
    mesh = make_task(campaign, "Test the mesh", due_in=3 * DAY + 12 * HOUR)
    assert run_at(setup.due_at - 12 * HOUR) == (4, 0)  # both due within 48 h: 2 x 2
    assert sorted(n.params["title"] for n in notifications(alice, DUE)) == [
        "Set up the router", "Test the mesh"]
    assert run_at(setup.due_at + HOUR) == (0, 2)  # the router task is overdue, mesh not yet
    assert run_at(mesh.due_at) == (0, 2)


# --- overdue --------------------------------------------------------------------------------

def test_an_overdue_task_reminds_once_more_as_overdue(test):
    _campaign, [alice, bob], task = test
    assert run_at(task.due_at - 24 * HOUR) == (2, 0)
    assert run_at(task.due_at + HOUR) == (0, 2)
    assert run_at(task.due_at + 2 * DAY) == (0, 0)
    for tester in (alice, bob):
        assert (told(tester), told(tester, LATE)) == (1, 1)
        assert [m.subject for m in mails_to(tester)] == ["A test task is due soon",
                                                         "A test task is overdue"]


def test_a_task_is_overdue_from_its_due_date(test):
    _campaign, _testers, task = test
    assert run_at(task.due_at) == (0, 2)


def test_a_task_found_overdue_on_the_first_run_is_told_only_as_overdue(test):
    _campaign, [alice, _bob], task = test
    assert run_at(task.due_at + 3 * DAY) == (0, 2)
    assert (told(alice), told(alice, LATE)) == (0, 1)


def test_a_task_overdue_for_more_than_30_days_is_left_alone(test):
    _campaign, [alice, _bob], task = test
    assert run_at(task.due_at + 30 * DAY + MINUTE) == (0, 0)
    assert told(alice, LATE) == 0


def test_a_task_done_late_is_not_reminded_as_overdue(test):
    campaign, [alice, _bob], task = test
    run_at(task.due_at - 24 * HOUR)
    with frozen_at(task.due_at - MINUTE):
        tasks.mark_done(participation_of(alice, campaign), task)
    assert run_at(task.due_at + HOUR) == (0, 1)
    assert told(alice, LATE) == 0


# --- who and which campaigns ----------------------------------------------------------------

def test_members_who_are_not_testers_get_nothing(test, make_member, make_test_campaign):
    campaign, _testers, task = test
    applicant, stranger = make_member(locale="en"), make_member(locale="en")
    db.session.add(Application(campaign_id=campaign.id, member_id=applicant.id,
                               status=NOT_SELECTED, answers={}))
    make_test_campaign(testers=[stranger])  # a tester of another campaign
    db.session.flush()
    assert run_at(task.due_at - 24 * HOUR) == (2, 0)
    assert run_at(task.due_at + HOUR) == (0, 2)
    for member in (applicant, stranger):
        assert (told(member), told(member, LATE), mails_to(member)) == (0, 0, [])


def test_a_campaign_in_evaluation_still_reminds(test):
    campaign, [alice, _bob], task = test
    lifecycle.advance(campaign.created_by, campaign)
    assert campaign.state == EVALUATION
    assert run_at(task.due_at + HOUR) == (0, 2)
    assert told(alice, LATE) == 1


def test_a_closed_campaign_reminds_nobody(test):
    campaign, [alice, bob], task = test
    while campaign.state != CLOSED:
        lifecycle.advance(campaign.created_by, campaign)
    assert run_at(task.due_at - 24 * HOUR) == (0, 0)
    assert run_at(task.due_at + HOUR) == (0, 0)
    assert (mails_to(alice), mails_to(bob)) == ([], [])


@pytest.mark.parametrize("state", ["draft", "recruiting", "selection"])
def test_a_campaign_not_yet_tested_reminds_nobody(make_campaign, make_member, make_task,
                                                  state):
    campaign = make_campaign(state)
    member = make_member(locale="en")
    # even a confirmed application (written directly) gets nothing before the test
    db.session.add(Application(campaign_id=campaign.id, member_id=member.id,
                               status="confirmed", answers={}))
    task = make_task(campaign)
    db.session.flush()
    assert run_at(task.due_at - 24 * HOUR) == (0, 0)
    assert run_at(task.due_at + HOUR) == (0, 0)
    assert mails_to(member) == []


def test_nothing_to_remind_gives_zero_counts(app):
    with frozen_at(utcnow()):
        assert reminders.run() == TaskReminders(due_soon=0, overdue=0)


# --- the command ----------------------------------------------------------------------------

def test_the_command_prints_the_task_counts_and_commits(app, test):
    _campaign, [alice, bob], task = test
    db.session.commit()  # the command commits its own unit of work
    runner = app.test_cli_runner()
    with frozen_at(task.due_at - 24 * HOUR):
        first = runner.invoke(args=["lab", "reminders"])
    assert first.exit_code == 0, first.output
    assert "tasks due soon 2, tasks overdue 0," in first.output
    db.session.rollback()
    assert (told(alice), told(bob)) == (1, 1)

    with frozen_at(task.due_at + HOUR):
        second = runner.invoke(args=["lab", "reminders"])
        again = runner.invoke(args=["lab", "reminders"])
    assert "tasks due soon 0, tasks overdue 2," in second.output
    assert "tasks due soon 0, tasks overdue 0," in again.output
