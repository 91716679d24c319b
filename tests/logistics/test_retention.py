"""How long a shipping address is kept: while the member holds a place, a device or a
postal reward; then ADDRESS_RETENTION_DAYS after the last end (device back or given away,
campaign closed) that came after the address was given; `flask lab purge` deletes it,
once, and audits it."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lab.accounts.services import ADDRESS_PURGED, address_of, delete_address, save_address
from lab.campaigns import lifecycle, selection
from lab.campaigns.applications import application_of
from lab.campaigns.models import CLOSED, KEEP
from lab.core.audit import AuditEntry
from lab.core.clock import frozen_at, utcnow
from lab.extensions import db
from lab.logistics import addresses, assignments, retention, shipping
from lab.logistics.retention import Retention
from lab.rewards import awards, catalog
from tests.logistics import conftest as logistics
from tests.rewards.conftest import make_reward  # noqa: F401  (fixture used here)
from tests.rewards.helpers import give_points, new_key

MINUTE, DAY = timedelta(minutes=1), timedelta(days=1)
KEPT = timedelta(days=30)  # ADDRESS_RETENTION_DAYS by default
FAR = timedelta(days=3650)


@pytest.fixture
def lent(shipping_campaign, make_device, logistics_staff):
    """Factory: lent(policy="return") -> (campaign, tester, loan): the tester, who gave
    the address just now, has the device."""

    def make(policy="return"):
        campaign, (tester,) = shipping_campaign(testers=1, policy=policy)
        loan = assignments.assign(logistics_staff, campaign,
                                  application_of(tester.id, campaign.id).id,
                                  make_device(campaign.product).id)
        shipping.ship(logistics_staff, loan.id, carrier="dhl", tracking_number="JJD00012345")
        shipping.deliver(logistics_staff, loan.id)
        return campaign, tester, loan

    return make


@pytest.fixture
def returned(lent, logistics_staff):
    """Factory: returned(at) -> (campaign, tester, loan): the test completed and the
    device back at the warehouse at ``at``."""

    def make(at):
        campaign, tester, loan = lent()
        with frozen_at(at):
            selection.finish_test(logistics_staff, loan.application_id, campaign,
                                  completed=True)
            shipping.receive_back(logistics_staff, loan.id)
        return campaign, tester, loan

    return make


def purge_at(moment) -> int:
    purged = retention.purge(now=moment)
    db.session.flush()
    return purged


def purged_entries(member) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == ADDRESS_PURGED, AuditEntry.object_type == "user",
        AuditEntry.object_id == str(member.id))))


def has_address(member) -> bool:
    db.session.expire_all()
    return address_of(member) is not None


# --- kept ----------------------------------------------------------------------------------

def test_the_address_of_a_member_who_never_tested_is_kept(make_member):
    member = make_member()
    save_address(member, **logistics.address_of(1))
    assert retention.retention_of(member.id) == Retention(held=False, ended_at=None,
                                                          until=None)
    assert purge_at(utcnow() + FAR) == 0
    assert has_address(member)


def test_a_confirmed_tester_holds_the_address_during_the_test(shipping_campaign):
    _campaign, (tester,) = shipping_campaign(testers=1)
    assert retention.retention_of(tester.id) == Retention(held=True, ended_at=None,
                                                          until=None)
    assert purge_at(utcnow() + FAR) == 0
    assert has_address(tester)


def test_a_tester_who_still_has_the_device_holds_the_address_after_the_campaign_closed(
        lent):
    campaign, tester, loan = lent()
    lifecycle.advance(campaign.created_by, campaign)
    lifecycle.advance(campaign.created_by, campaign)
    assert campaign.state == CLOSED and loan.ended_at is None
    kept = retention.retention_of(tester.id)
    assert (kept.held, kept.ended_at, kept.until) == (True, campaign.ended_at, None)
    assert purge_at(utcnow() + FAR) == 0
    assert has_address(tester)


def test_an_open_postal_reward_holds_the_address(returned, make_reward):  # noqa: F811
    start = utcnow()
    _campaign, tester, _loan = returned(start + DAY)
    give_points(tester, 500)
    reward = make_reward(title="Lab hoodie", cost=200, needs_address=True)
    redemption, _created = catalog.redeem(tester, reward.id, request_key=new_key("hoodie"))
    assert retention.retention_of(tester.id).held is True
    assert purge_at(start + FAR) == 0
    assert has_address(tester)
    catalog.cancel(tester, redemption.id)
    assert retention.retention_of(tester.id).until == start + DAY + KEPT
    assert purge_at(start + FAR) == 1


def test_a_reward_without_postage_does_not_hold_the_address(returned,
                                                            make_reward):  # noqa: F811
    start = utcnow()
    _campaign, tester, _loan = returned(start + DAY)
    give_points(tester, 500)
    reward = make_reward(title="Voucher", cost=200, needs_address=False)
    catalog.redeem(tester, reward.id, request_key=new_key("voucher"))
    assert retention.retention_of(tester.id).held is False
    assert purge_at(start + DAY + KEPT) == 1


# --- deleted after the end --------------------------------------------------------------------

def test_the_address_is_kept_30_days_after_the_device_came_back(returned):
    back = utcnow() + DAY
    _campaign, tester, _loan = returned(back)
    assert retention.retention_of(tester.id) == Retention(held=False, ended_at=back,
                                                          until=back + KEPT)
    assert purge_at(back + KEPT - MINUTE) == 0
    assert has_address(tester)
    assert purge_at(back + KEPT) == 1
    assert not has_address(tester)


def test_a_purged_address_is_audited(returned):
    back = utcnow() + DAY
    _campaign, tester, _loan = returned(back)
    purge_at(back + KEPT)
    [entry] = purged_entries(tester)
    assert entry.actor_id is None


def test_purging_again_deletes_nothing_more(returned):
    back = utcnow() + DAY
    _campaign, tester, _loan = returned(back)
    assert purge_at(back + KEPT) == 1
    assert purge_at(back + KEPT) == 0
    assert purge_at(back + FAR) == 0
    assert len(purged_entries(tester)) == 1


def test_purge_deletes_only_the_addresses_whose_time_is_up(returned, shipping_campaign,
                                                           make_member):
    start = utcnow()
    _c, early, _l = returned(start + DAY)
    _c, late, _l = returned(start + 5 * DAY)
    _c, (testing,) = shipping_campaign(testers=1)
    bystander = make_member()
    save_address(bystander, **logistics.address_of(7))
    assert purge_at(start + DAY + KEPT) == 1
    assert [has_address(m) for m in (early, late, testing, bystander)] == [
        False, True, True, True]
    assert purge_at(start + 5 * DAY + KEPT) == 1
    assert [has_address(m) for m in (late, testing, bystander)] == [False, True, True]


def test_the_address_is_kept_30_days_after_the_device_was_given_away(lent, make_admin):
    campaign, tester, loan = lent(policy=KEEP)
    selection.finish_test(make_admin(), loan.application_id, campaign, completed=True)
    given = utcnow() + 2 * DAY
    with frozen_at(given):
        awards.approve(make_admin(), awards.award_by_key(f"device-kept:{loan.id}").id)
    assert loan.ended_at == given
    assert retention.retention_of(tester.id).until == given + KEPT
    assert purge_at(given + KEPT) == 1


def test_the_address_is_kept_30_days_after_the_campaign_closed(shipping_campaign):
    campaign, (tester,) = shipping_campaign(testers=1)
    lifecycle.advance(campaign.created_by, campaign)
    closed = utcnow() + 3 * DAY
    with frozen_at(closed):
        lifecycle.advance(campaign.created_by, campaign)
    assert retention.retention_of(tester.id) == Retention(held=False, ended_at=closed,
                                                          until=closed + KEPT)
    assert purge_at(closed + KEPT - MINUTE) == 0
    assert purge_at(closed + KEPT) == 1
    assert not has_address(tester)


def test_the_last_end_counts(returned):
    back = utcnow() + DAY
    campaign, tester, _loan = returned(back)
    lifecycle.advance(campaign.created_by, campaign)
    closed = back + 10 * DAY
    with frozen_at(closed):
        lifecycle.advance(campaign.created_by, campaign)
    assert retention.retention_of(tester.id).until == closed + KEPT
    assert purge_at(back + KEPT) == 0
    assert purge_at(closed + KEPT) == 1


def test_an_address_given_again_is_not_deleted_for_an_old_end(returned):
    back = utcnow() + DAY
    _campaign, tester, _loan = returned(back)
    assert purge_at(back + KEPT) == 1
    with frozen_at(back + KEPT + 10 * DAY):
        save_address(tester, **logistics.address_of(2))
    assert retention.retention_of(tester.id) == Retention(held=False, ended_at=None,
                                                          until=None)
    assert purge_at(back + KEPT + 11 * DAY) == 0
    assert purge_at(back + FAR) == 0
    assert has_address(tester)


def test_an_address_the_member_deleted_and_gave_again_is_not_deleted_for_an_old_end(
        returned):
    back = utcnow() + DAY
    _campaign, tester, _loan = returned(back)
    with frozen_at(back + 2 * DAY):
        delete_address(tester)
        save_address(tester, **logistics.address_of(2))
    assert purge_at(back + KEPT) == 0
    assert has_address(tester)


def test_the_retention_days_come_from_the_configuration(app, monkeypatch, returned):
    monkeypatch.setitem(app.config, "ADDRESS_RETENTION_DAYS", 7)
    back = utcnow() + DAY
    _campaign, tester, _loan = returned(back)
    assert retention.retention_of(tester.id).until == back + 7 * DAY
    assert purge_at(back + 7 * DAY - MINUTE) == 0
    assert purge_at(back + 7 * DAY) == 1


def test_logistics_staff_cannot_see_a_purged_address(returned, logistics_staff):
    back = utcnow() + DAY
    campaign, tester, _loan = returned(back)
    assert list(addresses.addresses_for(logistics_staff, campaign, [tester.id],
                                        purpose="check")) == [tester.id]
    purge_at(back + KEPT)
    assert addresses.addresses_for(logistics_staff, campaign, [tester.id],
                                   purpose="check") == {}


# --- the command ----------------------------------------------------------------------------

def test_the_purge_command_prints_the_count_and_commits(app, returned):
    back = utcnow() + DAY
    _campaign, tester, _loan = returned(back)
    db.session.commit()  # the command commits its own unit of work
    runner = app.test_cli_runner()
    with frozen_at(back + KEPT - MINUTE):
        early = runner.invoke(args=["lab", "purge"])
    assert early.exit_code == 0, early.output
    assert "addresses deleted 0" in early.output
    with frozen_at(back + KEPT):
        first = runner.invoke(args=["lab", "purge"])
        again = runner.invoke(args=["lab", "purge"])
    assert "addresses deleted 1" in first.output
    assert "addresses deleted 0" in again.output
    db.session.rollback()
    assert not has_address(tester)
    assert len(purged_entries(tester)) == 1


def test_the_address_of_a_tester_who_gave_up_the_place_is_purged_after_the_campaign(
        shipping_campaign, make_staff):
    campaign, (tester, _other) = shipping_campaign()
    selection.decline_offer(tester, campaign)
    staff = make_staff()
    lifecycle.advance(staff, campaign)  # evaluation
    lifecycle.advance(staff, campaign)  # closed
    assert retention.retention_of(tester.id).until == campaign.ended_at + timedelta(days=30)
