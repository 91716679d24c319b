"""Helpful votes on answers: one per member and answer, never on one's own, retractable.

A vote pays the answer's author the `helpful_vote` points (within the rule's daily cap),
unless the same voter already paid the same author VOTES_PER_PAIR_PER_DAY votes today:
two friends voting each other up earn little. Taking a vote back reverses its points
with a linked ledger entry. Each vote's ledger key carries the moment it was cast, so a
vote cast again after a retraction is a new, separately reversible entry; the vote keeps
the key it paid under (``paid_key``), which moderation replaces when it pays again.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from lab.community.models import Answer, HelpfulVote, Question
from lab.community.posts import CommunityError
from lab.core.clock import utcnow
from lab.core.db import locked
from lab.extensions import db
from lab.rewards import ledger, rules


def vote_key(vote: HelpfulVote) -> str:
    return f"helpful-vote:{vote.answer_id}:{vote.voter_id}:{vote.created_at:%Y%m%d%H%M%S%f}"


def _votable(voter, answer_id: int) -> Answer:
    # locked and fresh: a vote waiting for a moderator's hide must see the answer hidden
    answer = locked(Answer, answer_id)
    question = db.session.get(Question, answer.question_id, populate_existing=True) \
        if answer else None
    if answer is None or answer.hidden_at is not None or question.is_hidden:
        raise CommunityError(_l("This answer does not exist or was hidden."))
    if question.is_locked:
        raise CommunityError(_l("This thread is locked."))
    if answer.author_id == voter.id:
        raise CommunityError(_l("You cannot vote for your own answer."))
    return answer


def _pair_votes_today(voter_id: int, author_id: int) -> int:
    midnight = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    return db.session.scalar(select(func.count()).select_from(HelpfulVote).where(
        HelpfulVote.voter_id == voter_id, HelpfulVote.author_id == author_id,
        HelpfulVote.created_at >= midnight))


def vote(voter, answer_id: int) -> HelpfulVote:
    """Mark an answer helpful; refused if already voted. Returns the vote."""
    answer = _votable(voter, answer_id)
    cast = HelpfulVote(answer_id=answer.id, voter_id=voter.id, author_id=answer.author_id,
                       created_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(cast)
            db.session.flush()
    except IntegrityError:
        raise CommunityError(_l("You have already marked this answer as helpful.")) from None
    db.session.execute(update(Answer).where(Answer.id == answer.id).values(
        helpful_count=Answer.helpful_count + 1))
    db.session.refresh(answer, ["helpful_count"])
    limit = current_app.config["VOTES_PER_PAIR_PER_DAY"]
    if _pair_votes_today(voter.id, answer.author_id) <= limit:
        pay(cast, voter, vote_key(cast))
    return cast


def pay(cast: HelpfulVote, voter, key: str) -> None:
    """Pay the answer's author for this vote (within the daily cap), noting the key."""
    posted = ledger.earn(db.session.get(Answer, cast.answer_id).author, rules.HELPFUL_VOTE,
                         key=key, source=("answer", cast.answer_id), actor=voter)
    cast.paid_key = key if posted.created else None
    db.session.flush()


def pay_again(cast: HelpfulVote, key: str, actor) -> None:
    """Give back what a vote paid before its answer was hidden. Not new earnings, so the
    daily cap does not apply (the cap counts reversed points as earned)."""
    answer = db.session.get(Answer, cast.answer_id)
    if not ledger.is_reversed(cast.paid_key):
        return  # never taken back (nothing to give back)
    paid = ledger.entry_by_key(cast.paid_key)  # what it paid, not what the rule says now
    if paid.reputation_delta <= 0:
        return
    posted = ledger.award_points(answer.author, paid.reputation_delta, rules.HELPFUL_VOTE,
                                 key=key, source=("answer", answer.id), created_by=actor)
    if posted.created:
        cast.paid_key = key
    db.session.flush()


def retract(voter, answer_id: int) -> bool:
    """Take a helpful vote back (its points too); False if there was none."""
    cast = db.session.get(HelpfulVote, (answer_id, voter.id))
    if cast is None:
        return False
    key = cast.paid_key
    gone = db.session.execute(delete(HelpfulVote).where(
        HelpfulVote.answer_id == answer_id, HelpfulVote.voter_id == voter.id)).rowcount
    db.session.expunge(cast)
    if not gone:  # the same retraction a moment earlier, from a second click
        return False
    db.session.execute(update(Answer).where(
        Answer.id == answer_id, Answer.helpful_count > 0).values(
        helpful_count=Answer.helpful_count - 1))
    db.session.flush()
    if key:
        ledger.reverse(key, "helpful vote taken back", actor=voter)
    return True


def voted(voter_id: int, answer_ids) -> set[int]:
    """Which of these answers the member marked helpful (one query, for a page)."""
    answer_ids = list(answer_ids)
    if not answer_ids:
        return set()
    return set(db.session.scalars(select(HelpfulVote.answer_id).where(
        HelpfulVote.voter_id == voter_id, HelpfulVote.answer_id.in_(answer_ids))))
