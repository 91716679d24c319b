"""The reports list and the staff dashboard run a fixed number of SQL queries, however
many reports, "me too"s, comments, attachments and overdue items there are."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from lab.core.clock import frozen_at
from lab.feedback import reports, triage
from lab.feedback.attachments import Upload
from lab.feedback.models import SEVERITIES
from lab.notify import clocks
from tests.feedback.conftest import participation_of
from tests.support import page_queries

LIMIT = 15
T0 = datetime(2025, 3, 3, 9, 0)


@pytest.fixture
def private_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "PRIVATE_UPLOAD_FOLDER", str(tmp_path))


def _assert_same(few: list[str], many: list[str]) -> None:
    assert len(many) == len(few), "\n".join(many)
    assert len(few) <= LIMIT, "\n".join(few)


def _busy_reports(campaign, testers, staff, n: int, file_report) -> None:
    """n reports of every kind and severity, each with a "me too", a comment from both
    sides, an attachment, and some already answered."""
    reporter, neighbour = testers
    for i in range(n):
        kind = ("bug", "idea", "praise")[i % 3]
        report = file_report(reporter, campaign, kind=kind, title=f"Report number {i}",
                             severity=SEVERITIES[i % len(SEVERITIES)],
                             uploads=[Upload(f"log-{i}.log", b"12:00 WLAN down\n")])
        reports.me_too(participation_of(neighbour, campaign), report)
        reports.reply(participation_of(reporter, campaign), report, "More details.")
        if i % 2:
            triage.comment(staff, report, "Thanks!")


def test_the_reports_list_runs_the_same_queries_with_3_and_25_reports(
        client, auth, make_staff, make_test_campaign, file_report, private_folder):
    staff = auth.login(make_staff(locale="en"))
    small, small_testers = make_test_campaign()
    large, large_testers = make_test_campaign()
    _busy_reports(small, small_testers, staff, 3, file_report)
    _busy_reports(large, large_testers, staff, 25, file_report)
    for query in ("", "?status=all&sort=me_too", "?kind=bug&sort=severity"):
        few = page_queries(client, f"/staff/campaigns/{small.slug}/reports{query}")
        many = page_queries(client, f"/staff/campaigns/{large.slug}/reports{query}")
        _assert_same(few, many)


def test_the_dashboard_runs_the_same_queries_with_2_and_15_overdue_items(
        client, auth, make_staff, make_test_campaign, file_report):
    staff = auth.login(make_staff(locale="en"))
    campaigns = [make_test_campaign() for _ in range(3)]

    def overdue(count: int, start: int) -> None:
        for i in range(start, start + count):
            campaign, (tester, _other) = campaigns[i % len(campaigns)]
            with frozen_at(T0 - timedelta(hours=i)):
                file_report(tester, campaign, title=f"Waiting report {i}",
                            severity=SEVERITIES[i % len(SEVERITIES)])

    def answered(count: int, start: int) -> None:
        for i in range(start, start + count):
            campaign, (tester, _other) = campaigns[i % len(campaigns)]
            with frozen_at(T0 - timedelta(days=2)):
                report = file_report(tester, campaign, title=f"Answered report {i}")
            with frozen_at(T0 - timedelta(days=2) + timedelta(hours=i)):
                triage.set_status(staff, report, "acknowledged")

    def dashboard(overdue_items: int) -> list[str]:
        with frozen_at(T0 + timedelta(days=5)):
            assert clocks.overdue()[1] == overdue_items
            return page_queries(client, "/staff/")

    overdue(2, 100)
    answered(2, 0)
    few = dashboard(2)
    overdue(13, 200)
    answered(10, 2)
    _assert_same(few, dashboard(15))
