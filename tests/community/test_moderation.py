"""Moderation: flags and the queue, hiding and restoring posts (and the points they
earned, taken back and paid again with linked ledger entries), locked threads and
duplicates."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lab.community import moderation, posts, solutions, votes
from lab.community.models import ANSWER, QUESTION, Flag, HelpfulVote, MeToo, Question
from lab.community.posts import CommunityError
from lab.core.audit import AuditEntry
from lab.core.clock import frozen_at, utcnow
from lab.extensions import db
from lab.notify import clocks
from lab.notify.models import Notification
from lab.rewards import rules
from lab.rewards.ledger import verify
from lab.rewards.models import LedgerEntry

REASON = "Beleidigender Ton gegenüber anderen"


def points(reason):
    return rules.rule_for(reason).points


def entries(member, reason=None):
    query = select(LedgerEntry).where(LedgerEntry.member_id == member.id)
    if reason:
        query = query.where(LedgerEntry.reason == reason)
    return list(db.session.scalars(query.order_by(LedgerEntry.id)))


def flags_on(kind, post_id):
    return list(db.session.scalars(select(Flag).where(
        Flag.post_kind == kind, Flag.post_id == post_id).order_by(Flag.id)))


def audit_entries(action, object_type, object_id):
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.object_type == object_type,
        AuditEntry.object_id == str(object_id))))


def notes(member, kind):
    return list(db.session.scalars(select(Notification).where(
        Notification.member_id == member.id, Notification.kind == kind)))


def fresh(obj):
    db.session.flush()
    db.session.refresh(obj)
    return obj


def assert_reversals_linked(member):
    """Every reversal of the member points at one of their entries, none twice."""
    mine = entries(member)
    originals = {e.id for e in mine if e.reverses_id is None}
    reversed_ids = [e.reverses_id for e in mine if e.reverses_id is not None]
    assert set(reversed_ids) <= originals
    assert len(reversed_ids) == len(set(reversed_ids))


@pytest.fixture
def thread(make_member, make_question, make_answer):
    """(asker, question, answerer, answer)"""
    asker, answerer = make_member(), make_member()
    question = make_question(asker)
    return asker, question, answerer, make_answer(question, answerer)


@pytest.fixture
def staff(make_staff):
    return make_staff()


# -- flags ---------------------------------------------------------------------------

def test_a_member_flags_a_post_with_a_reason(thread, make_member):
    _asker, _question, _answerer, answer = thread
    reporter = make_member()
    moderation.flag(reporter, ANSWER, answer.id, "  Werbung für einen Shop  ")
    (report,) = flags_on(ANSWER, answer.id)
    assert (report.reporter_id, report.reason, report.resolved_at) == (
        reporter.id, "Werbung für einen Shop", None)
    assert moderation.flagged_by(reporter.id, [(ANSWER, answer.id)]) == {(ANSWER, answer.id)}
    assert len(audit_entries(moderation.FLAGGED, ANSWER, answer.id)) == 1


def test_flagging_twice_is_refused_and_leaves_one_flag(thread, make_member):
    _asker, question, _answerer, _answer = thread
    reporter = make_member()
    moderation.flag(reporter, QUESTION, question.id, REASON)
    with pytest.raises(CommunityError):
        moderation.flag(reporter, QUESTION, question.id, "Noch einmal gemeldet")
    assert len(flags_on(QUESTION, question.id)) == 1


def test_nobody_flags_their_own_post(thread):
    asker, question, _answerer, _answer = thread
    with pytest.raises(CommunityError):
        moderation.flag(asker, QUESTION, question.id, REASON)
    assert flags_on(QUESTION, question.id) == []


@pytest.mark.parametrize("reason", ["", "   ", "Mist", None])
def test_a_flag_needs_a_reason_of_some_length(thread, make_member, reason):
    _asker, question, _answerer, _answer = thread
    with pytest.raises(CommunityError) as refused:
        moderation.flag(make_member(), QUESTION, question.id, reason)
    assert refused.value.field == "reason"
    assert flags_on(QUESTION, question.id) == []


def test_hidden_or_unknown_posts_cannot_be_flagged(thread, make_member, staff):
    _asker, _question, _answerer, answer = thread
    moderation.hide(staff, ANSWER, answer.id, REASON)
    reporter = make_member()
    for kind, post_id in [(ANSWER, answer.id), (ANSWER, 999_999), (QUESTION, 999_999),
                          ("article", answer.id)]:
        with pytest.raises(CommunityError):
            moderation.flag(reporter, kind, post_id, REASON)
    assert db.session.scalar(select(func.count()).select_from(Flag)) == 0


def test_the_queue_lists_posts_by_their_first_flag_with_the_flag_count(
        thread, make_member):
    _asker, question, _answerer, answer = thread
    start = utcnow()
    with frozen_at(start + timedelta(minutes=1)):
        moderation.flag(make_member(), ANSWER, answer.id, "Werbung für einen Shop")
    with frozen_at(start + timedelta(minutes=2)):
        moderation.flag(make_member(), QUESTION, question.id, REASON)
    with frozen_at(start + timedelta(minutes=3)):
        moderation.flag(make_member(), ANSWER, answer.id, "Spam, bitte entfernen")
    rows = db.session.execute(moderation.queue()).all()
    assert [(kind, post_id, count) for kind, post_id, count, _first in rows] == [
        (ANSWER, answer.id, 2), (QUESTION, question.id, 1)]
    assert rows[0][3] == start + timedelta(minutes=1)


def test_queue_entries_load_the_posts_their_questions_and_reports(app, thread, make_member):
    from lab.core.pagination import paginate_rows

    _asker, question, _answerer, answer = thread
    first, second = make_member(), make_member()
    moderation.flag(first, ANSWER, answer.id, "Werbung für einen Shop")
    moderation.flag(second, ANSWER, answer.id, "Spam, bitte entfernen")
    moderation.flag(first, QUESTION, question.id, REASON)
    with app.test_request_context("/staff/moderation?page=1"):
        page = paginate_rows(moderation.queue())
        entries_ = moderation.queue_entries(page.items)
    by_kind = {entry.kind: entry for entry in entries_}
    assert by_kind[ANSWER].post is answer and by_kind[ANSWER].question is question
    assert by_kind[ANSWER].flags == 2
    assert [r.reporter_id for r in by_kind[ANSWER].reports] == [first.id, second.id]
    assert by_kind[QUESTION].post is question and by_kind[QUESTION].question is question
    assert [r.reason for r in by_kind[QUESTION].reports] == [REASON]


def test_queue_entries_run_a_fixed_number_of_queries(make_member, make_question,
                                                    make_answer):
    from tests.support import count_queries

    def queries_for_the_queue():
        rows = db.session.execute(moderation.queue()).all()
        db.session.expire_all()
        with count_queries() as statements:
            loaded = moderation.queue_entries(rows)
        return len(loaded), statements

    question = make_question()
    moderation.flag(make_member(), ANSWER, make_answer(question).id, REASON)
    one, few = queries_for_the_queue()
    for _ in range(3):
        other = make_question()
        moderation.flag(make_member(), QUESTION, other.id, REASON)
        moderation.flag(make_member(), ANSWER, make_answer(other).id, REASON)
    seven, many = queries_for_the_queue()
    assert (one, seven) == (1, 7)
    assert len(many) == len(few) <= 8, "\n".join(many)


def test_open_flag_count_counts_posts_waiting_in_the_queue(thread, make_member, staff):
    _asker, question, _answerer, answer = thread
    assert moderation.open_flag_count() == 0
    moderation.flag(make_member(), ANSWER, answer.id, "Werbung für einen Shop")
    moderation.flag(make_member(), ANSWER, answer.id, "Spam, bitte entfernen")
    moderation.flag(make_member(), QUESTION, question.id, REASON)
    assert moderation.open_flag_count() == 2
    moderation.dismiss_flags(staff, ANSWER, answer.id)
    assert moderation.open_flag_count() == 1


def test_dismissing_flags_resolves_them_as_kept_with_an_audit_entry(thread, make_member,
                                                                     staff):
    _asker, _question, _answerer, answer = thread
    moderation.flag(make_member(), ANSWER, answer.id, "Werbung für einen Shop")
    moderation.flag(make_member(), ANSWER, answer.id, "Spam, bitte entfernen")
    assert moderation.dismiss_flags(staff, ANSWER, answer.id) == 2
    assert {(f.resolution, f.resolved_by_id) for f in flags_on(ANSWER, answer.id)} == {
        (moderation.KEPT, staff.id)}
    (entry,) = audit_entries(moderation.FLAGS_DISMISSED, ANSWER, answer.id)
    assert (entry.actor_id, entry.details["flags"]) == (staff.id, 2)
    assert fresh(answer).hidden_at is None
    assert db.session.execute(moderation.queue()).all() == []


def test_members_cannot_dismiss_flags(thread, make_member):
    _asker, question, _answerer, _answer = thread
    moderation.flag(make_member(), QUESTION, question.id, REASON)
    with pytest.raises(CommunityError):
        moderation.dismiss_flags(make_member(), QUESTION, question.id)
    assert [f.resolved_at for f in flags_on(QUESTION, question.id)] == [None]


# -- hide ----------------------------------------------------------------------------

@pytest.mark.parametrize("kind", [QUESTION, ANSWER])
def test_only_staff_hide_posts(thread, make_member, kind):
    asker, question, _answerer, answer = thread
    post = question if kind == QUESTION else answer
    for who in (make_member(), asker):
        with pytest.raises(CommunityError):
            moderation.hide(who, kind, post.id, REASON)
    assert fresh(post).hidden_at is None


@pytest.mark.parametrize("reason", ["", "  ", "weg", None])
def test_hiding_needs_a_reason(thread, staff, reason):
    _asker, _question, _answerer, answer = thread
    with pytest.raises(CommunityError) as refused:
        moderation.hide(staff, ANSWER, answer.id, reason)
    assert refused.value.field == "reason"
    assert fresh(answer).hidden_at is None


def test_hiding_an_answer_takes_back_its_vote_and_solution_points_with_linked_entries(
        thread, make_member, staff):
    asker, question, answerer, answer = thread
    votes.vote(make_member(), answer.id)
    votes.vote(make_member(), answer.id)
    solutions.accept(asker, question.id, answer.id)
    assert answerer.reputation == 2 * points(rules.HELPFUL_VOTE) + points(
        rules.ANSWER_ACCEPTED)
    moderation.hide(staff, ANSWER, answer.id, REASON)
    assert answerer.reputation == 0
    mine = entries(answerer)
    earned = [e for e in mine if e.reverses_id is None]
    taken_back = [e for e in mine if e.reverses_id is not None]
    assert len(earned) == 3
    assert sorted(e.reverses_id for e in taken_back) == sorted(e.id for e in earned)
    assert {e.reason for e in taken_back} == {rules.REVERSAL}
    assert verify() == []


def test_hiding_an_answer_lowers_the_answer_count(thread, staff):
    _asker, question, _answerer, answer = thread
    assert question.answer_count == 1
    moderation.hide(staff, ANSWER, answer.id, REASON)
    assert fresh(question).answer_count == 0


def test_hiding_a_post_resolves_its_open_flags_as_hidden(thread, make_member, staff):
    _asker, question, _answerer, answer = thread
    moderation.flag(make_member(), ANSWER, answer.id, "Werbung für einen Shop")
    moderation.flag(make_member(), QUESTION, question.id, REASON)
    moderation.hide(staff, ANSWER, answer.id, REASON)
    assert [(f.resolution, f.resolved_by_id) for f in flags_on(ANSWER, answer.id)] == [
        (moderation.HIDDEN, staff.id)]
    assert [f.resolved_at for f in flags_on(QUESTION, question.id)] == [None]
    assert moderation.open_flag_count() == 1


def test_hiding_tells_the_author_the_reason(thread, staff):
    _asker, question, answerer, answer = thread
    moderation.hide(staff, ANSWER, answer.id, REASON)
    (note,) = notes(answerer, moderation.HIDDEN_KIND)
    assert note.params == {"title": question.title, "reason": REASON}
    assert note.link == f"/community/q/{question.id}#answer-{answer.id}"


def test_hiding_writes_an_audit_entry(thread, staff):
    asker, question, _answerer, _answer = thread
    moderation.hide(staff, QUESTION, question.id, REASON)
    (entry,) = audit_entries(moderation.HID, QUESTION, question.id)
    assert entry.actor_id == staff.id
    assert entry.details == {"reason": REASON, "author_id": asker.id}
    assert (question.hidden_reason, question.hidden_by_id) == (REASON, staff.id)


def test_hiding_the_accepted_answer_reopens_the_question_and_takes_back_the_askers_points(
        thread, staff):
    asker, question, _answerer, answer = thread
    solutions.accept(asker, question.id, answer.id)
    assert asker.reputation == points(rules.ACCEPTED_AN_ANSWER)
    moderation.hide(staff, ANSWER, answer.id, REASON)
    assert fresh(question).solved_at is None and fresh(answer).accepted_at is None
    assert solutions.accepted_answer(question.id) is None
    assert asker.reputation == 0
    earned, reversal = entries(asker)
    assert reversal.reverses_id == earned.id
    assert verify() == []


def test_hiding_a_question_takes_back_the_askers_points(thread, staff):
    asker, question, answerer, answer = thread
    solutions.accept(asker, question.id, answer.id)
    moderation.hide(staff, QUESTION, question.id, REASON)
    assert asker.reputation == 0
    earned, reversal = entries(asker)
    assert (earned.reason, reversal.reverses_id) == (rules.ACCEPTED_AN_ANSWER, earned.id)
    assert answerer.reputation == points(rules.ANSWER_ACCEPTED)  # the answer stays
    assert verify() == []


def test_hiding_a_question_stops_its_response_clock(make_question, staff):
    question = make_question()
    moderation.hide(staff, QUESTION, question.id, REASON)
    clock = clocks.clock_of(posts.CLOCK_KIND, question.id)
    assert clock.stopped_at is not None and clock.responded_at is None


def test_hiding_twice_is_refused(thread, staff):
    _asker, _question, answerer, answer = thread
    moderation.hide(staff, ANSWER, answer.id, REASON)
    with pytest.raises(CommunityError):
        moderation.hide(staff, ANSWER, answer.id, "Noch einmal versteckt")
    assert len(notes(answerer, moderation.HIDDEN_KIND)) == 1


def test_unknown_posts_cannot_be_hidden(staff):
    for kind in (QUESTION, ANSWER, "article"):
        with pytest.raises(CommunityError):
            moderation.hide(staff, kind, 999_999, REASON)


# -- restore -------------------------------------------------------------------------

def test_only_staff_restore_posts(thread, make_member, staff):
    _asker, _question, answerer, answer = thread
    moderation.hide(staff, ANSWER, answer.id, REASON)
    for who in (make_member(), answerer):
        with pytest.raises(CommunityError):
            moderation.restore(who, ANSWER, answer.id, "Doch in Ordnung")
    assert fresh(answer).hidden_at is not None


def test_restoring_needs_a_reason(thread, staff):
    _asker, _question, _answerer, answer = thread
    moderation.hide(staff, ANSWER, answer.id, REASON)
    with pytest.raises(CommunityError) as refused:
        moderation.restore(staff, ANSWER, answer.id, "")
    assert refused.value.field == "reason"
    assert fresh(answer).hidden_at is not None


def test_restoring_an_answer_pays_its_votes_again_and_counts_it_again(
        thread, make_member, staff):
    _asker, question, answerer, answer = thread
    votes.vote(make_member(), answer.id)
    votes.vote(make_member(), answer.id)
    moderation.hide(staff, ANSWER, answer.id, REASON)
    assert answerer.reputation == 0
    moderation.restore(staff, ANSWER, answer.id, "Nach Prüfung in Ordnung")
    assert answerer.reputation == 2 * points(rules.HELPFUL_VOTE)
    assert fresh(question).answer_count == 1
    assert (answer.hidden_at, answer.hidden_reason, answer.hidden_by_id) == (None, None, None)
    assert_reversals_linked(answerer)
    assert verify() == []


def test_restoring_tells_the_author_and_writes_an_audit_entry(thread, staff):
    _asker, question, answerer, answer = thread
    moderation.hide(staff, ANSWER, answer.id, REASON)
    moderation.restore(staff, ANSWER, answer.id, "Nach Prüfung in Ordnung")
    (note,) = notes(answerer, moderation.RESTORED_KIND)
    assert note.params == {"title": question.title, "reason": "Nach Prüfung in Ordnung"}
    (entry,) = audit_entries(moderation.RESTORED, ANSWER, answer.id)
    assert entry.actor_id == staff.id and entry.details["reason"] == "Nach Prüfung in Ordnung"


def test_a_vote_taken_back_after_a_restore_takes_back_the_points_paid_again(
        thread, make_member, staff):
    _asker, _question, answerer, answer = thread
    keeps, retracts = make_member(), make_member()
    votes.vote(keeps, answer.id)
    votes.vote(retracts, answer.id)
    moderation.hide(staff, ANSWER, answer.id, REASON)
    moderation.restore(staff, ANSWER, answer.id, "Nach Prüfung in Ordnung")
    assert votes.retract(retracts, answer.id) is True
    assert answerer.reputation == points(rules.HELPFUL_VOTE)
    assert fresh(answer).helpful_count == 1
    assert_reversals_linked(answerer)
    assert verify() == []


def test_a_vote_taken_back_while_the_answer_is_hidden_is_not_paid_on_restore(
        thread, make_member, staff):
    _asker, _question, answerer, answer = thread
    keeps, retracts = make_member(), make_member()
    votes.vote(keeps, answer.id)
    votes.vote(retracts, answer.id)
    moderation.hide(staff, ANSWER, answer.id, REASON)
    assert votes.retract(retracts, answer.id) is True
    moderation.restore(staff, ANSWER, answer.id, "Nach Prüfung in Ordnung")
    assert answerer.reputation == points(rules.HELPFUL_VOTE)
    assert verify() == []


def test_a_vote_that_paid_nothing_is_not_paid_on_restore(app, make_member, make_question,
                                                        make_answer, staff):
    friend, voter = make_member(), make_member()
    limit = app.config["VOTES_PER_PAIR_PER_DAY"]
    answers = [make_answer(make_question(), friend) for _ in range(limit + 1)]
    for answer in answers:
        votes.vote(voter, answer.id)
    unpaid = answers[-1]
    assert db.session.get(HelpfulVote, (unpaid.id, voter.id)).paid_key is None
    moderation.hide(staff, ANSWER, unpaid.id, REASON)
    moderation.restore(staff, ANSWER, unpaid.id, "Nach Prüfung in Ordnung")
    assert friend.reputation == limit * points(rules.HELPFUL_VOTE)
    assert len(entries(friend)) == limit
    assert db.session.get(HelpfulVote, (unpaid.id, voter.id)).paid_key is None


def test_restoring_on_the_day_of_the_votes_pays_them_back_in_full(thread, make_member,
                                                                   staff):
    _asker, _question, answerer, answer = thread
    rule = rules.rule_for(rules.HELPFUL_VOTE)
    for _ in range(rule.daily_cap // rule.points):
        votes.vote(make_member(), answer.id)
    assert answerer.reputation == rule.daily_cap
    moderation.hide(staff, ANSWER, answer.id, REASON)
    moderation.restore(staff, ANSWER, answer.id, "Nach Prüfung in Ordnung")
    assert answerer.reputation == rule.daily_cap


def test_restoring_the_former_solution_pays_its_votes_but_leaves_the_question_open(
        thread, make_member, staff):
    asker, question, answerer, answer = thread
    votes.vote(make_member(), answer.id)
    solutions.accept(asker, question.id, answer.id)
    moderation.hide(staff, ANSWER, answer.id, REASON)
    moderation.restore(staff, ANSWER, answer.id, "Nach Prüfung in Ordnung")
    assert fresh(question).solved_at is None and fresh(answer).accepted_at is None
    assert (answerer.reputation, asker.reputation) == (points(rules.HELPFUL_VOTE), 0)
    assert verify() == []


def test_restoring_a_visible_post_is_refused(thread, staff):
    _asker, question, _answerer, answer = thread
    for kind, post in ((QUESTION, question), (ANSWER, answer)):
        with pytest.raises(CommunityError):
            moderation.restore(staff, kind, post.id, "Nach Prüfung in Ordnung")
    assert fresh(question).answer_count == 1


def test_hiding_and_restoring_again_and_again_keeps_the_ledger_right(
        thread, make_member, staff):
    _asker, question, answerer, answer = thread
    voters = [make_member(), make_member()]
    for voter in voters:
        votes.vote(voter, answer.id)
    for _ in range(2):
        moderation.hide(staff, ANSWER, answer.id, REASON)
        assert answerer.reputation == 0
        moderation.restore(staff, ANSWER, answer.id, "Nach Prüfung in Ordnung")
        assert answerer.reputation == 2 * points(rules.HELPFUL_VOTE)
    assert fresh(question).answer_count == 1
    votes.retract(voters[0], answer.id)
    assert answerer.reputation == points(rules.HELPFUL_VOTE)
    assert_reversals_linked(answerer)
    assert verify() == []


def test_restoring_a_question_pays_the_asker_again_and_unaccepting_takes_it_back(
        thread, staff):
    asker, question, answerer, answer = thread
    solutions.accept(asker, question.id, answer.id)
    moderation.hide(staff, QUESTION, question.id, REASON)
    assert asker.reputation == 0
    moderation.restore(staff, QUESTION, question.id, "Nach Prüfung in Ordnung")
    assert asker.reputation == points(rules.ACCEPTED_AN_ANSWER)
    assert solutions.unaccept(asker, question.id) is True
    assert (asker.reputation, answerer.reputation) == (0, 0)
    assert_reversals_linked(asker)
    assert verify() == []


def test_restoring_a_question_pays_nothing_when_staff_chose_the_solution(thread, staff):
    asker, question, _answerer, answer = thread
    solutions.accept(staff, question.id, answer.id)
    moderation.hide(staff, QUESTION, question.id, REASON)
    moderation.restore(staff, QUESTION, question.id, "Nach Prüfung in Ordnung")
    assert asker.reputation == 0 and entries(asker) == []


def test_hiding_and_restoring_a_question_twice_keeps_the_ledger_right(thread, staff):
    asker, question, _answerer, answer = thread
    solutions.accept(asker, question.id, answer.id)
    for _ in range(2):
        moderation.hide(staff, QUESTION, question.id, REASON)
        assert asker.reputation == 0
        moderation.restore(staff, QUESTION, question.id, "Nach Prüfung in Ordnung")
        assert asker.reputation == points(rules.ACCEPTED_AN_ANSWER)
    solutions.unaccept(asker, question.id)
    assert asker.reputation == 0
    assert_reversals_linked(asker)
    assert verify() == []


# -- lock and unlock -----------------------------------------------------------------

def test_a_locked_thread_takes_no_answers_votes_or_solution(thread, make_member, staff):
    asker, question, answerer, answer = thread
    moderation.lock(staff, question.id, "Die Diskussion ist beendet")
    with pytest.raises(CommunityError):
        posts.answer(make_member(), question.id, body="Noch eine Idee dazu.")
    with pytest.raises(CommunityError):
        votes.vote(make_member(), answer.id)
    with pytest.raises(CommunityError):
        solutions.accept(asker, question.id, answer.id)
    assert (fresh(question).answer_count, fresh(answer).helpful_count) == (1, 0)
    assert question.solved_at is None and answerer.reputation == 0


def test_a_locked_thread_keeps_its_solution(thread, staff):
    asker, question, answerer, answer = thread
    solutions.accept(asker, question.id, answer.id)
    moderation.lock(staff, question.id, "Die Diskussion ist beendet")
    with pytest.raises(CommunityError):
        solutions.unaccept(asker, question.id)
    assert fresh(answer).accepted_at is not None
    assert answerer.reputation == points(rules.ANSWER_ACCEPTED)


def test_hiding_the_solution_of_a_locked_thread_reopens_it_all_the_same(thread, staff):
    asker, question, answerer, answer = thread
    solutions.accept(asker, question.id, answer.id)
    moderation.lock(staff, question.id, "Die Diskussion ist beendet")
    moderation.hide(staff, ANSWER, answer.id, REASON)
    assert fresh(question).solved_at is None
    assert (asker.reputation, answerer.reputation) == (0, 0)
    assert verify() == []


def test_an_unlocked_thread_takes_answers_votes_and_solution_again(thread, make_member,
                                                                   staff):
    asker, question, _answerer, answer = thread
    moderation.lock(staff, question.id, "Die Diskussion ist beendet")
    moderation.unlock(staff, question.id)
    assert question.locked_at is None
    posts.answer(make_member(), question.id, body="Noch eine Idee dazu.")
    votes.vote(make_member(), answer.id)
    solutions.accept(asker, question.id, answer.id)
    assert fresh(question).answer_count == 2 and question.solved_at is not None
    assert len(audit_entries(moderation.UNLOCKED, QUESTION, question.id)) == 1


def test_locking_writes_an_audit_entry_and_stops_the_clock(make_question, staff):
    question = make_question()
    moderation.lock(staff, question.id, "Die Diskussion ist beendet")
    (entry,) = audit_entries(moderation.LOCKED, QUESTION, question.id)
    assert entry.details == {"reason": "Die Diskussion ist beendet"}
    assert (question.locked_at is not None, question.locked_by_id) == (True, staff.id)
    assert clocks.clock_of(posts.CLOCK_KIND, question.id).stopped_at is not None


def test_locking_needs_a_reason(make_question, staff):
    question = make_question()
    with pytest.raises(CommunityError) as refused:
        moderation.lock(staff, question.id, " ")
    assert refused.value.field == "reason"
    assert question.locked_at is None


def test_locking_twice_is_refused(make_question, staff):
    question = make_question()
    moderation.lock(staff, question.id, "Die Diskussion ist beendet")
    with pytest.raises(CommunityError):
        moderation.lock(staff, question.id, "Die Diskussion ist beendet")
    assert len(audit_entries(moderation.LOCKED, QUESTION, question.id)) == 1


def test_unlocking_an_open_thread_is_refused(make_question, staff):
    question = make_question()
    with pytest.raises(CommunityError):
        moderation.unlock(staff, question.id)


def test_only_staff_lock_and_unlock(make_member, make_question, staff):
    asker = make_member()
    question = make_question(asker)
    with pytest.raises(CommunityError):
        moderation.lock(asker, question.id, "Die Diskussion ist beendet")
    assert question.locked_at is None
    moderation.lock(staff, question.id, "Die Diskussion ist beendet")
    with pytest.raises(CommunityError):
        moderation.unlock(asker, question.id)
    assert question.locked_at is not None


def test_a_duplicate_cannot_be_unlocked(make_question, staff):
    original, duplicate = make_question(), make_question()
    moderation.mark_duplicate(staff, duplicate.id, original.id)
    with pytest.raises(CommunityError):
        moderation.unlock(staff, duplicate.id)
    assert duplicate.locked_at is not None


# -- duplicates ----------------------------------------------------------------------

def me_too_members(question):
    return set(db.session.scalars(select(MeToo.member_id).where(
        MeToo.question_id == question.id)))


def test_marking_a_duplicate_moves_its_me_toos_and_asker_to_the_original(
        make_member, make_question, staff):
    original_asker, duplicate_asker = make_member(), make_member()
    both, only_duplicate, only_original = make_member(), make_member(), make_member()
    original, duplicate = make_question(original_asker), make_question(duplicate_asker)
    for member in (both, only_original):
        posts.me_too(member, original.id)
    for member in (both, only_duplicate, original_asker):
        posts.me_too(member, duplicate.id)
    moderation.mark_duplicate(staff, duplicate.id, original.id)
    assert me_too_members(original) == {both.id, only_original.id, only_duplicate.id,
                                        duplicate_asker.id}
    assert me_too_members(duplicate) == set()
    assert (fresh(original).me_too_count, fresh(duplicate).me_too_count) == (4, 0)


def test_a_duplicate_is_linked_locked_and_its_clock_stopped(make_question, staff):
    original, duplicate = make_question(), make_question()
    moderation.mark_duplicate(staff, duplicate.id, original.id)
    assert duplicate.duplicate_of_id == original.id
    assert (duplicate.locked_at is not None, duplicate.locked_by_id) == (True, staff.id)
    assert clocks.clock_of(posts.CLOCK_KIND, duplicate.id).stopped_at is not None
    assert clocks.clock_of(posts.CLOCK_KIND, original.id).stopped_at is None
    (entry,) = audit_entries(moderation.DUPLICATE, QUESTION, duplicate.id)
    assert entry.details == {"original_id": original.id}


def test_the_asker_of_a_duplicate_is_told_where_to_follow(make_member, make_question,
                                                          staff):
    asker = make_member()
    original, duplicate = make_question(), make_question(asker)
    moderation.mark_duplicate(staff, duplicate.id, original.id)
    (note,) = notes(asker, moderation.DUPLICATE_KIND)
    assert note.link == f"/community/q/{original.id}"
    assert note.params == {"title": duplicate.title, "original": original.title}


def test_a_duplicate_of_a_duplicate_points_at_the_root_original(make_member, make_question,
                                                                 staff):
    root, middle, latest = make_question(), make_question(), make_question()
    follower = make_member()
    posts.me_too(follower, latest.id)
    moderation.mark_duplicate(staff, middle.id, root.id)
    moderation.mark_duplicate(staff, latest.id, middle.id)
    assert latest.duplicate_of_id == root.id
    assert {follower.id, latest.author_id} <= me_too_members(root)
    assert follower.id not in me_too_members(middle)


def test_a_chain_ending_at_a_hidden_question_is_refused(make_question, staff):
    root, middle, latest = make_question(), make_question(), make_question()
    moderation.mark_duplicate(staff, middle.id, root.id)
    moderation.hide(staff, QUESTION, root.id, REASON)
    with pytest.raises(CommunityError) as refused:
        moderation.mark_duplicate(staff, latest.id, middle.id)
    assert refused.value.field == "original_id"
    assert latest.duplicate_of_id is None


def test_a_question_cannot_be_a_duplicate_of_itself(make_question, staff):
    question = make_question()
    with pytest.raises(CommunityError) as refused:
        moderation.mark_duplicate(staff, question.id, question.id)
    assert refused.value.field == "original_id"
    assert question.duplicate_of_id is None and question.locked_at is None


def test_marking_back_along_a_chain_is_refused(make_question, staff):
    original, duplicate = make_question(), make_question()
    moderation.mark_duplicate(staff, duplicate.id, original.id)
    with pytest.raises(CommunityError) as refused:
        moderation.mark_duplicate(staff, original.id, duplicate.id)
    assert refused.value.field == "original_id"
    assert original.duplicate_of_id is None


def test_a_hidden_or_unknown_original_is_refused(make_question, staff):
    hidden, duplicate = make_question(), make_question()
    moderation.hide(staff, QUESTION, hidden.id, REASON)
    for original_id in (hidden.id, 999_999):
        with pytest.raises(CommunityError) as refused:
            moderation.mark_duplicate(staff, duplicate.id, original_id)
        assert refused.value.field == "original_id"
    assert duplicate.duplicate_of_id is None


@pytest.mark.parametrize("original_id", ["", None, "abc", "12a", "4.5"])
def test_the_original_must_be_a_number(make_question, staff, original_id):
    duplicate = make_question()
    with pytest.raises(CommunityError) as refused:
        moderation.mark_duplicate(staff, duplicate.id, original_id)
    assert refused.value.field == "original_id"
    assert duplicate.duplicate_of_id is None


def test_the_original_may_be_given_as_text(make_question, staff):
    original, duplicate = make_question(), make_question()
    moderation.mark_duplicate(staff, duplicate.id, f" {original.id} ")
    assert duplicate.duplicate_of_id == original.id


def test_marking_a_duplicate_twice_is_refused(make_question, staff):
    original, other, duplicate = make_question(), make_question(), make_question()
    moderation.mark_duplicate(staff, duplicate.id, original.id)
    with pytest.raises(CommunityError):
        moderation.mark_duplicate(staff, duplicate.id, other.id)
    assert duplicate.duplicate_of_id == original.id


def test_members_cannot_mark_duplicates(make_member, make_question):
    asker = make_member()
    original, duplicate = make_question(), make_question(asker)
    with pytest.raises(CommunityError):
        moderation.mark_duplicate(asker, duplicate.id, original.id)
    assert db.session.get(Question, duplicate.id).duplicate_of_id is None


def test_restoring_gives_back_what_a_vote_paid_not_what_the_rule_pays_now(app, thread,
                                                                          make_member, staff):
    _, _, answerer, answer = thread
    votes.vote(make_member(), answer.id)
    paid = points(rules.HELPFUL_VOTE)
    moderation.hide(staff, ANSWER, answer.id, REASON)
    app.config["EARNING_RULES"] = {rules.HELPFUL_VOTE: paid + 5}
    try:
        moderation.restore(staff, ANSWER, answer.id, REASON)
    finally:
        app.config["EARNING_RULES"] = None
    db.session.refresh(answerer)
    assert answerer.reputation == paid
    assert verify() == []


def test_nobody_joins_a_duplicate_they_are_sent_to_the_original(make_question, make_member,
                                                               staff):
    original, duplicate = make_question(), make_question()
    moderation.mark_duplicate(staff, duplicate.id, original.id)
    with pytest.raises(CommunityError):
        posts.me_too(make_member(), duplicate.id)


def test_an_unanswered_question_shown_again_is_back_on_the_response_clock(make_question,
                                                                          staff):
    question = make_question()
    moderation.hide(staff, QUESTION, question.id, REASON)
    moderation.restore(staff, QUESTION, question.id, REASON)
    clock = clocks.clock_of("question", question.id)
    assert clock.stopped_at is None and clock.responded_at is None


def test_an_unanswered_thread_unlocked_is_back_on_the_response_clock(make_question, staff):
    question = make_question()
    moderation.lock(staff, question.id, REASON)
    moderation.unlock(staff, question.id)
    assert clocks.clock_of("question", question.id).stopped_at is None
