"""Manual awards with four eyes: small ones take effect at once, big ones and devices wait
for a second admin; nobody decides their own proposal; every step is audited."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from lab.extensions import db
from lab.rewards import awards, rules
from lab.rewards.awards import AwardError
from lab.rewards.badges import held_by
from lab.rewards.ledger import entry_by_key
from lab.rewards.models import APPROVED, AWARD_APPROVED, AWARD_REJECTED, PROPOSED, Award, Redemption
from tests.rewards.helpers import audited, count, figures, new_key


def propose(proposer, member, **fields):
    fields.setdefault("reason", "helped at the meetup")
    return awards.propose(proposer, member, request_key=new_key("award"), **fields)[0]


# --- points --------------------------------------------------------------------------------

def test_points_up_to_the_threshold_take_effect_at_once(make_admin, make_member):
    admin, member = make_admin(), make_member()
    award = propose(admin, member, kind="points", points=500)
    assert (award.state, award.needs_approval, award.decided_by_id) == (
        AWARD_APPROVED, False, None)
    assert figures(member) == (500, 500)
    entry = entry_by_key(f"award:{award.id}")
    assert (entry.reason, entry.note, entry.source_kind, entry.source_id) == (
        rules.MANUAL_AWARD, "helped at the meetup", "award", str(award.id))
    assert (entry.created_by_id, entry.approved_by_id) == (admin.id, None)


def test_points_above_the_threshold_wait_for_a_second_admin(make_admin, make_member):
    member = make_member()
    award = propose(make_admin(), member, kind="points", points=501)
    assert (award.state, award.needs_approval) == (PROPOSED, True)
    assert figures(member) == (0, 0)
    assert entry_by_key(f"award:{award.id}") is None


def test_the_threshold_is_a_setting(app, monkeypatch, make_admin, make_member):
    monkeypatch.setitem(app.config, "AWARD_APPROVAL_THRESHOLD", 50)
    member = make_member()
    assert propose(make_admin(), member, kind="points", points=51).state == PROPOSED
    assert propose(make_admin(), member, kind="points", points=50).state == AWARD_APPROVED


def test_a_second_admin_approves_and_the_points_are_paid(make_admin, make_member):
    proposer, approver, member = make_admin(), make_admin(), make_member()
    award = propose(proposer, member, kind="points", points=1000)
    approved = awards.approve(approver, award.id)
    assert (approved.state, approved.decided_by_id) == (AWARD_APPROVED, approver.id)
    assert approved.decided_at is not None
    assert figures(member) == (1000, 1000)
    entry = entry_by_key(f"award:{award.id}")
    assert (entry.created_by_id, entry.approved_by_id) == (proposer.id, approver.id)


def test_the_proposer_cannot_approve_their_own_award(make_admin, make_member):
    proposer, member = make_admin(), make_member()
    award = propose(proposer, member, kind="points", points=1000)
    with pytest.raises(AwardError):
        awards.approve(proposer, award.id)
    assert award.state == PROPOSED and figures(member) == (0, 0)


def test_the_proposer_cannot_reject_their_own_award(make_admin, make_member):
    proposer = make_admin()
    award = propose(proposer, make_member(), kind="points", points=1000)
    with pytest.raises(AwardError):
        awards.reject(proposer, award.id, "changed my mind")
    assert award.state == PROPOSED


def test_the_member_cannot_approve_an_award_for_themselves(make_admin, make_member):
    proposer, receiver = make_admin(), make_admin()
    award, _ = awards.propose(proposer, receiver, kind="points", points=900, reason="big",
                              request_key=new_key())
    with pytest.raises(AwardError):
        awards.approve(receiver, award.id)
    assert award.state == PROPOSED and figures(receiver) == (0, 0)


def test_a_reused_form_key_for_another_member_is_refused(make_admin, make_member):
    admin, first, second = make_admin(), make_member(), make_member()
    key = new_key()
    awards.propose(admin, first, kind="points", points=5, reason="ok", request_key=key)
    with pytest.raises(AwardError):
        awards.propose(admin, second, kind="points", points=5, reason="ok", request_key=key)
    assert figures(second) == (0, 0)


def test_a_second_admin_rejects_with_a_reason_and_nothing_is_paid(make_admin, make_member):
    approver, member = make_admin(), make_member()
    award = propose(make_admin(), member, kind="points", points=1000)
    rejected = awards.reject(approver, award.id, "  too generous  ")
    assert (rejected.state, rejected.decided_by_id, rejected.decision_reason) == (
        AWARD_REJECTED, approver.id, "too generous")
    assert figures(member) == (0, 0)


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_rejection_needs_a_reason(make_admin, make_member, reason):
    award = propose(make_admin(), make_member(), kind="points", points=1000)
    with pytest.raises(AwardError):
        awards.reject(make_admin(), award.id, reason)
    assert award.state == PROPOSED


def test_a_decided_award_cannot_be_decided_again(make_admin, make_member):
    approver = make_admin()
    award = propose(make_admin(), make_member(), kind="points", points=1000)
    awards.approve(approver, award.id)
    with pytest.raises(AwardError):
        awards.reject(approver, award.id, "second thoughts")


@pytest.mark.parametrize("points", [0, -5, None, 2.5])
def test_points_must_be_a_whole_number_above_zero(make_admin, make_member, points):
    with pytest.raises(AwardError):
        propose(make_admin(), make_member(), kind="points", points=points)


@pytest.mark.parametrize("reason", ["", "  "])
def test_a_proposal_needs_a_reason(make_admin, make_member, reason):
    with pytest.raises(AwardError):
        propose(make_admin(), make_member(), kind="points", points=10, reason=reason)


# --- badges ---------------------------------------------------------------------------------

def test_a_badge_award_grants_a_manual_badge(make_admin, make_member):
    admin, member = make_admin(), make_member()
    award = propose(admin, member, kind="badge", badge="community-hero")
    assert award.state == AWARD_APPROVED
    [held] = held_by(member.id)
    assert (held.badge, held.granted_by_id, held.reason) == (
        "community-hero", admin.id, "helped at the meetup")


@pytest.mark.parametrize("badge", ["first-solution", "tests-5", "no-such-badge", None])
def test_automatic_and_unknown_badges_cannot_be_awarded(make_admin, make_member, badge):
    member = make_member()
    with pytest.raises(AwardError):
        propose(make_admin(), member, kind="badge", badge=badge)
    assert held_by(member.id) == []


# --- reward items -------------------------------------------------------------------------

def test_a_device_waits_for_approval_then_is_reserved_free_of_charge(make_admin, make_member,
                                                                      make_reward):
    approver, member = make_admin(), make_member()
    device = make_reward(kind="device", cost=5000, stock=2)
    award = propose(make_admin(), member, kind="reward", reward_id=device.id)
    assert (award.state, award.needs_approval) == (PROPOSED, True)
    assert count(Redemption, Redemption.award_id == award.id) == 0
    awards.approve(approver, award.id)
    redemption = db.session.scalar(select(Redemption).where(Redemption.award_id == award.id))
    db.session.refresh(device)
    assert (redemption.state, redemption.cost, redemption.member_id) == (
        APPROVED, 0, member.id)
    assert device.stock == 1 and figures(member) == (0, 0)


def test_a_ticket_award_takes_effect_at_once(make_admin, make_member, make_reward):
    member, ticket = make_member(), make_reward(kind="ticket", cost=300, stock=1)
    award = propose(make_admin(), member, kind="reward", reward_id=ticket.id)
    db.session.refresh(ticket)
    assert award.state == AWARD_APPROVED and ticket.stock == 0
    assert count(Redemption, Redemption.award_id == award.id,
                 Redemption.state == APPROVED) == 1


@pytest.mark.parametrize("fields", [{"stock": 0}, {"active": False}])
def test_an_unavailable_reward_cannot_be_awarded(make_admin, make_member, make_reward,
                                                 fields):
    reward = make_reward(kind="ticket", **fields)
    with pytest.raises(AwardError):
        propose(make_admin(), make_member(), kind="reward", reward_id=reward.id)


# --- who may be awarded --------------------------------------------------------------------

def test_a_form_sent_twice_proposes_once(make_admin, make_member):
    admin, member = make_admin(), make_member()
    key = new_key("award")
    first, _ = awards.propose(admin, member, kind="points", points=20, reason="thanks",
                              request_key=key)
    again, created = awards.propose(admin, member, kind="points", points=20, reason="thanks",
                                    request_key=key)
    assert created is False and again.id == first.id
    assert count(Award, Award.request_key == key) == 1
    assert figures(member) == (20, 20)


def test_an_admin_cannot_award_themselves(make_admin):
    admin = make_admin()
    with pytest.raises(AwardError):
        propose(admin, admin, kind="points", points=20)
    assert figures(admin) == (0, 0)


@pytest.mark.parametrize("member", ["inactive", "missing"])
def test_only_an_active_member_can_be_awarded(make_admin, make_member, member):
    target = make_member(active=False) if member == "inactive" else None
    with pytest.raises(AwardError):
        propose(make_admin(), target, kind="points", points=20)


# --- audit and the database ------------------------------------------------------------------

def test_proposal_and_approval_are_audited(make_admin, make_member):
    proposer, approver, member = make_admin(), make_admin(), make_member()
    award = propose(proposer, member, kind="points", points=1000)
    awards.approve(approver, award.id)
    [proposed] = audited("award.proposed", "award", award.id)
    [approved] = audited("award.approved", "award", award.id)
    assert (proposed.actor_id, approved.actor_id) == (proposer.id, approver.id)
    assert proposed.details["points"] == 1000 and proposed.details["needs_approval"] is True
    assert approved.details == {"member": member.id}


def test_a_rejection_is_audited(make_admin, make_member):
    approver = make_admin()
    award = propose(make_admin(), make_member(), kind="points", points=1000)
    awards.reject(approver, award.id, "too generous")
    [rejected] = audited("award.rejected", "award", award.id)
    assert rejected.actor_id == approver.id and rejected.details["reason"] == "too generous"


def test_an_award_that_takes_effect_at_once_is_audited_as_proposed(make_admin, make_member):
    admin = make_admin()
    award = propose(admin, make_member(), kind="points", points=20)
    [proposed] = audited("award.proposed", "award", award.id)
    assert proposed.actor_id == admin.id and proposed.details["needs_approval"] is False


def test_the_database_refuses_a_decision_by_the_proposer(make_admin, make_member):
    award = propose(make_admin(), make_member(), kind="points", points=1000)
    with pytest.raises(IntegrityError, match="four_eyes"):
        with db.session.begin_nested():
            db.session.execute(text("UPDATE award SET decided_by_id = proposed_by_id "
                                    "WHERE id = :id"), {"id": award.id})
