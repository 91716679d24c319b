"""The knowledge base: staff turn a solved question into an article (edited text, linked
both ways: the article names its question, the question page shows its article).
Articles are found by search and listed by category."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lab.community.models import Article, Category, Question
from lab.community.posts import CommunityError, checked_category, checked_text, checked_title
from lab.community.solutions import accepted_answer
from lab.core import audit
from lab.core.markdown import render
from lab.extensions import db

BODY_LENGTH = (50, 50_000)
SLUG_LENGTH = 70

PUBLISHED = audit.register_action("community.article_published", _l("Article published"))
EDITED = audit.register_action("community.article_edited", _l("Article edited"))

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def slugify(title: str) -> str:
    """"WLAN-Call auf dem Pixel 9 einrichten" -> "wlan-call-auf-dem-pixel-9-einrichten"."""
    composed = unicodedata.normalize("NFC", title.lower())  # "u" + combining diaeresis too
    text = unicodedata.normalize("NFKD", composed.translate(_UMLAUTS))
    text = text.encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:SLUG_LENGTH].strip("-")
    return slug or "artikel"


def _free_slug(title: str) -> str:
    base = slugify(title)
    taken = set(db.session.scalars(select(Article.slug).where(
        (Article.slug == base) | Article.slug.like(f"{base}-%"))))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def _body(value) -> str:
    return checked_text(value, "body", BODY_LENGTH, _l("Please write the article."),
                 _l("The article"))


def draft_from(question: Question) -> dict:
    """What the article form starts with: the question's title, its text and the solution."""
    solution = accepted_answer(question.id)
    body = f"{question.body}\n\n## " + str(_l("Solution")) + f"\n\n{solution.body}" \
        if solution else question.body
    return {"title": question.title, "body": body, "category_id": question.category_id}


def check_publishable(question_id: int) -> Question:
    """The question, if it may become an article now; else why not (CommunityError)."""
    question = db.session.get(Question, question_id)
    if question is None or question.hidden_at is not None:
        raise CommunityError(_l("This question does not exist or was hidden."))
    if question.solved_at is None:
        raise CommunityError(_l("Only a solved question can become an article."))
    if article_for(question.id) is not None:
        raise CommunityError(_l("This question already has an article."))
    return question


def publish(staff, question_id: int, *, title: str, body: str, category_id) -> Article:
    """Turn a solved question into an article (once per question)."""
    if not staff.is_staff:
        raise CommunityError(_l("Only the team can write articles."))
    question = check_publishable(question_id)
    title, body = checked_title(title), _body(body)
    category = checked_category(category_id)
    article = Article(slug=_free_slug(title), title=title, body=body,
                      body_html=str(render(body)), category_id=category.id,
                      question_id=question.id, author_id=staff.id)
    try:
        with db.session.begin_nested():
            db.session.add(article)
            db.session.flush()
    except IntegrityError:  # two staff publishing the same question at once
        raise CommunityError(_l("This question already has an article.")) from None
    audit.record(staff, PUBLISHED, "article", article.id, question_id=question.id)
    return article


def edit(staff, article_id: int, *, title: str, body: str, category_id) -> Article:
    """Change an article's text or category; its address stays the same."""
    if not staff.is_staff:
        raise CommunityError(_l("Only the team can write articles."))
    article = db.session.get(Article, article_id)
    if article is None:
        raise CommunityError(_l("This article does not exist."))
    article.title, article.body = checked_title(title), _body(body)
    article.body_html = str(render(article.body))
    article.category_id = checked_category(category_id).id
    db.session.flush()
    audit.record(staff, EDITED, "article", article.id)
    return article


def article_for(question_id: int) -> Article | None:
    return db.session.scalar(select(Article).where(Article.question_id == question_id))


def by_slug(slug: str) -> Article | None:
    return db.session.scalar(select(Article).where(Article.slug == slug))


def by_category(latest: int = 5) -> list[tuple[Category, int, list[Article]]]:
    """Every category with its number of articles and its newest few (three queries,
    however many articles there are)."""
    categories = list(db.session.scalars(select(Category).order_by(Category.position,
                                                                    Category.name)))
    counts = dict(db.session.execute(select(Article.category_id, func.count())
                                     .group_by(Article.category_id)).all())
    place = func.row_number().over(partition_by=Article.category_id,
                                   order_by=(Article.created_at.desc(), Article.id.desc()))
    newest = select(Article.id, place.label("place")).subquery()
    articles: dict[int, list[Article]] = {}
    for article in db.session.scalars(
            select(Article).join(newest, newest.c.id == Article.id)
            .where(newest.c.place <= latest)
            .order_by(Article.created_at.desc(), Article.id.desc())):
        articles.setdefault(article.category_id, []).append(article)
    return [(category, counts.get(category.id, 0), articles.get(category.id, []))
            for category in categories]


def in_category(category_id: int):
    """The articles of one category, newest first (a select to paginate)."""
    return (select(Article).where(Article.category_id == category_id)
            .order_by(Article.created_at.desc(), Article.id.desc()))


def article_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Article))
