"""Under real concurrency the limits hold: the last piece is sold once, a balance is never
overspent, and a key is paid once.

PostgreSQL only, in a database of its own with committed data: each thread is one request
with its own app context, session and transaction, started together by a barrier. The
per-test rolled-back transaction of the `app` fixture would hide the commits, so these
tests do not use it.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from lab.accounts import services as accounts
from lab.accounts.models import User
from lab.core.errors import DomainError
from lab.extensions import db
from lab.rewards import catalog, rules
from lab.rewards.ledger import award_points, verify
from lab.rewards.models import LedgerEntry, Redemption, Reward
from tests.concurrency import all_at_once, committed, concurrent_app, dispose, read
from tests.rewards.helpers import REWARD_FIELDS
from tests.support import postgres_url

THREADS = 20


@pytest.fixture(scope="module", params=["postgresql"])
def database_url():
    """This module's own PostgreSQL database (named database_url so that the summary
    counts these tests as PostgreSQL ones); fails under LAB_STRICT=1 if there is none."""
    return postgres_url("_conc")


@pytest.fixture(scope="module")
def live_db(database_url):
    app = concurrent_app(database_url, THREADS)
    yield app
    dispose(app)




def new_member(points: int = 0) -> int:
    handle = f"c{uuid.uuid4().hex[:12]}"
    member = accounts.create_user(f"{handle}@example.org", handle, "", password_hash="unused")
    if points:
        award_points(member, points, rules.MANUAL_AWARD, key=f"seed:{handle}")
    return member.id


def new_reward(**fields) -> int:
    admin = db.session.get(User, new_member())
    return catalog.save_reward(admin, **{**REWARD_FIELDS, **fields}).id



def split(outcomes) -> tuple[list[object], list[DomainError]]:
    """(what the requests that worked returned, the errors of those refused)"""
    refused = [outcome for outcome in outcomes if isinstance(outcome, DomainError)]
    return [outcome for outcome in outcomes if outcome not in refused], refused


def test_twenty_members_racing_for_five_pieces_get_exactly_five(live_db):
    reward_id = committed(live_db, lambda: new_reward(cost=10, stock=5))
    members = committed(live_db, lambda: [new_member(points=10) for _ in range(THREADS)])

    def redeem(n):
        member = db.session.get(User, members[n])
        return catalog.redeem(member, reward_id, request_key=uuid.uuid4().hex)[0].id

    done, refused = split(all_at_once(live_db, THREADS, redeem))

    assert len(done) == 5 and len(refused) == THREADS - 5
    assert all(isinstance(error, catalog.RewardError) for error in refused)
    assert read(live_db, select(Reward.stock).where(Reward.id == reward_id)) == 0
    assert read(live_db, select(func.count()).select_from(Redemption)
                .where(Redemption.reward_id == reward_id)) == 5


def test_parallel_redemptions_never_overspend_a_balance(live_db):
    cost = 40
    reward_id = committed(live_db, lambda: new_reward(cost=cost, stock=None))
    member_id = committed(live_db, lambda: new_member(points=2 * cost))

    def redeem(n):
        member = db.session.get(User, member_id)
        return catalog.redeem(member, reward_id, request_key=uuid.uuid4().hex)[0].id

    done, refused = split(all_at_once(live_db, 10, redeem))

    assert len(done) == 2 and len(refused) == 8
    assert read(live_db, select(User.points_balance).where(User.id == member_id)) == 0
    assert read(live_db, select(func.count()).select_from(Redemption)
                .where(Redemption.member_id == member_id)) == 2
    with live_db.app_context():
        assert verify() == []


def test_the_same_key_posted_in_parallel_pays_once(live_db):
    member_id = committed(live_db, new_member)
    key = f"parallel:{uuid.uuid4().hex}"

    def pay(n):
        return award_points(member_id, 25, rules.BUG_CONFIRMED, key=key).created

    outcomes = all_at_once(live_db, 10, pay)

    assert sorted(outcomes) == [False] * 9 + [True]
    assert read(live_db, select(func.count()).select_from(LedgerEntry)
                .where(LedgerEntry.key == key)) == 1
    assert read(live_db, select(User.reputation).where(User.id == member_id)) == 25
    with live_db.app_context():
        assert verify() == []
