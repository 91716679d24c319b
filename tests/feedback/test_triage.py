"""Staff triage: which status may follow which, severity, the thread, merging duplicates;
every staff action is the first response once, tells the reporter and is recorded; a
confirmed bug pays its reporter, and marking it invalid or duplicate takes that back."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from lab.core.clock import frozen_at
from lab.core.errors import DomainError
from lab.extensions import db
from lab.feedback import notices, reports, triage
from lab.feedback.models import (
    ACKNOWLEDGED,
    DUPLICATE,
    FIXED,
    FORWARDED,
    INVALID,
    NEW,
    REPORT_STATUSES,
    WONT_FIX,
    ReportComment,
    ReportMeToo,
)
from lab.notify import clocks
from lab.rewards import rules
from lab.rewards.models import LedgerEntry
from tests.feedback.conftest import participation_of
from tests.rewards.helpers import audited, count, entries_of, figures, mails_to, notifications

pytestmark = pytest.mark.usefixtures("english")

NOON = datetime(2025, 3, 3, 12, 0)


@pytest.fixture
def campaign_and_testers(make_test_campaign, make_member):
    """(a campaign in testing, [five testers reading English])"""
    return make_test_campaign(testers=[make_member(locale="en") for _ in range(5)])


@pytest.fixture
def staff(make_staff):
    return make_staff(locale="en")


@pytest.fixture
def bug(campaign_and_testers, file_report):
    """A major bug filed at noon by the first tester."""
    campaign, testers = campaign_and_testers
    with frozen_at(NOON):
        return file_report(testers[0], campaign)


def refused(call, field=None) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.field == field
    return caught.value


def events(report, action=None) -> list[tuple]:
    db.session.flush()
    return [(e.action, e.old_value, e.new_value, e.other_report_id, e.note, e.actor_id)
            for e in reports.events_of(report.id) if action in (None, e.action)]


def me_toos(report) -> list[int]:
    db.session.flush()
    return sorted(db.session.scalars(
        select(ReportMeToo.member_id).where(ReportMeToo.report_id == report.id)))


def clock_of(report):
    db.session.flush()
    return clocks.clock_of(reports.CLOCK_KIND, report.id)


def bonus_entries(member) -> list[tuple[str, int, str]]:
    return [(e.reason, e.amount, e.key) for e in entries_of(member)]


# --- statuses -------------------------------------------------------------------------

# where each status may go by hand (the issue: new → acknowledged → forwarded → fixed /
# won't fix; invalid closes too; a closed report can be reopened as acknowledged)
MAY_FOLLOW = {
    NEW: {ACKNOWLEDGED, FORWARDED, FIXED, WONT_FIX, INVALID},
    ACKNOWLEDGED: {FORWARDED, FIXED, WONT_FIX, INVALID},
    FORWARDED: {ACKNOWLEDGED, FIXED, WONT_FIX, INVALID},
    FIXED: {ACKNOWLEDGED},
    WONT_FIX: {ACKNOWLEDGED},
    INVALID: {ACKNOWLEDGED},
    DUPLICATE: set(),
}


def test_the_transitions_are_as_specified():
    assert {old: set(new) for old, new in triage.TRANSITIONS.items()} == MAY_FOLLOW


@pytest.mark.parametrize("old", REPORT_STATUSES)
def test_a_status_changes_only_to_the_statuses_that_may_follow(bug, staff, old):
    made, refused_with = set(), {}
    for new in REPORT_STATUSES:
        if new == old:
            continue
        bug.status = old
        try:
            triage.set_status(staff, bug, new)
        except DomainError as error:
            refused_with[new] = (error.field, str(error))
            assert bug.status == old
        else:
            made.add(new)
            assert bug.status == new
    assert made == MAY_FOLLOW[old]
    assert all(field == "status" for field, _message in refused_with.values())
    assert len(events(bug, reports.STATUS)) == len(made)


def test_a_refused_status_change_says_from_where_to_where(bug, staff):
    bug.status = FIXED
    error = refused(lambda: triage.set_status(staff, bug, FORWARDED), "status")
    assert str(error) == "A report cannot go from “fixed” to “forwarded to the product team”."
    assert (bug.status, events(bug, reports.STATUS)) == (FIXED, [])


def test_the_workflow_goes_new_acknowledged_forwarded_fixed(bug, staff):
    assert triage.TRANSITIONS[NEW][0] == ACKNOWLEDGED
    for status in (ACKNOWLEDGED, FORWARDED, FIXED):
        triage.set_status(staff, bug, status)
    assert [(old, new) for _a, old, new, *_ in events(bug, reports.STATUS)] == [
        (NEW, ACKNOWLEDGED), (ACKNOWLEDGED, FORWARDED), (FORWARDED, FIXED)]


def test_duplicate_is_reached_only_by_merging(bug, staff):
    assert all(DUPLICATE not in allowed for allowed in triage.TRANSITIONS.values())
    assert triage.TRANSITIONS[DUPLICATE] == ()
    refused(lambda: triage.set_status(staff, bug, DUPLICATE), "status")


def test_the_same_status_again_is_refused(bug, staff):
    triage.set_status(staff, bug, ACKNOWLEDGED)
    error = refused(lambda: triage.set_status(staff, bug, ACKNOWLEDGED), "status")
    assert str(error) == "The report already has this status."
    assert len(events(bug, reports.STATUS)) == 1


@pytest.mark.parametrize("status", ["", None, "closed", "FIXED"])
def test_an_unknown_status_is_refused(bug, staff, status):
    assert str(refused(lambda: triage.set_status(staff, bug, status), "status")) == (
        "Please choose a status.")


def test_a_status_change_is_recorded_with_its_note(bug, staff):
    triage.set_status(staff, bug, WONT_FIX, "  Works as designed.  ")
    assert events(bug, reports.STATUS) == [
        (reports.STATUS, NEW, WONT_FIX, None, "Works as designed.", staff.id)]


def test_a_blank_note_is_no_note(bug, staff):
    triage.set_status(staff, bug, ACKNOWLEDGED, "   ")
    assert events(bug, reports.STATUS)[0][4] is None


def test_a_status_change_is_audited(bug, staff):
    triage.set_status(staff, bug, ACKNOWLEDGED)
    [entry] = audited(triage.REPORT_TRIAGED, "feedback_report", bug.id)
    assert (entry.actor_id, entry.details) == (staff.id, {"status": ACKNOWLEDGED})


def test_the_reporter_is_told_of_a_new_status_in_the_app_and_by_mail(bug, staff):
    triage.set_status(staff, bug, FORWARDED)
    [note] = notifications(bug.member, notices.STATUS_KIND)
    assert note.params == {"title": bug.title, "report_status": FORWARDED}
    assert note.link == reports.tester_link(bug)
    [mail] = [m for m in mails_to(bug.member) if m.kind == f"notify:{notices.STATUS_KIND}"]
    assert mail.subject == "Your report"
    assert "is now: forwarded to the product team" in mail.body_text
    assert reports.tester_link(bug) in mail.body_text


def test_a_refused_change_tells_nobody(bug, staff):
    refused(lambda: triage.set_status(staff, bug, NEW), "status")
    assert notifications(bug.member, notices.STATUS_KIND) == []
    assert mails_to(bug.member) == []
    assert clock_of(bug).responded_at is None


# --- severity -------------------------------------------------------------------------

def test_a_severity_change_is_recorded_audited_and_told(bug, staff):
    triage.set_severity(staff, bug, "critical", "Affects every user.")
    assert bug.severity == "critical"
    assert events(bug, reports.SEVERITY) == [
        (reports.SEVERITY, "major", "critical", None, "Affects every user.", staff.id)]
    assert audited(triage.REPORT_TRIAGED, "feedback_report", bug.id)[0].details == {
        "severity": "critical"}
    [note] = notifications(bug.member, notices.SEVERITY_KIND)
    assert note.params == {"title": bug.title, "severity": "critical"}
    assert [m.kind for m in mails_to(bug.member)] == [f"notify:{notices.SEVERITY_KIND}"]


def test_the_same_severity_again_is_refused(bug, staff):
    assert str(refused(lambda: triage.set_severity(staff, bug, "major"), "severity")) == (
        "The report already has this severity.")


@pytest.mark.parametrize("severity", [None, "", "blocker"])
def test_an_unknown_severity_is_refused(bug, staff, severity):
    refused(lambda: triage.set_severity(staff, bug, severity), "severity")
    assert bug.severity == "major"


def test_only_bugs_have_a_severity(campaign_and_testers, file_report, staff):
    campaign, testers = campaign_and_testers
    idea = file_report(testers[0], campaign, kind="idea", title="A guest network timer")
    assert str(refused(lambda: triage.set_severity(staff, idea, "minor"), "severity")) == (
        "Only bugs have a severity.")
    assert idea.severity is None


# --- the thread -----------------------------------------------------------------------

def test_a_staff_comment_joins_the_thread_and_tells_the_reporter(bug, staff):
    reports.reply(participation_of(bug.member, bug.campaign), bug, "It happens at night.")
    comment = triage.comment(staff, bug, "  Which firmware?  ")
    db.session.flush()
    assert [(c.author_id, c.from_staff, c.body) for c in reports.comments_of(bug.id)] == [
        (bug.member_id, False, "It happens at night."), (staff.id, True, "Which firmware?")]
    assert comment.from_staff
    assert events(bug, reports.COMMENTED) == [
        (reports.COMMENTED, None, None, None, None, staff.id)]
    [note] = notifications(bug.member, notices.COMMENT_KIND)
    assert (note.params, note.link) == ({"title": bug.title}, reports.tester_link(bug))
    assert [m.subject for m in mails_to(bug.member)] == ["A reply to your report"]


@pytest.mark.parametrize("body, message", [
    ("", "Please write something."), ("  \n ", "Please write something."),
    ("x" * 5001, "Please keep it under 5000 characters.")])
def test_a_comment_needs_text_within_the_limit(bug, staff, body, message):
    assert str(refused(lambda: triage.comment(staff, bug, body), "body")) == message
    assert count(ReportComment, ReportComment.report_id == bug.id) == 0
    assert clock_of(bug).responded_at is None


# --- the first response -----------------------------------------------------------------

def act(kind: str, staff, report, other):
    """One staff action of each kind on ``report`` (``other``: a report to merge into)."""
    if kind == "status":
        triage.set_status(staff, report, ACKNOWLEDGED)
    elif kind == "severity":
        triage.set_severity(staff, report, "minor")
    elif kind == "comment":
        triage.comment(staff, report, "Thanks, we are on it.")
    else:
        triage.merge(staff, report, other.id)


@pytest.mark.parametrize("kind", ["status", "severity", "comment", "merge"])
def test_any_staff_action_is_the_first_response(bug, staff, file_report, kind):
    other = file_report(bug.member, bug.campaign, title="An earlier report")
    with frozen_at(NOON + timedelta(hours=3)):
        act(kind, staff, bug, other)
    clock = clock_of(bug)
    assert (clock.responded_at, clock.responder_id) == (NOON + timedelta(hours=3), staff.id)


@pytest.mark.parametrize("kind", ["status", "severity", "comment", "merge"])
def test_later_actions_leave_the_first_response_as_it_was(bug, make_staff, file_report, kind):
    first, second = make_staff(), make_staff()
    other = file_report(bug.member, bug.campaign, title="An earlier report")
    with frozen_at(NOON + timedelta(hours=1)):
        triage.comment(first, bug, "Looking into it.")
    with frozen_at(NOON + timedelta(hours=5)):
        act(kind, second, bug, other)
    clock = clock_of(bug)
    assert (clock.responded_at, clock.responder_id) == (NOON + timedelta(hours=1), first.id)


def test_merging_answers_the_duplicate_not_the_kept_report(bug, staff, file_report,
                                                          campaign_and_testers):
    duplicate = file_report(campaign_and_testers[1][1], bug.campaign, title="Same again")
    triage.merge(staff, duplicate, bug.id)
    assert clock_of(duplicate).responded_at is not None
    assert clock_of(bug).responded_at is None


# --- points ---------------------------------------------------------------------------

def key_of(report) -> str:
    return f"bug-confirmed:{report.id}"


@pytest.mark.parametrize("status", [FORWARDED, FIXED])
def test_a_bug_reaching_forwarded_or_fixed_pays_its_reporter(bug, staff, status):
    triage.set_status(staff, bug, status)
    [entry] = entries_of(bug.member)
    assert (entry.reason, entry.amount, entry.reputation_delta, entry.key) == (
        rules.BUG_CONFIRMED, 10, 10, key_of(bug))
    assert (entry.source_kind, entry.source_id, entry.created_by_id) == (
        "feedback_report", str(bug.id), staff.id)
    assert figures(bug.member) == (10, 10)


def test_forwarded_then_fixed_pays_once(bug, staff):
    triage.set_status(staff, bug, FORWARDED)
    triage.set_status(staff, bug, FIXED)
    assert bonus_entries(bug.member) == [(rules.BUG_CONFIRMED, 10, key_of(bug))]
    assert figures(bug.member) == (10, 10)


def test_a_critical_bug_pays_more(campaign_and_testers, file_report, staff):
    campaign, testers = campaign_and_testers
    critical = file_report(testers[0], campaign, severity="critical")
    triage.set_status(staff, critical, FIXED)
    assert bonus_entries(critical.member) == [
        (rules.BUG_CONFIRMED_CRITICAL, 30, key_of(critical))]


def test_a_bug_raised_to_critical_before_it_is_confirmed_pays_the_critical_bonus(bug, staff):
    triage.set_severity(staff, bug, "critical")
    triage.set_status(staff, bug, FORWARDED)
    assert bonus_entries(bug.member) == [(rules.BUG_CONFIRMED_CRITICAL, 30, key_of(bug))]


@pytest.mark.parametrize("status", [ACKNOWLEDGED, WONT_FIX, INVALID])
def test_other_statuses_pay_nothing(bug, staff, status):
    triage.set_status(staff, bug, status)
    assert entries_of(bug.member) == []


@pytest.mark.parametrize("kind", ["idea", "praise"])
def test_ideas_and_praise_pay_nothing(campaign_and_testers, file_report, staff, kind):
    campaign, testers = campaign_and_testers
    report = file_report(testers[0], campaign, kind=kind, title="Nice guest network")
    triage.set_status(staff, report, FORWARDED)
    triage.set_status(staff, report, FIXED)
    assert entries_of(report.member) == []


def test_the_earning_rules_of_the_deployment_apply(app, bug, staff, monkeypatch):
    monkeypatch.setitem(app.config, "EARNING_RULES", {rules.BUG_CONFIRMED: 15})
    triage.set_status(staff, bug, FORWARDED)
    assert figures(bug.member) == (15, 15)


def test_marking_a_confirmed_bug_invalid_reverses_its_bonus(bug, staff):
    triage.set_status(staff, bug, FORWARDED)
    triage.set_status(staff, bug, INVALID)
    paid, reversal = entries_of(bug.member)
    assert (reversal.reason, reversal.amount, reversal.reputation_delta) == (
        rules.REVERSAL, -10, -10)
    assert (reversal.reverses_id, reversal.key) == (paid.id, f"reversal:{key_of(bug)}")
    assert reversal.source_id == str(bug.id)
    assert figures(bug.member) == (0, 0)


def test_merging_a_confirmed_bug_as_a_duplicate_reverses_its_bonus(bug, staff, file_report,
                                                                  campaign_and_testers):
    kept = file_report(campaign_and_testers[1][1], bug.campaign, title="An earlier report")
    triage.set_status(staff, bug, FIXED)
    triage.merge(staff, bug, kept.id)
    assert [e.reason for e in entries_of(bug.member)] == [rules.BUG_CONFIRMED, rules.REVERSAL]
    assert figures(bug.member) == (0, 0)


def test_a_reversal_happens_once(bug, staff):
    triage.set_status(staff, bug, FORWARDED)
    triage.set_status(staff, bug, INVALID)
    triage.set_status(staff, bug, ACKNOWLEDGED)
    triage.set_status(staff, bug, INVALID)
    assert [e.reason for e in entries_of(bug.member)] == [rules.BUG_CONFIRMED, rules.REVERSAL]
    assert count(LedgerEntry, LedgerEntry.reverses_id.is_not(None),
                 LedgerEntry.member_id == bug.member_id) == 1
    assert figures(bug.member) == (0, 0)


def test_a_bug_confirmed_again_after_being_marked_invalid_pays_again(bug, staff):
    triage.set_status(staff, bug, FORWARDED)
    triage.set_status(staff, bug, INVALID)
    triage.set_status(staff, bug, ACKNOWLEDGED)
    triage.set_status(staff, bug, FIXED)
    assert [e.reason for e in entries_of(bug.member)] == [
        rules.BUG_CONFIRMED, rules.REVERSAL, rules.BUG_CONFIRMED]
    assert entries_of(bug.member)[-1].key == f"{key_of(bug)}:1"
    assert figures(bug.member) == (10, 10)


def test_an_unconfirmed_bug_marked_invalid_has_nothing_to_reverse(bug, staff):
    triage.set_status(staff, bug, INVALID)
    assert entries_of(bug.member) == []


def test_the_reporter_is_told_when_points_are_taken_back(bug, staff):
    triage.set_status(staff, bug, FORWARDED)
    triage.set_status(staff, bug, INVALID)
    assert len(notifications(bug.member, "points.reversed")) == 1


# --- merging --------------------------------------------------------------------------

@pytest.fixture
def pair(campaign_and_testers, file_report):
    """(kept report by tester 0, duplicate by tester 1, [testers])"""
    campaign, testers = campaign_and_testers
    kept = file_report(testers[0], campaign, title="WiFi drops every hour")
    duplicate = file_report(testers[1], campaign, title="WiFi keeps dropping")
    return kept, duplicate, testers


def say_me_too(member, report):
    reports.me_too(participation_of(member, report.campaign), report)


def test_merging_closes_the_report_as_a_duplicate_of_the_kept_one(pair, staff):
    kept, duplicate, _testers = pair
    assert triage.merge(staff, duplicate, kept.id) is kept
    assert (duplicate.status, duplicate.duplicate_of_id, kept.status) == (
        DUPLICATE, kept.id, NEW)


def test_merging_moves_the_me_toos_and_the_reporter_to_the_kept_report(pair, staff):
    kept, duplicate, testers = pair
    say_me_too(testers[2], duplicate)
    say_me_too(testers[3], duplicate)
    triage.merge(staff, duplicate, kept.id)
    assert me_toos(kept) == sorted([testers[1].id, testers[2].id, testers[3].id])
    assert (kept.me_too_count, duplicate.me_too_count) == (3, 0)
    assert me_toos(duplicate) == []


def test_a_member_who_said_me_too_on_both_counts_once(pair, staff):
    kept, duplicate, testers = pair
    say_me_too(testers[2], kept)
    say_me_too(testers[2], duplicate)
    triage.merge(staff, duplicate, kept.id)
    assert me_toos(kept) == sorted([testers[1].id, testers[2].id])
    assert kept.me_too_count == 2


def test_the_kept_reports_reporter_is_not_added(pair, staff):
    kept, duplicate, testers = pair
    say_me_too(testers[0], duplicate)  # the kept report's own reporter
    triage.merge(staff, duplicate, kept.id)
    assert me_toos(kept) == [testers[1].id]
    assert kept.me_too_count == 1


def test_a_duplicate_reporter_who_already_said_me_too_counts_once(pair, staff):
    kept, duplicate, testers = pair
    say_me_too(testers[1], kept)
    triage.merge(staff, duplicate, kept.id)
    assert (me_toos(kept), kept.me_too_count) == ([testers[1].id], 1)


def test_a_reporters_own_duplicate_adds_no_me_too(campaign_and_testers, file_report, staff):
    campaign, testers = campaign_and_testers
    kept = file_report(testers[0], campaign, title="WiFi drops every hour")
    again = file_report(testers[0], campaign, title="WiFi drops again")
    triage.merge(staff, again, kept.id)
    assert (me_toos(kept), kept.me_too_count) == ([], 0)


def test_counts_stay_right_over_several_merges(pair, staff, file_report):
    kept, duplicate, testers = pair
    third = file_report(testers[2], kept.campaign, title="WiFi gone hourly")
    say_me_too(testers[3], duplicate)
    say_me_too(testers[3], third)
    say_me_too(testers[4], third)
    triage.merge(staff, duplicate, kept.id)
    triage.merge(staff, third, kept.id)
    expected = sorted(t.id for t in testers[1:])
    assert me_toos(kept) == expected
    assert kept.me_too_count == len(expected) == 4
    db.session.refresh(kept)
    assert kept.me_too_count == 4


def test_merging_is_recorded_on_both_reports(pair, staff):
    kept, duplicate, _testers = pair
    triage.merge(staff, duplicate, kept.id, "  Same as #1.  ")
    assert events(duplicate, reports.MERGED_INTO) == [
        (reports.MERGED_INTO, NEW, DUPLICATE, kept.id, "Same as #1.", staff.id)]
    assert events(kept, reports.MERGED_IN) == [
        (reports.MERGED_IN, None, None, duplicate.id, None, staff.id)]


def test_merging_is_audited(pair, staff):
    kept, duplicate, _testers = pair
    triage.merge(staff, duplicate, kept.id)
    [entry] = audited(triage.REPORT_MERGED, "feedback_report", duplicate.id)
    assert (entry.actor_id, entry.details) == (staff.id, {"into": kept.id})


def test_the_duplicates_reporter_is_sent_to_the_kept_report(pair, staff):
    kept, duplicate, testers = pair
    triage.merge(staff, duplicate, kept.id)
    [note] = notifications(testers[1], notices.MERGED_KIND)
    assert (note.params, note.link) == ({"title": duplicate.title}, reports.tester_link(kept))
    assert [m.kind for m in mails_to(testers[1])] == [f"notify:{notices.MERGED_KIND}"]
    assert notifications(testers[0], notices.MERGED_KIND) == []


def test_a_report_cannot_be_merged_into_itself(pair, staff):
    _kept, duplicate, _testers = pair
    assert str(refused(lambda: triage.merge(staff, duplicate, duplicate.id), "into")) == (
        "A report cannot be a duplicate of itself.")
    assert duplicate.status == NEW


def test_a_report_cannot_be_merged_into_a_duplicate(pair, staff, file_report):
    kept, duplicate, testers = pair
    third = file_report(testers[2], kept.campaign, title="WiFi gone hourly")
    triage.merge(staff, duplicate, kept.id)
    error = refused(lambda: triage.merge(staff, third, duplicate.id), "into")
    assert f"Report #{duplicate.id} is itself a duplicate" in str(error)
    assert third.status == NEW


def test_a_duplicate_cannot_be_merged_again(pair, staff, file_report):
    kept, duplicate, testers = pair
    third = file_report(testers[2], kept.campaign, title="WiFi gone hourly")
    triage.merge(staff, duplicate, kept.id)
    error = refused(lambda: triage.merge(staff, duplicate, third.id))
    assert str(error) == "This report is already a duplicate."
    assert duplicate.duplicate_of_id == kept.id


def test_a_report_of_another_campaign_cannot_be_kept(pair, staff, make_test_campaign,
                                                      file_report):
    _kept, duplicate, testers = pair
    elsewhere, _ = make_test_campaign(testers=[testers[0]])
    foreign = file_report(testers[0], elsewhere)
    refused(lambda: triage.merge(staff, duplicate, foreign.id), "into")
    assert (duplicate.status, foreign.me_too_count) == (NEW, 0)


@pytest.mark.parametrize("into", [None, 0, 987654])
def test_a_missing_report_number_is_refused(pair, staff, into):
    _kept, duplicate, _testers = pair
    assert str(refused(lambda: triage.merge(staff, duplicate, into), "into")) == (
        "Please give the number of a report of this campaign.")
    assert (duplicate.status, events(duplicate, reports.MERGED_INTO)) == (NEW, [])


def test_a_refused_merge_moves_no_me_toos(pair, staff):
    _kept, duplicate, testers = pair
    say_me_too(testers[2], duplicate)
    refused(lambda: triage.merge(staff, duplicate, duplicate.id), "into")
    assert (me_toos(duplicate), duplicate.me_too_count) == ([testers[2].id], 1)


# --- the staff list -------------------------------------------------------------------

@pytest.fixture
def listed(campaign_and_testers, file_report, staff):
    """Four reports filed an hour apart; the critical one answered."""
    campaign, testers = campaign_and_testers
    made = {}
    for hour, (name, kind, severity) in enumerate([
            ("minor", "bug", "minor"), ("critical", "bug", "critical"),
            ("idea", "idea", None), ("major", "bug", "major")]):
        with frozen_at(NOON + timedelta(hours=hour)):
            made[name] = file_report(testers[hour], campaign, kind=kind, severity=severity,
                                     title=f"Überlastung {name} report")
    with frozen_at(NOON + timedelta(hours=5)):
        triage.set_status(staff, made["critical"], FIXED)
    return campaign, made


def listing(campaign, **filters) -> list[str]:
    rows = db.session.execute(triage.reports_query(campaign.id, triage.ReportFilters(
        **filters))).all()
    return [report.title.split()[1] for report, _clock in rows]


def test_the_list_shows_unanswered_reports_first_by_when_they_are_due(listed):
    campaign, _made = listed
    # due: critical 17:00 (answered), major 15:00+24 h, minor 12:00+72 h, idea 14:00+72 h
    assert listing(campaign) == ["major", "minor", "idea", "critical"]


def test_the_list_sorts_by_newest_severity_and_me_too(listed, campaign_and_testers):
    campaign, made = listed
    say_me_too(campaign_and_testers[1][4], made["idea"])
    assert listing(campaign, sort="newest") == ["major", "idea", "critical", "minor"]
    assert listing(campaign, sort="severity") == ["critical", "major", "minor", "idea"]
    assert listing(campaign, sort="me_too")[0] == "idea"


def test_the_list_filters_by_status_kind_severity_and_title(listed):
    campaign, _made = listed
    assert sorted(listing(campaign, status="open")) == ["idea", "major", "minor"]
    assert listing(campaign, status=FIXED) == ["critical"]
    assert listing(campaign, kind="idea") == ["idea"]
    assert listing(campaign, severity="minor") == ["minor"]
    assert listing(campaign, search="MAJOR") == ["major"]
    assert len(listing(campaign, search="überlastung")) == 4  # "Ü" in the titles
    assert listing(campaign, search="100%") == []


def test_the_list_brings_each_reports_clock(listed):
    campaign, made = listed
    rows = db.session.execute(triage.reports_query(campaign.id, triage.ReportFilters())).all()
    clocks_by_report = {report.id: clock for report, clock in rows}
    assert clocks_by_report[made["critical"].id].responded_at == NOON + timedelta(hours=5)
    assert clocks_by_report[made["major"].id].due_at == NOON + timedelta(hours=3 + 24)


def test_counts_by_status_and_severity(listed):
    campaign, _made = listed
    assert triage.counts_by(campaign.id) == {
        (NEW, "minor"): 1, (NEW, "major"): 1, (NEW, None): 1, (FIXED, "critical"): 1}
