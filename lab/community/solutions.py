"""Accepting an answer as the question's solution (the asker or staff), and taking it
back. The answer's author earns `answer_accepted`, an asker who accepts someone else's
answer earns `accepted_an_answer`; nobody earns from accepting their own answer. Taking
the solution back, or accepting another answer, reverses those points with linked
entries. Members who said "me too" and the answer's author are told.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lab.accounts.models import User
from lab.community.models import Answer, MeToo, Question
from lab.community.posts import CommunityError
from lab.core.clock import utcnow
from lab.core.db import locked
from lab.extensions import db
from lab.notify.services import notify, register_kind
from lab.rewards import ledger, rules

SOLVED_KIND = register_kind("community.solved", _l(
    "The question “%(title)s” you joined has a solution."))
ACCEPTED_KIND = register_kind("community.accepted", _l(
    "Your answer to “%(title)s” was accepted as the solution."))


def _keys(answer: Answer, question: Question) -> tuple[str, str]:
    moment = f"{answer.accepted_at:%Y%m%d%H%M%S%f}"
    return (f"answer-accepted:{answer.id}:{moment}",
            f"accepted-an-answer:{question.id}:{answer.id}:{moment}")


def _question_for(actor, question_id: int) -> Question:
    question = locked(Question, question_id)  # one decision at a time per question
    if question is None or question.is_hidden:
        raise CommunityError(_l("This question does not exist or was hidden."))
    if actor.id != question.author_id and not actor.is_staff:
        raise CommunityError(_l("Only the asker or the team can choose the solution."))
    if question.is_locked:
        raise CommunityError(_l("This thread is locked."))
    return question


def accepted_answer(question_id: int) -> Answer | None:
    # fresh from the database: a request that waited for the question's lock must see
    # what the request before it decided
    return db.session.scalar(select(Answer).where(
        Answer.question_id == question_id, Answer.accepted_at.is_not(None))
        .execution_options(populate_existing=True))


def accept(actor, question_id: int, answer_id: int) -> Answer:
    question = _question_for(actor, question_id)
    answer = locked(Answer, answer_id)  # fresh: a double click waits here, then sees it
    if answer is None or answer.question_id != question.id:
        raise CommunityError(_l("This answer belongs to another question."))
    if answer.hidden_at is not None:
        raise CommunityError(_l("A hidden answer cannot be the solution."))
    if answer.accepted_at is not None:
        return answer
    current = accepted_answer(question.id)
    if current is not None:
        _take_back(actor, question, current)
    answer.accepted_at, answer.accepted_by_id = utcnow(), actor.id
    question.solved_at = answer.accepted_at
    db.session.flush()
    _pay(actor, question, answer)
    _tell(actor, question, answer)
    return answer


def _pay(actor, question: Question, answer: Answer) -> None:
    if answer.author_id == question.author_id:
        return  # the asker answered themselves: no points for a self-accept
    for_answer, for_asker = _keys(answer, question)
    ledger.earn(answer.author, rules.ANSWER_ACCEPTED, key=for_answer,
                source=("answer", answer.id), actor=actor)
    if actor.id == question.author_id:
        ledger.earn(question.author, rules.ACCEPTED_AN_ANSWER, key=for_asker,
                    source=("question", question.id))


def _tell(actor, question: Question, answer: Answer) -> None:
    link = f"/community/q/{question.id}#answer-{answer.id}"
    if answer.author_id != actor.id:
        notify(answer.author, ACCEPTED_KIND, link=link, title=question.title)
    joined = db.session.scalars(select(User).join(MeToo, MeToo.member_id == User.id)
                                .where(MeToo.question_id == question.id))
    for member in joined:
        notify(member, SOLVED_KIND, link=link, title=question.title)


def _take_back(actor, question: Question, answer: Answer) -> None:
    for_answer, _ = _keys(answer, question)
    ledger.reverse(for_answer, "solution taken back", actor=actor)
    # the asker's points by source: moderation may have paid them again under a new key
    ledger.reverse(("question", question.id), "solution taken back", actor=actor)
    answer.accepted_at = answer.accepted_by_id = None
    question.solved_at = None
    db.session.flush()


def unaccept(actor, question_id: int) -> bool:
    """Take the solution back; False if there was none."""
    return take_back(actor, _question_for(actor, question_id).id)


def take_back(actor, question_id: int) -> bool:
    """Reopen a question, whoever may (moderation hides an accepted answer even in a
    locked thread); False if it had no solution."""
    question = locked(Question, question_id)
    current = accepted_answer(question.id)
    if current is None:
        return False
    _take_back(actor, question, current)
    return True
