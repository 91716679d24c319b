"""Response clocks: targets by kind and category, the first response, overdue items,
first response times (median and 90th percentile) and escalation to the admins.

The clock is generic: besides reports ("report"), these tests use "question" (the
community's later) and made-up kinds, with subjects registered for the test only.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from lab.core.clock import frozen_at
from lab.extensions import db
from lab.feedback import reports
from lab.notify import clocks
from lab.notify.models import ResponseClock
from tests.campaigns.conftest import english, make_campaign, make_product  # noqa: F401
from tests.feedback.conftest import file_report, make_test_campaign  # noqa: F401
from tests.rewards.helpers import count, mails_to, notifications

pytestmark = pytest.mark.usefixtures("english")

T0 = datetime(2025, 3, 3, 9, 0)
HOUR = timedelta(hours=1)


@pytest.fixture
def questions(monkeypatch):
    """Register how "question" items are shown, for this test only: question n is
    titled "Question n"."""
    def describe(ids):
        return {n: clocks.Subject(title=f"Question {n}", link=f"/community/q/{n}",
                                  context="Community") for n in ids}

    monkeypatch.setitem(clocks.SUBJECTS, "question", ("Question", describe))


@pytest.fixture
def critical_report(make_test_campaign, file_report):  # noqa: F811 (the imported fixtures)
    """A critical bug report filed at T0 (4 h target)."""
    campaign, (tester,) = make_test_campaign(testers=1)
    with frozen_at(T0):
        return file_report(tester, campaign, severity="critical")


def start(kind="question", subject_id=1, category=None, at=T0) -> ResponseClock:
    clock = clocks.start(kind, subject_id, category, at=at)
    db.session.flush()
    return clock


# --- targets --------------------------------------------------------------------------

@pytest.mark.parametrize("kind, category, hours", [
    ("report", "critical", 4), ("report", "major", 24), ("report", "minor", 72),
    ("report", "cosmetic", 72), ("report", None, 72), ("question", None, 24),
    ("question", "anything", 24), ("ticket", None, 72), ("ticket", "urgent", 72)])
def test_the_default_targets(kind, category, hours):
    assert clocks.target_hours(kind, category) == hours


def test_targets_are_looked_up_by_kind_and_category_then_kind_then_the_fallback(app,
                                                                                monkeypatch):
    monkeypatch.setitem(app.config, "RESPONSE_TARGETS", {"ticket.urgent": 2, "ticket": 10})
    assert clocks.target_hours("ticket", "urgent") == 2
    assert clocks.target_hours("ticket", "normal") == 10
    assert clocks.target_hours("ticket", None) == 10
    assert clocks.target_hours("parcel", "urgent") == clocks.FALLBACK_HOURS == 72


def test_the_deployment_overrides_single_defaults_and_keeps_the_others(app, monkeypatch):
    monkeypatch.setitem(app.config, "RESPONSE_TARGETS", {"report.critical": "2"})
    assert clocks.target_hours("report", "critical") == 2
    assert clocks.target_hours("report", "major") == 24
    assert clocks.target_hours("question") == 24


def test_a_clock_starts_with_its_target_due_date_and_escalation_date():
    clock = start("question", 7)
    assert (clock.subject_kind, clock.subject_id, clock.category) == ("question", 7, None)
    assert (clock.started_at, clock.target_minutes) == (T0, 24 * 60)
    assert clock.due_at == T0 + 24 * HOUR
    assert clock.escalate_at == T0 + 72 * HOUR  # due + twice the target
    assert (clock.responded_at, clock.responder_id, clock.stopped_at, clock.escalated_at) == (
        None, None, None, None)


def test_a_clock_starts_now_unless_told_otherwise():
    with frozen_at(T0 + 5 * HOUR):
        clock = clocks.start("report", 3, "critical")
    assert (clock.started_at, clock.due_at) == (T0 + 5 * HOUR, T0 + 9 * HOUR)


def test_the_same_clock_is_found_by_kind_and_id():
    question, report = start("question", 5), start("report", 5, "minor")
    assert clocks.clock_of("question", 5) is question
    assert clocks.clock_of("report", 5) is report
    assert clocks.clock_of("question", 6) is None


def test_retargeting_moves_the_due_and_escalation_dates():
    start("report", 1, "minor")
    clocks.retarget("report", 1, "critical")
    clock = clocks.clock_of("report", 1)
    assert (clock.category, clock.target_minutes) == ("critical", 4 * 60)
    assert (clock.due_at, clock.escalate_at) == (T0 + 4 * HOUR, T0 + 12 * HOUR)
    assert clock.started_at == T0


def test_an_answered_clock_is_not_retargeted():
    start("report", 1, "minor")
    clocks.responded("report", 1, None, at=T0 + HOUR)
    clocks.retarget("report", 1, "critical")
    assert clocks.clock_of("report", 1).due_at == T0 + 72 * HOUR


def test_retargeting_an_item_without_a_clock_does_nothing():
    clocks.retarget("report", 404, "critical")
    assert count(ResponseClock) == 0


# --- the first response ---------------------------------------------------------------

def test_the_first_response_stops_the_clock_once(make_staff):
    first, second = make_staff(), make_staff()
    start()
    assert clocks.responded("question", 1, first, at=T0 + 2 * HOUR) is True
    assert clocks.responded("question", 1, second, at=T0 + 3 * HOUR) is False
    clock = clocks.clock_of("question", 1)
    assert (clock.responded_at, clock.responder_id) == (T0 + 2 * HOUR, first.id)


def test_a_response_without_a_clock_is_nothing(make_staff):
    assert clocks.responded("question", 99, make_staff()) is False


def test_a_stopped_clock_takes_no_response(make_staff):
    start()
    clocks.stop("question", 1, at=T0 + HOUR)
    assert clocks.responded("question", 1, make_staff()) is False
    clock = clocks.clock_of("question", 1)
    assert (clock.stopped_at, clock.responded_at) == (T0 + HOUR, None)


def test_stopping_an_answered_clock_changes_nothing(make_staff):
    start()
    clocks.responded("question", 1, make_staff(), at=T0 + HOUR)
    clocks.stop("question", 1, at=T0 + 2 * HOUR)
    assert clocks.clock_of("question", 1).stopped_at is None


# --- overdue --------------------------------------------------------------------------

def test_overdue_lists_only_waiting_items_past_due_longest_first(questions, make_staff):
    now = T0 + 100 * HOUR
    start(subject_id=1, at=T0 + 10 * HOUR)  # due T0+34 h
    start(subject_id=2, at=T0)  # due T0+24 h: longest overdue
    start(subject_id=3, at=T0 + 80 * HOUR)  # due T0+104 h: not yet
    start(subject_id=4, at=T0)  # answered
    clocks.responded("question", 4, make_staff(), at=T0 + HOUR)
    start(subject_id=5, at=T0)  # stopped
    clocks.stop("question", 5, at=T0 + HOUR)
    start(subject_id=6, at=now - 24 * HOUR)  # due exactly now: not past due yet
    items, total = clocks.overdue(now)
    assert total == 2
    assert [item.subject.title for item in items] == ["Question 2", "Question 1"]
    assert [item.overdue_by for item in items] == [76 * HOUR, 66 * HOUR]
    assert [item.escalated for item in items] == [False, False]
    assert items[0].kind_label == "Question"
    assert items[0].subject.link == "/community/q/2"


def test_overdue_shows_a_limited_number_but_counts_them_all(questions):
    for n in range(1, 6):
        start(subject_id=n, at=T0 + n * HOUR)
    items, total = clocks.overdue(T0 + 48 * HOUR, limit=3)
    assert total == 5
    assert [item.clock.subject_id for item in items] == [1, 2, 3]


def test_overdue_with_nothing_waiting():
    assert clocks.overdue(T0) == ([], 0)


def test_overdue_mixes_kinds_by_due_date(questions, critical_report):
    report, campaign = critical_report, critical_report.campaign  # due T0+4 h
    start("question", 1, at=T0 - 21 * HOUR)  # due T0+3 h
    items, total = clocks.overdue(T0 + 30 * HOUR)
    assert total == 2
    assert [(i.clock.subject_kind, i.overdue_by) for i in items] == [
        ("question", 27 * HOUR), ("report", 26 * HOUR)]
    subject = items[1].subject
    assert (subject.title, subject.link, subject.context, subject.category_label) == (
        report.title, reports.staff_link(report), campaign.title, "critical")
    assert str(items[1].kind_label) == "Report"


def test_an_overdue_item_that_was_escalated_says_so(questions, make_admin):
    make_admin()
    start(subject_id=1, at=T0)
    clocks.escalate(T0 + 73 * HOUR)
    [item], _total = clocks.overdue(T0 + 80 * HOUR)
    assert item.escalated


def test_overdue_counts_items_it_cannot_describe_but_does_not_show_them():
    start("parcel", 1, at=T0)
    assert clocks.overdue(T0 + 100 * HOUR) == ([], 1)


# --- response times -------------------------------------------------------------------

def answered(subject_id, wait, kind="report", category="critical", started=T0,
             responder=None) -> ResponseClock:
    start(kind, subject_id, category, at=started)
    clocks.responded(kind, subject_id, responder, at=started + wait)
    return clocks.clock_of(kind, subject_id)


NOW = T0 + 10 * 24 * HOUR


def test_median_and_90th_percentile_of_the_first_responses():
    for n, hours in enumerate([10, 2, 4, 1, 3], start=1):  # in no order
        answered(n, hours * HOUR)
    times = clocks.response_times(days=30, now=NOW)
    # sorted 1, 2, 3, 4, 10 h: the median is the 3rd of 5, the 90th percentile the 5th
    assert (times.count, times.median, times.p90) == (5, 3 * HOUR, 10 * HOUR)
    assert times.within_target == 4  # the target is 4 h: 4 h is in time, 10 h is not


def test_percentiles_of_an_even_number_are_times_that_occurred():
    for n, minutes in enumerate([30, 90, 45, 240], start=1):
        answered(n, timedelta(minutes=minutes))
    times = clocks.response_times(now=NOW)
    # sorted 30, 45, 90, 240 min: nearest rank 2 of 4 and 4 of 4
    assert (times.median, times.p90) == (timedelta(minutes=45), timedelta(minutes=240))


def test_the_90th_percentile_of_ten_is_the_ninth():
    for n in range(1, 11):
        answered(n, n * HOUR)
    times = clocks.response_times(now=NOW)
    assert (times.count, times.median, times.p90) == (10, 5 * HOUR, 9 * HOUR)


def test_only_responses_of_the_last_days_count():
    answered(1, 2 * HOUR, started=NOW - 31 * 24 * HOUR)  # answered 31 days ago minus 2 h
    answered(2, 5 * HOUR, started=NOW - 30 * 24 * HOUR - 4 * HOUR)  # 29 days 23 h ago
    answered(3, 6 * HOUR, started=NOW - 2 * HOUR)  # answered after "now": left out
    times = clocks.response_times(days=30, now=NOW)
    assert (times.count, times.median, times.p90, times.within_target) == (
        1, 5 * HOUR, 5 * HOUR, 0)
    assert clocks.response_times(days=60, now=NOW).count == 2


def test_waiting_and_stopped_items_have_no_response_time():
    start("report", 1, "major", at=NOW - 5 * HOUR)
    start("report", 2, "major", at=NOW - 5 * HOUR)
    clocks.stop("report", 2, at=NOW - HOUR)
    assert clocks.response_times(now=NOW) == clocks.ResponseTimes(0, None, None, 0)


def test_response_times_can_be_for_one_kind():
    answered(1, HOUR, kind="report")
    answered(1, 7 * HOUR, kind="question", category=None)
    assert clocks.response_times(now=NOW, kind="question").median == 7 * HOUR
    assert clocks.response_times(now=NOW).count == 2


def test_within_target_uses_each_items_own_target():
    answered(1, 5 * HOUR, category="critical")  # 4 h target: late
    answered(2, 5 * HOUR, category="major")  # 24 h target: in time
    answered(3, 24 * HOUR, category="major")  # exactly at the target: in time
    assert clocks.response_times(now=NOW).within_target == 2


def test_percentile_by_nearest_rank():
    assert clocks.percentile([7], 90) == 7
    assert clocks.percentile([1, 2], 50) == 1
    assert clocks.percentile(list(range(1, 21)), 90) == 18
    assert clocks.percentile(list(range(1, 21)), 0) == 1


# --- escalation -----------------------------------------------------------------------

@pytest.fixture
def admins(make_admin, make_staff):
    """[two active admins]; an inactive admin and a staff member are not told."""
    make_admin(locale="en", active=False)
    make_staff(locale="en")
    return [make_admin(locale="en"), make_admin(locale="de")]


def escalations_to(member):
    return notifications(member, clocks.ESCALATED_KIND)


def test_nothing_is_escalated_before_twice_the_target_past_due(questions, admins):
    start(subject_id=1, at=T0)  # 24 h target: due T0+24 h, escalated after T0+72 h
    assert clocks.escalate(T0 + 71 * HOUR) == 0
    assert clocks.escalate(T0 + 72 * HOUR) == 0
    assert all(escalations_to(admin) == [] for admin in admins)
    assert clocks.clock_of("question", 1).escalated_at is None


def test_an_item_overdue_by_twice_its_target_is_escalated_to_every_active_admin(
        questions, admins):
    start(subject_id=1, at=T0)
    moment = T0 + 72 * HOUR + timedelta(minutes=1)
    assert clocks.escalate(moment) == 1
    for admin in admins:
        [note] = escalations_to(admin)
        assert note.params == {"title": "Question 1", "clock_kind": "question",
                               "hours": 72, "target": 24}
        assert note.link == "/community/q/1"
        [mail] = mails_to(admin)
        assert mail.kind == f"notify:{clocks.ESCALATED_KIND}"
        assert "/community/q/1" in mail.body_text
    assert mails_to(admins[0])[0].subject == "Waiting far too long"
    assert count(ResponseClock, ResponseClock.escalated_at == moment) == 1


def test_inactive_admins_and_staff_are_not_told(questions, make_admin, make_staff):
    inactive, staff = make_admin(active=False), make_staff()
    start(subject_id=1, at=T0)
    clocks.escalate(T0 + 100 * HOUR)
    assert (escalations_to(inactive), escalations_to(staff)) == ([], [])
    assert (mails_to(inactive), mails_to(staff)) == ([], [])


def test_escalating_again_tells_nobody_again(questions, admins):
    start(subject_id=1, at=T0)
    assert clocks.escalate(T0 + 80 * HOUR) == 1
    assert clocks.escalate(T0 + 81 * HOUR) == 0
    assert clocks.escalate(T0 + 500 * HOUR) == 0
    assert [len(escalations_to(admin)) for admin in admins] == [1, 1]
    assert clocks.clock_of("question", 1).escalated_at == T0 + 80 * HOUR


def test_answered_and_stopped_items_are_not_escalated(questions, admins, make_staff):
    start(subject_id=1, at=T0)
    clocks.responded("question", 1, make_staff(), at=T0 + 60 * HOUR)
    start(subject_id=2, at=T0)
    clocks.stop("question", 2, at=T0 + 60 * HOUR)
    assert clocks.escalate(T0 + 100 * HOUR) == 0
    assert escalations_to(admins[0]) == []


def test_each_item_is_escalated_on_its_own_schedule(questions, admins):
    start("question", 1, at=T0)  # escalated after T0+72 h
    start("report", 1, "critical", at=T0 + 10 * HOUR)  # 4 h: escalated after T0+22 h
    assert clocks.escalate(T0 + 23 * HOUR) == 1
    assert [n.params["clock_kind"] for n in escalations_to(admins[0])] == ["report"]
    assert clocks.escalate(T0 + 73 * HOUR) == 1
    assert [n.params["clock_kind"] for n in escalations_to(admins[0])] == [
        "report", "question"]


def test_a_report_is_escalated_with_its_title_and_staff_link(admins, critical_report):
    report = critical_report
    assert clocks.escalate(T0 + 12 * HOUR + timedelta(seconds=1)) == 1
    [note] = escalations_to(admins[0])
    assert note.params == {"title": report.title, "clock_kind": "report", "hours": 12,
                           "target": 4}
    assert note.link == reports.staff_link(report)
    assert [len(mails_to(admin)) for admin in admins] == [1, 1]


def test_an_item_without_a_registered_subject_is_escalated_by_its_kind_and_id(admins):
    start("parcel", 9, at=T0)
    assert clocks.escalate(T0 + 300 * HOUR) == 1
    [note] = escalations_to(admins[0])
    assert (note.params["title"], note.link) == ("parcel 9", "/staff/")


def test_escalation_without_admins_still_marks_the_item(questions):
    start(subject_id=1, at=T0)
    assert clocks.escalate(T0 + 100 * HOUR) == 1
    assert clocks.clock_of("question", 1).escalated_at == T0 + 100 * HOUR


def test_flask_lab_escalate_runs_it_once(app, questions, admins):
    start(subject_id=1, at=T0)
    start(subject_id=2, at=T0 + 50 * HOUR)
    runner = app.test_cli_runner()
    with frozen_at(T0 + 80 * HOUR):
        first = runner.invoke(args=["lab", "escalate"])
        second = runner.invoke(args=["lab", "escalate"])
    assert (first.exit_code, first.output) == (0, "escalated 1\n")
    assert (second.exit_code, second.output) == (0, "escalated 0\n")
    assert [len(escalations_to(admin)) for admin in admins] == [1, 1]
