"""Factories of the community tests: questions and answers made through the services."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from lab.community import posts
from lab.community.models import Category
from lab.extensions import db

_numbers = itertools.count(1)


def category(slug: str = "mobilfunk") -> Category:
    """One of the five default categories the migration brings."""
    return db.session.scalar(select(Category).where(Category.slug == slug))


@pytest.fixture
def make_question(make_member):
    """make_question(author=None, title=..., body=..., category="mobilfunk", tags="")."""

    def make(author=None, *, title=None, body=None, category_slug="mobilfunk", tags=""):
        number = next(_numbers)
        return posts.ask(author or make_member(),
                         title=title or f"Kein Netz im Keller, Frage {number}",
                         body=body or "Seit dem Update habe ich im Keller gar kein Netz mehr.",
                         category_id=category(category_slug).id, tags=tags)

    return make


@pytest.fixture
def make_answer(make_member):
    """make_answer(question, author=None, body=...)."""

    def make(question, author=None, *, body="WLAN-Call in den Einstellungen einschalten."):
        return posts.answer(author or make_member(), question.id, body=body)

    return make
