"""Helpful votes and solutions, and the points they pay through the ledger: once per
member and answer, never for oneself, within the daily cap and the per-pair limit, and
reversed with linked entries when taken back."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lab.community import solutions, votes
from lab.community.posts import CommunityError
from lab.core.clock import frozen_at, utcnow
from lab.extensions import db
from lab.notify.models import Notification
from lab.rewards import rules
from lab.rewards.ledger import verify
from lab.rewards.models import LedgerEntry


def entries(member, reason=None):
    query = select(LedgerEntry).where(LedgerEntry.member_id == member.id)
    if reason:
        query = query.where(LedgerEntry.reason == reason)
    return list(db.session.scalars(query.order_by(LedgerEntry.id)))


@pytest.fixture
def thread(make_member, make_question, make_answer):
    """(asker, question, answerer, answer)"""
    asker, answerer = make_member(), make_member()
    question = make_question(asker)
    return asker, question, answerer, make_answer(question, answerer)


def test_a_helpful_vote_counts_and_pays_the_answers_author(thread, make_member):
    _asker, _question, answerer, answer = thread
    votes.vote(make_member(), answer.id)
    assert answer.helpful_count == 1
    assert answerer.reputation == rules.rule_for(rules.HELPFUL_VOTE).points
    assert verify() == []


def test_voting_twice_is_refused_and_counts_once(thread, make_member):
    _asker, _question, answerer, answer = thread
    voter = make_member()
    votes.vote(voter, answer.id)
    with pytest.raises(CommunityError):
        votes.vote(voter, answer.id)
    assert answer.helpful_count == 1 and len(entries(answerer, rules.HELPFUL_VOTE)) == 1


def test_nobody_votes_for_their_own_answer(thread):
    _asker, _question, answerer, answer = thread
    with pytest.raises(CommunityError):
        votes.vote(answerer, answer.id)
    assert answer.helpful_count == 0 and answerer.reputation == 0


@pytest.mark.parametrize("closed", ["answer_hidden", "question_hidden", "locked"])
def test_no_votes_on_hidden_posts_or_locked_threads(thread, make_member, closed):
    _asker, question, answerer, answer = thread
    if closed == "answer_hidden":
        answer.hidden_at = utcnow()
    elif closed == "question_hidden":
        question.hidden_at = utcnow()
    else:
        question.locked_at = utcnow()
    with pytest.raises(CommunityError):
        votes.vote(make_member(), answer.id)
    assert answerer.reputation == 0


def test_taking_a_vote_back_reverses_its_points_with_a_linked_entry(thread, make_member):
    _asker, _question, answerer, answer = thread
    voter = make_member()
    votes.vote(voter, answer.id)
    assert votes.retract(voter, answer.id) is True
    paid, reversal = entries(answerer)
    assert reversal.reverses_id == paid.id and answerer.reputation == 0
    db.session.refresh(answer)
    assert answer.helpful_count == 0
    assert votes.retract(voter, answer.id) is False


def test_a_vote_cast_again_after_taking_it_back_pays_again(thread, make_member):
    _asker, _question, answerer, answer = thread
    voter = make_member()
    votes.vote(voter, answer.id)
    votes.retract(voter, answer.id)
    with frozen_at(utcnow() + timedelta(seconds=1)):
        votes.vote(voter, answer.id)
    assert answerer.reputation == rules.rule_for(rules.HELPFUL_VOTE).points
    assert verify() == []


def test_votes_between_the_same_two_members_pay_only_a_few_times_a_day(
        app, make_member, make_question, make_answer):
    friend, voter = make_member(), make_member()
    limit = app.config["VOTES_PER_PAIR_PER_DAY"]
    answers = [make_answer(make_question(), friend) for _ in range(limit + 2)]
    for answer in answers:
        votes.vote(voter, answer.id)
    assert len(entries(friend, rules.HELPFUL_VOTE)) == limit
    assert all(answer.helpful_count == 1 for answer in answers)  # the votes still count


def test_helpful_vote_points_stop_at_the_daily_cap(app, make_member, make_question,
                                                   make_answer, monkeypatch):
    monkeypatch.setitem(app.config, "VOTES_PER_PAIR_PER_DAY", 100)
    author = make_member()
    rule = rules.rule_for(rules.HELPFUL_VOTE)
    answer = make_answer(make_question(), author)
    for _ in range(rule.daily_cap // rule.points + 3):
        votes.vote(make_member(), answer.id)
    assert author.reputation == rule.daily_cap


def test_accepting_pays_the_answerer_and_the_asker_and_tells_the_me_toos(
        thread, make_member):
    from lab.community import posts

    asker, question, answerer, answer = thread
    follower = make_member()
    posts.me_too(follower, question.id)
    solutions.accept(asker, question.id, answer.id)
    assert question.solved_at is not None and answer.accepted_at is not None
    assert answerer.reputation == rules.rule_for(rules.ANSWER_ACCEPTED).points
    assert asker.reputation == rules.rule_for(rules.ACCEPTED_AN_ANSWER).points
    kinds = {(n.member_id, n.kind) for n in db.session.scalars(select(Notification))}
    assert {(follower.id, solutions.SOLVED_KIND),
            (answerer.id, solutions.ACCEPTED_KIND)} <= kinds


def test_accepting_twice_pays_once(thread):
    asker, question, answerer, answer = thread
    solutions.accept(asker, question.id, answer.id)
    solutions.accept(asker, question.id, answer.id)
    assert len(entries(answerer, rules.ANSWER_ACCEPTED)) == 1


def test_only_the_asker_or_staff_choose_the_solution(thread, make_member, make_staff):
    _asker, question, answerer, answer = thread
    with pytest.raises(CommunityError):
        solutions.accept(make_member(), question.id, answer.id)
    with pytest.raises(CommunityError):
        solutions.accept(answerer, question.id, answer.id)
    solutions.accept(make_staff(), question.id, answer.id)
    assert answer.accepted_at is not None
    assert entries(question.author) == []  # the asker did not accept: no asker points


def test_an_answer_of_another_question_cannot_be_accepted(thread, make_question,
                                                          make_answer):
    asker, question, _answerer, _answer = thread
    elsewhere = make_answer(make_question())
    with pytest.raises(CommunityError):
        solutions.accept(asker, question.id, elsewhere.id)
    assert question.solved_at is None and elsewhere.accepted_at is None


def test_accepting_ones_own_answer_pays_nothing(make_member, make_question, make_answer):
    asker = make_member()
    question = make_question(asker)
    own = make_answer(question, asker)
    solutions.accept(asker, question.id, own.id)
    assert own.accepted_at is not None and entries(asker) == []


def test_accepting_another_answer_moves_the_solution_and_its_points(
        thread, make_member, make_answer):
    asker, question, first_author, first = thread
    second_author = make_member()
    second = make_answer(question, second_author)
    solutions.accept(asker, question.id, first.id)
    with frozen_at(utcnow() + timedelta(seconds=1)):
        solutions.accept(asker, question.id, second.id)
    assert first.accepted_at is None and second.accepted_at is not None
    assert first_author.reputation == 0
    assert second_author.reputation == rules.rule_for(rules.ANSWER_ACCEPTED).points
    assert asker.reputation == rules.rule_for(rules.ACCEPTED_AN_ANSWER).points
    assert verify() == []


def test_taking_the_solution_back_reverses_both_points(thread):
    asker, question, answerer, answer = thread
    solutions.accept(asker, question.id, answer.id)
    assert solutions.unaccept(asker, question.id) is True
    assert (answerer.reputation, asker.reputation) == (0, 0)
    assert question.solved_at is None and answer.accepted_at is None
    assert solutions.unaccept(asker, question.id) is False
    assert verify() == []
