"""The question list's sort orders and filters, and a thread's answers in reading order.

Each sort order has a partial index over visible questions (models.Question), so the
first page is read in index order however many questions there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from lab.community.models import Answer, Question, QuestionTag, Tag
from lab.extensions import db

NEWEST, UNANSWERED, ME_TOO, SOLVED = "newest", "unanswered", "me_too", "solved"
SORTS = (NEWEST, UNANSWERED, ME_TOO, SOLVED)


def questions(sort: str, category_id: int | None = None, tag: str | None = None):
    """Visible questions in the list's order, filtered by category and tag (a select to
    paginate)."""
    query = select(Question).where(Question.hidden_at.is_(None))
    if category_id is not None:
        query = query.where(Question.category_id == category_id)
    if tag:
        query = query.where(Question.id.in_(
            select(QuestionTag.question_id).join(Tag, Tag.id == QuestionTag.tag_id)
            .where(Tag.name == tag)))
    if sort == UNANSWERED:
        query = query.where(Question.answer_count == 0)
    elif sort == SOLVED:
        return query.where(Question.solved_at.is_not(None)).order_by(
            Question.solved_at.desc(), Question.id.desc())
    elif sort == ME_TOO:
        return query.order_by(Question.me_too_count.desc(), Question.id.desc())
    return query.order_by(Question.created_at.desc(), Question.id.desc())


def answers(question_id: int, *, with_hidden: bool):
    """The solution first, then the most helpful, then the oldest."""
    query = select(Answer).where(Answer.question_id == question_id)
    if not with_hidden:
        query = query.where(Answer.hidden_at.is_(None))
    return query.order_by(case((Answer.accepted_at.is_not(None), 0), else_=1),
                          Answer.helpful_count.desc(), Answer.created_at, Answer.id)


@dataclass
class Activity:
    """What a member did in the community, for their public profile (hidden posts and
    hidden threads left out)."""

    questions: int = 0
    answers: int = 0
    solutions: int = 0
    # (question, answer) of their latest accepted answers
    latest_solutions: list[tuple[Question, Answer]] = field(default_factory=list)


def activity_of(member_id: int, latest: int = 5) -> Activity:
    """Counts in one query, the latest solutions in another."""
    visible = Question.hidden_at.is_(None)
    asked = select(func.count()).where(Question.author_id == member_id, visible)
    mine = (select(Answer.id).join(Question, Question.id == Answer.question_id)
            .where(Answer.author_id == member_id, Answer.hidden_at.is_(None), visible))
    answered = select(func.count()).select_from(mine.subquery())
    solved = select(func.count()).select_from(
        mine.where(Answer.accepted_at.is_not(None)).subquery())
    counts = db.session.execute(select(asked.scalar_subquery(), answered.scalar_subquery(),
                                       solved.scalar_subquery())).one()
    rows = db.session.execute(
        select(Question, Answer).join(Answer, Answer.question_id == Question.id)
        .where(Answer.author_id == member_id, Answer.hidden_at.is_(None), visible,
               Answer.accepted_at.is_not(None))
        .order_by(Answer.accepted_at.desc()).limit(latest)).all()
    return Activity(*counts, latest_solutions=[(q, a) for q, a in rows])
