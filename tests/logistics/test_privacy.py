"""Testers' addresses are private: only logistics staff see them, only for confirmed (or
completed) testers of a campaign in testing or evaluation, and every address shown is
written to the audit log; the same holds for the address of a reward sent by post."""

import pytest
from sqlalchemy import select

from lab.accounts.services import ADDRESS_VIEWED, save_address
from lab.campaigns import lifecycle, selection
from lab.campaigns.applications import application_of
from lab.campaigns.models import CLOSED, EVALUATION, SELECTION, SUBMITTED, TESTING, Application
from lab.core.audit import AuditEntry
from lab.extensions import db
from lab.logistics import addresses
from lab.logistics.addresses import AddressRefused
from lab.rewards import catalog
from tests.logistics.conftest import address_of
from tests.rewards.conftest import make_reward  # noqa: F401  (fixture used here)
from tests.rewards.helpers import give_points, new_key

pytestmark = pytest.mark.usefixtures("english")

PURPOSE = "shipping list"


def views() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == ADDRESS_VIEWED)
                                   .order_by(AuditEntry.id)))


def ids(*members) -> list[int]:
    return [m.id for m in members]


# --- who may see them -----------------------------------------------------------------------

@pytest.mark.parametrize("role", [(), ("staff",), ("admin",), ("staff", "admin")])
def test_nobody_without_the_logistics_role_sees_an_address(shipping_campaign, make_member,
                                                           role):
    campaign, testers = shipping_campaign()
    viewer = make_member(roles=role)
    assert addresses.may_see(viewer, campaign) is False
    with pytest.raises(AddressRefused, match="Only logistics staff"):
        addresses.addresses_for(viewer, campaign, ids(*testers), purpose=PURPOSE)
    assert views() == []


@pytest.mark.parametrize("state", [TESTING, EVALUATION])
def test_logistics_staff_see_the_testers_addresses_while_the_campaign_is_tested(
        shipping_campaign, logistics_staff, state):
    campaign, (alice, bob) = shipping_campaign(state=state)
    assert addresses.may_see(logistics_staff, campaign) is True
    found = addresses.addresses_for(logistics_staff, campaign, ids(alice, bob),
                                    purpose=PURPOSE)
    assert sorted(found) == sorted(ids(alice, bob))
    assert (found[alice.id].full_name, found[alice.id].city) == ("Erika Muster 1", "Bonn")


@pytest.mark.parametrize("state", [SELECTION, CLOSED])
def test_addresses_are_refused_before_and_after_the_test(shipping_campaign, logistics_staff,
                                                         state):
    campaign, testers = shipping_campaign(state=state)
    assert addresses.may_see(logistics_staff, campaign) is False
    with pytest.raises(AddressRefused, match="testing or evaluation"):
        addresses.addresses_for(logistics_staff, campaign, ids(*testers), purpose=PURPOSE)
    assert views() == []


def test_addresses_are_refused_once_a_campaign_in_testing_is_cancelled(shipping_campaign,
                                                                       logistics_staff):
    campaign, testers = shipping_campaign()
    lifecycle.cancel(campaign.created_by, campaign, "The maker recalled the phone.")
    with pytest.raises(AddressRefused):
        addresses.addresses_for(logistics_staff, campaign, ids(*testers), purpose=PURPOSE)


# --- whose addresses ------------------------------------------------------------------------

def test_only_confirmed_and_completed_testers_addresses_are_given(
        shipping_campaign, make_member, logistics_staff):
    campaign, (testing, done, dropped) = shipping_campaign(testers=3)
    selection.finish_test(logistics_staff, application_of(done.id, campaign.id).id, campaign,
                          completed=True)
    selection.finish_test(logistics_staff, application_of(dropped.id, campaign.id).id,
                          campaign, completed=False, reason="Moved abroad.")
    _other_campaign, (stranger,) = shipping_campaign(testers=1)
    applicant, bystander = make_member(), make_member()
    db.session.add(Application(campaign_id=campaign.id, member_id=applicant.id,
                               status=SUBMITTED, answers={}))
    for n, member in enumerate((applicant, bystander), start=10):
        save_address(member, **address_of(n))
    db.session.flush()
    asked = ids(testing, done, dropped, stranger, applicant, bystander)
    found = addresses.addresses_for(logistics_staff, campaign, asked, purpose=PURPOSE)
    assert sorted(found) == sorted(ids(testing, done))


def test_a_tester_without_an_address_is_left_out(shipping_campaign, make_member,
                                                 logistics_staff):
    campaign, (alice,) = shipping_campaign(testers=1)
    without = make_member()
    db.session.add(Application(campaign_id=campaign.id, member_id=without.id,
                               status="confirmed", answers={}))
    db.session.flush()
    found = addresses.addresses_for(logistics_staff, campaign, ids(alice, without),
                                    purpose=PURPOSE)
    assert list(found) == [alice.id]
    assert [e.object_id for e in views()] == [str(alice.id)]


def test_asking_for_nobody_gives_nothing_and_writes_nothing(shipping_campaign,
                                                            logistics_staff):
    campaign, _testers = shipping_campaign()
    assert addresses.addresses_for(logistics_staff, campaign, [], purpose=PURPOSE) == {}
    assert views() == []


# --- the audit log ----------------------------------------------------------------------------

def test_each_address_given_is_written_to_the_audit_log(shipping_campaign, make_member,
                                                        logistics_staff):
    campaign, (alice, bob) = shipping_campaign()
    outsider = make_member()
    save_address(outsider, **address_of(9))
    addresses.addresses_for(logistics_staff, campaign, ids(alice, bob, outsider),
                            purpose=PURPOSE)
    entries = views()
    assert sorted(e.object_id for e in entries) == sorted(str(i) for i in ids(alice, bob))
    for entry in entries:
        assert (entry.actor_id, entry.object_type, entry.details) == (
            logistics_staff.id, "user", {"campaign": campaign.id, "purpose": PURPOSE})


def test_every_look_is_written_again(shipping_campaign, logistics_staff, make_logistics):
    campaign, (alice,) = shipping_campaign(testers=1)
    colleague = make_logistics()
    addresses.addresses_for(logistics_staff, campaign, ids(alice), purpose=PURPOSE)
    addresses.addresses_for(colleague, campaign, ids(alice), purpose="label")
    assert [(e.actor_id, e.object_id, e.details["purpose"]) for e in views()] == [
        (logistics_staff.id, str(alice.id), PURPOSE), (colleague.id, str(alice.id), "label")]


# --- rewards sent by post ---------------------------------------------------------------------

@pytest.fixture
def postal_redemption(make_member, make_reward):  # noqa: F811 (the fixture)
    member = make_member()
    save_address(member, **address_of(3))
    give_points(member, 500)
    reward = make_reward(title="Lab hoodie", cost=200, needs_address=True)
    redemption, _created = catalog.redeem(member, reward.id, request_key=new_key("hoodie"))
    return member, redemption


@pytest.mark.parametrize("role", [(), ("staff",), ("admin",)])
def test_the_address_of_a_postal_reward_is_hidden_from_everyone_but_logistics(
        postal_redemption, make_member, role):
    _member, redemption = postal_redemption
    assert catalog.shipping_address_for(make_member(roles=role), redemption) is None
    assert views() == []


def test_logistics_staff_see_the_address_of_a_postal_reward_and_it_is_audited(
        postal_redemption, logistics_staff):
    member, redemption = postal_redemption
    address = catalog.shipping_address_for(logistics_staff, redemption)
    assert address.full_name == "Erika Muster 3"
    [entry] = views()
    assert (entry.actor_id, entry.object_type, entry.object_id) == (
        logistics_staff.id, "user", str(member.id))
