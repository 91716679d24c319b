"""Asking and answering: questions with category and tags, answers (staff answers are
official), editing within a time window, and "me too" to join a question.

Posts keep their Markdown source and the sanitised HTML rendered once on save
(lab.core.markdown). A question waits on the response clock (kind "question") until its
first answer. New members (below the "helper" level) may post only a few times an hour.
"""

from __future__ import annotations

import re
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from lab.community.models import Answer, Category, MeToo, Question, Tag
from lab.core.clock import utcnow
from lab.core.db import id_or_none, insert_ignoring_duplicates
from lab.core.errors import DomainError
from lab.core.markdown import render
from lab.extensions import db
from lab.notify import clocks
from lab.rewards import levels

CLOCK_KIND = "question"
TITLE_LENGTH = (10, 160)
BODY_LENGTH = (20, 10_000)
ANSWER_LENGTH = (2, 10_000)
MAX_TAGS = 5
TAG_PATTERN = re.compile(r"[a-z0-9äöüß][a-z0-9äöüß\-]{0,29}")
# members below this level are limited to NEW_MEMBER_POSTS_PER_HOUR posts
TRUSTED_LEVEL = "helper"


class CommunityError(DomainError):
    pass


def _describe(question_ids: list[int]) -> dict[int, clocks.Subject]:
    """How the staff dashboard lists questions waiting for a first answer."""
    rows = db.session.execute(
        select(Question.id, Question.title, Category.name)
        .join(Category, Category.id == Question.category_id)
        .where(Question.id.in_(question_ids)))
    return {qid: clocks.Subject(title=title, link=f"/community/q/{qid}", context=name)
            for qid, title, name in rows}


clocks.register_subject(CLOCK_KIND, _l("Question"), _describe)


def checked_text(value: str | None, field: str, length: tuple[int, int], missing, noun) -> str:
    """The text, stripped, or why not: ``missing`` when empty, else ``noun`` ("The
    title") is too short or too long."""
    text = (value or "").strip()
    if not text:
        raise CommunityError(missing, field)
    if len(text) < length[0]:
        raise CommunityError(_l("%(what)s is too short: at least %(num)d characters, please.",
                                what=noun, num=length[0]), field)
    if len(text) > length[1]:
        raise CommunityError(_l("%(what)s is too long: at most %(num)d characters, please.",
                                what=noun, num=length[1]), field)
    return text


def checked_title(value) -> str:
    return checked_text(value, "title", TITLE_LENGTH, _l("Please give your question a title."),
                 _l("The title"))


def _question_body(value) -> str:
    return checked_text(value, "body", BODY_LENGTH, _l("Please describe your question."),
                 _l("Your question"))


def _answer_body(value) -> str:
    return checked_text(value, "body", ANSWER_LENGTH, _l("Please write your answer."),
                 _l("Your answer"))


def parse_tags(raw: str | None) -> list[str]:
    """Tags typed as "FritzBox, 5G wlan" -> ["5g", "fritzbox", "wlan"] (checked)."""
    names = sorted({name.lower() for name in re.split(r"[,\s]+", raw or "") if name})
    if len(names) > MAX_TAGS:
        raise CommunityError(_l("At most %(num)d tags, please.", num=MAX_TAGS), "tags")
    for name in names:
        if not TAG_PATTERN.fullmatch(name):
            raise CommunityError(_l("“%(tag)s” is not a tag: letters, digits and dashes, up "
                                    "to 30.", tag=name), "tags")
    return names


def _tags(names: list[str]) -> list[Tag]:
    """The tags of these names, new ones made (also when someone else makes the same
    new tag at the same moment)."""
    if not names:
        return []
    insert_ignoring_duplicates(Tag, [{"name": name} for name in names])
    return list(db.session.scalars(select(Tag).where(Tag.name.in_(names)).order_by(Tag.name)))


def checked_category(category_id) -> Category:
    category_id = id_or_none(category_id)
    category = db.session.get(Category, category_id) if category_id else None
    if category is None:
        raise CommunityError(_l("Please choose a category."), "category_id")
    return category


def check_pace(member) -> None:
    """New members post only a few times an hour (questions and answers together)."""
    if member.is_staff or levels.reaches(member.reputation, TRUSTED_LEVEL):
        return
    limit = current_app.config["NEW_MEMBER_POSTS_PER_HOUR"]
    since = utcnow() - timedelta(hours=1)
    posted = sum(db.session.scalar(select(func.count()).select_from(model).where(
        model.author_id == member.id, model.created_at >= since))
        for model in (Question, Answer))
    if posted >= limit:
        raise CommunityError(_l("New members can post %(num)d times an hour. Please wait a "
                                "little; helping others lifts the limit.", num=limit))


def ask(author, *, title: str, body: str, category_id, tags: str | None = None) -> Question:
    title, body = checked_title(title), _question_body(body)
    category = checked_category(category_id)
    names = parse_tags(tags)
    check_pace(author)
    now = utcnow()
    question = Question(author_id=author.id, category_id=category.id, title=title, body=body,
                        body_html=str(render(body)), last_activity_at=now,
                        tags=_tags(names))
    db.session.add(question)
    db.session.flush()
    clocks.start(CLOCK_KIND, question.id)
    return question


def visible_question(question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.is_hidden:
        raise CommunityError(_l("This question does not exist or was hidden."))
    return question


def _answer_html(body: str) -> str:
    # an answer sits under its own h3 on the question page
    return str(render(body, first_heading=4))


def answer(author, question_id: int, *, body: str) -> Answer:
    """An answer; a staff member's is official. The first answer stops the clock."""
    question = visible_question(question_id)
    if question.is_locked:
        raise CommunityError(_l("This thread is locked: no new answers."))
    body = _answer_body(body)
    check_pace(author)
    post = Answer(question_id=question.id, author_id=author.id, body=body,
                  body_html=_answer_html(body), official=author.is_staff)
    db.session.add(post)
    # only while the thread is open: a lock or hide committed a moment ago counts
    counted = db.session.execute(update(Question).where(
        Question.id == question.id, Question.locked_at.is_(None),
        Question.hidden_at.is_(None)).values(
        answer_count=Question.answer_count + 1, last_activity_at=utcnow())).rowcount
    if not counted:
        raise CommunityError(_l("This thread is locked: no new answers."))
    db.session.flush()
    db.session.refresh(question, ["answer_count", "last_activity_at"])
    if author.id != question.author_id:
        clocks.responded(CLOCK_KIND, question.id, author)
    return post


def can_edit(user, post) -> bool:
    """Staff always; the author within COMMUNITY_EDIT_MINUTES of posting."""
    if user.is_staff:
        return True
    window = timedelta(minutes=current_app.config["COMMUNITY_EDIT_MINUTES"])
    return post.author_id == user.id and utcnow() - post.created_at <= window


def _check_editable(user, post) -> None:
    if post.hidden_at is not None and not user.is_staff:
        raise CommunityError(_l("A hidden post cannot be edited."))
    if not can_edit(user, post):
        raise CommunityError(_l("Posts can be edited for %(num)d minutes after posting.",
                                num=current_app.config["COMMUNITY_EDIT_MINUTES"]))


def edit_question(user, question_id: int, *, title: str, body: str, category_id,
                  tags: str | None) -> Question:
    question = db.session.get(Question, question_id)
    if question is None:
        raise CommunityError(_l("This question does not exist or was hidden."))
    _check_editable(user, question)
    question.title, question.body = checked_title(title), _question_body(body)
    question.body_html = str(render(question.body))
    question.category_id = checked_category(category_id).id
    question.tags = _tags(parse_tags(tags))
    question.edited_at, question.edited_by_id = utcnow(), user.id
    db.session.flush()
    return question


def edit_answer(user, answer_id: int, *, body: str) -> Answer:
    post = db.session.get(Answer, answer_id)
    if post is None:
        raise CommunityError(_l("This answer does not exist."))
    _check_editable(user, post)
    post.body = _answer_body(body)
    post.body_html = _answer_html(post.body)
    post.edited_at, post.edited_by_id = utcnow(), user.id
    db.session.flush()
    return post


def me_too(member, question_id: int) -> bool:
    """Join the question; False if already joined (the counter moves once per member)."""
    question = visible_question(question_id)
    if question.author_id == member.id:
        raise CommunityError(_l("It is your own question: you are told when it is solved."))
    if question.duplicate_of_id is not None:
        raise CommunityError(_l("This question was asked before: please join the original."))
    if db.session.get(MeToo, (question.id, member.id)) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(MeToo(question_id=question.id, member_id=member.id))
            db.session.flush()
    except IntegrityError:  # the same member clicking in two tabs at once
        return False
    db.session.execute(update(Question).where(Question.id == question.id).values(
        me_too_count=Question.me_too_count + 1))
    db.session.refresh(question, ["me_too_count"])
    return True


def undo_me_too(member, question_id: int) -> bool:
    joined = db.session.get(MeToo, (question_id, member.id))
    if joined is None:
        return False
    gone = db.session.execute(delete(MeToo).where(
        MeToo.question_id == question_id, MeToo.member_id == member.id)).rowcount
    db.session.expunge(joined)
    if not gone:  # the same undo a moment earlier, from a second click
        return False
    db.session.execute(update(Question).where(
        Question.id == question_id, Question.me_too_count > 0).values(
        me_too_count=Question.me_too_count - 1))
    db.session.flush()
    return True
