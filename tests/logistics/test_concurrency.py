"""Under real concurrency a device is with at most one tester and a tester has one device:
eight staff assigning one device at once reserve it once, eight devices assigned to one
tester at once make one loan, and "assign automatically" pressed twice, or for two
campaigns of one product, never hands a device out twice.

PostgreSQL only, in a database of its own with committed data: each thread is one request
with its own app context, session and transaction, started together by a barrier (as in
tests/feedback/test_concurrency.py). The rolled-back transaction of the `app` fixture
would hide the commits, so these tests do not use it.
"""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select

from lab.accounts.models import User
from lab.campaigns import lifecycle, products
from lab.campaigns.models import CONFIRMED, RETURN, Application, Campaign
from lab.core.clock import utcnow
from lab.extensions import db
from lab.logistics import assignments, inventory
from lab.logistics.models import IN_STOCK, RESERVED, Assignment, Device, DeviceEvent
from tests.campaigns.helpers import campaign_fields
from tests.concurrency import all_at_once, committed, concurrent_app, dispose, new_user, read
from tests.logistics.conftest import imei_for
from tests.support import postgres_url

THREADS = 8
_numbers = itertools.count(1)


@pytest.fixture(scope="module", params=["postgresql"])
def database_url():
    """This module's own PostgreSQL database (named database_url so that the summary
    counts these tests as PostgreSQL ones); fails under LAB_STRICT=1 if there is none."""
    return postgres_url("_logconc")


@pytest.fixture(scope="module")
def live_db(database_url):
    app = concurrent_app(database_url, THREADS)
    yield app
    dispose(app)


def phone_product():
    return products.save_product(new_user("staff"), name=f"Nova {next(_numbers)}",
                                 maker="Nova", category="smartphone", description=None)


def campaign_in_testing(testers: int, product=None) -> tuple[int, list[int]]:
    """(campaign id, application ids of its confirmed testers); a phone campaign whose
    devices go back after the test."""
    creator, reviewer = new_user("staff"), new_user("staff")
    product = product or phone_product()
    campaign = lifecycle.create_campaign(creator, **campaign_fields(
        product, device_policy=RETURN, slots=max(testers, 1)))
    lifecycle.submit_for_review(creator, campaign)
    lifecycle.approve(reviewer, campaign)
    lifecycle.advance(creator, campaign)  # selection
    lifecycle.advance(creator, campaign)  # testing
    applications = [Application(campaign_id=campaign.id, member_id=new_user().id,
                                status=CONFIRMED, answers={}, confirmed_at=utcnow())
                    for _ in range(testers)]
    db.session.add_all(applications)
    db.session.flush()
    return campaign.id, [a.id for a in applications]


def devices_of(product_id: int, count: int) -> list[int]:
    actor = new_user("logistics")
    return [inventory.add_device(actor, product_id=product_id, serial=f"CC-{n:07d}",
                                 imei=imei_for(n), condition="new").id
            for n in (next(_numbers) for _ in range(count))]


def logistics_staff(count: int) -> list[int]:
    return [new_user("logistics").id for _ in range(count)]


def open_assignments(campaign_id: int):
    return select(Assignment).where(Assignment.campaign_id == campaign_id,
                                    Assignment.ended_at.is_(None))


def rows(app, query) -> list:
    with app.app_context():
        return list(db.session.scalars(query))


def assign(staff_id: int, campaign_id: int, application_id: int, device_id: int) -> int:
    """One request of a logistics member: assign a device to a tester."""
    staff, campaign = db.session.get(User, staff_id), db.session.get(Campaign, campaign_id)
    return assignments.assign(staff, campaign, application_id, device_id).id


def assign_automatically(staff_id: int, campaign_id: int) -> tuple[int, int]:
    staff, campaign = db.session.get(User, staff_id), db.session.get(Campaign, campaign_id)
    return assignments.assign_automatically(staff, campaign)


def test_eight_staff_assigning_one_device_to_eight_testers_at_once_reserve_it_once(live_db):
    def prepare():
        campaign_id, application_ids = campaign_in_testing(THREADS)
        product_id = db.session.get(Campaign, campaign_id).product_id
        [device_id] = devices_of(product_id, 1)
        return campaign_id, application_ids, device_id, logistics_staff(THREADS)

    campaign_id, application_ids, device_id, staff_ids = committed(live_db, prepare)

    outcomes = all_at_once(live_db, THREADS, lambda n: assign(
        staff_ids[n], campaign_id, application_ids[n], device_id))

    refused = [o for o in outcomes if isinstance(o, inventory.LogisticsError)]
    assert len(refused) == THREADS - 1 and {r.field for r in refused} == {"device_id"}
    [assignment] = rows(live_db, open_assignments(campaign_id))
    assert assignment.device_id == device_id and assignment.id in outcomes
    assert read(live_db, select(Device.status).where(Device.id == device_id)) == RESERVED
    assert read(live_db, select(func.count()).select_from(DeviceEvent).where(
        DeviceEvent.device_id == device_id, DeviceEvent.to_status == RESERVED)) == 1


def test_eight_devices_assigned_to_one_tester_at_once_make_one_loan(live_db):
    def prepare():
        campaign_id, (application_id,) = campaign_in_testing(1)
        product_id = db.session.get(Campaign, campaign_id).product_id
        return (campaign_id, application_id, devices_of(product_id, THREADS),
                logistics_staff(THREADS))

    campaign_id, application_id, device_ids, staff_ids = committed(live_db, prepare)

    outcomes = all_at_once(live_db, THREADS, lambda n: assign(
        staff_ids[n], campaign_id, application_id, device_ids[n]))

    refused = [o for o in outcomes if isinstance(o, inventory.LogisticsError)]
    assert len(refused) == THREADS - 1 and {r.field for r in refused} == {"application_id"}
    [assignment] = rows(live_db, open_assignments(campaign_id))
    assert assignment.application_id == application_id
    statuses = rows(live_db, select(Device.status).where(Device.id.in_(device_ids)))
    assert sorted(statuses) == [IN_STOCK] * (THREADS - 1) + [RESERVED]


def test_assign_automatically_pressed_twice_at_once_gives_each_tester_one_device(live_db):
    def prepare():
        campaign_id, application_ids = campaign_in_testing(5)
        product_id = db.session.get(Campaign, campaign_id).product_id
        return campaign_id, application_ids, devices_of(product_id, 5), logistics_staff(2)

    campaign_id, application_ids, device_ids, staff_ids = committed(live_db, prepare)

    outcomes = all_at_once(live_db, 2, lambda n: assign_automatically(staff_ids[n],
                                                                      campaign_id))

    assert sorted(outcomes) == [(0, 0), (5, 0)]
    loans = rows(live_db, open_assignments(campaign_id))
    assert sorted(a.application_id for a in loans) == sorted(application_ids)
    assert sorted(a.device_id for a in loans) == sorted(device_ids)
    assert read(live_db, select(func.count()).select_from(Assignment).where(
        Assignment.campaign_id == campaign_id)) == 5


def test_two_campaigns_of_one_product_assigning_automatically_at_once_share_no_device(
        live_db):
    def prepare():
        product = phone_product()
        first, first_testers = campaign_in_testing(4, product)
        second, second_testers = campaign_in_testing(4, product)
        return ((first, second), first_testers + second_testers,
                devices_of(product.id, 5), logistics_staff(2))

    campaign_ids, application_ids, device_ids, staff_ids = committed(live_db, prepare)

    outcomes = all_at_once(live_db, 2, lambda n: assign_automatically(staff_ids[n],
                                                                      campaign_ids[n]))

    assert sum(assigned for assigned, _waiting in outcomes) == 5
    assert sum(waiting for _assigned, waiting in outcomes) == 3
    loans = rows(live_db, select(Assignment).where(Assignment.campaign_id.in_(campaign_ids),
                                                   Assignment.ended_at.is_(None)))
    assert sorted(a.device_id for a in loans) == sorted(device_ids)  # each device once
    assert len({a.application_id for a in loans}) == 5
    assert set(a.application_id for a in loans) <= set(application_ids)
    devices = rows(live_db, select(Device).where(Device.id.in_(device_ids)))
    assert {d.status for d in devices} == {RESERVED}
    holders = {a.device_id: a.campaign_id for a in loans}
    assert all(d.campaign_id == holders[d.id] for d in devices)
