"""The logistics demo (lab.logistics.demo, part of `flask lab seed-demo`): devices of the
demo campaigns in every status, a logistics login, a kept device given away after a
second admin approved and one waiting for that approval; seeding again adds nothing.

The seed takes a while, so this module seeds once per database, into a database of its
own with the data committed, and the tests read it (the rolled-back transaction of the
`app` fixture would make every test seed again). Only the idempotence test seeds a
second time, and rolls that back.
"""

from __future__ import annotations

from datetime import timedelta

import flask_migrate
import pytest
from sqlalchemy import func, select

from lab.accounts.models import LOGISTICS, ShippingAddress, User
from lab.campaigns.models import Application
from lab.core.clock import utcnow
from lab.extensions import db
from lab.logistics import retention, shipping
from lab.logistics.identifiers import imei_valid
from lab.logistics.models import (
    BACK,
    GIVEN_AWAY,
    RETURN_REQUESTED,
    STATUSES,
    WITH_TESTER,
    Assignment,
    Device,
    DeviceEvent,
)
from lab.rewards.models import AWARD_APPROVED, AWARD_DEVICE, PROPOSED, Award
from tests.conftest import make_app
from tests.support import postgres_url, sqlite_url

LOGISTICS_EMAIL = "logistik@testlab.example"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    """This module's own database (named database_url so that the summary counts the
    tests per database)."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path_factory.mktemp("demo"))
    return postgres_url("_logdemo")


@pytest.fixture(scope="module")
def seeded(database_url):
    """An app whose database holds the demo, seeded once and committed; yields the
    logins the seed returned. The rewards history is left out: most of the seed's time,
    and not this domain's business (tests/test_cli.py runs the whole seed)."""
    import lab.demo

    app = make_app(database_url)
    with pytest.MonkeyPatch.context() as patch, app.app_context():
        patch.setattr(lab.demo, "_seed_rewards", lambda: None)
        patch.setattr(lab.demo, "_seed_community", lambda: None)
        flask_migrate.upgrade()
        logins = lab.demo.seed()
        db.session.commit()
        yield app, logins
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def demo(seeded):
    """The seeded app's context for one test; whatever the test changes is rolled back."""
    app, logins = seeded
    with app.app_context():
        try:
            yield logins
        finally:
            db.session.rollback()
            db.session.remove()


def _row_counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def _device_awards(state: str) -> list[Award]:
    return list(db.session.scalars(select(Award).where(Award.kind == AWARD_DEVICE,
                                                       Award.state == state)))


def test_seeding_twice_adds_nothing_the_second_time(demo):
    import lab.demo

    before = _row_counts()

    lab.demo.seed()

    db.session.flush()
    assert _row_counts() == before


def test_every_status_has_a_device(demo):
    counts = dict(db.session.execute(
        select(Device.status, func.count()).group_by(Device.status)).all())

    assert {status: counts.get(status, 0) > 0 for status in STATUSES} == dict.fromkeys(
        STATUSES, True)


def test_devices_in_stock_come_in_every_condition(demo):
    conditions = set(db.session.scalars(select(Device.condition).where(
        Device.status == "in_stock")))

    assert conditions == {"new", "good", "worn", "defective"}


def test_every_phone_has_a_valid_imei_and_other_devices_none(demo):
    devices = list(db.session.scalars(select(Device)))

    phones = [d for d in devices if d.product.category == "smartphone"]
    assert phones and all(imei_valid(d.imei or "") for d in phones)
    assert all(d.imei is None for d in devices if d not in phones)


def test_the_logistics_login_exists_with_its_role_and_is_printed(demo):
    user = db.session.scalar(select(User).where(User.email == LOGISTICS_EMAIL))

    assert user.is_logistics and LOGISTICS in user.role_names
    assert ("logistics", LOGISTICS_EMAIL) in demo


def test_a_kept_device_was_given_away_after_a_second_admin_approved(demo):
    (award,) = _device_awards(AWARD_APPROVED)

    device = db.session.get(Device, int(award.source_id))
    assert device.status == GIVEN_AWAY and device.holder_id == award.member_id
    assert award.decided_by.email == "admin2@testlab.example"
    assert award.proposed_by_id != award.decided_by_id
    assert award.proposed_by.is_staff and not award.proposed_by.is_admin
    moved = db.session.scalar(select(DeviceEvent).where(
        DeviceEvent.device_id == device.id, DeviceEvent.to_status == GIVEN_AWAY))
    assert moved.actor_id == award.decided_by_id


def test_a_keep_award_waits_for_a_second_admin_while_the_tester_has_the_device(demo):
    (award,) = _device_awards(PROPOSED)

    device = db.session.get(Device, int(award.source_id))
    assert device.status == WITH_TESTER and device.holder_id == award.member_id
    application = db.session.scalar(select(Application).where(
        Application.campaign_id == device.campaign_id,
        Application.member_id == award.member_id))
    assert application.status == "completed"


def test_an_overdue_return_and_an_announced_parcel_back_are_on_their_way(demo):
    overdue = list(db.session.scalars(shipping.overdue_returns_query()))
    asked_back = list(db.session.scalars(
        select(Assignment).join(Device, Device.id == Assignment.device_id)
        .where(Assignment.ended_at.is_(None), Device.status == RETURN_REQUESTED)))

    assert overdue and utcnow() - overdue[0].return_due_at > timedelta(days=2)
    assert any(a.shipment(BACK) is not None for a in asked_back)


def test_no_address_is_kept_past_its_time(demo):
    members = list(db.session.scalars(select(ShippingAddress.user_id)))

    kept = retention.retention_of_many(members)

    assert members
    assert [m for m, r in kept.items() if r.until is not None and r.until <= utcnow()] == []
