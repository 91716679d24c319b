"""Demo rewards data for `make run`: ledger history, badges, a catalog, a pending award.

Idempotent: every ledger entry has a fixed key, rewards are found by title, the award by
its request key, so running it again adds nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from lab.core.clock import frozen_at, utcnow
from lab.extensions import db
from lab.rewards import awards, badges, catalog, ledger, rules
from lab.rewards.models import Reward

CATALOG = [
    # kind, title, description, cost, stock, limit, level, needs address
    ("merchandise", "Testlab-Tasse", "Die Tasse für lange Testabende.", 150, 40, 2,
     "newcomer", True),
    ("merchandise", "Kapuzenpulli „Ich teste vor“", "Bio-Baumwolle, Größen S bis XXL.",
     600, 15, 1, "helper", True),
    ("ticket", "Backstage beim Netz-Festival", "Zwei Tickets inklusive Führung durch die "
     "Technik hinter der Bühne.", 2500, 4, 1, "connoisseur", False),
    ("device", "Smartwatch aus dem letzten Test", "Geprüftes Testgerät, zurückgesetzt, "
     "mit Ladekabel.", 4000, 2, 1, "expert", True),
    ("donation", "Spende: Digitalkurse für Senioren", "Wir spenden 5 € je 100 Punkte.",
     100, None, None, "newcomer", False),
]

# reason, how many of the twenty demo members earned it at most
HISTORY = [
    (rules.ANSWER_ACCEPTED, 30), (rules.ACCEPTED_AN_ANSWER, 12), (rules.HELPFUL_VOTE, 60),
    (rules.FEEDBACK_ON_TIME, 6), (rules.BUG_CONFIRMED, 12), (rules.TEST_COMPLETED, 3),
]


def seed(admin, members: list) -> None:
    rewards = {reward.title: reward for reward in _ensure_catalog(admin)}
    _ensure_history(members)
    _ensure_badges(admin, members)
    _ensure_redemption(members, rewards["Spende: Digitalkurse für Senioren"])
    awards.propose(admin, members[1], kind="points", points=750, request_key="demo-award-1",
                   reason="Hat beim Router-Test 40 Fehlerberichte sauber nachgestellt.")


def _ensure_catalog(admin) -> list[Reward]:
    existing = {r.title: r for r in db.session.scalars(select(Reward))}
    for kind, title, text, cost, stock, limit, level, post in CATALOG:
        if title not in existing:
            existing[title] = catalog.save_reward(
                admin, kind=kind, title=title, description=text, cost=cost, stock=stock,
                per_member_limit=limit, min_level=level, available_from=None,
                available_until=None, needs_address=post, active=True)
    return list(existing.values())


def _ensure_history(members: list) -> None:
    """A fixed pseudo-random history: the same entries (and keys) on every run."""
    rng = random.Random(2026)
    for index, member in enumerate(members):
        activity = 1.0 / (1 + index * 0.35)  # a few very active members, a long tail
        for reason, most in HISTORY:
            for n in range(int(most * activity * rng.uniform(0.5, 1.0))):
                key = f"demo:{member.handle_key}:{reason}:{n}"
                days_ago = rng.randint(0, 200)  # drawn every time: same sequence each run
                if ledger.entry_by_key(key) is None:
                    _backdated(member, reason, key, days_ago)


def _backdated(member, reason: str, key: str, days_ago: int) -> None:
    """Post as if earned some days ago, so all three leaderboard periods differ."""
    with frozen_at(utcnow() - timedelta(days=days_ago, minutes=days_ago)):
        ledger.award_points(member, rules.rule_for(reason).points, reason, key=key)


def _ensure_badges(admin, members: list) -> None:
    badges.grant(members[0], "pioneer", by=admin, reason="Seit dem ersten Tag dabei.")
    badges.grant(members[2], "community-hero", by=admin,
                 reason="Hat im Forum über 300 Routerfragen beantwortet.")


def _ensure_redemption(members: list, reward: Reward) -> None:
    member = members[0]
    if catalog.redemption_by_key("demo-redemption-1") is None and \
            member.points_balance >= reward.cost:
        catalog.redeem(member, reward.id, request_key="demo-redemption-1")
