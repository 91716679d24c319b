"""The staff triage pages: the list of a campaign's reports with filters and sorting, one
report with its clock, timeline and thread, and status, severity, merge and reply."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from lab.core.clock import frozen_at
from lab.extensions import db
from lab.feedback import notices, reports, triage
from lab.feedback.models import ACKNOWLEDGED, DUPLICATE, FIXED, NEW, Report, ReportEvent
from lab.notify import clocks
from tests.feedback.conftest import participation_of
from tests.rewards.helpers import count, mails_to, notifications
from tests.support import post_form

pytestmark = pytest.mark.usefixtures("english")

T0 = datetime(2025, 3, 3, 9, 0)


@pytest.fixture
def lab(make_test_campaign, make_member, make_staff, auth):
    """A campaign in testing with three testers (English), a staff member signed in."""
    campaign, testers = make_test_campaign(testers=[make_member(locale="en")
                                                    for _ in range(3)])
    staff = auth.login(make_staff(locale="en"))
    return campaign, testers, staff


def _url(campaign, report=None, action=None) -> str:
    url = f"/staff/campaigns/{campaign.slug}/reports"
    if report is not None:
        url += f"/{getattr(report, 'id', report)}"
    return url + (f"/{action}" if action else "")


def _ids_in_order(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="report-(\d+)"', html)]


def _page(client, url) -> str:
    db.session.commit()
    answer = client.get(url)
    assert answer.status_code == 200, url
    return answer.get_data(as_text=True)


def _post(client, campaign, report, action, data):
    db.session.commit()
    answer = post_form(client, _url(campaign, report, action), data,
                       page=_url(campaign, report))
    db.session.expire_all()
    return answer


def _error_of(html: str, field_id: str) -> str:
    """The text of the error shown beside a field."""
    match = re.search(rf'<div id="{field_id}-error"[^>]*>(.*?)</div>', html, re.S)
    assert match, f"no error beside {field_id}"
    return re.sub(r"<[^>]+>", " ", match.group(1)).strip()


def _events(report) -> list[tuple[str, str | None, str | None]]:
    return [(e.action, e.old_value, e.new_value) for e in reports.events_of(report.id)]


# ---- the list ----------------------------------------------------------------------------

def test_the_list_shows_open_reports_with_reporter_me_toos_and_their_clock(
        client, lab, file_report):
    campaign, (anna, ben, _carl), staff = lab
    with frozen_at(T0):
        bug = file_report(anna, campaign, title="WiFi drops every hour", severity="critical")
        idea = file_report(ben, campaign, kind="idea", title="A guest network schedule")
        done = file_report(ben, campaign, title="Typo in the setup wizard", severity="cosmetic")
        reports.me_too(participation_of(ben, campaign), bug)
        triage.set_status(staff, done, FIXED)
    with frozen_at(T0 + timedelta(hours=2)):
        triage.comment(staff, idea, "Thanks, we will look at it.")
    with frozen_at(T0 + timedelta(hours=6)):
        html = _page(client, _url(campaign))
    assert _ids_in_order(html) == [bug.id, idea.id]  # the fixed one is not open
    row = html[html.index(f'id="report-{bug.id}"'):html.index(f'id="report-{idea.id}"')]
    assert "WiFi drops every hour" in row and f"@{anna.handle}" in row
    assert "critical" in row and "new" in row
    assert re.search(r'<td class="text-end">1</td>', row)  # one "me too"
    assert "overdue by 2 h" in row  # critical: 4 h target, 6 h have passed
    assert "answered after 2 h" in html
    counts = html[html.index('id="report-counts"'):html.index('id="list-heading"')]
    assert re.search(r'id="count-new">.*?<td class="text-end fw-semibold">2</td>', counts, re.S)
    assert re.search(r'id="count-fixed">.*?<td class="text-end fw-semibold">1</td>',
                     counts, re.S)


def test_an_unanswered_report_shows_when_it_is_due(client, lab, file_report):
    campaign, (anna, *_), _staff = lab
    with frozen_at(T0):
        file_report(anna, campaign, severity="major")
    with frozen_at(T0 + timedelta(hours=22)):
        html = _page(client, _url(campaign))
    assert "due in 2 h" in html


@pytest.mark.parametrize("query, expected", [
    ("status=all", ["bug", "idea", "fixed"]),
    ("status=fixed", ["fixed"]),
    ("kind=idea", ["idea"]),
    ("severity=critical", ["bug"]),
    ("q=wizard&status=all", ["fixed"]),
    ("q=WIFI", ["bug"]),
    ("status=nonsense&kind=x&sort=y", ["bug", "idea"]),  # bad values are ignored
])
def test_the_filters_narrow_the_list(client, lab, file_report, query, expected):
    campaign, (anna, ben, _carl), staff = lab
    made = {"bug": file_report(anna, campaign, title="WiFi drops every hour",
                               severity="critical"),
            "idea": file_report(ben, campaign, kind="idea", title="A guest network schedule"),
            "fixed": file_report(ben, campaign, title="Typo in the setup wizard",
                                 severity="cosmetic")}
    triage.set_status(staff, made["fixed"], FIXED)
    html = _page(client, _url(campaign) + "?" + query)
    assert sorted(_ids_in_order(html)) == sorted(made[name].id for name in expected)


def test_the_list_sorts_unanswered_first_by_due_time_newest_severity_or_me_too(
        client, lab, file_report):
    campaign, (anna, ben, carl), staff = lab
    with frozen_at(T0):
        minor = file_report(anna, campaign, title="Minor glitch in the app", severity="minor")
        major = file_report(ben, campaign, title="Major outage at night", severity="major")
    with frozen_at(T0 + timedelta(hours=1)):
        critical = file_report(carl, campaign, title="Critical crash on boot",
                               severity="critical")
        answered = file_report(anna, campaign, title="Answered crash report",
                               severity="critical")
        triage.set_status(staff, answered, ACKNOWLEDGED)
        for member in (anna, ben):
            reports.me_too(participation_of(member, campaign), critical)
        reports.me_too(participation_of(carl, campaign), major)
    # waiting: critical due at 5 h, major at 24 h, minor at 72 h; the answered one last
    assert _ids_in_order(_page(client, _url(campaign))) == [
        critical.id, major.id, minor.id, answered.id]
    assert _ids_in_order(_page(client, _url(campaign) + "?sort=newest")) == [
        answered.id, critical.id, major.id, minor.id]
    assert _ids_in_order(_page(client, _url(campaign) + "?sort=severity")) == [
        critical.id, answered.id, major.id, minor.id]
    assert _ids_in_order(_page(client, _url(campaign) + "?sort=me_too")) == [
        critical.id, major.id, minor.id, answered.id]


def test_the_list_is_paginated_by_50(client, lab, file_report):
    campaign, (anna, *_), _staff = lab
    for n in range(51):
        file_report(anna, campaign, title=f"Report number {n}", severity="minor")
    assert len(_ids_in_order(_page(client, _url(campaign)))) == 50
    assert len(_ids_in_order(_page(client, _url(campaign) + "?page=2"))) == 1


# ---- who may see what --------------------------------------------------------------------

def test_members_and_testers_get_403_on_the_triage_pages(client, auth, lab, file_report):
    campaign, (anna, *_), _staff = lab
    report = file_report(anna, campaign)
    auth.login(anna)
    for url in (_url(campaign), _url(campaign, report)):
        assert client.get(url).status_code == 403
    answer = post_form(client, _url(campaign, report, "status"), {"status": ACKNOWLEDGED},
                       page=f"/tests/{campaign.slug}/")
    assert answer.status_code == 403
    db.session.expire_all()
    assert db.session.get(Report, report.id).status == NEW


def test_a_report_of_another_campaign_is_not_found(client, lab, make_test_campaign,
                                                   file_report):
    campaign, _testers, _staff = lab
    other, (stranger,) = make_test_campaign(testers=1)
    report = file_report(stranger, other)
    db.session.commit()
    assert client.get(_url(campaign, report)).status_code == 404
    assert client.get(_url(campaign, 999_999)).status_code == 404
    answer = _post(client, campaign, report, "status", {"status": ACKNOWLEDGED})
    assert answer.status_code == 404
    assert db.session.get(Report, report.id).status == NEW


# ---- one report --------------------------------------------------------------------------

def test_the_report_page_shows_what_the_tester_wrote_the_clock_and_only_allowed_statuses(
        client, lab, file_report, app, tmp_path, monkeypatch):
    from lab.feedback.attachments import Upload

    monkeypatch.setitem(app.config, "PRIVATE_UPLOAD_FOLDER", str(tmp_path))
    campaign, (anna, ben, _carl), staff = lab
    with frozen_at(T0):
        report = file_report(anna, campaign, title="WiFi drops every hour", severity="major",
                             device="Pixel 8", version="7.57",
                             uploads=[Upload("router.log", b"12:00 WLAN down\n")])
        reports.me_too(participation_of(ben, campaign), report)
    with frozen_at(T0 + timedelta(hours=3)):
        triage.set_status(staff, report, FIXED, note="Firmware 7.58")
        html = _page(client, _url(campaign, report))
    for text in ("Leave it running.", "The WiFi drops.", "It stays up.", "Pixel 8", "7.57",
                 "router.log", "1 other tester", "answered after 3 h", f"by @{staff.handle}",
                 "Firmware 7.58", "filed the report"):
        assert text in html, text
    attachment = report.attachments[0]
    assert f'href="/tests/{campaign.slug}/attachments/{attachment.id}"' in html
    status_select = html[html.index('id="status-form"'):html.index('id="severity-form"')]
    # from "fixed" only back to "acknowledged"
    assert re.findall(r'<option[^>]*value="([a-z_]+)"', status_select) == [ACKNOWLEDGED]


def test_an_image_attachment_is_shown_inline(client, lab, file_report, app, tmp_path,
                                             monkeypatch):
    from lab.feedback.attachments import Upload
    from tests.feedback.test_attachments import photo

    monkeypatch.setitem(app.config, "PRIVATE_UPLOAD_FOLDER", str(tmp_path))
    campaign, (anna, *_), _staff = lab
    report = file_report(anna, campaign, uploads=[Upload("shot.png", photo())])
    html = _page(client, _url(campaign, report))
    url = f"/tests/{campaign.slug}/attachments/{report.attachments[0].id}"
    assert re.search(rf'<img src="{url}"[^>]* alt="Screenshot shot.png"', html)
    with client.get(url) as served:  # staff may open it
        assert served.status_code == 200


def test_acknowledging_sets_the_status_stops_the_clock_and_tells_the_reporter(
        client, auth, lab, file_report):
    campaign, (anna, *_), staff = lab
    with frozen_at(T0):
        report = file_report(anna, campaign)
    mails_before = len(mails_to(anna))
    with frozen_at(T0 + timedelta(hours=5)):
        answer = _post(client, campaign, report, "status",
                       {"status": ACKNOWLEDGED, "status_note": "We can reproduce it."})
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(_url(campaign, report))
    report = db.session.get(Report, report.id)
    assert report.status == ACKNOWLEDGED
    clock = clocks.clock_of(reports.CLOCK_KIND, report.id)
    assert clock.responded_at == T0 + timedelta(hours=5)
    assert clock.responder_id == staff.id
    assert [n.params["report_status"] for n in notifications(anna, notices.STATUS_KIND)] == [
        ACKNOWLEDGED]
    assert len(mails_to(anna)) == mails_before + 1
    [event] = [e for e in reports.events_of(report.id) if e.action == "status"]
    assert (event.old_value, event.new_value, event.note, event.actor_id) == (
        NEW, ACKNOWLEDGED, "We can reproduce it.", staff.id)
    # the tester sees it on the timeline of their report
    auth.login(anna)
    html = _page(client, f"/tests/{campaign.slug}/reports/{report.id}")
    timeline = html[html.index('id="timeline-heading"'):]
    assert "“new” to “acknowledged”" in timeline


def test_the_staff_page_says_what_happened_after_a_change(client, lab, file_report):
    campaign, (anna, *_), _staff = lab
    report = file_report(anna, campaign)
    answer = _post(client, campaign, report, "status", {"status": ACKNOWLEDGED})
    html = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "The status is now “acknowledged”. The tester was told." in html
    assert "status new → acknowledged" in html


def test_an_illegal_transition_is_refused_beside_the_field_and_changes_nothing(
        client, lab, file_report):
    campaign, (anna, *_), staff = lab
    report = file_report(anna, campaign)
    triage.set_status(staff, report, FIXED)
    events_before = _events(report)
    notes_before = len(notifications(anna, notices.STATUS_KIND))
    # the page offers only "acknowledged"; the POST is tampered
    answer = _post(client, campaign, report, "status",
                   {"status": "forwarded", "status_note": "Sent on."})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert (_error_of(html, "status")
            == "A report cannot go from “fixed” to “forwarded to the product team”.")
    assert "Sent on." in html  # the input is kept
    assert db.session.get(Report, report.id).status == FIXED
    assert _events(report) == events_before
    assert len(notifications(anna, notices.STATUS_KIND)) == notes_before


def test_a_change_of_severity_is_recorded_and_told(client, lab, file_report):
    campaign, (anna, *_), _staff = lab
    report = file_report(anna, campaign, severity="minor")
    answer = _post(client, campaign, report, "severity", {"severity": "critical"})
    assert answer.status_code == 302
    assert db.session.get(Report, report.id).severity == "critical"
    assert ("severity", "minor", "critical") in _events(report)
    assert [n.params["severity"] for n in notifications(anna, notices.SEVERITY_KIND)] == [
        "critical"]


def test_an_idea_has_no_severity_to_change(client, lab, file_report):
    campaign, (anna, *_), _staff = lab
    idea = file_report(anna, campaign, kind="idea", title="A guest network schedule")
    html = _page(client, _url(campaign, idea))
    assert 'id="severity-form"' not in html
    answer = _post(client, campaign, idea, "severity", {"severity": "major"})
    assert answer.status_code == 422
    assert _error_of(answer.get_data(as_text=True), "severity") == "Only bugs have a severity."
    assert db.session.get(Report, idea.id).severity is None


@pytest.mark.parametrize("into, message", [
    ("self", "A report cannot be a duplicate of itself."),
    ("other campaign", "Please give the number of a report of this campaign."),
    ("999999", "Please give the number of a report of this campaign."),
    ("", "Please give the number of a report of this campaign."),
    ("0", "Please give the number of a report of this campaign."),
    ("99999999999", "Please give the number of a report of this campaign."),
    ("abc", "Not a valid integer value."),
])
def test_a_merge_into_a_report_that_cannot_be_kept_is_refused_beside_the_field(
        client, lab, make_test_campaign, file_report, into, message):
    campaign, (anna, *_), _staff = lab
    report = file_report(anna, campaign)
    other, (stranger,) = make_test_campaign(testers=1)
    foreign = file_report(stranger, other)
    value = {"self": str(report.id), "other campaign": str(foreign.id)}.get(into, into)
    answer = _post(client, campaign, report, "merge", {"into": value, "merge_note": "Same"})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert _error_of(html, "into") == message
    assert f'value="{value}"' in html or not value
    assert db.session.get(Report, report.id).status == NEW
    assert count(ReportEvent, ReportEvent.report_id == report.id) == 1  # filed only


def test_merging_moves_the_me_toos_and_the_reporter_to_the_kept_report(
        client, lab, make_member, file_report):
    campaign, (anna, ben, carl), _staff = lab
    dora = make_member()
    from lab.campaigns.models import CONFIRMED, Application
    db.session.add(Application(campaign_id=campaign.id, member_id=dora.id, status=CONFIRMED,
                               answers={}))
    db.session.flush()
    kept = file_report(anna, campaign, title="WiFi drops every hour")
    dupe = file_report(ben, campaign, title="WiFi drops all the time")
    reports.me_too(participation_of(carl, campaign), kept)
    for member in (carl, dora):  # carl is on both: counted once
        reports.me_too(participation_of(member, campaign), dupe)
    answer = _post(client, campaign, dupe, "merge", {"into": str(kept.id)})
    assert answer.status_code == 302
    dupe, kept = db.session.get(Report, dupe.id), db.session.get(Report, kept.id)
    assert (dupe.status, dupe.duplicate_of_id, dupe.me_too_count) == (DUPLICATE, kept.id, 0)
    assert kept.me_too_count == 3  # carl, dora and ben (the duplicate's reporter)
    assert notifications(ben, notices.MERGED_KIND)
    html = _page(client, _url(campaign, dupe))
    assert re.search(rf'id="duplicate-of"><a href="{_url(campaign, kept)}">#{kept.id} WiFi '
                     r"drops every hour</a>", html)
    assert 'id="merge-form"' not in html and 'id="status-form"' not in html
    kept_html = _page(client, _url(campaign, kept))
    assert "3 other testers" in kept_html
    assert f"joined report <a href=\"{_url(campaign, dupe)}\">#{dupe.id}" in kept_html


def test_a_reply_to_the_tester_is_added_to_the_thread_and_told(client, lab, file_report):
    campaign, (anna, *_), staff = lab
    report = file_report(anna, campaign)
    answer = _post(client, campaign, report, "comment", {"body": "Which firmware exactly?"})
    assert answer.status_code == 302
    [comment] = reports.comments_of(report.id)
    assert (comment.body, comment.from_staff, comment.author_id) == (
        "Which firmware exactly?", True, staff.id)
    assert notifications(anna, notices.COMMENT_KIND)
    assert clocks.clock_of(reports.CLOCK_KIND, report.id).responded_at is not None
    html = _page(client, _url(campaign, report))
    assert "Which firmware exactly?" in html and "replied to the tester" in html


def test_an_empty_reply_is_refused_beside_the_field(client, lab, file_report):
    campaign, (anna, *_), _staff = lab
    report = file_report(anna, campaign)
    answer = _post(client, campaign, report, "comment", {"body": "   "})
    assert answer.status_code == 422
    assert _error_of(answer.get_data(as_text=True), "body") == "Please write something."
    assert reports.comments_of(report.id) == []
    assert clocks.clock_of(reports.CLOCK_KIND, report.id).responded_at is None


def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(client, lab,
                                                                      file_report):
    campaign, (anna, *_), _staff = lab
    report = file_report(anna, campaign)
    db.session.commit()
    answer = client.post(_url(campaign, report, "status"), data={"status": ACKNOWLEDGED})
    assert answer.status_code == 400
    db.session.expire_all()
    assert db.session.get(Report, report.id).status == NEW
    assert notifications(anna, notices.STATUS_KIND) == []
