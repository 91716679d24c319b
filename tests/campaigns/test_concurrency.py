"""Under real concurrency the slots hold and a member has one application: two staff
selecting for the last place select one tester, and parallel submits make one row.

PostgreSQL only, in a database of its own with committed data: each thread is one request
with its own app context, session and transaction, started together by a barrier (as in
tests/rewards/test_concurrency.py). The rolled-back transaction of the `app` fixture would
hide the commits, so these tests do not use it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lab.accounts.models import User
from lab.campaigns import applications, lifecycle, products, selection
from lab.campaigns.models import (
    SELECTED,
    STARTED,
    SUBMITTED,
    Application,
    ApplicationEvent,
    Campaign,
)
from lab.core.errors import DomainError
from lab.extensions import db
from tests.campaigns.helpers import apply, campaign_fields, valid_answers
from tests.concurrency import all_at_once, committed, concurrent_app, dispose, new_user, read
from tests.support import postgres_url

THREADS = 8


@pytest.fixture(scope="module", params=["postgresql"])
def database_url():
    """This module's own PostgreSQL database (named database_url so that the summary
    counts these tests as PostgreSQL ones); fails under LAB_STRICT=1 if there is none."""
    return postgres_url("_campconc")


@pytest.fixture(scope="module")
def live_db(database_url):
    app = concurrent_app(database_url, THREADS)
    yield app
    dispose(app)





def recruiting_campaign(slots: int) -> Campaign:
    creator, reviewer = new_user("staff"), new_user("staff")
    product = products.save_product(creator, name="Speedport", maker="Telekom",
                                    category="router", description=None)
    campaign = lifecycle.create_campaign(creator, **campaign_fields(product, slots=slots))
    lifecycle.submit_for_review(creator, campaign)
    lifecycle.approve(reviewer, campaign)
    return campaign


def campaign_in_selection(applicants: int, slots: int) -> tuple[int, int, list[int]]:
    """(campaign id, its creator's id, application ids in ranking order)"""
    campaign = recruiting_campaign(slots)
    for _ in range(applicants):
        apply(new_user(), campaign)
    lifecycle.advance(campaign.created_by, campaign)
    ranked = db.session.scalars(select(Application.id).where(
        Application.campaign_id == campaign.id).order_by(Application.rank)).all()
    return campaign.id, campaign.created_by_id, list(ranked)


def selected_count(campaign_id: int):
    return (select(func.count()).select_from(Application)
            .where(Application.campaign_id == campaign_id, Application.status == SELECTED))


def test_two_staff_selecting_for_the_last_place_select_one(live_db):
    campaign_id, staff_id, ranked = committed(
        live_db, lambda: campaign_in_selection(applicants=3, slots=2))

    def take_first():
        staff, campaign = db.session.get(User, staff_id), db.session.get(Campaign, campaign_id)
        selection.decide(staff, campaign, [ranked[0]], "select")

    committed(live_db, take_first)  # one place left

    def choose(n):
        staff, campaign = db.session.get(User, staff_id), db.session.get(Campaign, campaign_id)
        return selection.decide(staff, campaign, [ranked[1 + n]], "select", "racing")

    outcomes = all_at_once(live_db, 2, choose)

    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(refused) == 1 and outcomes.count(1) == 1
    assert isinstance(refused[0], selection.SelectionError)
    assert read(live_db, select(Campaign.slots_taken).where(Campaign.id == campaign_id)) == 2
    assert read(live_db, selected_count(campaign_id)) == 2


def test_many_staff_selecting_at_once_never_pass_the_slots(live_db):
    campaign_id, staff_id, ranked = committed(
        live_db, lambda: campaign_in_selection(applicants=THREADS, slots=3))

    def choose(n):
        staff, campaign = db.session.get(User, staff_id), db.session.get(Campaign, campaign_id)
        return selection.decide(staff, campaign, [ranked[n]], "select", "racing")

    outcomes = all_at_once(live_db, THREADS, choose)

    assert outcomes.count(1) == 3
    assert read(live_db, select(Campaign.slots_taken).where(Campaign.id == campaign_id)) == 3
    assert read(live_db, selected_count(campaign_id)) == 3


def test_parallel_submits_of_one_member_make_one_application(live_db):
    def prepare():
        campaign = recruiting_campaign(slots=1)
        return campaign.id, new_user().id

    campaign_id, member_id = committed(live_db, prepare)

    def submit(n):
        member, campaign = db.session.get(User, member_id), db.session.get(Campaign, campaign_id)
        return applications.save(member, campaign, valid_answers(campaign), submit=True,
                                 accept_terms=True).id

    outcomes = all_at_once(live_db, THREADS, submit)

    assert len(set(outcomes)) == 1 and isinstance(outcomes[0], int)
    assert read(live_db, select(func.count()).select_from(Application).where(
        Application.campaign_id == campaign_id, Application.member_id == member_id)) == 1
    with live_db.app_context():
        events = db.session.scalars(select(ApplicationEvent.status).where(
            ApplicationEvent.application_id == outcomes[0]).order_by(ApplicationEvent.id))
        assert list(events) == [STARTED, SUBMITTED]
