"""The question list's sort orders and filters, and a thread's answers in reading order.

Each sort order has a partial index over visible questions (models.Question), so the
first page is read in index order however many questions there are.
"""

from __future__ import annotations

from sqlalchemy import case, select

from lab.community.models import Answer, Question, QuestionTag, Tag

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
