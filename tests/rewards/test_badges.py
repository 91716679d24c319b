"""Badges: automatic ones follow from what members earned, manual ones are given and
withdrawn by admins with a reason, audited and told to the member."""

import pytest

from lab.extensions import db
from lab.rewards import badges, rules
from lab.rewards.badges import BadgeError, grant, held_by, holders_query, revoke
from lab.rewards.ledger import earn
from tests.rewards.helpers import audited, new_key, notifications


def badge_codes(member) -> list[str]:
    return [held.badge for held in held_by(member.id)]


def holders(code: str) -> list[int]:
    return [held.member_id for held in db.session.scalars(holders_query(code)).unique()]


# --- automatic badges ------------------------------------------------------------------

def test_a_first_accepted_answer_earns_the_first_solution_badge(make_member):
    member = make_member()
    earn(member, rules.ANSWER_ACCEPTED, key=new_key())
    assert badge_codes(member) == ["first-solution"]


def test_a_first_completed_test_earns_the_first_test_badge(make_member):
    member = make_member()
    earn(member, rules.TEST_COMPLETED, key=new_key())
    assert badge_codes(member) == ["first-test"]


def test_no_badge_before_its_threshold(make_member):
    member = make_member()
    for _ in range(4):
        earn(member, rules.TEST_COMPLETED, key=new_key())
    assert "tests-5" not in badge_codes(member)
    earn(member, rules.TEST_COMPLETED, key=new_key())
    assert "tests-5" in badge_codes(member)


def test_an_automatic_badge_is_granted_only_once(make_member):
    member = make_member()
    for _ in range(3):
        earn(member, rules.ANSWER_ACCEPTED, key=new_key())
    assert badge_codes(member) == ["first-solution"]
    assert len(notifications(member, badges.BADGE_GRANTED)) == 1


def test_an_automatic_badge_is_not_audited_as_an_admin_act(make_member):
    member = make_member()
    earn(member, rules.ANSWER_ACCEPTED, key=new_key())
    assert audited(badges.GRANTED, "user", member.id) == []


# --- manual badges -----------------------------------------------------------------------

def test_an_admin_grants_a_manual_badge_with_a_reason(make_member, make_admin):
    member, admin = make_member(), make_admin()
    held, created = grant(member, "community-hero", by=admin, reason="ran the meetup")
    assert created and held.active
    assert (held.granted_by_id, held.reason) == (admin.id, "ran the meetup")
    assert badge_codes(member) == ["community-hero"]


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_manual_grant_by_an_admin_needs_a_reason(make_member, make_admin, reason):
    member = make_member()
    with pytest.raises(BadgeError):
        grant(member, "community-hero", by=make_admin(), reason=reason)
    assert badge_codes(member) == []


def test_an_unknown_badge_is_refused(make_member, make_admin):
    with pytest.raises(BadgeError):
        grant(make_member(), "no-such-badge", by=make_admin(), reason="why not")


def test_granting_a_badge_already_held_changes_nothing(make_member, make_admin):
    member, admin = make_member(), make_admin()
    first, _ = grant(member, "pioneer", by=admin, reason="year one")
    again, created = grant(member, "pioneer", by=admin, reason="once more")
    assert created is False and again.id == first.id and again.reason == "year one"
    assert len(audited(badges.GRANTED, "user", member.id)) == 1


def test_a_manual_grant_is_audited(make_member, make_admin):
    member, admin = make_member(), make_admin()
    grant(member, "event-guest", by=admin, reason="Berlin event")
    [entry] = audited("badge.granted", "user", member.id)
    assert entry.actor_id == admin.id
    assert entry.details == {"badge": "event-guest", "reason": "Berlin event"}


def test_the_member_is_notified_of_a_new_badge(make_member, make_admin):
    member = make_member()
    grant(member, "pioneer", by=make_admin(), reason="year one")
    [note] = notifications(member, "badge.granted")
    assert note.params == {"badge": "pioneer"}
    assert note.link == f"/members/{member.handle}"


# --- withdrawing -----------------------------------------------------------------------------

def test_an_admin_withdraws_a_badge_with_a_reason(make_member, make_admin):
    member, admin = make_member(), make_admin()
    grant(member, "pioneer", by=admin, reason="year one")
    held = revoke(member, "pioneer", by=admin, reason="joined later")
    assert not held.active
    assert (held.revoked_by_id, held.revoke_reason) == (admin.id, "joined later")
    assert badge_codes(member) == []
    [entry] = audited("badge.revoked", "user", member.id)
    assert entry.details == {"badge": "pioneer", "reason": "joined later"}
    [note] = notifications(member, "badge.revoked")
    assert note.params == {"badge": "pioneer", "why": "joined later"}


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_withdrawing_a_badge_needs_a_reason(make_member, make_admin, reason):
    member, admin = make_member(), make_admin()
    grant(member, "pioneer", by=admin, reason="year one")
    with pytest.raises(BadgeError):
        revoke(member, "pioneer", by=admin, reason=reason)
    assert badge_codes(member) == ["pioneer"]


def test_withdrawing_a_badge_the_member_does_not_hold_is_refused(make_member, make_admin):
    with pytest.raises(BadgeError):
        revoke(make_member(), "pioneer", by=make_admin(), reason="never had it")


def test_withdrawing_a_badge_twice_is_refused(make_member, make_admin):
    member, admin = make_member(), make_admin()
    grant(member, "pioneer", by=admin, reason="year one")
    revoke(member, "pioneer", by=admin, reason="joined later")
    with pytest.raises(BadgeError):
        revoke(member, "pioneer", by=admin, reason="again")


def test_a_withdrawn_badge_can_be_granted_again(make_member, make_admin):
    member, admin = make_member(), make_admin()
    first, _ = grant(member, "pioneer", by=admin, reason="year one")
    revoke(member, "pioneer", by=admin, reason="mix-up")
    again, created = grant(member, "pioneer", by=admin, reason="it was right after all")
    assert created and again.id == first.id and again.active
    assert (again.reason, again.revoke_reason, again.revoked_by_id) == (
        "it was right after all", None, None)
    assert badge_codes(member) == ["pioneer"]


def test_an_automatic_badge_an_admin_withdrew_does_not_come_back_by_itself(make_member,
                                                                            make_admin):
    member, admin = make_member(), make_admin()
    earn(member, rules.ANSWER_ACCEPTED, key=new_key())
    revoke(member, "first-solution", by=admin, reason="answers were copied")
    earn(member, rules.ANSWER_ACCEPTED, key=new_key())
    assert "first-solution" not in badge_codes(member)


# --- holders -----------------------------------------------------------------------------------

def test_holders_lists_only_members_who_hold_the_badge_now(make_member, make_admin):
    admin = make_admin()
    keeps, loses, never = make_member(), make_member(), make_member()
    grant(keeps, "pioneer", by=admin, reason="year one")
    grant(loses, "pioneer", by=admin, reason="year one")
    grant(never, "event-guest", by=admin, reason="Berlin")
    revoke(loses, "pioneer", by=admin, reason="joined later")
    assert holders("pioneer") == [keeps.id]
