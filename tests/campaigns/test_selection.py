"""Choosing testers: by the ranking, by hand (with a reason against it), by a recorded
draw; the slots, the waiting list, confirming, and the ends of selection and test."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from lab.accounts.models import OwnedDevice, ShippingAddress
from lab.accounts.services import AccountError
from lab.campaigns import lifecycle, notices, selection
from lab.campaigns.applications import application_of
from lab.campaigns.lifecycle import CampaignError
from lab.campaigns.models import (
    COMPLETED,
    CONFIRMED,
    DECLINED,
    DROPPED,
    NOT_SELECTED,
    RECRUITING,
    SELECTED,
    SELECTION,
    SUBMITTED,
    TESTING,
    WAITLISTED,
    Application,
    Draw,
)
from lab.campaigns.selection import SelectionError
from lab.core.clock import frozen_at, utcnow
from lab.extensions import db
from lab.rewards import rules
from lab.rewards.models import LedgerEntry
from lab.rewards.services import TEST_COMPLETED, award_points
from tests.campaigns.helpers import ADDRESS, audited, count, fresh, notifications, statuses

pytestmark = pytest.mark.usefixtures("english")

_keys = itertools.count(1)


@pytest.fixture
def ranked_campaign(make_campaign, make_tester):
    """Factory: ranked_campaign(n=5, slots=3, **fields) -> (campaign in selection, its
    applicants in ranking order). Each has fewer points than the one before, so the
    ranking is the order they were made in."""

    def make(n=5, slots=3, **fields):
        members = [make_tester() for _ in range(n)]
        for place, member in enumerate(members):
            award_points(member, 100 * (n - place), rules.MANUAL_AWARD,
                         key=f"rank:{next(_keys)}")
        campaign = make_campaign(SELECTION, applicants=members, slots=slots, **fields)
        return campaign, members

    return make


def app_of(campaign, member) -> Application:
    return fresh(application_of(member.id, campaign.id))


def ids(campaign, *members) -> list[int]:
    return [application_of(m.id, campaign.id).id for m in members]


def staff_of(campaign):
    return campaign.created_by


def select_all(campaign) -> None:
    selection.select_by_ranking(staff_of(campaign), campaign)


def confirm(member, campaign, address=ADDRESS):
    return selection.confirm(member, campaign, accept_terms=True, address=address)


# --- by the ranking ------------------------------------------------------------------------

def test_select_by_ranking_fills_the_slots_then_waitlists_in_rank_order(ranked_campaign):
    campaign, members = ranked_campaign(n=5, slots=3)
    assert selection.select_by_ranking(staff_of(campaign), campaign) == (3, 2)
    assert [app_of(campaign, m).status for m in members] == [SELECTED] * 3 + [WAITLISTED] * 2
    assert [app_of(campaign, m).waitlist_position for m in members[3:]] == [1, 2]
    assert fresh(campaign).slots_taken == 3


def test_a_selected_tester_has_days_to_confirm(ranked_campaign):
    campaign, members = ranked_campaign(n=1, slots=1, confirm_days=4)
    moment = utcnow().replace(microsecond=0)
    with frozen_at(moment):
        select_all(campaign)
    application = app_of(campaign, members[0])
    assert (application.offered_at, application.confirm_by) == (moment,
                                                                moment + timedelta(days=4))
    assert application.decided_by_id == staff_of(campaign).id


def test_select_by_ranking_tells_everyone_and_is_audited(ranked_campaign):
    campaign, members = ranked_campaign(n=2, slots=1)
    select_all(campaign)
    [selected] = notifications(members[0], notices.KINDS[SELECTED])
    assert selected.params["deadline"] == app_of(campaign, members[0]).confirm_by.isoformat()
    assert notifications(members[1], notices.KINDS[WAITLISTED])
    [entry] = audited(selection.SELECTION_RUN, "campaign", campaign.id)
    assert entry.details == {"method": "ranking", "selected": 1, "waitlisted": 1}


def test_select_by_ranking_leaves_out_who_is_not_eligible(ranked_campaign):
    campaign, members = ranked_campaign(n=3, slots=3)
    app_of(campaign, members[0]).rank = None  # as for an applicant who is not eligible
    app_of(campaign, members[0]).eligible = False
    assert selection.select_by_ranking(staff_of(campaign), campaign) == (2, 0)
    assert app_of(campaign, members[0]).status == SUBMITTED


def test_select_by_ranking_considers_who_was_waitlisted_by_hand(ranked_campaign):
    campaign, members = ranked_campaign(n=3, slots=1)
    selection.decide(staff_of(campaign), campaign, ids(campaign, members[0]), "waitlist",
                     reason="waiting for a device")
    assert selection.select_by_ranking(staff_of(campaign), campaign) == (1, 2)
    assert app_of(campaign, members[0]).status == SELECTED
    assert app_of(campaign, members[1]).status == WAITLISTED


def test_select_by_ranking_passes_over_who_no_longer_qualifies_and_says_why(
        ranked_campaign):
    campaign, members = ranked_campaign(n=2, slots=1,
                                        eligibility=[{"rule": "owns_os",
                                                      "values": ["android"]}])
    db.session.execute(db.delete(OwnedDevice).where(OwnedDevice.user_id == members[0].id))
    assert selection.select_by_ranking(staff_of(campaign), campaign) == (1, 0)
    assert app_of(campaign, members[0]).status == NOT_SELECTED
    assert app_of(campaign, members[0]).outcome_reason == "not_eligible"
    assert app_of(campaign, members[1]).status == SELECTED


def test_selection_needs_the_selection_state(make_campaign, make_tester):
    campaign = make_campaign(RECRUITING, applicants=[make_tester()])
    with pytest.raises(CampaignError, match="while the campaign is in selection"):
        selection.select_by_ranking(staff_of(campaign), campaign)


def test_selection_needs_a_ranking(ranked_campaign):
    campaign, _ = ranked_campaign(n=1)
    campaign.ranked_at = None
    with pytest.raises(CampaignError, match="rank the applicants first"):
        selection.select_by_ranking(staff_of(campaign), campaign)


# --- by hand -------------------------------------------------------------------------------

def test_choosing_with_the_ranking_needs_no_reason(ranked_campaign):
    campaign, members = ranked_campaign(n=3, slots=2)
    assert selection.decide(staff_of(campaign), campaign, ids(campaign, *members[:2]),
                            "select") == 2
    assert statuses(campaign)[members[0].id] == SELECTED
    assert audited(selection.APPLICATION_DECIDED, "application",
                   app_of(campaign, members[0]).id) == []


def test_choosing_against_the_ranking_needs_a_reason(ranked_campaign):
    campaign, members = ranked_campaign(n=3, slots=2)
    with pytest.raises(SelectionError, match="goes against the ranking") as refused:
        selection.decide(staff_of(campaign), campaign, ids(campaign, members[2]), "select")
    assert refused.value.field == "reason"
    assert set(statuses(campaign).values()) == {SUBMITTED}
    assert fresh(campaign).slots_taken == 0


def test_a_choice_against_the_ranking_is_audited_with_its_reason(ranked_campaign):
    campaign, members = ranked_campaign(n=3, slots=2)
    staff = staff_of(campaign)
    [third] = ids(campaign, members[2])
    selection.decide(staff, campaign, [third], "select", " Only one with a balcony ")
    application = app_of(campaign, members[2])
    assert (application.status, application.decision_note) == (SELECTED,
                                                               "Only one with a balcony")
    [entry] = audited(selection.APPLICATION_DECIDED, "application", third)
    assert (entry.actor_id, entry.details) == (staff.id, {
        "decision": "select", "reason": "Only one with a balcony", "rank": 3})


def test_waitlisting_above_a_selected_tester_goes_against_the_ranking(ranked_campaign):
    campaign, members = ranked_campaign(n=3, slots=2)
    selection.decide(staff_of(campaign), campaign, ids(campaign, members[1]), "select",
                     "Second is nearer")
    [first] = ids(campaign, members[0])
    with pytest.raises(SelectionError, match="goes against the ranking"):
        selection.decide(staff_of(campaign), campaign, [first], "waitlist")


def test_waitlisting_the_last_needs_no_reason(ranked_campaign):
    campaign, members = ranked_campaign(n=3, slots=2)
    selection.decide(staff_of(campaign), campaign, ids(campaign, members[2]), "waitlist")
    assert app_of(campaign, members[2]).waitlist_position == 1


def test_waitlisting_several_queues_them_as_they_rank(ranked_campaign):
    campaign, members = ranked_campaign(n=3, slots=1)
    selection.decide(staff_of(campaign), campaign, ids(campaign, *members), "waitlist")
    assert [app_of(campaign, m).waitlist_position for m in members] == [1, 2, 3]


def test_declining_someone_eligible_ranked_above_others_needs_a_reason(ranked_campaign):
    campaign, members = ranked_campaign(n=2, slots=1)
    with pytest.raises(SelectionError, match="goes against the ranking"):
        selection.decide(staff_of(campaign), campaign, ids(campaign, members[0]), "decline")
    selection.decide(staff_of(campaign), campaign, ids(campaign, members[0]), "decline",
                     "Tested the same router last month")
    application = app_of(campaign, members[0])
    assert (application.status, application.outcome_reason) == (NOT_SELECTED, "staff")
    [note] = notifications(members[0], notices.KINDS[NOT_SELECTED])
    assert note.params["outcome"] == "staff"


def test_declining_someone_not_eligible_needs_no_reason(ranked_campaign):
    campaign, members = ranked_campaign(n=2, slots=1)
    application = app_of(campaign, members[0])
    application.eligible, application.rank = False, None
    selection.decide(staff_of(campaign), campaign, [application.id], "decline")
    assert (application.status, application.outcome_reason) == (NOT_SELECTED, "not_eligible")


def test_someone_no_longer_eligible_cannot_be_selected(ranked_campaign):
    campaign, members = ranked_campaign(n=1, slots=1,
                                        eligibility=[{"rule": "owns_os",
                                                      "values": ["android"]}])
    db.session.execute(db.delete(OwnedDevice).where(OwnedDevice.user_id == members[0].id))
    with pytest.raises(SelectionError, match="does not meet the campaign's requirements"):
        selection.decide(staff_of(campaign), campaign, ids(campaign, members[0]), "select")


def test_a_decided_application_cannot_be_decided_again(ranked_campaign):
    campaign, members = ranked_campaign(n=2, slots=2)
    select_all(campaign)
    with pytest.raises(SelectionError, match="already decided"):
        selection.decide(staff_of(campaign), campaign, ids(campaign, members[0]), "waitlist")


def test_an_application_of_another_campaign_changes_nothing(ranked_campaign):
    campaign, members = ranked_campaign(n=1, slots=2)
    other, strangers = ranked_campaign(n=1, slots=1)
    with pytest.raises(SelectionError, match="does not belong to this campaign"):
        selection.decide(staff_of(campaign), campaign,
                         ids(campaign, members[0]) + ids(other, strangers[0]), "select")
    assert set(statuses(campaign).values()) == set(statuses(other).values()) == {SUBMITTED}


@pytest.mark.parametrize("decision,application_ids,message", [
    ("promote", None, "Unknown decision"), ("select", [], "at least one application")])
def test_a_decision_needs_a_known_kind_and_an_application(ranked_campaign, decision,
                                                          application_ids, message):
    campaign, members = ranked_campaign(n=1)
    with pytest.raises(SelectionError, match=message):
        selection.decide(staff_of(campaign), campaign,
                         ids(campaign, *members) if application_ids is None else [],
                         decision)


# --- slots ---------------------------------------------------------------------------------

def test_selecting_into_a_full_campaign_is_refused(ranked_campaign):
    campaign, members = ranked_campaign(n=2, slots=1)
    select_all(campaign)
    with pytest.raises(SelectionError, match="All 1 places are taken"):
        selection.decide(staff_of(campaign), campaign, ids(campaign, members[1]), "select")
    assert app_of(campaign, members[1]).status == WAITLISTED
    assert fresh(campaign).slots_taken == 1


def test_a_bulk_choice_beyond_the_free_slots_changes_nothing(ranked_campaign):
    campaign, members = ranked_campaign(n=3, slots=2)
    with pytest.raises(SelectionError, match="Only 2 of 2 places are free"):
        selection.decide(staff_of(campaign), campaign, ids(campaign, *members), "select")
    assert set(statuses(campaign).values()) == {SUBMITTED}
    assert fresh(campaign).slots_taken == 0
    assert notifications(members[0], notices.KINDS[SELECTED]) == []


def test_the_database_refuses_more_taken_slots_than_slots(ranked_campaign):
    campaign, _ = ranked_campaign(n=1, slots=1)
    with pytest.raises(IntegrityError, match="campaign_slots_taken_within_slots"):
        with db.session.begin_nested():
            db.session.execute(text("UPDATE campaign SET slots_taken = slots + 1 "
                                    "WHERE id = :id"), {"id": campaign.id})


# --- the draw ------------------------------------------------------------------------------

def test_the_draw_stores_its_seed_and_entrants(ranked_campaign):
    campaign, members = ranked_campaign(n=5, slots=2)
    draw = selection.run_draw(staff_of(campaign), campaign)
    assert draw.entrants == sorted(ids(campaign, *members))
    assert sorted(draw.order) == draw.entrants and draw.slots == 2 and len(draw.seed) == 16
    assert selection.latest_draw(campaign.id) is draw
    [entry] = audited(selection.DRAW_RUN, "campaign", campaign.id)
    assert entry.details == {"draw": draw.id, "seed": draw.seed, "entrants": 5, "slots": 2}


def test_the_drawn_winners_are_selected_and_the_rest_queue_in_drawn_order(ranked_campaign):
    campaign, members = ranked_campaign(n=5, slots=2)
    draw = selection.run_draw(staff_of(campaign), campaign)
    by_id = {a.id: a for a in (app_of(campaign, m) for m in members)}
    assert [by_id[i].status for i in draw.order] == [SELECTED] * 2 + [WAITLISTED] * 3
    assert [by_id[i].waitlist_position for i in draw.order[2:]] == [1, 2, 3]


def test_replaying_a_stored_draw_gives_the_same_winners(ranked_campaign):
    campaign, _ = ranked_campaign(n=6, slots=3)
    draw = selection.run_draw(staff_of(campaign), campaign)
    db.session.expire_all()
    stored = db.session.get(Draw, draw.id)
    assert selection.replay(stored) == stored.winners == draw.order[:3]
    selected = [a.id for a in db.session.scalars(select(Application).where(
        Application.campaign_id == campaign.id, Application.status == SELECTED))]
    assert sorted(selection.replay(stored)) == sorted(selected)


def test_the_lottery_is_the_same_on_every_platform(app):
    # Mersenne Twister seeded with a string: fixed since Python 3.2
    assert selection.drawn_order("0123456789abcdef", list(range(10, 0, -1))) == [
        6, 10, 3, 2, 8, 7, 4, 5, 9, 1]


def test_the_draw_leaves_out_who_is_not_eligible(ranked_campaign):
    campaign, members = ranked_campaign(n=3, slots=3)
    app_of(campaign, members[0]).eligible = False
    draw = selection.run_draw(staff_of(campaign), campaign)
    assert app_of(campaign, members[0]).id not in draw.entrants
    assert app_of(campaign, members[0]).status == SUBMITTED


def test_a_draw_with_nobody_left_is_refused(ranked_campaign):
    campaign, _ = ranked_campaign(n=1, slots=2)
    select_all(campaign)
    with pytest.raises(SelectionError, match="nobody eligible left"):
        selection.run_draw(staff_of(campaign), campaign)


def test_a_draw_in_a_full_campaign_is_refused(ranked_campaign):
    campaign, members = ranked_campaign(n=2, slots=1)
    selection.decide(staff_of(campaign), campaign, ids(campaign, members[0]), "select")
    with pytest.raises(SelectionError, match="nothing to draw"):
        selection.run_draw(staff_of(campaign), campaign)
    assert count(Draw, Draw.campaign_id == campaign.id) == 0


# --- the waiting list ----------------------------------------------------------------------

def test_a_declined_place_goes_to_the_first_on_the_waiting_list(ranked_campaign):
    campaign, members = ranked_campaign(n=4, slots=2)
    select_all(campaign)
    selection.decline_offer(members[0], campaign)
    assert [app_of(campaign, m).status for m in members] == [
        DECLINED, SELECTED, SELECTED, WAITLISTED]
    promoted = app_of(campaign, members[2])
    assert (promoted.waitlist_position, promoted.decided_by_id) == (None, None)
    assert promoted.confirm_by is not None
    [offer] = notifications(members[2], notices.OFFERED_KIND)
    assert offer.params["deadline"] == promoted.confirm_by.isoformat()
    assert fresh(campaign).slots_taken == 2


def test_a_confirmed_tester_may_still_give_the_place_up(ranked_campaign):
    campaign, members = ranked_campaign(n=2, slots=1)
    select_all(campaign)
    confirm(members[0], campaign)
    selection.decline_offer(members[0], campaign)
    assert [app_of(campaign, m).status for m in members] == [DECLINED, SELECTED]


def test_there_is_no_place_to_give_up_without_an_offer(ranked_campaign):
    campaign, members = ranked_campaign(n=2, slots=1)
    select_all(campaign)
    with pytest.raises(SelectionError, match="no place to give up"):
        selection.decline_offer(members[1], campaign)


def test_an_expired_offer_goes_to_the_next_on_the_waiting_list(ranked_campaign):
    campaign, members = ranked_campaign(n=3, slots=1)
    select_all(campaign)
    deadline = app_of(campaign, members[0]).confirm_by
    with frozen_at(deadline):
        assert selection.expire_offers() == 0
    with frozen_at(deadline + timedelta(seconds=1)):
        assert selection.expire_offers() == 1
    assert [app_of(campaign, m).status for m in members] == [DECLINED, SELECTED, WAITLISTED]
    assert notifications(members[0], notices.EXPIRED_KIND)
    assert notifications(members[1], notices.OFFERED_KIND)
    assert app_of(campaign, members[1]).confirm_by == deadline + timedelta(
        seconds=1, days=campaign.confirm_days)


def test_the_waiting_list_skips_who_is_no_longer_eligible(ranked_campaign):
    campaign, members = ranked_campaign(n=3, slots=1,
                                        eligibility=[{"rule": "owns_os",
                                                      "values": ["android"]}])
    select_all(campaign)
    db.session.execute(db.delete(OwnedDevice).where(OwnedDevice.user_id == members[1].id))
    selection.decline_offer(members[0], campaign)
    skipped = app_of(campaign, members[1])
    assert (skipped.status, skipped.outcome_reason) == (NOT_SELECTED, "not_eligible")
    assert app_of(campaign, members[2]).status == SELECTED


def test_a_freed_place_stays_free_without_a_waiting_list(ranked_campaign):
    campaign, members = ranked_campaign(n=1, slots=1)
    select_all(campaign)
    selection.decline_offer(members[0], campaign)
    assert fresh(campaign).slots_taken == 0


# --- confirming ----------------------------------------------------------------------------

def test_confirming_takes_the_terms_and_the_address(ranked_campaign):
    campaign, members = ranked_campaign(n=1, slots=1)
    select_all(campaign)
    application = confirm(members[0], campaign)
    assert (application.status, application.terms_version) == (CONFIRMED,
                                                               campaign.terms_version)
    assert application.confirmed_at is not None
    address = db.session.get(ShippingAddress, members[0].id)
    assert (address.full_name, address.postcode, address.city) == (
        "Erika Mustermann", "51147", "Köln")
    assert notifications(members[0], notices.KINDS[CONFIRMED])


def test_confirming_needs_the_terms(ranked_campaign):
    campaign, members = ranked_campaign(n=1, slots=1)
    select_all(campaign)
    with pytest.raises(SelectionError, match="accept the participation terms") as refused:
        selection.confirm(members[0], campaign, accept_terms=False, address=ADDRESS)
    assert refused.value.field == "accept_terms"
    assert app_of(campaign, members[0]).status == SELECTED


def test_confirming_a_device_test_needs_an_address(ranked_campaign):
    campaign, members = ranked_campaign(n=1, slots=1, device_policy="keep")
    select_all(campaign)
    with pytest.raises(SelectionError, match="address the device should go to"):
        selection.confirm(members[0], campaign, accept_terms=True)
    assert app_of(campaign, members[0]).status == SELECTED


def test_a_wrong_address_is_refused_by_the_accounts_rules(ranked_campaign):
    campaign, members = ranked_campaign(n=1, slots=1)
    select_all(campaign)
    with pytest.raises(AccountError) as refused:
        confirm(members[0], campaign, address={**ADDRESS, "postcode": "123"})
    assert refused.value.field == "postcode"
    assert app_of(campaign, members[0]).status == SELECTED


def test_a_test_with_ones_own_device_needs_no_address(ranked_campaign):
    campaign, members = ranked_campaign(n=1, slots=1, device_policy="own")
    select_all(campaign)
    assert selection.confirm(members[0], campaign, accept_terms=True).status == CONFIRMED
    assert db.session.get(ShippingAddress, members[0].id) is None


def test_confirming_at_the_deadline_still_works(ranked_campaign):
    campaign, members = ranked_campaign(n=1, slots=1)
    select_all(campaign)
    deadline = app_of(campaign, members[0]).confirm_by
    with frozen_at(deadline):
        assert confirm(members[0], campaign).status == CONFIRMED


def test_confirming_a_second_after_the_deadline_is_refused(ranked_campaign):
    campaign, members = ranked_campaign(n=1, slots=1)
    select_all(campaign)
    deadline = app_of(campaign, members[0]).confirm_by
    with frozen_at(deadline + timedelta(seconds=1)):
        with pytest.raises(SelectionError, match="time to confirm has passed"):
            confirm(members[0], campaign)
    assert app_of(campaign, members[0]).status == SELECTED


def test_only_a_selected_member_can_confirm(ranked_campaign):
    campaign, members = ranked_campaign(n=2, slots=1)
    select_all(campaign)
    with pytest.raises(SelectionError, match="no place waiting for your confirmation"):
        confirm(members[1], campaign)


# --- the end of selection ------------------------------------------------------------------

def test_the_test_starting_tells_the_undecided_why_not(ranked_campaign):
    campaign, members = ranked_campaign(n=4, slots=1)
    selection.decide(staff_of(campaign), campaign, ids(campaign, members[0]), "select")
    selection.decide(staff_of(campaign), campaign, ids(campaign, members[3]), "waitlist")
    not_eligible = app_of(campaign, members[2])
    not_eligible.eligible, not_eligible.rank = False, None
    lifecycle.advance(staff_of(campaign), campaign)
    outcomes = [(a.status, a.outcome_reason, a.waitlist_position)
                for a in (app_of(campaign, m) for m in members)]
    assert outcomes == [(SELECTED, None, None), (NOT_SELECTED, "ranking", None),
                        (NOT_SELECTED, "not_eligible", None), (NOT_SELECTED, "ranking", None)]
    [note] = notifications(members[1], notices.KINDS[NOT_SELECTED])
    assert note.params["outcome"] == "ranking"


def test_after_a_draw_the_undecided_hear_it_was_the_draw(ranked_campaign):
    campaign, members = ranked_campaign(n=3, slots=1)
    draw = selection.run_draw(staff_of(campaign), campaign)
    lifecycle.advance(staff_of(campaign), campaign)
    losers = [a for a in (app_of(campaign, m) for m in members) if a.id not in draw.winners]
    assert [(a.status, a.outcome_reason) for a in losers] == [(NOT_SELECTED, "draw")] * 2


def test_the_waiting_list_does_not_move_once_the_test_runs(ranked_campaign):
    campaign, members = ranked_campaign(n=2, slots=1)
    select_all(campaign)
    lifecycle.advance(staff_of(campaign), campaign)
    assert selection.offer_next(campaign) == 0


# --- the end of the test -------------------------------------------------------------------

@pytest.fixture
def testing(ranked_campaign):
    """Factory: testing(n=2, **fields) -> (campaign in testing, confirmed testers)."""

    def make(n=2, **fields):
        campaign, members = ranked_campaign(n=n, slots=n, **fields)
        select_all(campaign)
        for member in members:
            confirm(member, campaign)
        lifecycle.advance(staff_of(campaign), campaign)
        assert campaign.state == TESTING
        return campaign, members

    return make


def test_completing_a_test_pays_the_campaigns_points(testing):
    campaign, members = testing(n=1, completion_points=50)
    [application_id] = ids(campaign, members[0])
    before = fresh(members[0]).reputation
    selection.finish_test(staff_of(campaign), application_id, campaign, completed=True)
    assert app_of(campaign, members[0]).status == COMPLETED
    assert fresh(members[0]).reputation == before + 50
    [entry] = db.session.scalars(select(LedgerEntry).where(
        LedgerEntry.key == f"test-completed:{application_id}")).all()
    assert (entry.reason, entry.amount, entry.source_id) == (TEST_COMPLETED, 50,
                                                             str(application_id))


def test_completion_points_are_paid_once(testing):
    campaign, members = testing(n=1, completion_points=50)
    [application_id] = ids(campaign, members[0])
    selection.finish_test(staff_of(campaign), application_id, campaign, completed=True)
    with pytest.raises(SelectionError, match="Only a confirmed tester"):
        selection.finish_test(staff_of(campaign), application_id, campaign, completed=True)
    again = award_points(members[0], 50, TEST_COMPLETED,
                         key=f"test-completed:{application_id}")
    assert again.created is False
    assert count(LedgerEntry, LedgerEntry.key == f"test-completed:{application_id}") == 1


def test_a_test_without_points_pays_nothing(testing):
    campaign, members = testing(n=1, completion_points=0)
    [application_id] = ids(campaign, members[0])
    selection.finish_test(staff_of(campaign), application_id, campaign, completed=True)
    assert count(LedgerEntry, LedgerEntry.key == f"test-completed:{application_id}") == 0


def test_dropping_out_needs_a_reason_and_frees_the_slot(testing):
    campaign, members = testing(n=2)
    [application_id] = ids(campaign, members[0])
    with pytest.raises(SelectionError, match="give a reason"):
        selection.finish_test(staff_of(campaign), application_id, campaign, completed=False)
    selection.finish_test(staff_of(campaign), application_id, campaign, completed=False,
                          reason="Did not answer for three weeks")
    application = app_of(campaign, members[0])
    assert (application.status, application.finished_at is not None) == (DROPPED, True)
    assert fresh(campaign).slots_taken == 1
    [entry] = audited(selection.TEST_FINISHED, "application", application_id)
    assert entry.details == {"completed": False, "reason": "Did not answer for three weeks"}


def test_a_finished_test_counts_for_the_next_ranking(testing, make_campaign, apply):
    campaign, members = testing(n=1)
    [application_id] = ids(campaign, members[0])
    selection.finish_test(staff_of(campaign), application_id, campaign, completed=False,
                          reason="Moved abroad")
    later = make_campaign(SELECTION, applicants=[members[0]])
    assert (app_of(later, members[0]).reliability, app_of(later, members[0]).freshness) == (
        0.0, 0.0)


def test_tests_are_finished_only_while_testing(ranked_campaign):
    campaign, members = ranked_campaign(n=1, slots=1)
    select_all(campaign)
    with pytest.raises(CampaignError, match="in testing or evaluation"):
        selection.finish_test(staff_of(campaign), ids(campaign, members[0])[0], campaign,
                              completed=True)


def test_only_a_confirmed_testers_test_can_be_finished(ranked_campaign):
    campaign, members = ranked_campaign(n=2, slots=2)
    select_all(campaign)
    confirm(members[0], campaign)
    lifecycle.advance(staff_of(campaign), campaign)
    with pytest.raises(SelectionError, match="Only a confirmed tester"):
        selection.finish_test(staff_of(campaign), ids(campaign, members[1])[0], campaign,
                              completed=True)


def test_a_test_of_another_campaign_cannot_be_finished_here(testing):
    campaign, _members = testing(n=1)
    other, strangers = testing(n=1)
    with pytest.raises(SelectionError, match="does not belong to this campaign"):
        selection.finish_test(staff_of(campaign), ids(other, strangers[0])[0], campaign,
                              completed=True)
