"""The ranking: hand-computed scores from the ledger and earlier tests, a reproducible
tie-break, and eligibility as a hard filter."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from lab.accounts.models import User
from lab.campaigns import applications, history, ranking
from lab.campaigns.models import DROPPED, RECRUITING, SELECTION
from lab.core.clock import frozen_at
from lab.extensions import db
from lab.rewards import rules
from lab.rewards.services import award_points, reverse
from tests.campaigns.helpers import audited, fresh

pytestmark = pytest.mark.usefixtures("english")

NOW = datetime(2030, 6, 15, 12, 0, 0)


def earn(member, amount: int, days_ago: int, key: str):
    """Reputation earned ``days_ago`` before NOW, as a ledger entry of that time."""
    with frozen_at(NOW - timedelta(days=days_ago)):
        award_points(member, amount, rules.MANUAL_AWARD, key=f"{key}:{member.id}")


def ranked(make_campaign, applicants, **fields):
    """A campaign the applicants applied to, ranked at NOW (moved on to selection)."""
    with frozen_at(NOW):
        return make_campaign(SELECTION, applicants=applicants, **fields)


def application_of(campaign, member):
    return fresh(applications.application_of(member.id, campaign.id))


# --- the formula, by hand ------------------------------------------------------------------

@pytest.fixture
def three(make_tester, make_past_test):
    """Three applicants whose scores are worked out by hand below."""
    newcomer, regular, unreliable = make_tester(), make_tester(), make_tester()
    # newcomer: 400 in the last 12 months, 800 before them; never tested
    earn(newcomer, 400, 30, "recent")
    earn(newcomer, 800, 400, "old")
    # regular: 1,500 this year (capped at 1,000); 3 of 4 earlier tests completed on time,
    # the last finished 73 days ago
    earn(regular, 1500, 10, "recent")
    make_past_test(regular, NOW - timedelta(days=400), feedback_on_time=True)
    make_past_test(regular, NOW - timedelta(days=300))  # feedback time unknown: on time
    make_past_test(regular, NOW - timedelta(days=200), status=DROPPED)
    make_past_test(regular, NOW - timedelta(days=73), feedback_on_time=True)
    # unreliable: no points; one test completed with late feedback, two years ago
    make_past_test(unreliable, NOW - timedelta(days=730), feedback_on_time=False)
    return newcomer, regular, unreliable


def test_scores_match_the_published_formula(make_campaign, three):
    newcomer, regular, unreliable = three
    campaign = ranked(make_campaign, three)
    parts = {member: application_of(campaign, member) for member in three}
    # helpfulness 400/1000 = 0.4; reliability neutral 0.5; freshness 1 (never tested)
    # 50 × 0.4 + 30 × 0.5 + 20 × 1 = 55
    a = parts[newcomer]
    assert (a.reputation_12m, a.helpfulness, a.reliability, a.freshness, a.score) == (
        400, 0.4, 0.5, 1.0, 55.0)
    # helpfulness min(1500/1000, 1) = 1; reliability 3/4; freshness 73 d / 30.44 / 12
    # = 0.1998; 50 + 22.5 + 3.996 = 76.496 -> 76.5
    b = parts[regular]
    assert (b.reputation_12m, b.helpfulness, b.reliability, b.freshness, b.score) == (
        1500, 1.0, 0.75, 0.1998, 76.5)
    # helpfulness 0; reliability 0/1 (late feedback); freshness capped at 1 -> 20
    c = parts[unreliable]
    assert (c.reputation_12m, c.helpfulness, c.reliability, c.freshness, c.score) == (
        0, 0.0, 0.0, 1.0, 20.0)
    assert [parts[m].rank for m in (regular, newcomer, unreliable)] == [1, 2, 3]


def test_reputation_older_than_twelve_months_does_not_count(make_campaign, make_tester):
    member = make_tester()
    earn(member, 300, 365, "edge")  # exactly 12 months ago: still in
    earn(member, 900, 366, "older")
    campaign = ranked(make_campaign, [member])
    assert application_of(campaign, member).reputation_12m == 300


def test_reversed_points_do_not_count(make_campaign, make_tester):
    member = make_tester()
    earn(member, 300, 20, "kept")
    earn(member, 200, 10, "taken-back")
    with frozen_at(NOW - timedelta(days=5)):
        reverse(f"taken-back:{member.id}", "awarded by mistake")
    assert application_of(ranked(make_campaign, [member]), member).reputation_12m == 300


def test_a_first_timer_is_neither_reliable_nor_unreliable(app):
    parts = ranking.score(reputation_12m=0, record=None, now=NOW, seed="s", member_id=1)
    assert (parts.reliability, parts.freshness) == (0.5, 1.0)


def test_reliability_is_the_share_completed_on_time(app):
    record = history.TestRecord(finished=5, reliable=2, last_finished_at=NOW)
    parts = ranking.score(reputation_12m=0, record=record, now=NOW, seed="s", member_id=1)
    assert (parts.reliability, parts.freshness) == (0.4, 0.0)


@pytest.mark.parametrize("days,freshness", [(0, 0.0), (183, 0.501), (365, 0.9992),
                                            (366, 1.0), (2000, 1.0)])
def test_freshness_grows_with_the_months_since_the_last_test(app, days, freshness):
    record = history.TestRecord(finished=1, reliable=1,
                                last_finished_at=NOW - timedelta(days=days))
    parts = ranking.score(reputation_12m=0, record=record, now=NOW, seed="s", member_id=1)
    assert parts.freshness == freshness


def test_the_campaigns_own_applications_are_not_earlier_tests(make_campaign, make_tester):
    member = make_tester()
    campaign = ranked(make_campaign, [member])
    application = application_of(campaign, member)
    application.status, application.finished_at = DROPPED, NOW
    assert history.records_for([member.id], excluding_campaign=campaign.id) == {}
    assert history.records_for([member.id])[member.id].finished == 1


def test_helpfulness_is_capped_at_a_thousand_points(app):
    parts = ranking.score(reputation_12m=5000, record=None, now=NOW, seed="s", member_id=1)
    assert (parts.helpfulness, parts.total) == (1.0, 85.0)


# --- ties ----------------------------------------------------------------------------------

def test_the_tie_break_comes_from_the_seed_and_the_member(app):
    first = ranking.tie_break("seed-a", 7)
    assert first == ranking.tie_break("seed-a", 7)
    assert 0 <= first < 1
    assert first != ranking.tie_break("seed-b", 7) != ranking.tie_break("seed-a", 8)


def test_equal_scores_are_ordered_by_the_tie_break(make_campaign, make_tester):
    equals = [make_tester() for _ in range(4)]
    campaign = ranked(make_campaign, equals)
    rows = [application_of(campaign, member) for member in equals]
    assert len({row.score for row in rows}) == 1
    by_rank = sorted(rows, key=lambda row: row.rank)
    assert [row.tie_break for row in by_rank] == sorted((row.tie_break for row in rows),
                                                        reverse=True)
    assert all(row.tie_break == ranking.tie_break(campaign.ranking_seed, row.member_id)
               for row in rows)


def test_ranking_again_gives_the_same_order(make_campaign, make_tester):
    equals = [make_tester() for _ in range(5)]
    campaign = ranked(make_campaign, equals)
    before = {m.id: application_of(campaign, m).rank for m in equals}
    with frozen_at(NOW):
        ranking.rank(campaign.created_by, campaign)
    assert {m.id: application_of(campaign, m).rank for m in equals} == before


def test_another_seed_gives_other_tie_breaks(make_campaign, make_tester):
    equals = [make_tester() for _ in range(3)]
    campaign = ranked(make_campaign, equals)
    before = {m.id: application_of(campaign, m).tie_break for m in equals}
    campaign.ranking_seed = "another-seed"
    with frozen_at(NOW):
        ranking.rank(campaign.created_by, campaign)
    after = {m.id: application_of(campaign, m).tie_break for m in equals}
    assert all(after[i] != before[i] for i in before)
    assert sorted(after, key=after.get, reverse=True) == sorted(
        after, key=lambda i: application_of(campaign, db.session.get(User, i)).rank)


# --- who is ranked -------------------------------------------------------------------------

def test_an_applicant_who_is_not_eligible_is_not_ranked(make_campaign, make_tester):
    ios, android = make_tester(os="ios"), make_tester(os="android")
    with frozen_at(NOW):
        campaign = make_campaign(RECRUITING, applicants=[ios, android])
        campaign.eligibility = [{"rule": "owns_os", "values": ["android"]}]  # tightened
        assert ranking.rank(campaign.created_by, campaign) == 1
    refused = application_of(campaign, ios)
    assert (refused.eligible, refused.rank) == (False, None)
    assert refused.unmet_rules == [{"rule": "owns_os", "values": ["android"]}]
    assert refused.score is not None  # its parts are still shown
    kept = application_of(campaign, android)
    assert (kept.eligible, kept.rank, kept.unmet_rules) == (True, 1, [])


def test_drafts_and_withdrawn_applications_are_not_ranked(make_campaign, make_tester, apply):
    draft, gone, sent = make_tester(), make_tester(), make_tester()
    with frozen_at(NOW):
        campaign = make_campaign(RECRUITING, applicants=[gone, sent])
        apply(draft, campaign, submit=False)
        applications.withdraw(gone, campaign)
        ranking.rank(campaign.created_by, campaign)
    assert [application_of(campaign, m).rank for m in (draft, gone, sent)] == [None, None, 1]
    assert application_of(campaign, draft).score is None


def test_ranking_is_audited_with_its_counts(make_campaign, make_tester):
    campaign = ranked(make_campaign, [make_tester(), make_tester()])
    [entry] = audited(ranking.CAMPAIGN_RANKED, "campaign", campaign.id)
    assert entry.details == {"applicants": 2, "eligible": 2}
    assert campaign.ranked_at == NOW
