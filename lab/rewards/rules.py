"""Earning rules: how many points each kind of contribution pays, in one table.

The defaults can be changed per deployment with the EARNING_RULES setting (a dict of
reason code to points, see the README). Reason codes name the event in the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask import current_app
from flask_babel import lazy_gettext as _l

ANSWER_ACCEPTED = "answer_accepted"
ACCEPTED_AN_ANSWER = "accepted_an_answer"
HELPFUL_VOTE = "helpful_vote"
FEEDBACK_ON_TIME = "feedback_on_time"
BUG_CONFIRMED = "bug_confirmed"
BUG_CONFIRMED_CRITICAL = "bug_confirmed_critical"
TEST_COMPLETED = "test_completed"

# reasons written by the rewards domain itself
MANUAL_AWARD = "manual_award"
REDEMPTION = "redemption"
REDEMPTION_REFUND = "redemption_refund"
REVERSAL = "reversal"


@dataclass(frozen=True)
class EarningRule:
    reason: str
    points: int
    # at most this many points a day from this reason, per member (None: no cap)
    daily_cap: int | None = None


DEFAULT_RULES = {
    rule.reason: rule
    for rule in (
        EarningRule(ANSWER_ACCEPTED, 15),
        EarningRule(ACCEPTED_AN_ANSWER, 2),
        EarningRule(HELPFUL_VOTE, 2, daily_cap=40),
        EarningRule(FEEDBACK_ON_TIME, 20),
        EarningRule(BUG_CONFIRMED, 10),
        EarningRule(BUG_CONFIRMED_CRITICAL, 30),
        EarningRule(TEST_COMPLETED, 50),
    )
}

REASON_LABELS = {
    ANSWER_ACCEPTED: _l("Your answer was accepted as the solution"),
    ACCEPTED_AN_ANSWER: _l("You accepted an answer as the solution"),
    HELPFUL_VOTE: _l("Your answer was voted helpful"),
    FEEDBACK_ON_TIME: _l("Feedback form submitted on time"),
    BUG_CONFIRMED: _l("Bug report confirmed"),
    BUG_CONFIRMED_CRITICAL: _l("Critical bug report confirmed"),
    TEST_COMPLETED: _l("Test completed"),
    MANUAL_AWARD: _l("Award"),
    REDEMPTION: _l("Reward redeemed"),
    REDEMPTION_REFUND: _l("Redemption refunded"),
    REVERSAL: _l("Reversal"),
}


def rule_for(reason: str) -> EarningRule:
    """The rule for a reason, with the deployment's points if EARNING_RULES overrides them."""
    rule = DEFAULT_RULES[reason]
    override = (current_app.config.get("EARNING_RULES") or {}).get(reason)
    return replace(rule, points=int(override)) if override is not None else rule


def reason_label(reason: str):
    return REASON_LABELS.get(reason, reason)
