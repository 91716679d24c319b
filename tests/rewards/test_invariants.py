"""Whatever members and staff do, in whatever order, the books stay balanced: the cached
figures agree with the ledger, nothing goes below zero, and the stock is what the open
and fulfilled redemptions left."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from lab.accounts.models import User
from lab.core.errors import DomainError
from lab.extensions import db
from lab.rewards import catalog, rules
from lab.rewards.ledger import award_points, reverse, verify
from lab.rewards.models import APPROVED, FULFILLED, REQUESTED, Redemption, Reward
from tests.rewards.helpers import REWARD_FIELDS, count, new_key

STOCK, COST = 3, 30

MEMBER = st.integers(min_value=0, max_value=2)
PICK = st.integers(min_value=0, max_value=99)  # which earlier key or redemption
AWARD = st.tuples(st.just("award"), MEMBER, st.integers(min_value=1, max_value=60))
REVERSE = st.tuples(st.just("reverse"), PICK)
REDEEM = st.tuples(st.just("redeem"), MEMBER)
DECIDE = st.tuples(st.sampled_from(["approve", "fulfil", "reject", "cancel"]), PICK)
STEPS = st.lists(st.one_of(AWARD, REVERSE, REDEEM, DECIDE), max_size=30)


class Lab:
    """Three members, a staff member and a reward with a small stock, and what was done."""

    def __init__(self, make_member, make_staff, make_admin):
        self.members = [make_member() for _ in range(3)]
        self.staff = make_staff()
        self.reward = catalog.save_reward(make_admin(), **{**REWARD_FIELDS, "cost": COST,
                                                           "stock": STOCK})
        self.award_keys: list[str] = []
        self.redemption_ids: list[int] = []

    def run(self, step) -> None:
        """One request: refused ones leave nothing behind, as a view's rollback would."""
        action, *args = step
        try:
            with db.session.begin_nested():
                getattr(self, action)(*args)
        except DomainError:
            pass

    def award(self, member: int, amount: int) -> None:
        key = new_key("invariant")
        award_points(self.members[member], amount, rules.MANUAL_AWARD, key=key)
        self.award_keys.append(key)

    def reverse(self, pick: int) -> None:
        if self.award_keys:
            reverse(self.award_keys[pick % len(self.award_keys)], "taken back")

    def redeem(self, member: int) -> None:
        redemption, _ = catalog.redeem(self.members[member], self.reward.id,
                                       request_key=new_key("invariant"))
        self.redemption_ids.append(redemption.id)

    def _picked(self, pick: int) -> int | None:
        ids = self.redemption_ids
        return ids[pick % len(ids)] if ids else None

    def approve(self, pick: int) -> None:
        if (picked := self._picked(pick)) is not None:
            catalog.approve(self.staff, picked)

    def fulfil(self, pick: int) -> None:
        if (picked := self._picked(pick)) is not None:
            catalog.fulfil(self.staff, picked, "DHL-1")

    def reject(self, pick: int) -> None:
        if (picked := self._picked(pick)) is not None:
            catalog.reject(self.staff, picked, "not available")

    def cancel(self, pick: int) -> None:
        if (picked := self._picked(pick)) is not None:
            owner = db.session.get(Redemption, picked).member
            catalog.cancel(owner, picked)

    def assert_balanced(self) -> None:
        assert verify() == []
        for reputation, balance in db.session.execute(
                select(User.reputation, User.points_balance)
                .where(User.id.in_([m.id for m in self.members]))):
            assert reputation >= 0 and balance >= 0
        stock = db.session.scalar(select(Reward.stock).where(Reward.id == self.reward.id))
        taken = count(Redemption, Redemption.reward_id == self.reward.id,
                      Redemption.state.in_((REQUESTED, APPROVED, FULFILLED)))
        assert 0 <= stock == STOCK - taken


@settings(max_examples=30, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
@example(steps=[("award", 0, 60), ("redeem", 0), ("reverse", 0), ("reverse", 0)])
@example(steps=[("award", 0, 60), ("redeem", 0), ("reject", 0), ("redeem", 0),
                ("cancel", 1), ("redeem", 0), ("approve", 2), ("fulfil", 2)])
def test_any_sequence_of_earning_redeeming_and_deciding_keeps_the_books_balanced(
        make_member, make_staff, make_admin, steps):
    """Each example in its own savepoint, rolled back, so examples never meet."""
    savepoint = db.session.begin_nested()
    try:
        lab = Lab(make_member, make_staff, make_admin)
        lab.assert_balanced()
        for step in steps:
            lab.run(step)
            lab.assert_balanced()
    finally:
        savepoint.rollback()
