"""The rewards domain's contract: what other domains call to pay and take back points.

Campaigns, feedback and community call these; rewards calls none of them.

- ``earn(member, reason, key=..., source=(kind, id), actor=...)``: pay an earning rule
  (rules.py), with its daily cap; nothing for the actor's own contributions.
- ``award_points(member, amount, reason, key=..., source=...)``: pay a given amount.
- ``reverse(key or (kind, id), reason)``: take back what those entries gave.
- ``grant_badge(member, code)``: idempotent.

Every call is idempotent by its key and returns a ``Posted`` saying whether it did
anything. Nothing commits: the caller's unit of work does.
"""

from lab.rewards.badges import grant as grant_badge  # noqa: F401
from lab.rewards.badges import revoke as revoke_badge  # noqa: F401
from lab.rewards.ledger import (  # noqa: F401
    PointsError,
    Posted,
    award_points,
    earn,
    history_query,
    reputation_earned_since,
    reverse,
    verify,
)
from lab.rewards.levels import level_for, next_level  # noqa: F401
from lab.rewards.rules import (  # noqa: F401
    ACCEPTED_AN_ANSWER,
    ANSWER_ACCEPTED,
    BUG_CONFIRMED,
    BUG_CONFIRMED_CRITICAL,
    FEEDBACK_ON_TIME,
    HELPFUL_VOTE,
    TEST_COMPLETED,
)
