"""Asking and answering: what a question and an answer need, Markdown made safe, tags,
locked threads, the edit window, the pace of new members, "me too", and the response
clock that waits for the first answer."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from lab.community import posts
from lab.community.models import MeToo, Question
from lab.core.clock import frozen_at, utcnow
from lab.extensions import db
from lab.notify import clocks
from tests.community.conftest import category

XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
       "[klick](javascript:alert(1))", "<a href=\"javascript:alert(1)\">x</a>",
       "<svg onload=alert(1)>", "<iframe src=//evil.example></iframe>",
       "<div style=\"background:url(javascript:alert(1))\">x</div>"]


class _Elements(HTMLParser):
    """The tags and attributes of an HTML fragment (escaped text is text, not markup)."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def _dangerous(html: str) -> list:
    return [(tag, attrs) for tag, attrs in _Elements(html).found
            if tag in ("script", "img", "svg", "iframe", "div", "style")
            or any(name.startswith("on") or name == "style" for name in attrs)
            or (attrs.get("href") or "").strip().lower().startswith("javascript:")]


def test_a_question_keeps_title_body_category_and_tags(make_member):
    member = make_member()
    question = posts.ask(member, title="Kein Netz im Keller",
                         body="Seit dem Update **kein** Netz.", category_id=category().id,
                         tags="Netz, 5G  keller")
    assert (question.title, question.category.slug) == ("Kein Netz im Keller", "mobilfunk")
    assert [t.name for t in question.tags] == ["5g", "keller", "netz"]
    assert "<strong>kein</strong>" in question.body_html


@pytest.mark.parametrize("payload", XSS)
def test_script_and_html_in_a_post_are_neutralised(make_member, make_question, payload):
    question = make_question(body=f"Mein Problem: {payload} bitte helfen")
    answer = posts.answer(make_member(), question.id, body=f"Versuch das: {payload}")
    for html in (question.body_html, answer.body_html):
        assert _dangerous(html) == [], html
        assert "bitte helfen" in question.body_html  # the text around it is kept


@pytest.mark.parametrize(("field", "values"), [
    ("title", {"title": "   "}), ("title", {"title": "Kurz"}), ("title", {"title": "x" * 161}),
    ("body", {"body": ""}), ("body", {"body": "zu kurz"}), ("body", {"body": "y" * 10_001}),
    ("category_id", {"category_id": None}), ("category_id", {"category_id": 999_999}),
    ("tags", {"tags": "a, b, c, d, e, f"}), ("tags", {"tags": "<b>"})])
def test_a_bad_question_is_refused_naming_the_field_and_nothing_is_saved(make_member, field,
                                                                        values):
    member = make_member()
    fields = {"title": "Kein Netz im Keller", "body": "Seit dem Update kein Netz mehr.",
              "category_id": category().id, "tags": ""} | values
    with pytest.raises(posts.CommunityError) as refused:
        posts.ask(member, **fields)
    assert refused.value.field == field
    assert db.session.scalar(select(Question).where(Question.author_id == member.id)) is None


def test_an_answer_counts_on_its_question_and_a_staff_answer_is_official(
        make_question, make_member, make_staff):
    question = make_question()
    posts.answer(make_member(), question.id, body="Hilft ein Neustart?")
    official = posts.answer(make_staff(), question.id, body="Wir prüfen das, bitte DM.")
    assert question.answer_count == 2 and official.official


def test_a_locked_or_hidden_question_takes_no_answers(make_question, make_member):
    locked, hidden = make_question(), make_question()
    locked.locked_at = hidden.hidden_at = utcnow()
    for question in (locked, hidden):
        with pytest.raises(posts.CommunityError):
            posts.answer(make_member(), question.id, body="Noch eine Idee.")
    assert (locked.answer_count, hidden.answer_count) == (0, 0)


def test_the_first_answer_of_someone_else_stops_the_question_clock(make_question,
                                                                    make_member):
    asker = make_member()
    question = make_question(asker)
    assert clocks.clock_of(posts.CLOCK_KIND, question.id).responded_at is None
    posts.answer(asker, question.id, body="Nachtrag: auch im Garten.")
    assert clocks.clock_of(posts.CLOCK_KIND, question.id).responded_at is None
    posts.answer(make_member(), question.id, body="Probier WLAN-Call.")
    assert clocks.clock_of(posts.CLOCK_KIND, question.id).responded_at is not None


def test_authors_edit_within_the_window_and_staff_always(app, make_question, make_member,
                                                         make_staff):
    author = make_member()
    question = make_question(author)
    later = question.created_at + timedelta(minutes=app.config["COMMUNITY_EDIT_MINUTES"] + 1)
    posts.edit_question(author, question.id, title="Kein Netz im Keller (Bonn)",
                        body="Seit dem Update kein Netz.", category_id=category().id,
                        tags="keller")
    with frozen_at(later):
        with pytest.raises(posts.CommunityError):
            posts.edit_question(author, question.id, title="Ganz anderer Titel hier",
                                body="Ganz anderer Text hier.", category_id=category().id,
                                tags="")
        posts.edit_question(make_staff(), question.id, title="Kein Netz im Keller in Bonn",
                            body="Seit dem Update kein Netz.", category_id=category().id,
                            tags="keller")
    assert question.title == "Kein Netz im Keller in Bonn"


def test_nobody_else_edits_a_members_answer(make_question, make_answer, make_member):
    answer = make_answer(make_question())
    with pytest.raises(posts.CommunityError):
        posts.edit_answer(make_member(), answer.id, body="Übernommen!")


def test_new_members_post_only_a_few_times_an_hour(app, make_member, make_question):
    newcomer = make_member()
    limit = app.config["NEW_MEMBER_POSTS_PER_HOUR"]
    for _ in range(limit):
        make_question(newcomer)
    with pytest.raises(posts.CommunityError):
        make_question(newcomer)
    with frozen_at(utcnow() + timedelta(hours=1, minutes=1)):
        make_question(newcomer)


def test_helpers_are_not_slowed_down(app, make_member, make_question):
    helper = make_member(reputation=100)
    for _ in range(app.config["NEW_MEMBER_POSTS_PER_HOUR"] + 1):
        make_question(helper)


def test_me_too_counts_each_member_once_and_can_be_taken_back(make_question, make_member):
    question, member = make_question(), make_member()
    assert posts.me_too(member, question.id) is True
    assert posts.me_too(member, question.id) is False
    assert question.me_too_count == 1
    assert posts.undo_me_too(member, question.id) is True
    db.session.refresh(question)
    assert question.me_too_count == 0
    assert db.session.get(MeToo, (question.id, member.id)) is None


def test_the_asker_cannot_say_me_too_to_their_own_question(make_question, make_member):
    asker = make_member()
    question = make_question(asker)
    with pytest.raises(posts.CommunityError):
        posts.me_too(asker, question.id)


def test_an_unanswered_question_past_its_target_shows_among_the_overdue_items(
        app, make_question):
    question = make_question(title="Router blinkt rot seit gestern")
    with frozen_at(utcnow() + timedelta(hours=25)):
        waiting, _total = clocks.overdue()
    item = next(i for i in waiting if i.clock.subject_id == question.id)
    assert (item.subject.title, item.subject.link) == ("Router blinkt rot seit gestern",
                                                       f"/community/q/{question.id}")


def test_headings_in_an_answer_start_below_the_answers_own_heading(make_question,
                                                                    make_answer):
    answer = make_answer(make_question(), body="# Lösung\n\nSo geht es.\n\n## Schritt 1\n\nA")
    assert "<h4>Lösung</h4>" in answer.body_html
    assert "<h5>Schritt 1</h5>" in answer.body_html
