"""The staff community pages: the moderation queue, a post's moderation page (hide,
restore, dismiss, lock, unlock, duplicate), knowledge-base articles from solved questions,
and the community on the staff dashboard."""

from __future__ import annotations

import html as html_lib
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from lab.community import knowledge, moderation, posts, solutions, votes
from lab.community.models import Article, Question
from lab.community.posts import CommunityError
from lab.core.clock import frozen_at
from lab.extensions import db
from lab.rewards import rules
from lab.rewards.models import LedgerEntry
from tests.campaigns.conftest import english  # noqa: F401  (fixture used here)
from tests.community.conftest import category
from tests.rewards.helpers import audited, notifications
from tests.support import count_queries, csrf_token, post_form

pytestmark = pytest.mark.usefixtures("english")

T0 = datetime(2025, 3, 3, 9, 0)
QUEUE = "/staff/moderation"
REASON = "Contains a customer's phone number."
HUGE = 2**40
ARTICLE_BODY = ("Im Keller hilft WLAN-Call: Einstellungen, Mobilfunk, WLAN-Call einschalten. "
                "Danach klappt Telefonieren auch ohne Netz.")


# ---- helpers -----------------------------------------------------------------------------

def _post_url(kind: str, post_id: int, action: str | None = None) -> str:
    return f"{QUEUE}/{kind}/{post_id}" + (f"/{action}" if action else "")


def _page(client, url: str) -> str:
    db.session.commit()
    answer = client.get(url)
    assert answer.status_code == 200, url
    return answer.get_data(as_text=True)


def _post(client, url: str, data: dict, page: str):
    db.session.commit()
    answer = post_form(client, url, data, page=page)
    db.session.expire_all()
    return answer


def _decide(client, kind: str, post_id: int, action: str, data: dict | None = None):
    """Send one of the forms of a post's moderation page."""
    return _post(client, _post_url(kind, post_id, action), data or {},
                 page=_post_url(kind, post_id))


def _error_of(html: str, field_id: str) -> str:
    """The text of the error shown beside a field."""
    match = re.search(rf'<div id="{field_id}-error"[^>]*>(.*?)</div>', html, re.S)
    assert match, f"no error beside {field_id}"
    return html_lib.unescape(" ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split()))


def _text(html: str) -> str:
    return html_lib.unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()))


def _queue_rows(html: str) -> list[str]:
    return re.findall(r'<tr id="flagged-(\w+-\d+)"', html)


def _queue_row(html: str, kind: str, post_id: int) -> str:
    match = re.search(rf'<tr id="flagged-{kind}-{post_id}">(.*?)</tr>', html, re.S)
    assert match, f"no row of {kind} {post_id}"
    return _text(match.group(1))


def _article_slug_of(location: str) -> str:
    match = re.fullmatch(r"/community/kb/([a-z0-9-]+)", location)
    assert match, location
    return match.group(1)


@pytest.fixture
def staff(auth, make_staff):
    return auth.login(make_staff(locale="en"))


@pytest.fixture
def thread(make_member, make_question, make_answer):
    """(asker, question, answerer, answer)"""
    asker, answerer = make_member(locale="en"), make_member(locale="en")
    question = make_question(asker, title="Kein Netz im Keller seit dem Update")
    return asker, question, answerer, make_answer(question, answerer,
                                                  body="Ruf einfach 0171 1234567 an.")


@pytest.fixture
def flagged_answer(thread, make_member):
    """The thread's answer, voted helpful once and flagged by one member."""
    asker, question, answerer, answer = thread
    votes.vote(make_member(), answer.id)
    moderation.flag(make_member(), "answer", answer.id, REASON)
    return thread


@pytest.fixture
def solved(thread):
    """The thread with its answer accepted by the asker."""
    asker, question, _answerer, answer = thread
    solutions.accept(asker, question.id, answer.id)
    return thread


# ---- who may -----------------------------------------------------------------------------

PAGES = ["{q}", "{a}", "new_article", "edit_article", "queue"]
ACTIONS = ["hide", "restore", "dismiss", "lock", "unlock", "duplicate", "new_article",
           "edit_article"]


@pytest.fixture
def urls(solved, staff):
    """Every staff community page and action of one solved thread with an article."""
    _asker, question, _answerer, answer = solved
    article = knowledge.publish(staff, question.id, title="WLAN-Call im Keller einrichten",
                                body=ARTICLE_BODY, category_id=question.category_id)
    other = question.id  # any question: the check comes before the lookup
    return {
        "queue": QUEUE, "{q}": _post_url("question", question.id),
        "{a}": _post_url("answer", answer.id),
        "hide": _post_url("answer", answer.id, "hide"),
        "restore": _post_url("answer", answer.id, "restore"),
        "dismiss": _post_url("question", question.id, "dismiss"),
        "lock": _post_url("question", question.id, "lock"),
        "unlock": _post_url("question", question.id, "unlock"),
        "duplicate": _post_url("question", question.id, "duplicate"),
        "new_article": f"/staff/kb/new/{other}",
        "edit_article": f"/staff/kb/{article.id}/edit",
    }


@pytest.mark.parametrize("page", PAGES)
def test_members_get_403_on_every_staff_community_page(client, auth, make_member, urls,
                                                        page):
    auth.login(make_member())
    assert client.get(urls[page]).status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in_from_every_staff_community_page(
        client, auth, urls, page):
    auth.logout()
    answer = client.get(urls[page])
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("action", ACTIONS)
def test_members_get_403_on_every_staff_community_action(client, auth, make_member, urls,
                                                          action):
    auth.login(make_member())
    answer = _post(client, urls[action], {"reason": REASON, "original_id": "1",
                                          "title": "x", "body": "y"}, page="/")
    assert answer.status_code == 403


@pytest.mark.parametrize("action", ACTIONS)
def test_anonymous_visitors_are_sent_to_sign_in_from_every_staff_community_action(
        client, auth, urls, action):
    auth.logout()
    answer = _post(client, urls[action], {"reason": REASON}, page="/")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login?next=")


def test_a_member_cannot_hide_a_post(client, auth, make_member, flagged_answer):
    *_, answer = flagged_answer
    auth.login(make_member())
    _decide(client, "answer", answer.id, "hide", {"hide_reason": REASON})
    assert db.session.get(type(answer), answer.id).hidden_at is None


# ---- the queue ---------------------------------------------------------------------------

def test_the_queue_lists_flagged_posts_longest_waiting_first_with_reasons_and_reporters(
        client, staff, thread, make_member, make_question):
    _asker, question, answerer, answer = thread
    other = make_question(title="Router blinkt rot nach dem Gewitter")
    anna, ben, carl = (make_member(f"anna{n}", locale="en") for n in "123")
    with frozen_at(T0):
        moderation.flag(anna, "answer", answer.id, REASON)
    with frozen_at(T0 + timedelta(hours=1)):
        moderation.flag(ben, "answer", answer.id, "Spam, please remove.")
        moderation.flag(carl, "question", other.id, "Asked three times already.")
    with frozen_at(T0 + timedelta(hours=3)):
        html = _page(client, QUEUE)
    assert _queue_rows(html) == [f"answer-{answer.id}", f"question-{other.id}"]
    row = _queue_row(html, "answer", answer.id)
    assert row.startswith(f"Answer {question.title} Ruf einfach 0171 1234567 an.")
    assert f"@{answerer.handle} 2 3 h ago" in row
    assert f"@{anna.handle}" in row and REASON in row
    assert f"@{ben.handle}" in row and "Spam, please remove." in row
    assert f'href="/community/q/{question.id}#answer-{answer.id}"' in html
    assert f'href="/community/q/{other.id}"' in html
    assert f'href="{_post_url("answer", answer.id)}"' in html
    assert f'href="{_post_url("question", other.id)}"' in html


def test_an_empty_queue_says_so_kindly(client, staff):
    html = _page(client, QUEUE)
    assert "Nothing to moderate: no flagged post is waiting." in html
    assert 'id="queue"' not in html


def test_the_queue_is_paginated_by_25(client, staff, make_question, make_member):
    reporter = make_member()
    for _ in range(26):
        moderation.flag(reporter, "question", make_question().id, REASON)
    assert len(_queue_rows(_page(client, QUEUE))) == 25
    assert len(_queue_rows(_page(client, QUEUE + "?page=2"))) == 1


def test_the_queue_runs_the_same_queries_with_few_and_many_flags(
        client, staff, make_question, make_answer, make_member):
    reporters = [make_member() for _ in range(3)]

    def flag_posts(count: int, flags: int) -> None:
        for number in range(count):
            question = make_question()
            if number % 2:
                moderation.flag(reporters[0], "question", question.id, REASON)
                continue
            answer = make_answer(question)
            for reporter in reporters[:flags]:
                moderation.flag(reporter, "answer", answer.id, REASON)

    def queries() -> list[str]:
        db.session.commit()
        with count_queries() as statements:
            answer = client.get(QUEUE)
        assert answer.status_code == 200
        return statements

    flag_posts(2, flags=1)
    few = queries()
    flag_posts(18, flags=3)
    many = queries()
    assert len(_queue_rows(client.get(QUEUE).get_data(as_text=True))) == 20
    assert len(many) == len(few), "\n".join(many)
    assert len(few) <= 12, "\n".join(few)


# ---- hide and restore --------------------------------------------------------------------

def test_hiding_a_flagged_answer_takes_it_out_of_the_queue(client, staff, flagged_answer):
    *_, answer = flagged_answer
    answer_page = _decide(client, "answer", answer.id, "hide", {"hide_reason": REASON})
    assert answer_page.status_code == 302 and answer_page.headers["Location"] == QUEUE
    assert db.session.get(type(answer), answer.id).hidden_at is not None
    assert _queue_rows(_page(client, QUEUE)) == []


def test_hiding_tells_the_author_the_reason(client, staff, flagged_answer):
    _asker, question, answerer, answer = flagged_answer
    _decide(client, "answer", answer.id, "hide", {"hide_reason": REASON})
    (note,) = notifications(answerer, "community.hidden")
    assert note.params["reason"] == REASON and note.params["title"] == question.title


def test_hiding_is_audited(client, staff, flagged_answer):
    *_, answer = flagged_answer
    _decide(client, "answer", answer.id, "hide", {"hide_reason": REASON})
    (entry,) = audited("community.hidden", "answer", answer.id)
    assert entry.actor_id == staff.id and entry.details["reason"] == REASON


def test_hiding_reverses_the_answers_helpful_vote_points(client, staff, flagged_answer):
    _asker, _question, answerer, answer = flagged_answer
    _decide(client, "answer", answer.id, "hide", {"hide_reason": REASON})
    paid, reversal = db.session.scalars(select(LedgerEntry).where(
        LedgerEntry.member_id == answerer.id).order_by(LedgerEntry.id))
    assert paid.reason == rules.HELPFUL_VOTE
    assert reversal.reverses_id == paid.id and reversal.amount == -paid.amount
    db.session.refresh(answerer)
    assert answerer.reputation == 0


def test_restoring_a_hidden_answer_shows_it_again_and_tells_the_author(
        client, staff, flagged_answer):
    _asker, question, answerer, answer = flagged_answer
    _decide(client, "answer", answer.id, "hide", {"hide_reason": REASON})
    answer_page = _decide(client, "answer", answer.id, "restore",
                          {"restore_reason": "The number was a hotline."})
    assert answer_page.status_code == 302 and answer_page.headers["Location"] == QUEUE
    assert db.session.get(type(answer), answer.id).hidden_at is None
    assert db.session.get(Question, question.id).answer_count == 1
    (note,) = notifications(answerer, "community.restored")
    assert note.params["reason"] == "The number was a hotline."


def test_the_page_of_a_hidden_post_shows_why_and_offers_to_restore(
        client, staff, flagged_answer):
    *_, answer = flagged_answer
    _decide(client, "answer", answer.id, "hide", {"hide_reason": REASON})
    html = _page(client, _post_url("answer", answer.id))
    assert REASON in _text(html[html.index('id="hidden-reason"'):])
    assert f"@{staff.handle}" in html[html.index('id="post-status"'):
                                      html.index('id="hidden-reason"')]
    assert 'id="restore-form"' in html and 'id="hide-form"' not in html
    assert "post hidden" in html[html.index('id="resolved-flags"'):]


def test_hiding_without_a_reason_shows_the_message_beside_the_field(
        client, staff, flagged_answer):
    *_, answer = flagged_answer
    answer_page = _decide(client, "answer", answer.id, "hide", {"hide_reason": "  "})
    assert answer_page.status_code == 422
    html = answer_page.get_data(as_text=True)
    assert _error_of(html, "hide_reason") == "Please give the reason the author will read."
    assert db.session.get(type(answer), answer.id).hidden_at is None


def test_a_too_short_reason_is_kept_with_its_message(client, staff, flagged_answer):
    *_, answer = flagged_answer
    answer_page = _decide(client, "answer", answer.id, "hide", {"hide_reason": "spam"})
    assert answer_page.status_code == 422
    html = answer_page.get_data(as_text=True)
    assert "at least 5 characters" in _error_of(html, "hide_reason")
    assert re.search(r'<textarea[^>]*id="hide_reason"[^>]*>\s*spam</textarea>', html)


def test_dismissing_the_flags_keeps_the_post_and_empties_the_queue(
        client, staff, flagged_answer):
    _asker, _question, answerer, answer = flagged_answer
    answer_page = _decide(client, "answer", answer.id, "dismiss")
    assert answer_page.status_code == 302 and answer_page.headers["Location"] == QUEUE
    assert db.session.get(type(answer), answer.id).hidden_at is None
    assert _queue_rows(_page(client, QUEUE)) == []
    assert notifications(answerer, "community.hidden") == []


# ---- lock and duplicate ------------------------------------------------------------------

def test_a_locked_thread_refuses_new_answers(client, staff, thread, make_member):
    _asker, question, _answerer, _answer = thread
    answer_page = _decide(client, "question", question.id, "lock",
                          {"lock_reason": "Heated discussion, answered in full."})
    assert answer_page.headers["Location"] == _post_url("question", question.id)
    with pytest.raises(CommunityError, match="locked"):
        posts.answer(make_member(), question.id, body="Noch eine Idee dazu.")


def test_unlocking_opens_the_thread_again(client, staff, thread, make_member):
    _asker, question, _answerer, _answer = thread
    moderation.lock(staff, question.id, "Heated discussion.")
    answer_page = _decide(client, "question", question.id, "unlock")
    assert answer_page.headers["Location"] == _post_url("question", question.id)
    assert posts.answer(make_member(), question.id, body="Noch eine Idee dazu.").id


def test_locking_without_a_reason_shows_the_message_beside_the_field(
        client, staff, thread):
    _asker, question, _answerer, _answer = thread
    answer_page = _decide(client, "question", question.id, "lock", {"lock_reason": ""})
    assert answer_page.status_code == 422
    assert _error_of(answer_page.get_data(as_text=True), "lock_reason") == (
        "Please say why the thread is locked.")


@pytest.mark.parametrize("typed, expected", [
    ("abc", "Please give the number of the original question, e.g. 1234."),
    ("", "Please give the number of the original question."),
    ("{self}", "A question cannot be a duplicate of itself."),
    ("#{self}", "A question cannot be a duplicate of itself."),
    ("{hidden}", "There is no visible question with this number."),
    ("2147483000", "There is no visible question with this number."),
    (str(HUGE), "There is no question with this number."),
    ("1" * 40, "There is no question with this number."),
])
def test_a_bad_original_number_shows_the_message_beside_the_field(
        client, staff, thread, make_question, typed, expected):
    _asker, question, _answerer, _answer = thread
    hidden = make_question()
    moderation.hide(staff, "question", hidden.id, "Off topic, sorry.")
    typed = typed.format(self=question.id, hidden=hidden.id)
    answer_page = _decide(client, "question", question.id, "duplicate",
                          {"original_id": typed})
    assert answer_page.status_code == 422
    html = answer_page.get_data(as_text=True)
    assert _error_of(html, "original_id") == expected
    assert f'value="{typed}"' in html or not typed
    assert db.session.get(Question, question.id).duplicate_of_id is None


def test_marking_a_duplicate_moves_its_me_toos_to_the_original(
        client, staff, make_question, make_member):
    original = make_question(title="WLAN-Call geht nicht im Keller")
    copy = make_question(title="Keller: kein Empfang, WLAN-Call?")
    for _ in range(2):
        posts.me_too(make_member(), copy.id)
    posts.me_too(make_member(), original.id)
    answer_page = _decide(client, "question", copy.id, "duplicate",
                          {"original_id": f"#{original.id}"})
    assert answer_page.headers["Location"] == _post_url("question", copy.id)
    copy, original = db.session.get(Question, copy.id), db.session.get(Question, original.id)
    assert copy.duplicate_of_id == original.id and copy.locked_at is not None
    assert original.me_too_count == 4  # its own, the two moved and the copy's asker
    assert copy.me_too_count == 0
    html = _page(client, _post_url("question", copy.id))
    assert f'href="/community/q/{original.id}"' in html[html.index('id="duplicate-of"'):]
    assert 'id="duplicate-form"' not in html and 'id="unlock-form"' not in html


# ---- the post page -----------------------------------------------------------------------

def test_a_posts_page_shows_its_body_author_and_open_flags(client, staff, flagged_answer):
    _asker, question, answerer, answer = flagged_answer
    html = _page(client, _post_url("answer", answer.id))
    assert "<p>Ruf einfach 0171 1234567 an.</p>" in html
    assert f"@{answerer.handle}" in html[html.index('id="post-author"'):]
    assert REASON in _text(html[html.index('id="open-flags"'):html.index('id="resolved-flags"')])
    assert 'id="hide-form"' in html and 'id="dismiss-form"' in html
    assert 'id="lock-form"' not in html  # threads are locked from the question's page
    assert f'href="/community/q/{question.id}#answer-{answer.id}"' in html


def test_a_questions_page_offers_lock_duplicate_and_an_article_once_solved(
        client, staff, solved):
    _asker, question, *_ = solved
    html = _page(client, _post_url("question", question.id))
    assert 'id="lock-form"' in html and 'id="duplicate-form"' in html
    assert 'id="dismiss-form"' not in html  # no open flags
    assert f'href="/staff/kb/new/{question.id}"' in html


@pytest.mark.parametrize("url", [
    "/staff/moderation/comment/1", f"/staff/moderation/question/{2**31 - 1}",
    f"/staff/moderation/answer/{HUGE}", f"/staff/moderation/question/{HUGE}",
    f"/staff/kb/new/{HUGE}", f"/staff/kb/{HUGE}/edit", f"/staff/kb/new/{2**31 - 1}",
    f"/staff/kb/{2**31 - 1}/edit"])
def test_unknown_posts_questions_and_articles_are_404(client, staff, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", [
    f"/staff/moderation/answer/{HUGE}/hide", "/staff/moderation/comment/1/hide",
    f"/staff/moderation/question/{2**31 - 1}/dismiss", f"/staff/moderation/question/{HUGE}/lock",
    f"/staff/moderation/question/{HUGE}/duplicate", f"/staff/kb/new/{HUGE}",
    f"/staff/kb/{HUGE}/edit"])
def test_actions_on_unknown_posts_are_404(client, staff, url):
    db.session.commit()
    answer = client.post(url, data={"csrf_token": csrf_token(client, QUEUE),
                                     "hide_reason": REASON})
    assert answer.status_code == 404


def test_a_decision_without_its_csrf_token_is_refused_with_400(client, staff, flagged_answer):
    *_, answer = flagged_answer
    db.session.commit()
    refused = client.post(_post_url("answer", answer.id, "hide"), data={"hide_reason": REASON})
    assert refused.status_code == 400
    db.session.expire_all()
    assert db.session.get(type(answer), answer.id).hidden_at is None


# ---- knowledge-base articles -------------------------------------------------------------

def test_the_article_form_starts_with_the_question_and_its_solution(client, staff, solved):
    _asker, question, _answerer, answer = solved
    html = _page(client, f"/staff/kb/new/{question.id}")
    assert f'value="{question.title}"' in html
    body = html_lib.unescape(html[html.index('id="body"'):])
    assert question.body in body and answer.body in body
    assert re.search(rf'<option selected value="{question.category_id}">', html)


def test_publishing_an_article_redirects_to_it_and_links_both_ways(client, staff, solved):
    _asker, question, *_ = solved
    answer_page = _post(client, f"/staff/kb/new/{question.id}",
                        {"title": "WLAN-Call im Keller einrichten", "body": ARTICLE_BODY,
                         "category_id": str(question.category_id)},
                        page=f"/staff/kb/new/{question.id}")
    assert answer_page.status_code == 302
    slug = _article_slug_of(answer_page.headers["Location"])
    article = knowledge.article_for(question.id)
    assert article.slug == slug == "wlan-call-im-keller-einrichten"
    assert article.question_id == question.id and article.author_id == staff.id
    html = _page(client, _post_url("question", question.id))
    assert f'href="/community/kb/{slug}"' in html


def test_an_unsolved_question_cannot_become_an_article(client, staff, thread):
    _asker, question, *_ = thread
    html = _page(client, f"/staff/kb/new/{question.id}")
    assert "Only a solved question can become an article." in _text(
        html[html.index('id="article-problem"'):])
    assert 'id="article-form"' not in html
    answer_page = post_form(client, f"/staff/kb/new/{question.id}",
                            {"title": "WLAN-Call im Keller einrichten", "body": ARTICLE_BODY,
                             "category_id": str(question.category_id)}, page=QUEUE)
    assert answer_page.status_code == 422
    assert "Only a solved question can become an article." in answer_page.get_data(
        as_text=True)
    assert knowledge.article_for(question.id) is None


def test_a_question_with_an_article_says_so_and_links_it(client, staff, solved):
    _asker, question, *_ = solved
    article = knowledge.publish(staff, question.id, title="WLAN-Call im Keller einrichten",
                                body=ARTICLE_BODY, category_id=question.category_id)
    html = _page(client, f"/staff/kb/new/{question.id}")
    problem = html[html.index('id="article-problem"'):]
    assert "This question already has an article." in problem
    assert f'href="/staff/kb/{article.id}/edit"' in problem


@pytest.mark.parametrize("fields, field_id, message", [
    ({"body": "Zu kurz."}, "body", "The article is too short: at least 50 characters"),
    ({"title": ""}, "title", "Please give your question a title."),
    ({"category_id": "999999"}, "category_id", "Please choose a category."),
    ({"category_id": "x"}, "category_id", "Please choose a category."),
])
def test_bad_article_input_shows_the_message_beside_the_field_and_keeps_the_input(
        client, staff, solved, fields, field_id, message):
    _asker, question, *_ = solved
    data = {"title": "WLAN-Call im Keller einrichten", "body": ARTICLE_BODY,
            "category_id": str(question.category_id)} | fields
    answer_page = _post(client, f"/staff/kb/new/{question.id}", data,
                        page=f"/staff/kb/new/{question.id}")
    assert answer_page.status_code == 422
    html = answer_page.get_data(as_text=True)
    assert _error_of(html, field_id).startswith(message)
    assert html_lib.escape(data["body"], quote=False) in html
    assert knowledge.article_for(question.id) is None


def test_editing_an_article_keeps_its_address(client, staff, solved):
    _asker, question, *_ = solved
    article = knowledge.publish(staff, question.id, title="WLAN-Call im Keller einrichten",
                                body=ARTICLE_BODY, category_id=question.category_id)
    url = f"/staff/kb/{article.id}/edit"
    assert 'value="WLAN-Call im Keller einrichten"' in _page(client, url)
    answer_page = _post(client, url, {"title": "WLAN-Call im Keller: so geht's",
                                      "body": ARTICLE_BODY + " Auch für das iPhone.",
                                      "category_id": str(category("geraete-zubehoer").id)},
                        page=url)
    assert answer_page.status_code == 302
    assert answer_page.headers["Location"] == f"/community/kb/{article.slug}"
    article = db.session.get(Article, article.id)
    assert article.title == "WLAN-Call im Keller: so geht's"
    assert article.category_id == category("geraete-zubehoer").id


def test_an_article_edit_without_a_title_shows_the_message_beside_it(client, staff, solved):
    _asker, question, *_ = solved
    article = knowledge.publish(staff, question.id, title="WLAN-Call im Keller einrichten",
                                body=ARTICLE_BODY, category_id=question.category_id)
    url = f"/staff/kb/{article.id}/edit"
    answer_page = _post(client, url, {"title": " ", "body": ARTICLE_BODY,
                                      "category_id": str(question.category_id)}, page=url)
    assert answer_page.status_code == 422
    assert _error_of(answer_page.get_data(as_text=True), "title") == (
        "Please give your question a title.")


def test_an_article_without_its_csrf_token_is_refused_with_400(client, staff, solved):
    _asker, question, *_ = solved
    db.session.commit()
    refused = client.post(f"/staff/kb/new/{question.id}", data={
        "title": "WLAN-Call im Keller einrichten", "body": ARTICLE_BODY,
        "category_id": str(question.category_id)})
    assert refused.status_code == 400
    assert "WLAN-Call im Keller einrichten" in refused.get_data(as_text=True)  # input kept
    assert knowledge.article_for(question.id) is None


# ---- the staff dashboard -----------------------------------------------------------------

def test_the_dashboard_shows_the_flags_waiting_and_links_the_queue(
        client, staff, flagged_answer, make_question, make_member):
    moderation.flag(make_member(), "question", make_question().id, REASON)
    html = _page(client, "/staff/")
    figure = html[html.index('id="flags-waiting"'):]
    assert figure.startswith(f'id="flags-waiting"><a href="{QUEUE}">'
                             "2 flagged posts wait for moderation</a>")


def test_a_question_waiting_past_its_24_hour_target_shows_on_the_dashboard(
        client, staff, make_question, make_answer):
    with frozen_at(T0):
        waiting = make_question(title="Kein Netz im Keller seit dem Update")
        answered = make_question(title="Router blinkt rot nach dem Gewitter")
    with frozen_at(T0 + timedelta(hours=2)):
        make_answer(answered, staff)
    with frozen_at(T0 + timedelta(hours=25)):
        html = _page(client, "/staff/")
    rows = re.findall(r'<tr id="overdue-question-(\d+)">(.*?)</tr>', html, re.S)
    assert [int(qid) for qid, _row in rows] == [waiting.id]
    assert _text(rows[0][1]) == ("Kein Netz im Keller seit dem Update Question Mobilfunk "
                                 "– 1 h not yet")
    assert f'href="/community/q/{waiting.id}"' in rows[0][1]
