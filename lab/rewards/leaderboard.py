"""Rankings by reputation: all time, this month, the last 30 days.

None of them reads the ledger. All time orders members by their cached reputation
(index ix_user_leaderboard); the month reads one period's totals (ix_leaderboard_total_rank);
the last 30 days add up at most 30 day totals per member who earned in that time.
Ties go to the member who joined later (higher id), the same order everywhere,
so a member's own rank matches the position in the list.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from lab.accounts.models import User
from lab.core.clock import utcnow
from lab.extensions import db
from lab.rewards.ledger import recent_window
from lab.rewards.models import LeaderboardTotal

PERIODS = {
    "all": _l("All time"),
    "month": _l("This month"),
    "30d": _l("Last 30 days"),
}


@dataclass
class Ranking:
    """The select() of (member, points) rows for a period, best first."""

    query: object
    rows: object  # subquery with member_id and points, for rank lookups


def ranking(period: str) -> Ranking:
    if period == "month":
        rows = (select(LeaderboardTotal.member_id.label("member_id"),
                       LeaderboardTotal.points.label("points"))
                .where(LeaderboardTotal.period == utcnow().strftime("m%Y-%m"),
                       LeaderboardTotal.points > 0))
    elif period == "30d":
        total = func.sum(LeaderboardTotal.points)
        rows = (select(LeaderboardTotal.member_id.label("member_id"), total.label("points"))
                .where(LeaderboardTotal.period.in_(recent_window(30)))
                .group_by(LeaderboardTotal.member_id)
                .having(total > 0))
    else:
        # straight from the member rows: no subquery, no self-join, the index gives the order
        query = (select(User, User.reputation)
                 .where(User.reputation > 0, User.active.is_(True))
                 .order_by(User.reputation.desc(), User.id.desc()))
        rows = select(User.id.label("member_id"), User.reputation.label("points")).where(
            User.reputation > 0, User.active.is_(True)).subquery()
        return Ranking(query, rows)
    rows = rows.subquery()
    query = (select(User, rows.c.points).join(rows, rows.c.member_id == User.id)
             .where(User.active.is_(True))
             .order_by(rows.c.points.desc(), User.id.desc()))
    return Ranking(query, rows)


def own_rank(period: str, member_id: int) -> tuple[int, int] | None:
    """(rank, points) of the member in the period, or None if they earned nothing there."""
    if period not in ("month", "30d"):
        return _own_rank_all_time(member_id)
    board = ranking(period)
    mine = db.session.execute(
        select(board.rows.c.points).join(User, User.id == board.rows.c.member_id)
        .where(board.rows.c.member_id == member_id, User.active.is_(True))
    ).scalar()
    if mine is None:
        return None
    ahead = db.session.scalar(
        select(func.count()).select_from(board.rows)
        .join(User, User.id == board.rows.c.member_id)
        .where(User.active.is_(True),
               or_(board.rows.c.points > mine,
                   (board.rows.c.points == mine) & (board.rows.c.member_id > member_id)))
    )
    return ahead + 1, mine


def _own_rank_all_time(member_id: int) -> tuple[int, int] | None:
    mine = db.session.scalar(select(User.reputation).where(
        User.id == member_id, User.active.is_(True), User.reputation > 0))
    if mine is None:
        return None
    ahead = db.session.scalar(
        select(func.count()).select_from(User).where(
            User.active.is_(True),
            or_(User.reputation > mine, (User.reputation == mine) & (User.id > member_id))))
    return ahead + 1, mine
