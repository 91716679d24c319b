"""Rankings by reputation (all time, this month, the last 30 days): best first, ties to
the newer member, a member's own rank matching the list, deactivated members left out."""

from datetime import timedelta

import pytest
from sqlalchemy import delete

from lab.core.clock import utcnow
from lab.extensions import db
from lab.rewards.leaderboard import own_rank, ranking
from lab.rewards.models import LeaderboardTotal
from tests.rewards.helpers import give_points

PERIODS = ["all", "month", "30d"]


def board(period: str) -> list[tuple[int, int]]:
    return [(member.id, points) for member, points in db.session.execute(ranking(period).query)]


def day_period(moment) -> str:
    return moment.strftime("d%Y-%m-%d")


def add_total(member, period: str, points: int) -> None:
    db.session.add(LeaderboardTotal(period=period, member_id=member.id, points=points))
    db.session.flush()


@pytest.mark.parametrize("period", PERIODS)
def test_the_board_lists_most_points_first(make_member, period):
    low, high, middle = make_member(), make_member(), make_member()
    give_points(low, 10)
    give_points(high, 90)
    give_points(middle, 40)
    assert board(period) == [(high.id, 90), (middle.id, 40), (low.id, 10)]


@pytest.mark.parametrize("period", PERIODS)
def test_a_tie_goes_to_the_newer_member(make_member, period):
    older, newer = make_member(), make_member()
    give_points(older, 25)
    give_points(newer, 25)
    assert board(period) == [(newer.id, 25), (older.id, 25)]


@pytest.mark.parametrize("period", PERIODS)
def test_a_members_own_rank_is_their_position_in_the_list(make_member, period):
    members = [make_member() for _ in range(5)]
    for member, points in zip(members, [30, 50, 30, 10, 50], strict=True):
        give_points(member, points)
    rows = board(period)
    for position, (member_id, points) in enumerate(rows, start=1):
        assert own_rank(period, member_id) == (position, points)


@pytest.mark.parametrize("period", PERIODS)
def test_a_member_without_points_is_not_ranked(make_member, period):
    ranked, unranked = make_member(), make_member()
    give_points(ranked, 10)
    assert unranked.id not in dict(board(period))
    assert own_rank(period, unranked.id) is None


@pytest.mark.parametrize("period", PERIODS)
def test_deactivated_members_are_left_out(make_member, period):
    gone, stays = make_member(), make_member()
    give_points(gone, 90)
    give_points(stays, 10)
    gone.active = False
    db.session.flush()
    assert board(period) == [(stays.id, 10)]
    assert own_rank(period, stays.id) == (1, 10)


@pytest.mark.parametrize("period", PERIODS)
def test_a_deactivated_member_has_no_rank_of_their_own(make_member, period):
    gone = make_member()
    give_points(gone, 90)
    gone.active = False
    db.session.flush()
    assert own_rank(period, gone.id) is None


def test_points_older_than_30_days_leave_the_30_day_board(make_member):
    old_timer, recent = make_member(), make_member()
    add_total(old_timer, "d2020-01-01", 500)
    add_total(old_timer, day_period(utcnow() - timedelta(days=30)), 400)
    add_total(recent, day_period(utcnow() - timedelta(days=29)), 20)
    assert board("30d") == [(recent.id, 20)]
    assert own_rank("30d", old_timer.id) is None


def test_the_30_day_board_adds_up_the_days(make_member):
    member = make_member()
    for days_ago, points in [(0, 5), (3, 7), (29, 11)]:
        add_total(member, day_period(utcnow() - timedelta(days=days_ago)), points)
    assert board("30d") == [(member.id, 23)]


def test_the_month_board_reads_only_this_months_total(make_member):
    this_month, last_year = make_member(), make_member()
    add_total(this_month, utcnow().strftime("m%Y-%m"), 30)
    add_total(last_year, "m2020-01", 900)
    add_total(last_year, "d2020-01-01", 900)
    assert board("month") == [(this_month.id, 30)]
    assert own_rank("month", last_year.id) is None


def test_the_all_time_board_follows_reputation_not_period_totals(make_member):
    veteran = make_member()
    give_points(veteran, 70)
    db.session.execute(delete(LeaderboardTotal))
    assert board("all") == [(veteran.id, 70)]
    assert board("month") == [] and board("30d") == []
