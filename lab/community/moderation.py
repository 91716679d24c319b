"""Moderation: members flag posts, staff work the queue; they hide and restore posts
(with a reason the author is told), lock threads, and mark a question as a duplicate of
another (its "me too" members and its asker join the original).

Hiding a post takes back what it earned, with linked ledger entries: an answer's helpful
votes and solution points, a question's "accepted an answer" points. A hidden answer
cannot stay the solution, so hiding the accepted answer reopens the question. Restoring
an answer pays its helpful votes again (under new keys, within today's caps); the
solution has to be chosen again. Every decision is an audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from lab.community import solutions, votes
from lab.community.models import (
    ANSWER,
    POST_KINDS,
    QUESTION,
    Answer,
    Flag,
    HelpfulVote,
    MeToo,
    Question,
)
from lab.community.posts import CLOCK_KIND, CommunityError, checked_text
from lab.core import audit
from lab.core.clock import utcnow
from lab.core.db import id_or_none, insert_ignoring_duplicates, locked
from lab.extensions import db
from lab.notify import clocks
from lab.notify.services import notify, register_kind
from lab.rewards import ledger, rules

REASON_LENGTH = (5, 1000)
KEPT, HIDDEN = "kept", "hidden"

FLAGGED = audit.register_action("community.flagged", _l("Post flagged"))
HID = audit.register_action("community.hidden", _l("Post hidden"))
RESTORED = audit.register_action("community.restored", _l("Post restored"))
FLAGS_DISMISSED = audit.register_action("community.flags_dismissed", _l("Flags dismissed"))
LOCKED = audit.register_action("community.locked", _l("Thread locked"))
UNLOCKED = audit.register_action("community.unlocked", _l("Thread unlocked"))
DUPLICATE = audit.register_action("community.duplicate", _l("Question marked as duplicate"))

HIDDEN_KIND = register_kind("community.hidden", _l(
    "Your post in “%(title)s” was hidden by the moderators: %(reason)s"))
RESTORED_KIND = register_kind("community.restored", _l(
    "Your post in “%(title)s” is visible again: %(reason)s"))
DUPLICATE_KIND = register_kind("community.duplicate", _l(
    "Your question “%(title)s” was already asked: you now follow “%(original)s”."))


def _reason(value, missing) -> str:
    return checked_text(value, "reason", REASON_LENGTH, missing, _l("The reason"))


def _check_staff(user) -> None:
    if not user.is_staff:
        raise CommunityError(_l("Only the team can moderate posts."))


def post_of(kind: str, post_id: int) -> Question | Answer | None:
    model = {QUESTION: Question, ANSWER: Answer}.get(kind)
    return db.session.get(model, post_id) if model else None


def _question_of(post) -> Question:
    return post if isinstance(post, Question) else db.session.get(Question, post.question_id)


def _link(post) -> str:
    if isinstance(post, Answer):
        return f"/community/q/{post.question_id}#answer-{post.id}"
    return f"/community/q/{post.id}"


# -- flags ---------------------------------------------------------------------------

def flag(member, kind: str, post_id: int, reason: str) -> Flag:
    """Report a post to the moderators; once per member and post."""
    post = post_of(kind, post_id)
    if post is None or post.hidden_at is not None:
        raise CommunityError(_l("This post does not exist or was hidden."))
    if post.author_id == member.id:
        raise CommunityError(_l("You cannot flag your own post: edit it instead."))
    reason = _reason(reason, _l("Please say what is wrong with this post."))
    report = Flag(post_kind=kind, post_id=post.id, reporter_id=member.id, reason=reason,
                  created_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(report)
            db.session.flush()
    except IntegrityError:
        raise CommunityError(_l("You have already flagged this post; the team will look "
                                "at it.")) from None
    audit.record(member, FLAGGED, kind, post.id, reason=reason)
    return report


def flagged_by(member_id: int, posts: list[tuple[str, int]]) -> set[tuple[str, int]]:
    """Which of these (kind, id) posts the member has flagged (one query, for a page)."""
    ids = {kind: [pid for k, pid in posts if k == kind] for kind in POST_KINDS}
    rows = db.session.execute(select(Flag.post_kind, Flag.post_id).where(
        Flag.reporter_id == member_id,
        ((Flag.post_kind == QUESTION) & Flag.post_id.in_(ids[QUESTION]))
        | ((Flag.post_kind == ANSWER) & Flag.post_id.in_(ids[ANSWER]))))
    return {(kind, pid) for kind, pid in rows}


def _resolve_flags(staff, kind: str, post_id: int, resolution: str) -> int:
    return db.session.execute(update(Flag).where(
        Flag.post_kind == kind, Flag.post_id == post_id, Flag.resolved_at.is_(None)).values(
        resolved_at=utcnow(), resolved_by_id=staff.id, resolution=resolution)).rowcount


def dismiss_flags(staff, kind: str, post_id: int) -> int:
    """The post stays: its open flags are resolved as "kept". Returns how many."""
    _check_staff(staff)
    if post_of(kind, post_id) is None:
        raise CommunityError(_l("This post does not exist."))
    count = _resolve_flags(staff, kind, post_id, KEPT)
    if count:
        audit.record(staff, FLAGS_DISMISSED, kind, post_id, flags=count)
    return count


def queue():
    """Posts with open flags, the longest waiting first: rows of (kind, id, flags,
    first flagged). Paginate, then load the page with `queue_entries`."""
    first = func.min(Flag.created_at)
    return (select(Flag.post_kind, Flag.post_id, func.count().label("flags"),
                   first.label("first_flagged"))
            .where(Flag.resolved_at.is_(None))
            .group_by(Flag.post_kind, Flag.post_id)
            .order_by(first, Flag.post_kind, Flag.post_id))


def open_flag_count() -> int:
    """How many posts wait in the queue."""
    return db.session.scalar(select(func.count()).select_from(queue().order_by(None)
                                                              .subquery()))


@dataclass
class QueueEntry:
    kind: str
    post: Question | Answer
    question: Question
    flags: int
    first_flagged: datetime
    reports: list[Flag] = field(default_factory=list)


def queue_entries(rows) -> list[QueueEntry]:
    """The posts, their questions and their open flags for a page of `queue()` rows, in
    a fixed number of queries."""
    ids = {kind: [pid for k, pid, *_ in rows if k == kind] for kind in POST_KINDS}
    answers = {a.id: a for a in db.session.scalars(
        select(Answer).where(Answer.id.in_(ids[ANSWER])))}
    question_ids = set(ids[QUESTION]) | {a.question_id for a in answers.values()}
    questions = {q.id: q for q in db.session.scalars(
        select(Question).where(Question.id.in_(question_ids)))}
    reports: dict[tuple[str, int], list[Flag]] = {}
    for report in db.session.scalars(select(Flag).where(
            Flag.resolved_at.is_(None),
            ((Flag.post_kind == QUESTION) & Flag.post_id.in_(ids[QUESTION]))
            | ((Flag.post_kind == ANSWER) & Flag.post_id.in_(ids[ANSWER])))
            .order_by(Flag.created_at)):
        reports.setdefault((report.post_kind, report.post_id), []).append(report)
    entries = []
    for kind, pid, count, first in rows:
        post = questions.get(pid) if kind == QUESTION else answers.get(pid)
        if post is None:
            continue
        question = post if kind == QUESTION else questions[post.question_id]
        entries.append(QueueEntry(kind, post, question, count, first,
                                  reports.get((kind, pid), [])))
    return entries


# -- hide and restore ----------------------------------------------------------------

def hide(staff, kind: str, post_id: int, reason: str) -> Question | Answer:
    """Hide a post: its points are taken back, its open flags resolved, its author told."""
    _check_staff(staff)
    reason = _reason(reason, _l("Please give the reason the author will read."))
    post = _locked_post(kind, post_id)
    if post.hidden_at is not None:
        raise CommunityError(_l("This post is already hidden."))
    question = _question_of(post)
    if isinstance(post, Answer):
        if post.accepted_at is not None:
            solutions.take_back(staff, question.id)
        db.session.execute(update(Question).where(
            Question.id == question.id, Question.answer_count > 0).values(
            answer_count=Question.answer_count - 1))
    else:
        clocks.stop(CLOCK_KIND, post.id)
    post.hidden_at, post.hidden_by_id, post.hidden_reason = utcnow(), staff.id, reason
    db.session.flush()
    ledger.reverse((kind, post.id), "post hidden by the moderators", actor=staff)
    _resolve_flags(staff, kind, post.id, HIDDEN)
    audit.record(staff, HID, kind, post.id, reason=reason, author_id=post.author_id)
    notify(post.author, HIDDEN_KIND, link=_link(post), title=question.title, reason=reason)
    return post


def restore(staff, kind: str, post_id: int, reason: str) -> Question | Answer:
    """Show a hidden post again; an answer's helpful votes pay again."""
    _check_staff(staff)
    reason = _reason(reason, _l("Please give the reason the author will read."))
    post = _locked_post(kind, post_id)
    if post.hidden_at is None:
        raise CommunityError(_l("This post is not hidden."))
    question = _question_of(post)
    post.hidden_at = post.hidden_by_id = post.hidden_reason = None
    if isinstance(post, Answer):
        db.session.execute(update(Question).where(Question.id == question.id).values(
            answer_count=Question.answer_count + 1))
        _pay_votes_again(post, staff)
    else:
        _pay_asker_again(post)
        _wait_for_answers_again(post)
    db.session.flush()
    audit.record(staff, RESTORED, kind, post.id, reason=reason, author_id=post.author_id)
    notify(post.author, RESTORED_KIND, link=_link(post), title=question.title, reason=reason)
    return post


def _locked_post(kind: str, post_id: int):
    """The post locked for a decision; an answer's question is locked first, in the same
    order as accepting a solution takes them (no deadlock between the two)."""
    model = {QUESTION: Question, ANSWER: Answer}.get(kind)
    if model is Answer:
        answer = db.session.get(Answer, post_id)
        if answer is not None:
            locked(Question, answer.question_id)
    post = locked(model, post_id) if model else None
    if post is None:
        raise CommunityError(_l("This post does not exist."))
    return post


def _pay_votes_again(answer: Answer, staff) -> None:
    moment = f"{utcnow():%Y%m%d%H%M%S%f}"
    for cast in db.session.scalars(select(HelpfulVote).where(
            HelpfulVote.answer_id == answer.id, HelpfulVote.paid_key.is_not(None))):
        votes.pay_again(cast, f"{votes.vote_key(cast)}:restored:{moment}", staff)


def _wait_for_answers_again(question: Question) -> None:
    """A question shown or opened again that nobody answered is back on the clock."""
    if (question.answer_count == 0 and question.hidden_at is None
            and question.locked_at is None):
        clocks.resume(CLOCK_KIND, question.id)


def _pay_asker_again(question: Question) -> None:
    """The asker's points for accepting someone else's answer, if that still holds."""
    answer = solutions.accepted_answer(question.id)
    if (answer is not None and answer.accepted_by_id == question.author_id
            and answer.author_id != question.author_id):
        ledger.earn(question.author, rules.ACCEPTED_AN_ANSWER,
                    key=f"accepted-an-answer:{question.id}:{answer.id}:"
                        f"restored:{utcnow():%Y%m%d%H%M%S%f}",
                    source=(QUESTION, question.id))


# -- threads -------------------------------------------------------------------------

def lock(staff, question_id: int, reason: str) -> Question:
    """No new answers, votes or solution changes; the thread stays readable."""
    _check_staff(staff)
    reason = _reason(reason, _l("Please say why the thread is locked."))
    question = _locked_post(QUESTION, question_id)
    if question.locked_at is not None:
        raise CommunityError(_l("This thread is already locked."))
    question.locked_at, question.locked_by_id = utcnow(), staff.id
    clocks.stop(CLOCK_KIND, question.id)
    audit.record(staff, LOCKED, QUESTION, question.id, reason=reason)
    return question


def unlock(staff, question_id: int) -> Question:
    _check_staff(staff)
    question = _locked_post(QUESTION, question_id)
    if question.locked_at is None:
        raise CommunityError(_l("This thread is not locked."))
    if question.duplicate_of_id is not None:
        raise CommunityError(_l("A question marked as a duplicate stays locked: its asker "
                                "and “me too” members follow the original now."))
    question.locked_at = question.locked_by_id = None
    _wait_for_answers_again(question)
    audit.record(staff, UNLOCKED, QUESTION, question.id)
    return question


def _root(question: Question) -> Question:
    """Follow duplicate marks to the question they all point at."""
    seen = {question.id}
    while question.duplicate_of_id is not None:
        question = db.session.get(Question, question.duplicate_of_id)
        if question.id in seen:  # pragma: no cover - marks never form a circle
            break
        seen.add(question.id)
    return question


def mark_duplicate(staff, question_id: int, original_id) -> Question:
    """Close a question as a duplicate of another: linked, locked, its asker and "me
    too" members moved to the original (once each), the asker told."""
    _check_staff(staff)
    original_id = id_or_none(original_id)
    if original_id is None:
        raise CommunityError(_l("Please give the number of the original question."),
                             "original_id")
    # both questions locked, in id order: two staff marking A and B as duplicates of each
    # other at the same moment must not make a circle
    for number in sorted({question_id, original_id}):
        locked(Question, number)
    question = _locked_post(QUESTION, question_id)
    if question.duplicate_of_id is not None:
        raise CommunityError(_l("This question is already marked as a duplicate."))
    given = db.session.get(Question, original_id)
    original = _root(given) if given is not None else None
    if original is None or original.is_hidden:
        raise CommunityError(_l("There is no visible question with this number."),
                             "original_id")
    if original.id == question.id:
        raise CommunityError(_l("A question cannot be a duplicate of itself."), "original_id")
    _move_me_toos(question, original)
    now = utcnow()
    question.duplicate_of_id = original.id
    if question.locked_at is None:
        question.locked_at, question.locked_by_id = now, staff.id
    clocks.stop(CLOCK_KIND, question.id)
    db.session.flush()
    audit.record(staff, DUPLICATE, QUESTION, question.id, original_id=original.id)
    notify(question.author, DUPLICATE_KIND, link=f"/community/q/{original.id}",
           title=question.title, original=original.title)
    return question


def _move_me_toos(question: Question, original: Question) -> None:
    followers = set(db.session.scalars(select(MeToo.member_id).where(
        MeToo.question_id == question.id))) | {question.author_id}
    already = set(db.session.scalars(select(MeToo.member_id).where(
        MeToo.question_id == original.id)))
    joining = sorted(followers - already - {original.author_id})
    now = utcnow()
    # a member may say "me too" on the original at this very moment
    insert_ignoring_duplicates(MeToo, [
        {"question_id": original.id, "member_id": member, "created_at": now}
        for member in joining])
    db.session.execute(delete(MeToo).where(MeToo.question_id == question.id))
    for counted in (question, original):
        db.session.execute(update(Question).where(Question.id == counted.id).values(
            me_too_count=select(func.count()).where(MeToo.question_id == counted.id)
            .scalar_subquery()))
    db.session.flush()
    db.session.refresh(question, ["me_too_count"])
    db.session.refresh(original, ["me_too_count"])
