"""The staff dashboard /staff/: overdue items longest overdue first, first response times
of the last 30 days, the campaigns in test; and `flask lab escalate`."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from lab.campaigns.models import RECRUITING
from lab.core.clock import frozen_at
from lab.extensions import db
from lab.feedback import triage
from lab.feedback.models import ACKNOWLEDGED, FIXED
from lab.notify import clocks
from tests.rewards.helpers import mails_to, notifications

pytestmark = pytest.mark.usefixtures("english")

T0 = datetime(2025, 3, 3, 9, 0)


@pytest.fixture
def staff(auth, make_staff):
    return auth.login(make_staff(locale="en"))


@pytest.fixture
def two_campaigns(make_test_campaign):
    """Two campaigns in testing ("Router test", "Phone test") with two testers each."""
    return (make_test_campaign(title="Router test"), make_test_campaign(title="Phone test"))


def _dashboard(client) -> str:
    db.session.commit()
    answer = client.get("/staff/")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def _overdue_rows(html: str) -> list[str]:
    """The rows of "Waiting too long", in order, as text."""
    table = html[html.index('id="overdue-heading"'):html.index('id="times-heading"')]
    rows = re.findall(r'<tr id="overdue-report-\d+">(.*?)</tr>', table, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def _text_of(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:dd|p)>', html, re.S)
    assert match, element_id
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_members_get_403_on_the_dashboard(client, auth, make_member):
    auth.login(make_member())
    assert client.get("/staff/").status_code == 403


def test_the_dashboard_lists_overdue_reports_longest_overdue_first_with_their_campaign(
        client, staff, two_campaigns, file_report):
    (router, (anna, _)), (phone, (ben, _)) = two_campaigns
    with frozen_at(T0 - timedelta(hours=24)):
        old_major = file_report(ben, phone, title="Calls drop in the car", severity="major")
    with frozen_at(T0):
        critical = file_report(anna, router, title="WiFi dies at night", severity="critical")
        answered = file_report(anna, router, title="LED stays red", severity="critical")
    with frozen_at(T0 + timedelta(hours=1)):
        triage.set_status(staff, answered, ACKNOWLEDGED)
    with frozen_at(T0 + timedelta(hours=2)):
        file_report(ben, phone, title="App crashes on login", severity="critical")  # due 6 h
    with frozen_at(T0 + timedelta(hours=5)):
        html = _dashboard(client)
    assert _overdue_rows(html) == [
        "Calls drop in the car Report Phone test major 5 h not yet",
        "WiFi dies at night Report Router test critical 1 h not yet",
    ]
    assert f'href="/staff/campaigns/{router.slug}/reports/{critical.id}"' in html
    assert f'href="/staff/campaigns/{phone.slug}/reports/{old_major.id}"' in html
    assert _text_of(html, "overdue-total") == (
        "2 items wait longer than their target for a first staff response.")


def test_an_overdue_item_says_how_long_in_days_and_hours(client, staff, two_campaigns,
                                                         file_report):
    (router, (anna, _)), _phone = two_campaigns
    with frozen_at(T0):
        file_report(anna, router, title="Guest WiFi ignores its schedule", severity="minor")
    with frozen_at(T0 + timedelta(hours=72 + 50, minutes=20)):
        assert _overdue_rows(_dashboard(client)) == [
            "Guest WiFi ignores its schedule Report Router test minor 2 days 2 h not yet"]


def test_nothing_overdue_is_said_plainly(client, staff, two_campaigns, file_report):
    (router, (anna, _)), _phone = two_campaigns
    with frozen_at(T0):
        file_report(anna, router, severity="critical")
    with frozen_at(T0 + timedelta(hours=3)):
        html = _dashboard(client)
    assert _overdue_rows(html) == []
    assert _text_of(html, "overdue-total") == "Nothing waits longer than its target. Well done."


def test_the_median_and_90th_percentile_of_first_responses_are_shown(
        client, staff, two_campaigns, file_report):
    (router, (anna, bert)), _phone = two_campaigns
    with frozen_at(T0 - timedelta(days=40)):  # answered 39 days ago: not counted
        old = file_report(anna, router, title="An old report", severity="minor")
    with frozen_at(T0 - timedelta(days=39)):
        triage.comment(staff, old, "Long ago.")
    with frozen_at(T0):
        made = [file_report(anna, router, title="Minor: answered after 1 h", severity="minor"),
                file_report(bert, router, title="Major: answered after 2 h", severity="major"),
                file_report(anna, router, title="Critical: answered after 10 h",
                            severity="critical")]
    for report, hours in zip(made, (1, 2, 10), strict=True):
        with frozen_at(T0 + timedelta(hours=hours)):
            triage.set_status(staff, report, ACKNOWLEDGED)
    with frozen_at(T0 + timedelta(hours=11)):
        html = _dashboard(client)
    # waits 1 h, 2 h, 10 h; nearest rank: median = 2nd of 3, 90th percentile = 3rd of 3
    assert _text_of(html, "times-count") == "3"
    assert _text_of(html, "times-median") == "2 h"
    assert _text_of(html, "times-p90") == "10 h"
    # the critical one missed its 4 h target
    assert _text_of(html, "times-within") == "2 of 3 (67%)"


def test_a_response_time_with_minutes_is_shown_in_hours_and_minutes(
        client, staff, two_campaigns, file_report):
    (router, (anna, _)), _phone = two_campaigns
    with frozen_at(T0):
        report = file_report(anna, router, severity="major")
    with frozen_at(T0 + timedelta(hours=3, minutes=20)):
        triage.set_status(staff, report, FIXED)
        html = _dashboard(client)
    assert _text_of(html, "times-median") == "3 h 20 min"


def test_without_responses_in_30_days_the_dashboard_says_so(client, staff):
    html = _dashboard(client)
    assert _text_of(html, "response-times") == "No responses in the last 30 days."


def test_the_campaigns_in_test_are_linked_with_their_open_reports(
        client, staff, two_campaigns, make_campaign, file_report):
    (router, (anna, bert)), (phone, _) = two_campaigns
    recruiting = make_campaign(RECRUITING, title="Watch test")
    file_report(anna, router, title="WiFi dies at night")
    triage.set_status(staff, file_report(bert, router, title="LED stays red"), FIXED)
    html = _dashboard(client)
    listed = html[html.index('id="campaigns-in-test"'):html.index("</ul>",
                                                                  html.index('id="campaigns-in-test"'))]
    assert f'href="/staff/campaigns/{router.slug}/reports">1 open report' in listed
    assert f'href="/staff/campaigns/{phone.slug}/reports">0 open reports' in listed
    assert recruiting.slug not in listed
    assert 'href="/staff/campaigns/">Manage campaigns</a>' in html


# ---- escalation ----------------------------------------------------------------------------

def _escalate(app, at: datetime) -> str:
    db.session.commit()  # the command commits its own unit of work
    with frozen_at(at):
        result = app.test_cli_runner().invoke(args=["lab", "escalate"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output.strip()


def test_escalate_tells_the_admins_once_about_items_overdue_by_twice_their_target(
        app, client, make_admin, staff, two_campaigns, file_report):
    (router, (anna, _)), _phone = two_campaigns
    admins = [make_admin(), make_admin()]
    with frozen_at(T0):
        file_report(anna, router, title="WiFi dies at night", severity="critical")
        file_report(anna, router, title="Calls drop", severity="major")  # escalates at 72 h
    # critical: due at 4 h, escalated past 4 h + 2 × 4 h = 12 h
    assert _escalate(app, T0 + timedelta(hours=11)) == "escalated 0"
    assert _escalate(app, T0 + timedelta(hours=13)) == "escalated 1"
    for admin in admins:
        [note] = notifications(admin, clocks.ESCALATED_KIND)
        assert note.params["title"] == "WiFi dies at night"
        assert len(mails_to(admin)) == 1
    assert _escalate(app, T0 + timedelta(hours=14)) == "escalated 0"
    for admin in admins:
        assert len(notifications(admin, clocks.ESCALATED_KIND)) == 1
        assert len(mails_to(admin)) == 1
    with frozen_at(T0 + timedelta(hours=14)):
        rows = _overdue_rows(_dashboard(client))
    assert rows[0] == "WiFi dies at night Report Router test critical 10 h escalated"
