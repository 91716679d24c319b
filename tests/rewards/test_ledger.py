"""The points ledger: every change of points is one entry, posted once per key, never
changed afterwards; the member's cached reputation and balance always agree with it."""

from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from lab.core.audit import AuditLogIsAppendOnly
from lab.core.clock import utcnow
from lab.extensions import db
from lab.rewards import catalog, ledger, rules
from lab.rewards.ledger import PointsError, award_points, earn, history_query, reverse, verify
from lab.rewards.models import LeaderboardTotal, LedgerEntry
from tests.rewards.helpers import entries_of, figures, give_points, new_key


def month_and_day(moment):
    return moment.strftime("m%Y-%m"), moment.strftime("d%Y-%m-%d")


def total(member, period) -> int | None:
    return db.session.scalar(select(LeaderboardTotal.points).where(
        LeaderboardTotal.member_id == member.id, LeaderboardTotal.period == period))


# --- awarding points ---------------------------------------------------------------

def test_awarding_points_credits_reputation_and_balance(make_member):
    member = make_member()
    award_points(member, 40, rules.MANUAL_AWARD, key=new_key())
    assert figures(member) == (40, 40)


def test_awarding_points_writes_one_entry_saying_who_what_why_and_where_from(make_member,
                                                                             make_admin):
    member, proposer, approver = make_member(), make_admin(), make_admin()
    key = new_key()
    posted = award_points(member, 40, rules.MANUAL_AWARD, key=key, source=("award", 7),
                          note="great work", created_by=proposer, approved_by=approver)
    [entry] = entries_of(member)
    assert posted.created and posted.entry is entry
    assert (entry.member_id, entry.amount, entry.reputation_delta, entry.reason, entry.key) == (
        member.id, 40, 40, rules.MANUAL_AWARD, key)
    assert (entry.source_kind, entry.source_id, entry.note) == ("award", "7", "great work")
    assert (entry.created_by_id, entry.approved_by_id) == (proposer.id, approver.id)
    assert entry.reverses_id is None and entry.created_at is not None


def test_the_same_key_twice_awards_once_and_says_so(make_member):
    member = make_member()
    key = new_key()
    first = award_points(member, 40, rules.MANUAL_AWARD, key=key)
    again = award_points(member, 40, rules.MANUAL_AWARD, key=key)
    assert again.created is False and again.entry.id == first.entry.id
    assert figures(member) == (40, 40)
    assert len(entries_of(member)) == 1


@pytest.mark.parametrize("amount", [0, -5, 2.5, "10", None, True])
def test_an_amount_that_is_not_a_whole_number_above_zero_is_refused(make_member, amount):
    member = make_member()
    with pytest.raises(PointsError):
        award_points(member, amount, rules.MANUAL_AWARD, key=new_key())
    assert entries_of(member) == [] and figures(member) == (0, 0)


def test_points_for_an_unknown_member_are_refused(app):
    with pytest.raises(PointsError):
        award_points(999_999_999, 10, rules.MANUAL_AWARD, key=new_key())
    assert db.session.scalar(select(LedgerEntry).where(LedgerEntry.member_id == 999_999_999)) \
        is None


@pytest.mark.parametrize("key", ["", "k" * (ledger.MAX_KEY_LENGTH + 1)])
def test_a_missing_or_over_long_key_is_refused(make_member, key):
    with pytest.raises(PointsError):
        award_points(make_member(), 10, rules.MANUAL_AWARD, key=key)


# --- earning by rule ---------------------------------------------------------------

@pytest.mark.parametrize("reason,points", [
    (rules.ANSWER_ACCEPTED, 15),
    (rules.ACCEPTED_AN_ANSWER, 2),
    (rules.HELPFUL_VOTE, 2),
    (rules.FEEDBACK_ON_TIME, 20),
    (rules.BUG_CONFIRMED, 10),
    (rules.BUG_CONFIRMED_CRITICAL, 30),
    (rules.TEST_COMPLETED, 50),
])
def test_earning_pays_what_the_rule_says(make_member, reason, points):
    member, voter = make_member(), make_member()
    posted = earn(member, reason, key=new_key(), source=("post", 1), actor=voter)
    assert posted.created and posted.entry.amount == points
    assert posted.entry.reason == reason and posted.entry.created_by_id == voter.id
    assert figures(member) == (points, points)


def test_the_deployment_can_change_the_points_of_a_rule(app, monkeypatch, make_member):
    monkeypatch.setitem(app.config, "EARNING_RULES", {rules.ANSWER_ACCEPTED: 25})
    member = make_member()
    assert earn(member, rules.ANSWER_ACCEPTED, key=new_key()).entry.amount == 25
    assert earn(member, rules.BUG_CONFIRMED, key=new_key()).entry.amount == 10


def test_nobody_earns_from_their_own_contribution(make_member):
    member = make_member()
    posted = earn(member, rules.ANSWER_ACCEPTED, key=new_key(), actor=member)
    assert posted.created is False and posted.entry is None
    assert entries_of(member) == [] and figures(member) == (0, 0)


def test_helpful_votes_pay_at_most_40_points_a_day(make_member):
    member, voter = make_member(), make_member()
    paid = [earn(member, rules.HELPFUL_VOTE, key=new_key(), actor=voter) for _ in range(20)]
    assert sum(p.entry.amount for p in paid) == 40
    over = earn(member, rules.HELPFUL_VOTE, key=new_key(), actor=voter)
    assert over.created is False and over.entry is None
    assert figures(member) == (40, 40) and len(entries_of(member)) == 20


def test_the_last_vote_under_the_daily_cap_pays_only_what_is_left(app, monkeypatch,
                                                                  make_member):
    monkeypatch.setitem(app.config, "EARNING_RULES", {rules.HELPFUL_VOTE: 3})
    member, voter = make_member(), make_member()
    for _ in range(13):
        earn(member, rules.HELPFUL_VOTE, key=new_key(), actor=voter)
    assert figures(member) == (39, 39)
    last = earn(member, rules.HELPFUL_VOTE, key=new_key(), actor=voter)
    assert last.created and last.entry.amount == 1
    assert earn(member, rules.HELPFUL_VOTE, key=new_key(), actor=voter).created is False
    assert figures(member) == (40, 40)


def test_votes_taken_back_still_count_against_the_daily_cap(make_member):
    member, voter = make_member(), make_member()
    keys = [new_key() for _ in range(20)]
    for key in keys:
        earn(member, rules.HELPFUL_VOTE, key=key, actor=voter)
    reverse(keys[0], "vote withdrawn")
    assert figures(member) == (38, 38)
    assert earn(member, rules.HELPFUL_VOTE, key=new_key(), actor=voter).created is False
    assert figures(member) == (38, 38)


# --- reversing -----------------------------------------------------------------------

def test_reversing_by_key_takes_back_reputation_and_balance(make_member):
    member = make_member()
    key = new_key()
    award_points(member, 30, rules.MANUAL_AWARD, key=key)
    posted = reverse(key, "awarded by mistake")
    assert posted.created
    assert figures(member) == (0, 0)


def test_reversing_by_source_takes_back_every_entry_of_that_source(make_member):
    member = make_member()
    award_points(member, 30, rules.BUG_CONFIRMED, key=new_key(), source=("bug", 12))
    award_points(member, 5, rules.BUG_CONFIRMED, key=new_key(), source=("bug", 12))
    award_points(member, 7, rules.BUG_CONFIRMED, key=new_key(), source=("bug", 13))
    posted = reverse(("bug", 12), "duplicate report")
    assert len(posted.entries) == 2
    assert figures(member) == (7, 7)


def test_a_reversal_links_to_the_entry_it_reverses(make_member, make_admin):
    member, admin = make_member(), make_admin()
    key = new_key()
    original = award_points(member, 30, rules.BUG_CONFIRMED, key=key, source=("bug", 5)).entry
    reversal = reverse(key, "not a bug", actor=admin).entry
    assert reversal.reverses_id == original.id
    assert reversal.key == f"reversal:{key}"
    assert (reversal.amount, reversal.reputation_delta) == (-30, -30)
    assert (reversal.reason, reversal.note) == (rules.REVERSAL, "not a bug")
    assert (reversal.source_kind, reversal.source_id) == ("bug", "5")
    assert reversal.created_by_id == admin.id


def test_reversing_twice_changes_nothing_the_second_time(make_member):
    member = make_member()
    key = new_key()
    award_points(member, 30, rules.MANUAL_AWARD, key=key)
    assert reverse(key, "mistake").created is True
    again = reverse(key, "mistake")
    assert again.created is False and again.entry is None
    assert figures(member) == (0, 0) and len(entries_of(member)) == 2


def test_a_reversal_after_spending_takes_the_balance_only_down_to_zero(make_member,
                                                                       make_reward):
    member = make_member()
    key = new_key()
    award_points(member, 100, rules.MANUAL_AWARD, key=key)
    catalog.redeem(member, make_reward(cost=70).id, request_key=new_key())
    reverse(key, "fraud")
    assert figures(member) == (0, 0)
    reversal = ledger.entry_by_key(f"reversal:{key}")
    assert (reversal.amount, reversal.reputation_delta) == (-30, -100)


def test_the_note_of_a_reversal_after_spending_says_how_much_was_spent(make_member,
                                                                       make_reward):
    member = make_member()
    key = new_key()
    member.locale = "en"  # the note is written in the member's language
    award_points(member, 100, rules.MANUAL_AWARD, key=key)
    catalog.redeem(member, make_reward(cost=70).id, request_key=new_key())
    reverse(key, "fraud")
    assert ledger.entry_by_key(f"reversal:{key}").note == "fraud (70 already spent)"


def test_the_note_of_a_reversal_is_in_the_members_language(make_member, make_reward):
    member = make_member()
    key = new_key()
    award_points(member, 100, rules.MANUAL_AWARD, key=key)
    catalog.redeem(member, make_reward(cost=70).id, request_key=new_key())
    reverse(key, "Betrug")
    assert ledger.entry_by_key(f"reversal:{key}").note == \
        "Betrug (70 Punkte waren bereits ausgegeben)"


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_reversal_needs_a_reason(make_member, reason):
    member = make_member()
    key = new_key()
    award_points(member, 30, rules.MANUAL_AWARD, key=key)
    with pytest.raises(PointsError):
        reverse(key, reason)
    assert figures(member) == (30, 30)


def test_reversing_what_was_never_awarded_does_nothing(app):
    posted = reverse(new_key(), "mistake")
    assert posted.created is False and posted.entry is None


# --- entries are never changed -------------------------------------------------------

def test_changing_an_entry_through_the_orm_is_refused(make_member):
    entry = give_points(make_member(), 30)
    with pytest.raises(AuditLogIsAppendOnly):
        with db.session.begin_nested():
            entry.amount = 3000
            db.session.flush()


def test_deleting_an_entry_through_the_orm_is_refused(make_member):
    entry = give_points(make_member(), 30)
    with pytest.raises(AuditLogIsAppendOnly):
        with db.session.begin_nested():
            db.session.delete(entry)
            db.session.flush()


@pytest.mark.parametrize("statement", [
    "UPDATE ledger_entry SET amount = 3000",
    "DELETE FROM ledger_entry",
])
def test_the_database_itself_refuses_changes_to_entries(make_member, statement):
    give_points(make_member(), 30)
    with pytest.raises(DBAPIError, match="append-only"):
        with db.session.begin_nested():
            db.session.execute(text(statement))


@pytest.mark.parametrize("column", ["points_balance", "reputation"])
def test_the_database_keeps_cached_figures_at_or_above_zero(make_member, column):
    member = make_member()
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.execute(text(f'UPDATE "user" SET {column} = -1 WHERE id = :id'),
                               {"id": member.id})


# --- verifying -------------------------------------------------------------------------

def test_verify_finds_nothing_when_the_cached_figures_agree_with_the_ledger(make_member):
    member = make_member()
    key = new_key()
    give_points(member, 30)
    award_points(member, 20, rules.MANUAL_AWARD, key=key)
    reverse(key, "mistake")
    assert verify() == []


def test_verify_reports_a_member_whose_cached_figures_were_tampered_with(make_member):
    member, honest = make_member(), make_member()
    give_points(member, 30)
    give_points(honest, 30)
    db.session.execute(text('UPDATE "user" SET reputation = reputation + 5 WHERE id = :id'),
                       {"id": member.id})
    [difference] = verify()
    assert (difference.member_id, difference.handle) == (member.id, member.handle)
    assert (difference.cached_reputation, difference.ledger_reputation) == (35, 30)
    assert (difference.cached_balance, difference.ledger_balance) == (30, 30)


# --- history -----------------------------------------------------------------------------

def test_history_lists_entries_newest_first_with_the_balance_after_each(make_member,
                                                                        make_reward):
    member, other = make_member(), make_member()
    give_points(member, 100)
    give_points(other, 999)
    key = new_key()
    award_points(member, 50, rules.MANUAL_AWARD, key=key)
    catalog.redeem(member, make_reward(cost=120).id, request_key=new_key())
    reverse(key, "mistake")
    rows = db.session.execute(history_query(member.id)).all()
    assert [(entry.reason, entry.amount, balance) for entry, balance in rows] == [
        (rules.REVERSAL, -30, 0),
        (rules.REDEMPTION, -120, 30),
        (rules.MANUAL_AWARD, 50, 150),
        (rules.MANUAL_AWARD, 100, 100),
    ]


# --- leaderboard totals ----------------------------------------------------------------

def test_earning_adds_to_the_month_and_day_totals(make_member):
    member = make_member()
    give_points(member, 30)
    give_points(member, 12)
    month, day = month_and_day(utcnow())
    assert (total(member, month), total(member, day)) == (42, 42)


def test_spending_does_not_change_the_totals(make_member, make_reward):
    member = make_member()
    give_points(member, 100)
    catalog.redeem(member, make_reward(cost=60).id, request_key=new_key())
    month, day = month_and_day(utcnow())
    assert (total(member, month), total(member, day)) == (100, 100)


def test_a_reversal_subtracts_from_the_periods_of_the_original_entry(make_member,
                                                                      monkeypatch):
    member = make_member()
    earned_at = utcnow() - timedelta(days=45)
    key = new_key()
    monkeypatch.setattr(ledger, "utcnow", lambda: earned_at)
    award_points(member, 30, rules.MANUAL_AWARD, key=key)
    give_points(member, 5)
    monkeypatch.undo()
    give_points(member, 8)
    reverse(key, "mistake")
    then_month, then_day = month_and_day(earned_at)
    now_month, now_day = month_and_day(utcnow())
    assert (total(member, then_month), total(member, then_day)) == (5, 5)
    assert (total(member, now_month), total(member, now_day)) == (8, 8)
