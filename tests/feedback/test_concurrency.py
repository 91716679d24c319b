"""Under real concurrency the counts hold: testers saying "me too" together are all
counted, one tester clicking many times counts once, a form sent from several tabs at once
makes one response and pays once, and two staff confirming a bug together pay once.

PostgreSQL only, in a database of its own with committed data: each thread is one request
with its own app context, session and transaction, started together by a barrier (as in
tests/campaigns/test_concurrency.py). The rolled-back transaction of the `app` fixture
would hide the commits, so these tests do not use it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lab.accounts.models import User
from lab.campaigns import lifecycle, products
from lab.campaigns.models import CONFIRMED, Application, Campaign
from lab.core.clock import utcnow
from lab.core.errors import DomainError
from lab.extensions import db
from lab.feedback import access, builder, reports, responses, triage
from lab.feedback.models import FORWARDED, FeedbackForm, FormResponse, Report, ReportMeToo
from lab.rewards import rules
from lab.rewards.models import LedgerEntry
from tests.campaigns.helpers import campaign_fields
from tests.concurrency import all_at_once, committed, concurrent_app, dispose, new_user, read
from tests.support import postgres_url

THREADS = 8


@pytest.fixture(scope="module", params=["postgresql"])
def database_url():
    """This module's own PostgreSQL database (named database_url so that the summary
    counts these tests as PostgreSQL ones); fails under LAB_STRICT=1 if there is none."""
    return postgres_url("_fbconc")


@pytest.fixture(scope="module")
def live_db(database_url):
    app = concurrent_app(database_url, THREADS)
    yield app
    dispose(app)


def campaign_in_testing(testers: int) -> tuple[int, int, list[int]]:
    """(campaign id, its creator's id, ids of its confirmed testers)"""
    creator, reviewer = new_user("staff"), new_user("staff")
    product = products.save_product(creator, name="Speedport", maker="Telekom",
                                    category="router", description=None)
    campaign = lifecycle.create_campaign(creator, **campaign_fields(product))
    lifecycle.submit_for_review(creator, campaign)
    lifecycle.approve(reviewer, campaign)
    lifecycle.advance(creator, campaign)  # selection
    lifecycle.advance(creator, campaign)  # testing
    members = [new_user() for _ in range(testers)]
    for member in members:
        db.session.add(Application(campaign_id=campaign.id, member_id=member.id,
                                   status=CONFIRMED, answers={}, confirmed_at=utcnow()))
    db.session.flush()
    return campaign.id, creator.id, [member.id for member in members]


def as_tester(member_id: int, campaign_id: int) -> access.Participation:
    return access.participation(member_id, db.session.get(Campaign, campaign_id))


def reported(testers: int) -> tuple[int, list[int]]:
    """(a bug report's id, ids of the other testers of its campaign)"""
    campaign_id, _creator_id, (reporter, *others) = campaign_in_testing(testers + 1)
    report = reports.file_report(as_tester(reporter, campaign_id), kind="bug",
                                 title="WiFi drops every hour", severity="major",
                                 steps="Leave it running.", actual="The WiFi drops.")
    return report.id, others


def me_too_rows(report_id: int):
    return (select(func.count()).select_from(ReportMeToo)
            .where(ReportMeToo.report_id == report_id))


def me_too_count(report_id: int):
    return select(Report.me_too_count).where(Report.id == report_id)


def say_me_too(member_id: int, report_id: int) -> bool:
    report = db.session.get(Report, report_id)
    return reports.me_too(as_tester(member_id, report.campaign_id), report)


def test_eight_testers_saying_me_too_at_once_are_all_counted(live_db):
    report_id, others = committed(live_db, lambda: reported(THREADS))

    outcomes = all_at_once(live_db, THREADS, lambda n: say_me_too(others[n], report_id))

    assert outcomes == [True] * THREADS
    assert read(live_db, me_too_rows(report_id)) == THREADS
    assert read(live_db, me_too_count(report_id)) == THREADS


def test_one_tester_clicking_me_too_eight_times_at_once_counts_once(live_db):
    report_id, (member_id,) = committed(live_db, lambda: reported(1))

    outcomes = all_at_once(live_db, THREADS, lambda n: say_me_too(member_id, report_id))

    assert sorted(outcomes) == [False] * (THREADS - 1) + [True]
    assert read(live_db, me_too_rows(report_id)) == 1
    assert read(live_db, me_too_count(report_id)) == 1


def test_one_form_sent_from_eight_tabs_at_once_makes_one_response_and_pays_once(live_db):
    def prepare():
        campaign_id, creator_id, (member_id,) = campaign_in_testing(1)
        campaign, creator = db.session.get(Campaign, campaign_id), db.session.get(User,
                                                                                  creator_id)
        now = utcnow()
        form = builder.save_form(creator, campaign, title="First impressions", intro=None,
                                 opens_at=now - timedelta(days=1),
                                 due_at=now + timedelta(days=7))
        builder.save_question(creator, form, kind="rating", label="How is it?",
                              help_text=None, required=True, options=[])
        return campaign_id, form.id, member_id

    campaign_id, form_id, member_id = committed(live_db, prepare)

    def submit(n):
        form = db.session.get(FeedbackForm, form_id)
        raw = {f"q{form.questions[0].id}": str(1 + n % 5)}
        saved = responses.save(as_tester(member_id, campaign_id), form, raw, submit=True)
        return saved.response.id, saved.points

    outcomes = all_at_once(live_db, THREADS, submit)

    assert not [o for o in outcomes if isinstance(o, DomainError)]
    assert len({response_id for response_id, _points in outcomes}) == 1
    assert sorted(points for _id, points in outcomes) == [0] * (THREADS - 1) + [20]
    assert read(live_db, select(func.count()).select_from(FormResponse).where(
        FormResponse.form_id == form_id, FormResponse.member_id == member_id)) == 1
    assert read(live_db, select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.member_id == member_id,
        LedgerEntry.reason == rules.FEEDBACK_ON_TIME)) == 1
    assert read(live_db, select(User.reputation).where(User.id == member_id)) == 20


def test_two_staff_confirming_a_bug_at_once_pay_its_reporter_once(live_db):
    def prepare():
        report_id, _others = reported(0)
        return report_id, new_user("staff").id, new_user("staff").id

    report_id, *staff_ids = committed(live_db, prepare)

    def confirm(n):
        staff, report = db.session.get(User, staff_ids[n]), db.session.get(Report, report_id)
        triage.set_status(staff, report, FORWARDED)
        return "confirmed"

    outcomes = all_at_once(live_db, 2, confirm)

    assert outcomes.count("confirmed") == 1
    [refused] = [o for o in outcomes if isinstance(o, DomainError)]
    assert refused.field == "status"
    reporter_id = read(live_db, select(Report.member_id).where(Report.id == report_id))
    assert read(live_db, select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.member_id == reporter_id)) == 1
    assert read(live_db, select(User.reputation).where(User.id == reporter_id)) == 10
