"""The question list, a question page and search run a fixed number of SQL queries,
however many questions, answers, votes, flags and hits there are."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lab.community import knowledge, moderation, posts, solutions, votes
from lab.community.models import Answer
from lab.extensions import db
from tests.support import page_queries

LIMIT = 12
ARTICLE_BODY = ("So richten Sie WLAN-Call ein: Einstellungen, Verbindungen, WLAN-Call "
                "einschalten, dann das Telefon neu starten.")


def _assert_same(few: list[str], many: list[str]) -> None:
    assert len(many) == len(few), "\n".join(many)
    assert len(few) <= LIMIT, "\n".join(few)


@pytest.fixture
def member(auth, make_member):
    return auth.login(make_member(locale="en"))


@pytest.fixture
def staff(auth, make_staff):
    return auth.login(make_staff(locale="en"))


@pytest.fixture
def busy_questions(make_member, make_question, make_answer):
    """make(n): n questions, each tagged, answered, voted on, some solved and joined."""

    def make(count: int) -> None:
        for number in range(count):
            asker = make_member()
            question = make_question(asker, title=f"WLAN bricht ab, Frage {number}",
                                     tags=f"wlan, router{number % 3}")
            answer = make_answer(question, body=f"Router neu starten, Antwort {number}")
            votes.vote(make_member(), answer.id)
            posts.me_too(make_member(), question.id)
            if number % 2:
                solutions.accept(asker, question.id, answer.id)

    return make


@pytest.fixture
def thread(make_member, make_question, make_answer):
    """make(answers, votes_each, flags): a question with its answers, votes and flags."""

    def make(answers: int, votes_each: int, flags: int, viewer=None):
        asker = make_member()
        question = make_question(asker)
        posted = [make_answer(question, body=f"Antwort Nummer {n}") for n in range(answers)]
        for answer in posted:
            for _ in range(votes_each):
                votes.vote(make_member(), answer.id)
            if viewer is not None and votes_each:
                votes.vote(viewer, answer.id)
        for answer in posted[:flags]:
            moderation.flag(make_member(), "answer", answer.id, "Das ist Werbung hier.")
            if viewer is not None:
                moderation.flag(viewer, "answer", answer.id, "Das ist Werbung hier.")
        if posted and votes_each:
            solutions.accept(asker, question.id, posted[-1].id)
        return question

    return make


@pytest.mark.parametrize("query", ["", "?sort=unanswered", "?sort=me_too", "?sort=solved",
                                   "?category=mobilfunk", "?tag=wlan"])
def test_the_list_runs_the_same_queries_with_3_and_30_questions(client, member,
                                                                busy_questions, query):
    busy_questions(3)
    few = page_queries(client, "/community/" + query)
    busy_questions(27)
    _assert_same(few, page_queries(client, "/community/" + query))


def test_the_list_runs_the_same_queries_for_visitors(client, busy_questions):
    busy_questions(3)
    few = page_queries(client, "/community/")
    busy_questions(27)
    _assert_same(few, page_queries(client, "/community/"))


@pytest.mark.parametrize("who", ["visitor", "member", "staff"])
def test_a_question_page_runs_the_same_queries_with_few_and_many_answers_and_votes(
        client, auth, make_member, make_staff, thread, who):
    viewer = None
    if who == "member":
        viewer = auth.login(make_member(locale="en"))
    elif who == "staff":
        viewer = auth.login(make_staff(locale="en"))
    quiet = thread(answers=2, votes_each=0, flags=0)
    busy = thread(answers=20, votes_each=2, flags=5, viewer=viewer)
    if who == "staff":
        moderation.hide(viewer, "answer", _first_answer(busy), "Werbung hier")
    few = page_queries(client, f"/community/q/{quiet.id}")
    _assert_same(few, page_queries(client, f"/community/q/{busy.id}"))


def _first_answer(question) -> int:
    return db.session.scalar(select(Answer.id).where(Answer.question_id == question.id)
                             .order_by(Answer.id))


def _with_article(make_member, make_question, make_answer, staff, title):
    asker = make_member()
    question = make_question(asker, title=title)
    solutions.accept(asker, question.id, make_answer(question).id)
    knowledge.publish(staff, question.id, title=title, body=ARTICLE_BODY,
                      category_id=question.category_id)


def test_search_runs_the_same_queries_with_few_and_many_hits(client, member, make_member,
                                                             make_staff, make_question,
                                                             make_answer, busy_questions):
    staff = make_staff()
    _with_article(make_member, make_question, make_answer, staff,
                  "WLAN-Call auf dem Pixel einrichten")
    busy_questions(2)
    few = page_queries(client, "/community/search?q=wlan")
    for number in range(5):
        _with_article(make_member, make_question, make_answer, staff,
                      f"WLAN-Call einrichten, Teil {number}")
    busy_questions(25)
    _assert_same(few, page_queries(client, "/community/search?q=wlan"))
    # a later page may hold questions only: one query fewer (no articles to load)
    assert len(page_queries(client, "/community/search?q=wlan&page=2")) <= len(few)
