"""Filing reports (what a bug, an idea and praise need; who may file; the response clock
it starts), who sees which report, "me too", similar titles and the reporter's reply."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from lab.campaigns.models import CLOSED, EVALUATION
from lab.core.clock import frozen_at
from lab.core.errors import DomainError
from lab.extensions import db
from lab.feedback import reports, triage
from lab.feedback.access import NotATester
from lab.feedback.models import (
    BUG,
    IDEA,
    PRAISE,
    Report,
    ReportComment,
    ReportEvent,
    ReportMeToo,
)
from lab.notify import clocks
from tests.feedback.conftest import participation_of
from tests.rewards.helpers import count

pytestmark = pytest.mark.usefixtures("english")

NOON = datetime(2025, 3, 3, 12, 0)
BUG_FIELDS = {"severity": "major", "steps": "Leave it running.", "actual": "The WiFi drops."}


@pytest.fixture
def testing(make_test_campaign):
    """(a campaign in testing that shares reports, [three confirmed testers])"""
    campaign, testers = make_test_campaign(testers=3)
    assert campaign.reports_shared
    return campaign, testers


def file(member, campaign, kind=BUG, title="WiFi drops every hour", **fields):
    """file_report with the given fields only (none filled in for the caller)."""
    return reports.file_report(participation_of(member, campaign), kind=kind, title=title,
                               **fields)


def refused(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


# --- what a report needs ----------------------------------------------------------------

def test_a_bug_is_filed_with_its_fields_as_new(testing):
    campaign, (tester, *_) = testing
    report = file(tester, campaign, severity="minor", steps=" Reboot. ", expected="Up",
                  actual="Down", device="Fritz!Box 7690", version="8.02")
    assert (report.campaign_id, report.member_id, report.kind) == (campaign.id, tester.id, BUG)
    assert (report.severity, report.steps, report.expected, report.actual) == (
        "minor", "Reboot.", "Up", "Down")
    assert (report.device, report.version, report.status, report.me_too_count) == (
        "Fritz!Box 7690", "8.02", "new", 0)
    assert report.attachments == []


@pytest.mark.parametrize("missing", ["severity", "steps", "actual"])
def test_a_bug_needs_a_severity_steps_and_the_actual_result(testing, missing):
    campaign, (tester, *_) = testing
    fields = {**BUG_FIELDS, missing: None}
    assert refused(lambda: file(tester, campaign, **fields)).field == missing
    assert count(Report, Report.campaign_id == campaign.id) == 0


def test_a_bug_needs_a_known_severity(testing):
    campaign, (tester, *_) = testing
    error = refused(lambda: file(tester, campaign, **{**BUG_FIELDS, "severity": "blocker"}))
    assert (error.field, str(error)) == ("severity", "Please choose how severe the bug is.")


def test_a_blank_answer_counts_as_missing(testing):
    campaign, (tester, *_) = testing
    error = refused(lambda: file(tester, campaign, **{**BUG_FIELDS, "steps": "   \n "}))
    assert (error.field, str(error)) == ("steps", "Please fill in this field.")


def test_the_expected_result_is_optional(testing):
    campaign, (tester, *_) = testing
    assert file(tester, campaign, **BUG_FIELDS).expected is None


@pytest.mark.parametrize("kind", [IDEA, PRAISE])
def test_ideas_and_praise_need_a_description(testing, kind):
    campaign, (tester, *_) = testing
    error = refused(lambda: file(tester, campaign, kind=kind, title="Guest network timer"))
    assert error.field == "description"


@pytest.mark.parametrize("kind", [IDEA, PRAISE])
def test_ideas_and_praise_get_no_severity_nor_bug_fields(testing, kind):
    campaign, (tester, *_) = testing
    report = file(tester, campaign, kind=kind, title="Guest network timer",
                  description="Switch the guest WiFi off at night.", **BUG_FIELDS)
    assert (report.kind, report.description) == (kind, "Switch the guest WiFi off at night.")
    assert (report.severity, report.steps, report.expected, report.actual) == (
        None, None, None, None)


def test_an_unknown_kind_is_refused(testing):
    campaign, (tester, *_) = testing
    assert refused(lambda: file(tester, campaign, kind="rant", **BUG_FIELDS)).field == "kind"


@pytest.mark.parametrize("title", ["", "   ", "Bad", "Oops"])
def test_a_title_has_at_least_five_characters(testing, title):
    campaign, (tester, *_) = testing
    assert refused(lambda: file(tester, campaign, title=title, **BUG_FIELDS)).field == "title"


def test_a_title_of_five_and_of_160_characters_is_accepted(testing):
    campaign, (tester, *_) = testing
    assert file(tester, campaign, title="Crash", **BUG_FIELDS).title == "Crash"
    assert file(tester, campaign, title="x" * 160, **BUG_FIELDS).title == "x" * 160


@pytest.mark.parametrize("field, limit", [
    ("title", 160), ("steps", 10_000), ("expected", 10_000), ("actual", 10_000),
    ("description", 10_000), ("device", 120), ("version", 80),
])
def test_an_over_long_field_is_refused_by_its_name(testing, field, limit):
    campaign, (tester, *_) = testing
    fields = {"title": "WiFi drops every hour", **BUG_FIELDS, field: "y" * (limit + 1)}
    error = refused(lambda: file(tester, campaign, **fields))
    assert error.field == field
    assert f"under {limit} characters" in str(error)
    assert count(Report, Report.campaign_id == campaign.id) == 0


def test_the_description_of_an_idea_is_limited_too(testing):
    campaign, (tester, *_) = testing
    error = refused(lambda: file(tester, campaign, kind=IDEA, title="Guest network timer",
                                 description="z" * 10_001))
    assert error.field == "description"


# --- who may file -----------------------------------------------------------------------

def test_a_member_who_is_not_a_tester_cannot_file(testing, make_member):
    campaign, _testers = testing
    with pytest.raises(NotATester):
        file(make_member(), campaign, **BUG_FIELDS)


def test_a_tester_of_another_campaign_cannot_file_here(testing, make_test_campaign):
    campaign, _testers = testing
    _other, (stranger,) = make_test_campaign(testers=1)
    with pytest.raises(NotATester):
        file(stranger, campaign, **BUG_FIELDS)


def test_testers_still_file_while_the_campaign_is_evaluated(make_test_campaign):
    campaign, (tester,) = make_test_campaign(testers=1, state=EVALUATION)
    assert file(tester, campaign, **BUG_FIELDS).status == "new"


def test_nothing_is_filed_once_the_campaign_is_closed(make_test_campaign):
    campaign, (tester,) = make_test_campaign(testers=1, state=CLOSED)
    error = refused(lambda: file(tester, campaign, **BUG_FIELDS))
    assert "The test has ended" in str(error)
    assert count(Report, Report.campaign_id == campaign.id) == 0


# --- the timeline and the response clock ------------------------------------------------

def test_filing_records_a_filed_event_by_the_tester(testing):
    campaign, (tester, *_) = testing
    report = file(tester, campaign, **{**BUG_FIELDS, "severity": "critical"})
    [event] = reports.events_of(report.id)
    assert (event.action, event.actor_id, event.old_value, event.new_value) == (
        reports.FILED, tester.id, None, "critical")


@pytest.mark.parametrize("severity, hours", [
    ("critical", 4), ("major", 24), ("minor", 72), ("cosmetic", 72)])
def test_a_bug_starts_a_response_clock_with_its_severitys_target(testing, severity, hours):
    campaign, (tester, *_) = testing
    with frozen_at(NOON):
        report = file(tester, campaign, **{**BUG_FIELDS, "severity": severity})
    clock = clocks.clock_of(reports.CLOCK_KIND, report.id)
    assert (clock.category, clock.target_minutes, clock.started_at) == (
        severity, hours * 60, NOON)
    assert clock.due_at == NOON + timedelta(hours=hours)
    assert clock.escalate_at == NOON + timedelta(hours=3 * hours)
    assert (clock.responded_at, clock.stopped_at, clock.escalated_at) == (None, None, None)


@pytest.mark.parametrize("kind", [IDEA, PRAISE])
def test_ideas_and_praise_wait_72_hours_for_a_response(testing, kind):
    campaign, (tester, *_) = testing
    with frozen_at(NOON):
        report = file(tester, campaign, kind=kind, title="Guest network timer",
                      description="At night, please.")
    clock = clocks.clock_of(reports.CLOCK_KIND, report.id)
    assert (clock.category, clock.due_at) == (None, NOON + timedelta(hours=72))


def test_the_deployment_sets_its_own_response_targets(app, testing, monkeypatch):
    monkeypatch.setitem(app.config, "RESPONSE_TARGETS", {"report.critical": 1, "report": 48})
    campaign, (tester, *_) = testing
    with frozen_at(NOON):
        critical = file(tester, campaign, **{**BUG_FIELDS, "severity": "critical"})
        major = file(tester, campaign, title="Mesh loses the repeater", **BUG_FIELDS)
        minor = file(tester, campaign, title="Typo in the web UI",
                     **{**BUG_FIELDS, "severity": "minor"})
    due = {r.severity: clocks.clock_of(reports.CLOCK_KIND, r.id).due_at
           for r in (critical, major, minor)}
    assert due == {"critical": NOON + timedelta(hours=1),  # overridden
                   "major": NOON + timedelta(hours=24),  # the default for major stays
                   "minor": NOON + timedelta(hours=48)}  # the kind's target overridden


# --- who sees which report --------------------------------------------------------------

def test_a_tester_always_sees_their_own_report(testing):
    campaign, (tester, *_) = testing
    campaign.reports_shared = False
    report = file(tester, campaign, **BUG_FIELDS)
    assert reports.can_see(participation_of(tester, campaign), report)
    assert reports.report_in(participation_of(tester, campaign), report.id) is report
    assert reports.own_reports(participation_of(tester, campaign)) == [report]


def test_testers_see_each_others_reports_when_the_campaign_shares_them(testing):
    campaign, (tester, other, _third) = testing
    report = file(tester, campaign, **BUG_FIELDS)
    mine = participation_of(other, campaign)
    assert reports.can_see(mine, report)
    assert reports.report_in(mine, report.id) is report
    assert list(db.session.scalars(reports.others_query(mine))) == [report]
    assert reports.own_reports(mine) == []


def test_testers_do_not_see_each_others_reports_when_the_campaign_does_not_share(testing):
    campaign, (tester, other, _third) = testing
    campaign.reports_shared = False
    report = file(tester, campaign, **BUG_FIELDS)
    mine = participation_of(other, campaign)
    assert not reports.can_see(mine, report)
    assert reports.report_in(mine, report.id) is None
    assert list(db.session.scalars(reports.others_query(mine))) == []


def test_a_report_of_another_campaign_is_never_seen(testing, make_test_campaign):
    campaign, (tester, *_) = testing
    other_campaign, _ = make_test_campaign(testers=[tester])
    report = file(tester, other_campaign, **BUG_FIELDS)
    here = participation_of(tester, campaign)
    assert not reports.can_see(here, report)  # even their own, even though shared
    assert reports.report_in(here, report.id) is None
    assert reports.own_reports(here) == []


def test_a_missing_report_is_none(testing):
    campaign, (tester, *_) = testing
    assert reports.report_in(participation_of(tester, campaign), 987654) is None


def test_others_reports_come_most_me_too_first_without_duplicates(testing, make_staff):
    campaign, (tester, second, third) = testing
    backed = file(tester, campaign, title="Backed report", **BUG_FIELDS)
    quiet = file(tester, campaign, title="Quiet report", **BUG_FIELDS)
    kept = file(tester, campaign, title="Kept report", **BUG_FIELDS)
    joined = file(second, campaign, title="Joined report", **BUG_FIELDS)
    reports.me_too(participation_of(second, campaign), backed)
    triage.merge(make_staff(), joined, kept.id)  # its reporter joins the kept one
    seen = list(db.session.scalars(reports.others_query(participation_of(third, campaign))))
    assert seen == [kept, backed, quiet]  # newest first among equals
    assert [r.me_too_count for r in seen] == [1, 1, 0]


# --- me too -----------------------------------------------------------------------------

def me_toos(report) -> list[int]:
    db.session.flush()
    return sorted(db.session.scalars(
        select(ReportMeToo.member_id).where(ReportMeToo.report_id == report.id)))


def test_me_too_counts_the_tester_once(testing):
    campaign, (tester, other, _third) = testing
    report = file(tester, campaign, **BUG_FIELDS)
    assert reports.me_too(participation_of(other, campaign), report) is True
    assert (report.me_too_count, me_toos(report)) == (1, [other.id])


def test_saying_me_too_twice_changes_nothing(testing):
    campaign, (tester, other, _third) = testing
    report = file(tester, campaign, **BUG_FIELDS)
    reports.me_too(participation_of(other, campaign), report)
    assert reports.me_too(participation_of(other, campaign), report) is False
    assert (report.me_too_count, me_toos(report)) == (1, [other.id])


def test_each_tester_adds_one(testing):
    campaign, (tester, other, third) = testing
    report = file(tester, campaign, **BUG_FIELDS)
    reports.me_too(participation_of(other, campaign), report)
    reports.me_too(participation_of(third, campaign), report)
    assert (report.me_too_count, me_toos(report)) == (2, sorted([other.id, third.id]))
    assert reports.my_me_toos(third.id, [report.id]) == {report.id}
    assert reports.my_me_toos(tester.id, [report.id]) == set()
    assert reports.my_me_toos(third.id, []) == set()


def test_me_too_can_be_taken_back_once(testing):
    campaign, (tester, other, third) = testing
    report = file(tester, campaign, **BUG_FIELDS)
    reports.me_too(participation_of(other, campaign), report)
    reports.me_too(participation_of(third, campaign), report)
    assert reports.me_too(participation_of(other, campaign), report, on=False) is True
    assert (report.me_too_count, me_toos(report)) == (1, [third.id])
    assert reports.me_too(participation_of(other, campaign), report, on=False) is False
    assert report.me_too_count == 1


def test_taking_back_a_me_too_never_said_changes_nothing(testing):
    campaign, (tester, other, _third) = testing
    report = file(tester, campaign, **BUG_FIELDS)
    assert reports.me_too(participation_of(other, campaign), report, on=False) is False
    assert report.me_too_count == 0


def test_no_me_too_on_ones_own_report(testing):
    campaign, (tester, *_) = testing
    report = file(tester, campaign, **BUG_FIELDS)
    error = refused(lambda: reports.me_too(participation_of(tester, campaign), report))
    assert str(error) == "This is your own report."
    assert (report.me_too_count, me_toos(report)) == (0, [])


def test_no_me_too_on_a_duplicate(testing, make_staff):
    campaign, (tester, other, third) = testing
    kept = file(tester, campaign, **BUG_FIELDS)
    duplicate = file(other, campaign, title="WiFi keeps dropping", **BUG_FIELDS)
    triage.merge(make_staff(), duplicate, kept.id)
    error = refused(lambda: reports.me_too(participation_of(third, campaign), duplicate))
    assert "joined to another one" in str(error)
    assert me_toos(duplicate) == []


def test_no_me_too_when_the_campaign_does_not_share_reports(testing):
    campaign, (tester, other, _third) = testing
    campaign.reports_shared = False
    report = file(tester, campaign, **BUG_FIELDS)
    error = refused(lambda: reports.me_too(participation_of(other, campaign), report))
    assert str(error) == "This report is not shared with other testers."
    assert me_toos(report) == []


def test_no_me_too_on_a_report_of_another_campaign(testing, make_test_campaign):
    campaign, (tester, other, _third) = testing
    elsewhere, _ = make_test_campaign(testers=[tester, other])
    report = file(tester, elsewhere, **BUG_FIELDS)
    refused(lambda: reports.me_too(participation_of(other, campaign), report))
    assert me_toos(report) == []


def test_no_me_too_after_the_test_ended(testing):
    campaign, (tester, other, _third) = testing
    report = file(tester, campaign, **BUG_FIELDS)
    campaign.state = CLOSED
    error = refused(lambda: reports.me_too(participation_of(other, campaign), report))
    assert "The test has ended" in str(error)
    assert me_toos(report) == []


# --- similar titles ---------------------------------------------------------------------

def titles(found) -> list[str]:
    return [report.title for report in found]


def test_similar_finds_titles_sharing_words_whatever_their_case(testing):
    campaign, (tester, other, _third) = testing
    file(tester, campaign, title="WiFi drops every hour", **BUG_FIELDS)
    file(tester, campaign, title="Router reboots at night", **BUG_FIELDS)
    found = reports.similar(participation_of(other, campaign), "wifi DROPS when streaming")
    assert titles(found) == ["WiFi drops every hour"]


def test_similar_understands_german_umlauts(testing):
    campaign, (tester, other, _third) = testing
    file(tester, campaign, title="Lüfter läuft ständig zu laut", **BUG_FIELDS)
    file(tester, campaign, title="Lüftung des Gehäuses", **BUG_FIELDS)
    file(tester, campaign, title="Die Größe der Schrift", **BUG_FIELDS)
    found = reports.similar(participation_of(other, campaign), "LÜFTER laut")
    assert titles(found) == ["Lüfter läuft ständig zu laut"]
    assert titles(reports.similar(participation_of(other, campaign), "größe")) == [
        "Die Größe der Schrift"]


def test_similar_finds_titles_written_in_capitals_with_umlauts(testing):
    campaign, (tester, other, _third) = testing
    file(tester, campaign, title="ÜBERHITZUNG NACH UPDATE", **BUG_FIELDS)
    found = reports.similar(participation_of(other, campaign), "Überhitzung am Abend")
    assert titles(found) == ["ÜBERHITZUNG NACH UPDATE"]


def test_similar_ranks_the_best_overlap_first(testing):
    campaign, (tester, other, _third) = testing
    file(tester, campaign, title="Mesh repeater loses connection", **BUG_FIELDS)
    file(tester, campaign, title="Mesh repeater loses connection after update", **BUG_FIELDS)
    file(tester, campaign, title="Mesh setup wizard is confusing", **BUG_FIELDS)
    found = reports.similar(participation_of(other, campaign),
                            "mesh repeater loses connection after the update")
    # shared words / all words of both titles: 6/7, 4/7, 1/10
    assert titles(found) == ["Mesh repeater loses connection after update",
                             "Mesh repeater loses connection",
                             "Mesh setup wizard is confusing"]


def test_similar_prefers_more_me_toos_on_equal_overlap_and_honours_the_limit(testing):
    campaign, (tester, other, third) = testing
    plain = file(tester, campaign, title="Router reboots randomly", **BUG_FIELDS)
    backed = file(tester, campaign, title="Router reboots suddenly", **BUG_FIELDS)
    file(tester, campaign, title="Router reboots overnight", **BUG_FIELDS)
    reports.me_too(participation_of(third, campaign), backed)
    found = reports.similar(participation_of(other, campaign), "router reboots", limit=2)
    assert found[0] == backed and len(found) == 2 and plain not in found


def test_similar_ignores_short_words_and_empty_titles(testing):
    campaign, (tester, other, _third) = testing
    file(tester, campaign, title="It is on in the UI", **BUG_FIELDS)
    assert reports.similar(participation_of(other, campaign), "it is on") == []
    assert reports.similar(participation_of(other, campaign), "") == []
    assert reports.similar(participation_of(other, campaign), None) == []


def test_similar_leaves_out_duplicates(testing, make_staff):
    campaign, (tester, other, third) = testing
    kept = file(tester, campaign, title="WiFi drops every hour", **BUG_FIELDS)
    duplicate = file(other, campaign, title="WiFi drops hourly", **BUG_FIELDS)
    triage.merge(make_staff(), duplicate, kept.id)
    assert titles(reports.similar(participation_of(third, campaign), "wifi drops")) == [
        "WiFi drops every hour"]


def test_similar_leaves_out_what_the_tester_cannot_see(testing, make_test_campaign):
    campaign, (tester, other, _third) = testing
    elsewhere, _ = make_test_campaign(testers=[tester, other])
    file(tester, elsewhere, title="WiFi drops elsewhere", **BUG_FIELDS)
    campaign.reports_shared = False
    file(tester, campaign, title="WiFi drops every hour", **BUG_FIELDS)
    file(other, campaign, title="WiFi drops at night", **BUG_FIELDS)
    assert titles(reports.similar(participation_of(other, campaign), "wifi drops")) == [
        "WiFi drops at night"]  # only their own


# --- the reporter's reply ---------------------------------------------------------------

def test_the_reporter_replies_in_the_thread(testing):
    campaign, (tester, *_) = testing
    report = file(tester, campaign, **BUG_FIELDS)
    comment = reports.reply(participation_of(tester, campaign), report, "  It is fibre.  ")
    db.session.flush()
    assert (comment.author_id, comment.from_staff, comment.body) == (
        tester.id, False, "It is fibre.")
    assert reports.comments_of(report.id) == [comment]


def test_only_the_reporter_replies(testing):
    campaign, (tester, other, _third) = testing
    report = file(tester, campaign, **BUG_FIELDS)
    error = refused(lambda: reports.reply(participation_of(other, campaign), report, "Same"))
    assert str(error) == "Only the tester who filed the report can reply here."
    assert count(ReportComment, ReportComment.report_id == report.id) == 0


@pytest.mark.parametrize("body, message", [
    ("  ", "Please fill in this field."), ("b" * 5001, "Please keep it under 5000 characters.")])
def test_a_reply_needs_some_text_within_the_limit(testing, body, message):
    campaign, (tester, *_) = testing
    report = file(tester, campaign, **BUG_FIELDS)
    error = refused(lambda: reports.reply(participation_of(tester, campaign), report, body))
    assert (error.field, str(error)) == ("body", message)


def test_a_reply_does_not_count_as_a_staff_response(testing):
    campaign, (tester, *_) = testing
    report = file(tester, campaign, **BUG_FIELDS)
    reports.reply(participation_of(tester, campaign), report, "More details: fibre.")
    assert clocks.clock_of(reports.CLOCK_KIND, report.id).responded_at is None
    assert count(ReportEvent, ReportEvent.report_id == report.id) == 1  # filed only


def test_links_lead_to_the_staff_and_the_tester_pages(testing):
    campaign, (tester, *_) = testing
    report = file(tester, campaign, **BUG_FIELDS)
    assert reports.staff_link(report) == (
        f"/staff/campaigns/{campaign.slug}/reports/{report.id}")
    assert reports.tester_link(report) == f"/tests/{campaign.slug}/reports/{report.id}"
