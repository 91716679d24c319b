"""The ranking staff select by: documented, explainable, and the same every time.

Eligibility is a hard filter: an applicant who does not meet every rule is not ranked.
Eligible applicants get a score from 0 to 100:

    score = 50 × helpfulness + 30 × reliability + 20 × freshness

- helpfulness: reputation earned in the last 12 months (from the points ledger),
  divided by 1,000 and capped at 1 (1,000 points in a year count in full);
- reliability: the share of earlier tests (completed or dropped) that were completed
  with feedback on time; 0.5 (neutral) for first-timers;
- freshness: months since the last finished test, divided by 12 and capped at 1;
  1 for someone who has never tested (new testers are favoured).

Ties are broken by a number from 0 to 1 drawn from the campaign's stored seed and the
member's id (SHA-256), so the order is random between equals and yet reproducible.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lab.campaigns import eligibility, history
from lab.campaigns.models import (
    CONFIRMED,
    NOT_SELECTED,
    SELECTED,
    SUBMITTED,
    WAITLISTED,
    Application,
    Campaign,
)
from lab.core import audit
from lab.core.clock import utcnow
from lab.extensions import db
from lab.rewards.services import reputation_earned_since

# The weights of the parts, summing to 100; the README explains them.
WEIGHTS = {"helpfulness": 50, "reliability": 30, "freshness": 20}
HELPFULNESS_FULL = 1_000  # reputation in 12 months that counts as full helpfulness
NEUTRAL_RELIABILITY = 0.5
FRESHNESS_FULL_MONTHS = 12
HELPFULNESS_WINDOW = timedelta(days=365)
RANKED_STATUSES = (SUBMITTED, WAITLISTED, SELECTED, CONFIRMED, NOT_SELECTED)

CAMPAIGN_RANKED = audit.register_action("campaign.ranked", _l("Applicants ranked"))


@dataclass(frozen=True)
class Score:
    helpfulness: float
    reliability: float
    freshness: float
    tie_break: float
    reputation_12m: int

    @property
    def total(self) -> float:
        return round(WEIGHTS["helpfulness"] * self.helpfulness
                     + WEIGHTS["reliability"] * self.reliability
                     + WEIGHTS["freshness"] * self.freshness, 2)


def tie_break(seed: str, member_id: int) -> float:
    digest = hashlib.sha256(f"{seed}:{member_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def score(*, reputation_12m: int, record: history.TestRecord | None,
          now: datetime, seed: str, member_id: int) -> Score:
    helpfulness = min(reputation_12m / HELPFULNESS_FULL, 1.0)
    if record is None or record.finished == 0:
        reliability = NEUTRAL_RELIABILITY
    else:
        reliability = record.reliable / record.finished
    if record is None or record.last_finished_at is None:
        freshness = 1.0
    else:
        months = (now - record.last_finished_at).days / eligibility.DAYS_PER_MONTH
        freshness = max(0.0, min(months / FRESHNESS_FULL_MONTHS, 1.0))
    return Score(round(helpfulness, 4), round(reliability, 4), round(freshness, 4),
                 tie_break(seed, member_id), reputation_12m)


def rank(actor, campaign: Campaign) -> int:
    """Score and order the campaign's applicants; store each part on the application.

    A fixed number of queries whatever the number of applicants. Returns how many are
    eligible.
    """
    now = utcnow()
    applications = list(db.session.scalars(
        select(Application).where(Application.campaign_id == campaign.id,
                                  Application.status.in_(RANKED_STATUSES))))
    member_ids = [a.member_id for a in applications]
    facts = eligibility.facts_for(member_ids)
    records = history.records_for(member_ids, excluding_campaign=campaign.id)
    reputation = reputation_earned_since(member_ids, now - HELPFULNESS_WINDOW)
    ranked = []
    for application in applications:
        unmet = eligibility.unmet(campaign.eligibility, facts[application.member_id], now)
        parts = score(reputation_12m=reputation.get(application.member_id, 0),
                      record=records.get(application.member_id), now=now,
                      seed=campaign.ranking_seed, member_id=application.member_id)
        application.eligible = not unmet
        application.unmet_rules = unmet
        application.helpfulness, application.reliability = parts.helpfulness, parts.reliability
        application.freshness, application.tie_break = parts.freshness, parts.tie_break
        application.reputation_12m = parts.reputation_12m
        application.score = parts.total
        application.rank = None
        if not unmet:
            ranked.append(application)
    ranked.sort(key=lambda a: (-a.score, -a.tie_break, a.id))
    for position, application in enumerate(ranked, start=1):
        application.rank = position
    campaign.ranked_at = now
    db.session.flush()
    audit.record(actor, CAMPAIGN_RANKED, "campaign", campaign.id, applicants=len(applications),
                 eligible=len(ranked))
    return len(ranked)
