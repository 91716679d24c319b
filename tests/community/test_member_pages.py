"""The community's member pages as members use them: the question list, asking with
similar questions, a thread with answers, votes, solutions and "me too", editing,
flagging, search and the knowledge base. Bad input comes back with a message beside the
field and the input kept, never a 500; posted HTML and script never reach the page."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from lab.community import knowledge, lists, moderation, posts, solutions, votes
from lab.community.models import Answer, Flag, HelpfulVote, MeToo, Question
from lab.community.posts import CommunityError
from lab.core.clock import frozen_at, utcnow
from lab.extensions import db
from tests.community.conftest import category
from tests.support import csrf_token, field_error, post_form, text

LONG_BODY = "Seit dem Update auf Android 15 bricht das WLAN jede Stunde ab."
ARTICLE_BODY = ("So richten Sie WLAN-Call ein: Einstellungen, Verbindungen, WLAN-Call "
                "einschalten, dann das Telefon neu starten.")


# ---- helpers -------------------------------------------------------------------------

def form_alert(answer) -> str:
    """The message above a form (alert-danger boxes), as text."""
    boxes = re.findall(r'<div class="alert alert-danger" role="alert">(.*?)</div>',
                       answer.get_data(as_text=True), re.S)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", " ".join(boxes))).split())


def count_of(model, **where) -> int:
    db.session.expire_all()
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def fresh(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def to_login(answer) -> bool:
    return answer.status_code == 302 and "/login" in answer.location


def position(page: str, answer_id: int) -> int:
    return page.index(f'id="answer-{answer_id}"')


class _Audit(HTMLParser):
    """Collects what must never come from posted text: script elements (other than the
    site's own files), event handler attributes, javascript: links, frames, SVG."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script" and not (values.get("src") or "").startswith("/"):
            self.problems.append(f"inline script {attrs}")
        if tag in ("iframe", "svg", "object", "embed"):
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.problems.append(f"{tag} {name}={value}")
            if name.lower() in ("href", "src", "action", "formaction") and \
                    re.sub(r"\s", "", (value or "")).lower().startswith("javascript:"):
                self.problems.append(f"{tag} {name}={value}")

    handle_startendtag = handle_starttag


def unsafe_markup(answer) -> list[str]:
    audit = _Audit()
    audit.feed(answer.get_data(as_text=True))
    return audit.problems


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "<svg onload=alert(1)>",
    '"><script>alert(1)</script>',
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="https://evil.example/"></iframe>',
    "<body onload=alert(1)>",
    "[click](JaVaScRiPt:alert(1))",
    "<div style=\"x\" onmouseover='alert(1)'>hover</div>",
]


# ---- fixtures ------------------------------------------------------------------------

@pytest.fixture
def member(auth, make_member):
    """A signed-in member trusted enough not to hit the new members' pace limit."""
    return auth.login(make_member(locale="en", reputation=100))


@pytest.fixture
def staff(auth, make_staff):
    return auth.login(make_staff(locale="en"))


@pytest.fixture
def thread(make_member, make_question, make_answer):
    """(asker, question, answerer, answer), committed."""
    asker = make_member(locale="en", reputation=100)
    answerer = make_member(locale="en", reputation=100)
    question = make_question(asker, tags="fritzbox, wlan")
    answer = make_answer(question, answerer)
    db.session.commit()
    return asker, question, answerer, answer


def solved_with_article(make_member, make_question, make_answer, make_staff, *,
                        title="WLAN-Call auf dem Pixel einrichten"):
    asker = make_member()
    question = make_question(asker, title=title)
    answer = make_answer(question)
    solutions.accept(asker, question.id, answer.id)
    article = knowledge.publish(make_staff(), question.id, title=title, body=ARTICLE_BODY,
                                category_id=question.category_id)
    db.session.commit()
    return question, article


def ask_data(**changes) -> dict:
    data = {"title": "Kein LTE nach dem Update auf dem Pixel 8",
            "body": LONG_BODY, "category_id": str(category("mobilfunk").id),
            "tags": "pixel, lte"}
    data.update(changes)
    return data


# ---- who sees what -------------------------------------------------------------------

def test_public_pages_render_for_anonymous_visitors(client, make_member, make_question,
                                                     make_answer, make_staff):
    question, article = solved_with_article(make_member, make_question, make_answer,
                                            make_staff)
    for url in ("/community/", "/community/?sort=unanswered", "/community/?sort=me_too",
                "/community/?sort=solved", "/community/?category=mobilfunk",
                "/community/?tag=wlan", "/community/?page=2&sort=bogus",
                f"/community/q/{question.id}", "/community/search",
                "/community/search?q=WLAN", "/community/kb/",
                "/community/kb/category/mobilfunk", f"/community/kb/{article.slug}",
                "/community/similar?title=WLAN-Call+Pixel"):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("path", ["/community/ask", "/community/q/{q}/edit",
                                  "/community/answers/{a}/edit",
                                  "/community/flag/question/{q}",
                                  "/community/flag/answer/{a}"])
def test_member_pages_send_anonymous_visitors_to_sign_in(client, thread, path):
    _asker, question, _answerer, answer = thread
    assert to_login(client.get(path.format(q=question.id, a=answer.id)))


@pytest.mark.parametrize("path", ["/community/q/{q}/answer", "/community/q/{q}/me-too",
                                  "/community/q/{q}/me-too/undo",
                                  "/community/answers/{a}/vote",
                                  "/community/answers/{a}/unvote",
                                  "/community/q/{q}/accept/{a}", "/community/q/{q}/unaccept"])
def test_buttons_send_anonymous_visitors_to_sign_in_and_change_nothing(client, thread,
                                                                       path):
    _asker, question, _answerer, answer = thread
    answer_page = post_form(client, path.format(q=question.id, a=answer.id),
                            {"body": "Ein anonymer Versuch"}, page="/community/")
    assert to_login(answer_page)
    assert count_of(Answer, question_id=question.id) == 1
    assert count_of(HelpfulVote) == 0 and count_of(MeToo) == 0


def test_a_member_reaches_the_ask_and_flag_pages(client, member, thread):
    _asker, question, _answerer, answer = thread
    assert client.get("/community/ask").status_code == 200
    assert client.get(f"/community/flag/question/{question.id}").status_code == 200
    assert client.get(f"/community/flag/answer/{answer.id}").status_code == 200


@pytest.mark.parametrize("url", ["/community/q/999999", "/community/q/999999/edit",
                                 "/community/answers/999999/edit",
                                 "/community/flag/question/999999",
                                 "/community/flag/answer/999999",
                                 "/community/flag/comment/1", "/community/kb/no-such-article",
                                 "/community/kb/category/no-such-category",
                                 "/community/?category=no-such-category",
                                 "/community/q/99999999999"])
def test_unknown_things_are_404(client, member, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("path", ["/community/answers/999999/vote",
                                  "/community/answers/999999/unvote",
                                  "/community/q/999999/me-too", "/community/q/999999/answer",
                                  "/community/q/{q}/accept/999999",
                                  "/community/q/999999/unaccept"])
def test_buttons_on_unknown_posts_are_404(client, member, thread, path):
    _asker, question, _answerer, _answer = thread
    answer = post_form(client, path.format(q=question.id), {"body": "Hallo zusammen"},
                       page="/community/")
    assert answer.status_code == 404


def test_a_hidden_question_is_404_for_members_and_visitors(client, auth, thread, make_staff,
                                                           make_member):
    _asker, question, _answerer, _answer = thread
    moderation.hide(make_staff(), "question", question.id, "Werbung für einen Shop")
    db.session.commit()
    assert client.get(f"/community/q/{question.id}").status_code == 404
    auth.login(make_member(locale="en"))
    assert client.get(f"/community/q/{question.id}").status_code == 404
    assert question.title not in client.get("/community/").get_data(as_text=True)


def test_staff_see_a_hidden_question_with_a_banner(client, staff, thread):
    _asker, question, _answerer, _answer = thread
    moderation.hide(staff, "question", question.id, "Werbung für einen Shop")
    db.session.commit()
    answer = client.get(f"/community/q/{question.id}")
    assert answer.status_code == 200
    assert "hidden-banner" in answer.get_data(as_text=True)
    assert "Werbung für einen Shop" in text(answer)


# ---- the list ------------------------------------------------------------------------

def test_the_list_shows_each_question_with_its_facts(client, member, make_member,
                                                     make_question, make_answer):
    asker = make_member("Fragerin", reputation=100)
    question = make_question(asker, title="Router verliert nachts die Verbindung",
                             category_slug="internet-festnetz", tags="fritzbox")
    make_answer(question)
    posts.me_too(make_member(), question.id)
    db.session.commit()
    page = text(client.get("/community/"))
    assert "Router verliert nachts die Verbindung" in page
    assert "Internet & Festnetz" in page and "#fritzbox" in page and "@Fragerin" in page
    assert "1 answer" in page and "1 “me too”" in page
    assert "ago" in page


def test_the_list_marks_solved_locked_and_duplicate_questions(client, member, make_staff,
                                                              make_member, make_question,
                                                              make_answer):
    staff = make_staff()
    asker = make_member()
    solved = make_question(asker, title="Gelöste Frage zum Router")
    solutions.accept(asker, solved.id, make_answer(solved).id)
    locked = make_question(title="Gesperrte Frage zum Router")
    moderation.lock(staff, locked.id, "Streit unter Mitgliedern")
    duplicate = make_question(title="Doppelte Frage zum Router")
    moderation.mark_duplicate(staff, duplicate.id, solved.id)
    db.session.commit()
    page = client.get("/community/").get_data(as_text=True)

    def row(question):
        return re.search(rf'id="question-{question.id}".*?</li>', page, re.S).group(0)

    assert "Solved" in row(solved)
    assert "Locked" in row(locked)
    assert "Duplicate" in row(duplicate)


def test_the_list_leaves_hidden_questions_out(client, member, make_staff, make_question):
    hidden = make_question(title="Versteckte Frage mit Werbung")
    shown = make_question(title="Sichtbare Frage zum Vertrag")
    moderation.hide(make_staff(), "question", hidden.id, "Werbung")
    db.session.commit()
    page = client.get("/community/").get_data(as_text=True)
    assert shown.title in page and hidden.title not in page


def test_the_list_sorts_by_newest_unanswered_me_too_and_solved(client, member, make_member,
                                                               make_question, make_answer):
    start = utcnow() - timedelta(hours=3)
    with frozen_at(start):
        old = make_question(title="Alte Frage Nummer eins")
    with frozen_at(start + timedelta(hours=1)):
        middle = make_question(title="Mittlere Frage Nummer zwei")
        make_answer(middle)
    with frozen_at(start + timedelta(hours=2)):
        new = make_question(title="Neue Frage Nummer drei")
    for _ in range(2):
        posts.me_too(make_member(), old.id)
    asker = db.session.get(Question, middle.id).author
    solutions.accept(asker, middle.id, db.session.scalar(
        select(Answer.id).where(Answer.question_id == middle.id)))
    db.session.commit()

    def order(sort):
        page = client.get(f"/community/?sort={sort}").get_data(as_text=True)
        found = [(page.find(q.title), q.title) for q in (old, middle, new)
                 if q.title in page]
        return [title for _, title in sorted(found)]

    assert order("newest") == [new.title, middle.title, old.title]
    assert order("unanswered") == [new.title, old.title]
    assert order("me_too")[0] == old.title
    assert order("solved") == [middle.title]


def test_the_list_filters_by_category_and_tag(client, member, make_question):
    phone = make_question(title="Frage zum Mobilfunk", tags="5g")
    tv = make_question(title="Frage zum Fernsehen", category_slug="tv-entertainment",
                       tags="receiver")
    db.session.commit()
    by_category = client.get("/community/?category=tv-entertainment").get_data(as_text=True)
    assert tv.title in by_category and phone.title not in by_category
    by_tag = client.get("/community/?tag=5G").get_data(as_text=True)
    assert phone.title in by_tag and tv.title not in by_tag


def test_the_list_is_paginated_by_25(client, member, make_question):
    titles = [make_question(title=f"Frage zur Seitenzahl {n:02d}").title for n in range(27)]
    db.session.commit()
    first = client.get("/community/").get_data(as_text=True)
    second = client.get("/community/?page=2").get_data(as_text=True)
    assert sum(title in first for title in titles) == 25
    assert sum(title in second for title in titles) == 2
    assert 'rel="next"' in first


def test_the_list_links_to_asking_searching_and_the_knowledge_base(client, member):
    page = client.get("/community/").get_data(as_text=True)
    assert 'href="/community/ask"' in page
    assert 'action="/community/search"' in page
    assert 'href="/community/kb/"' in page
    assert 'href="/community/?category=mobilfunk"' in page


# ---- asking --------------------------------------------------------------------------

def test_a_member_asks_a_question_and_lands_on_it(client, member):
    answer = post_form(client, "/community/ask", ask_data())
    assert answer.status_code == 302
    question = db.session.scalar(select(Question).where(Question.author_id == member.id))
    assert answer.location.endswith(f"/community/q/{question.id}")
    assert [tag.name for tag in question.tags] == ["lte", "pixel"]
    page = client.get(answer.location)
    assert "Your question is online" in text(page)
    assert "Kein LTE nach dem Update auf dem Pixel 8" in text(page)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"title": ""}, "title", "Please give your question a title."),
    ({"title": "Kurz"}, "title", "The title is too short"),
    ({"body": "x" * (posts.BODY_LENGTH[1] + 1)}, "body", "Your question is too long"),
    ({"body": ""}, "body", "Please describe your question."),
    ({"category_id": ""}, "category_id", "Please choose a category."),
    ({"category_id": "999999"}, "category_id", "Please choose a category."),
    ({"category_id": "abc"}, "category_id", "Please choose a category."),
    ({"category_id": "99999999999999999999"}, "category_id", "Please choose a category."),
    ({"tags": "gut, sch!echt"}, "tags", "is not a tag"),
    ({"tags": "a1, b2, c3, d4, e5, f6"}, "tags", "At most 5 tags"),
])
def test_bad_input_shows_the_message_beside_its_field_and_keeps_the_input(
        client, member, changes, field, message):
    data = ask_data(**changes)
    answer = post_form(client, "/community/ask", data)
    assert answer.status_code == 422
    assert message in (field_error(answer, field) or "")
    page = answer.get_data(as_text=True)
    for name in ("title", "tags"):
        if data[name]:
            assert f'value="{html_lib.escape(data[name])}"' in page
    if data["body"]:
        assert html_lib.escape(data["body"][:200]) in page
    assert count_of(Question, author_id=member.id) == 0


def test_the_ask_service_refuses_a_category_number_out_of_range(make_member):
    with pytest.raises(CommunityError) as refused:
        posts.ask(make_member(), title="Kein LTE nach dem Update", body=LONG_BODY,
                  category_id=10**20)
    assert refused.value.field == "category_id"


def test_the_chosen_category_stays_selected_after_an_error(client, member):
    tv = category("tv-entertainment")
    answer = post_form(client, "/community/ask", ask_data(title="", category_id=str(tv.id)))
    assert re.search(rf'<option selected value="{tv.id}">|<option value="{tv.id}" selected',
                     answer.get_data(as_text=True))


def test_a_new_member_over_the_pace_limit_is_told_above_the_form(client, auth, app,
                                                                 make_member,
                                                                 make_question):
    newcomer = make_member(locale="en")
    for _ in range(app.config["NEW_MEMBER_POSTS_PER_HOUR"]):
        make_question(newcomer)
    auth.login(newcomer)
    answer = post_form(client, "/community/ask", ask_data())
    assert answer.status_code == 422
    assert "New members can post" in form_alert(answer)
    assert field_error(answer, "title") is None
    assert "Kein LTE nach dem Update auf dem Pixel 8" in answer.get_data(as_text=True)
    assert count_of(Question, author_id=newcomer.id) == app.config["NEW_MEMBER_POSTS_PER_HOUR"]


def test_asking_without_a_csrf_token_is_refused(client, member):
    answer = client.post("/community/ask", data=ask_data())
    assert answer.status_code == 400
    assert count_of(Question, author_id=member.id) == 0


def test_the_title_field_asks_for_similar_questions(client, member):
    page = client.get("/community/ask").get_data(as_text=True)
    assert 'data-similar-url="/community/similar"' in page
    assert 'data-similar-target="similar-questions"' in page
    assert re.search(r'id="similar-questions"[^>]*aria-live="polite"', page)
    assert "js/similar.js" in page


def test_similar_questions_are_offered_as_json(client, make_question, make_member,
                                               make_answer):
    asker = make_member()
    question = make_question(asker, title="WLAN-Call auf dem Pixel funktioniert nicht")
    solutions.accept(asker, question.id, make_answer(question).id)
    db.session.commit()
    data = client.get("/community/similar?title=Pixel WLAN-Call geht nicht").get_json()
    found = {q["title"]: q for q in data["questions"]}
    assert question.title in found
    assert found[question.title]["url"] == f"/community/q/{question.id}"
    assert found[question.title]["solved"] is True
    assert found[question.title]["answer_count"] == 1
    assert found[question.title]["badge"]  # "solved", in the reader's language
    assert found[question.title]["note"].endswith(": 1")


def test_short_titles_get_no_similar_questions(client, make_question):
    make_question(title="Pi Pixel Problem mit dem Akku")
    db.session.commit()
    assert client.get("/community/similar?title=Pi").get_json() == {"questions": []}
    assert client.get("/community/similar").get_json() == {"questions": []}


def test_similar_questions_leave_hidden_ones_out(client, make_question, make_staff):
    hidden = make_question(title="Akku des Pixel leert sich über Nacht")
    moderation.hide(make_staff(), "question", hidden.id, "Doppelt gepostet")
    db.session.commit()
    data = client.get("/community/similar?title=Akku Pixel leer").get_json()
    assert hidden.title not in [q["title"] for q in data["questions"]]


# ---- the thread ----------------------------------------------------------------------

def test_the_question_page_shows_the_question_with_its_facts(client, member, make_member,
                                                             make_question):
    asker = make_member("Fragesteller", reputation=120)
    question = make_question(asker, title="Wie richte ich WLAN-Call ein?",
                             body="Ich finde **die Einstellung** nicht im Menü.",
                             tags="pixel, wlan-call")
    db.session.commit()
    answer = client.get(f"/community/q/{question.id}")
    page = answer.get_data(as_text=True)
    assert "<strong>die Einstellung</strong>" in page
    assert "@Fragesteller" in text(answer) and "Helper" in text(answer)
    assert "#pixel" in page and "#wlan-call" in page and "Mobilfunk" in page
    assert "edited" not in text(answer)


def test_answers_come_solution_first_then_most_helpful_then_oldest(client, member,
                                                                    make_member,
                                                                    make_question,
                                                                    make_answer):
    asker = make_member()
    question = make_question(asker)
    start = utcnow() - timedelta(hours=1)
    answers = []
    for minutes in range(4):
        with frozen_at(start + timedelta(minutes=minutes)):
            answers.append(make_answer(question, body=f"Antwort Nummer {minutes}"))
    oldest, popular, liked, accepted = answers
    for _ in range(2):
        votes.vote(make_member(), popular.id)
    votes.vote(make_member(), liked.id)
    solutions.accept(asker, question.id, accepted.id)
    db.session.commit()
    page = client.get(f"/community/q/{question.id}").get_data(as_text=True)
    assert [a.id for a in sorted(answers, key=lambda a: position(page, a.id))] == \
        [accepted.id, popular.id, liked.id, oldest.id]


def test_an_official_staff_answer_is_marked(client, member, make_question, make_answer,
                                            make_staff):
    question = make_question()
    official = make_answer(question, make_staff())
    db.session.commit()
    page = client.get(f"/community/q/{question.id}").get_data(as_text=True)
    card = re.search(rf'<article id="answer-{official.id}".*?</article>', page, re.S).group(0)
    assert "official-answer" in card and "Official answer from the team" in card


def test_a_hidden_answer_is_left_out_for_members(client, member, thread, make_staff):
    _asker, question, _answerer, answer = thread
    moderation.hide(make_staff(), "answer", answer.id, "Beleidigend gegenüber anderen")
    db.session.commit()
    page = client.get(f"/community/q/{question.id}").get_data(as_text=True)
    assert f'id="answer-{answer.id}"' not in page


def test_staff_see_a_hidden_answer_greyed_with_its_reason(client, staff, thread):
    _asker, question, _answerer, answer = thread
    moderation.hide(staff, "answer", answer.id, "Beleidigend gegenüber anderen")
    db.session.commit()
    page = client.get(f"/community/q/{question.id}").get_data(as_text=True)
    card = re.search(rf'<article id="answer-{answer.id}".*?</article>', page, re.S).group(0)
    assert "hidden-answer" in card and "Beleidigend gegenüber anderen" in card


def test_staff_see_the_moderate_links_and_members_do_not(client, auth, thread, make_staff,
                                                         make_member):
    _asker, question, _answerer, answer = thread
    auth.login(make_member(locale="en"))
    assert "moderate-link" not in client.get(f"/community/q/{question.id}").get_data(
        as_text=True)
    auth.login(make_staff(locale="en"))
    page = client.get(f"/community/q/{question.id}").get_data(as_text=True)
    assert f'href="/staff/moderation/question/{question.id}"' in page
    assert f'href="/staff/moderation/answer/{answer.id}"' in page


def test_staff_are_offered_to_turn_a_solved_question_into_an_article(client, staff, thread):
    asker, question, _answerer, answer = thread
    page = client.get(f"/community/q/{question.id}").get_data(as_text=True)
    assert f'href="/staff/kb/new/{question.id}"' not in page  # not solved yet
    solutions.accept(asker, question.id, answer.id)
    db.session.commit()
    page = client.get(f"/community/q/{question.id}").get_data(as_text=True)
    assert f'href="/staff/kb/new/{question.id}"' in page


def test_a_question_with_an_article_links_to_it(client, staff, make_member, make_question,
                                                make_answer, make_staff):
    question, article = solved_with_article(make_member, make_question, make_answer,
                                            make_staff)
    page = client.get(f"/community/q/{question.id}").get_data(as_text=True)
    assert f'href="/community/kb/{article.slug}"' in page
    assert f'href="/staff/kb/new/{question.id}"' not in page


def test_a_locked_thread_shows_a_notice_instead_of_the_answer_form(client, member, thread,
                                                                   make_staff):
    _asker, question, _answerer, _answer = thread
    moderation.lock(make_staff(), question.id, "Das Thema ist erledigt")
    db.session.commit()
    answer = client.get(f"/community/q/{question.id}")
    assert "locked-notice" in answer.get_data(as_text=True)
    assert f'action="/community/q/{question.id}/answer"' not in answer.get_data(as_text=True)
    assert 'action="/community/answers/' not in answer.get_data(as_text=True)  # no votes


def test_a_duplicate_links_to_the_original(client, member, make_question, make_staff):
    original = make_question(title="Die erste Frage zum Router")
    duplicate = make_question(title="Die zweite Frage zum Router")
    moderation.mark_duplicate(make_staff(), duplicate.id, original.id)
    db.session.commit()
    page = client.get(f"/community/q/{duplicate.id}").get_data(as_text=True)
    notice = re.search(r'class="alert alert-info duplicate-notice".*?</div>', page,
                       re.S).group(0)
    assert f'href="/community/q/{original.id}"' in notice and original.title in notice


def test_the_author_sees_an_edit_link_and_others_a_flag_link(client, auth, thread,
                                                            make_member):
    asker, question, _answerer, _answer = thread
    auth.login(asker)
    page = client.get(f"/community/q/{question.id}").get_data(as_text=True)
    assert f'href="/community/q/{question.id}/edit"' in page
    assert f'href="/community/flag/question/{question.id}"' not in page
    auth.login(make_member())
    page = client.get(f"/community/q/{question.id}").get_data(as_text=True)
    assert f'href="/community/q/{question.id}/edit"' not in page
    assert f'href="/community/flag/question/{question.id}"' in page


# ---- answering -----------------------------------------------------------------------

def test_a_member_answers_and_lands_on_the_answer(client, member, thread):
    _asker, question, _answerer, _answer = thread
    answer = post_form(client, f"/community/q/{question.id}/answer",
                       {"body": "Einmal den Router neu starten hilft."},
                       page=f"/community/q/{question.id}")
    posted = db.session.scalar(select(Answer).where(Answer.author_id == member.id))
    assert answer.status_code == 302
    assert answer.location.endswith(f"/community/q/{question.id}#answer-{posted.id}")
    assert fresh(question).answer_count == 2


def test_a_bad_answer_comes_back_beside_the_field_with_the_text_kept(client, member, thread):
    _asker, question, _answerer, _answer = thread
    too_long = "Router " * 1500
    answer = post_form(client, f"/community/q/{question.id}/answer", {"body": too_long},
                       page=f"/community/q/{question.id}")
    assert answer.status_code == 422
    assert "too long" in field_error(answer, "body")
    assert too_long.strip()[:500] in answer.get_data(as_text=True)
    assert count_of(Answer, question_id=question.id) == 1


def test_answering_a_locked_thread_is_refused_with_a_message(client, member, thread,
                                                            make_staff):
    _asker, question, _answerer, _answer = thread
    token = csrf_token(client, f"/community/q/{question.id}")
    moderation.lock(make_staff(), question.id, "Das Thema ist erledigt")
    db.session.commit()
    answer = client.post(f"/community/q/{question.id}/answer",
                         data={"csrf_token": token, "body": "Noch eine Antwort dazu"})
    assert answer.status_code == 422
    assert "locked" in form_alert(answer)
    assert count_of(Answer, question_id=question.id) == 1


def test_answering_without_a_csrf_token_is_refused(client, member, thread):
    _asker, question, _answerer, _answer = thread
    answer = client.post(f"/community/q/{question.id}/answer", data={"body": "Ohne Token"})
    assert answer.status_code == 400
    assert count_of(Answer, question_id=question.id) == 1


# ---- votes, solutions, me too --------------------------------------------------------

def test_a_member_votes_an_answer_helpful_and_takes_it_back(client, member, thread):
    _asker, question, _answerer, answer = thread
    page = f"/community/q/{question.id}"
    reply = post_form(client, f"/community/answers/{answer.id}/vote", {}, page=page)
    assert reply.location.endswith(f"{page}#answer-{answer.id}")
    assert fresh(answer).helpful_count == 1
    shown = client.get(page)
    assert "marked this answer as helpful" in text(shown)
    assert f'action="/community/answers/{answer.id}/unvote"' in shown.get_data(as_text=True)
    post_form(client, f"/community/answers/{answer.id}/unvote", {}, page=page)
    assert fresh(answer).helpful_count == 0 and count_of(HelpfulVote) == 0


def test_voting_twice_is_told_and_counts_once(client, member, thread):
    _asker, question, _answerer, answer = thread
    page = f"/community/q/{question.id}"
    post_form(client, f"/community/answers/{answer.id}/vote", {}, page=page)
    reply = post_form(client, f"/community/answers/{answer.id}/vote", {}, page=page)
    assert reply.status_code == 302
    assert "already marked this answer" in text(client.get(page))
    assert fresh(answer).helpful_count == 1 and count_of(HelpfulVote) == 1


def test_voting_for_ones_own_answer_is_refused(client, auth, thread):
    _asker, question, answerer, answer = thread
    auth.login(answerer)
    page = f"/community/q/{question.id}"
    assert f'action="/community/answers/{answer.id}/vote"' not in client.get(page).get_data(
        as_text=True)
    reply = post_form(client, f"/community/answers/{answer.id}/vote", {}, page=page)
    assert reply.status_code == 302
    assert "your own answer" in text(client.get(page))
    assert fresh(answer).helpful_count == 0 and count_of(HelpfulVote) == 0


def test_voting_on_a_hidden_answer_is_refused(client, member, thread, make_staff):
    _asker, question, _answerer, answer = thread
    token = csrf_token(client, f"/community/q/{question.id}")
    moderation.hide(make_staff(), "answer", answer.id, "Beleidigend gegenüber anderen")
    db.session.commit()
    reply = client.post(f"/community/answers/{answer.id}/vote", data={"csrf_token": token})
    assert reply.status_code == 302
    assert "does not exist or was hidden" in text(client.get(f"/community/q/{question.id}"))
    assert count_of(HelpfulVote) == 0


def test_voting_without_a_csrf_token_is_refused(client, member, thread):
    _asker, _question, _answerer, answer = thread
    assert client.post(f"/community/answers/{answer.id}/vote").status_code == 400
    assert count_of(HelpfulVote) == 0


def test_the_asker_accepts_an_answer_and_takes_it_back(client, auth, thread):
    asker, question, _answerer, answer = thread
    auth.login(asker)
    page = f"/community/q/{question.id}"
    reply = post_form(client, f"/community/q/{question.id}/accept/{answer.id}", {}, page=page)
    assert reply.location.endswith(f"{page}#answer-{answer.id}")
    assert fresh(question).solved_at is not None
    shown = client.get(page).get_data(as_text=True)
    assert "accepted-answer" in shown and "Take back the solution" in shown
    post_form(client, f"/community/q/{question.id}/unaccept", {}, page=page)
    assert fresh(question).solved_at is None and fresh(answer).accepted_at is None


def test_another_member_cannot_accept(client, member, thread):
    _asker, question, _answerer, answer = thread
    page = f"/community/q/{question.id}"
    assert "/accept/" not in client.get(page).get_data(as_text=True)
    post_form(client, f"/community/q/{question.id}/accept/{answer.id}", {}, page=page)
    assert "Only the asker or the team" in text(client.get(page))
    assert fresh(question).solved_at is None


def test_staff_may_accept(client, staff, thread):
    _asker, question, _answerer, answer = thread
    post_form(client, f"/community/q/{question.id}/accept/{answer.id}", {},
              page=f"/community/q/{question.id}")
    assert fresh(answer).accepted_at is not None


def test_accepting_an_answer_of_another_question_is_refused(client, auth, thread,
                                                            make_question, make_answer):
    asker, question, _answerer, _answer = thread
    elsewhere = make_answer(make_question())
    db.session.commit()
    auth.login(asker)
    page = f"/community/q/{question.id}"
    reply = post_form(client, f"/community/q/{question.id}/accept/{elsewhere.id}", {},
                      page=page)
    assert reply.status_code == 302
    assert "belongs to another question" in text(client.get(page))
    assert fresh(question).solved_at is None and fresh(elsewhere).accepted_at is None


def test_a_member_says_me_too_and_takes_it_back(client, member, thread):
    _asker, question, _answerer, _answer = thread
    page = f"/community/q/{question.id}"
    post_form(client, f"/community/q/{question.id}/me-too", {}, page=page)
    assert fresh(question).me_too_count == 1
    shown = client.get(page)
    assert "1 member has the same problem" in text(shown)
    assert f'action="/community/q/{question.id}/me-too/undo"' in shown.get_data(as_text=True)
    post_form(client, f"/community/q/{question.id}/me-too/undo", {}, page=page)
    assert fresh(question).me_too_count == 0 and count_of(MeToo) == 0


def test_the_asker_cannot_say_me_too(client, auth, thread):
    asker, question, _answerer, _answer = thread
    auth.login(asker)
    page = f"/community/q/{question.id}"
    post_form(client, f"/community/q/{question.id}/me-too", {}, page=page)
    assert "your own question" in text(client.get(page))
    assert count_of(MeToo) == 0


# ---- editing -------------------------------------------------------------------------

def test_the_author_edits_the_question_within_the_window(client, auth, thread):
    asker, question, _answerer, _answer = thread
    auth.login(asker)
    url = f"/community/q/{question.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert html_lib.escape(question.title) in form and "fritzbox, wlan" in form
    reply = post_form(client, url, ask_data(title="Neuer Titel für meine Frage", tags="dsl"))
    assert reply.status_code == 302
    edited = fresh(question)
    assert edited.title == "Neuer Titel für meine Frage" and edited.edited_at is not None
    assert "edited" in text(client.get(f"/community/q/{question.id}"))


def test_a_bad_edit_comes_back_beside_the_field(client, auth, thread):
    asker, question, _answerer, _answer = thread
    auth.login(asker)
    reply = post_form(client, f"/community/q/{question.id}/edit", ask_data(body="kurz"))
    assert reply.status_code == 422
    assert "too short" in field_error(reply, "body")
    assert fresh(question).body != "kurz"


def test_editing_someone_elses_question_is_forbidden(client, member, thread):
    _asker, question, _answerer, answer = thread
    assert client.get(f"/community/q/{question.id}/edit").status_code == 403
    assert client.get(f"/community/answers/{answer.id}/edit").status_code == 403
    reply = post_form(client, f"/community/q/{question.id}/edit", ask_data(),
                      page="/community/")
    assert reply.status_code == 403
    assert fresh(question).title != ask_data()["title"]


def test_editing_after_the_window_is_forbidden(client, auth, app, thread):
    asker, question, _answerer, _answer = thread
    auth.login(asker)
    later = utcnow() + timedelta(minutes=app.config["COMMUNITY_EDIT_MINUTES"] + 1)
    with frozen_at(later):
        assert client.get(f"/community/q/{question.id}/edit").status_code == 403


def test_staff_edit_any_post(client, staff, thread):
    _asker, question, _answerer, answer = thread
    assert client.get(f"/community/q/{question.id}/edit").status_code == 200
    reply = post_form(client, f"/community/answers/{answer.id}/edit",
                      {"body": "Von der Moderation gekürzt."})
    assert reply.location.endswith(f"/community/q/{question.id}#answer-{answer.id}")
    assert fresh(answer).body == "Von der Moderation gekürzt."


def test_the_author_edits_an_answer(client, auth, thread):
    _asker, question, answerer, answer = thread
    auth.login(answerer)
    url = f"/community/answers/{answer.id}/edit"
    assert "WLAN-Call in den Einstellungen" in client.get(url).get_data(as_text=True)
    bad = post_form(client, url, {"body": ""})
    assert bad.status_code == 422 and "Please write your answer." in field_error(bad, "body")
    post_form(client, url, {"body": "Besser: WLAN-Call und VoLTE einschalten."})
    assert fresh(answer).body == "Besser: WLAN-Call und VoLTE einschalten."


# ---- flags ---------------------------------------------------------------------------

def test_a_member_flags_an_answer_and_sees_it_flagged(client, member, thread):
    _asker, question, _answerer, answer = thread
    url = f"/community/flag/answer/{answer.id}"
    reply = post_form(client, url, {"reason": "Das ist Werbung für einen Shop."})
    assert reply.location.endswith(f"/community/q/{question.id}#answer-{answer.id}")
    assert count_of(Flag, post_kind="answer", post_id=answer.id) == 1
    page = client.get(f"/community/q/{question.id}")
    assert "the team will look at this post" in text(page)
    assert f'href="/community/flag/answer/{answer.id}"' not in page.get_data(as_text=True)
    assert "Flagged" in text(page)


def test_a_flag_without_a_reason_comes_back_beside_the_field(client, member, thread):
    _asker, question, _answerer, _answer = thread
    reply = post_form(client, f"/community/flag/question/{question.id}", {"reason": "  "})
    assert reply.status_code == 422
    assert "Please say what is wrong" in field_error(reply, "reason")
    assert count_of(Flag) == 0


def test_flagging_twice_is_told_above_the_form(client, member, thread):
    _asker, question, _answerer, _answer = thread
    url = f"/community/flag/question/{question.id}"
    post_form(client, url, {"reason": "Das ist Werbung für einen Shop."})
    reply = post_form(client, url, {"reason": "Immer noch Werbung hier."})
    assert reply.status_code == 422
    assert "already flagged" in form_alert(reply)
    assert "Immer noch Werbung hier." in reply.get_data(as_text=True)
    assert count_of(Flag) == 1


def test_flagging_ones_own_post_is_refused(client, auth, thread):
    asker, question, _answerer, _answer = thread
    auth.login(asker)
    reply = post_form(client, f"/community/flag/question/{question.id}",
                      {"reason": "Ich melde mich selbst."})
    assert reply.status_code == 422 and "your own post" in form_alert(reply)
    assert count_of(Flag) == 0


def test_a_hidden_post_cannot_be_flagged(client, member, thread, make_staff):
    _asker, _question, _answerer, answer = thread
    moderation.hide(make_staff(), "answer", answer.id, "Beleidigend gegenüber anderen")
    db.session.commit()
    assert client.get(f"/community/flag/answer/{answer.id}").status_code == 404


# ---- posted script never runs --------------------------------------------------------

@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_script_in_a_question_never_reaches_the_pages(client, member, payload):
    reply = post_form(client, "/community/ask", ask_data(
        title=f"Frage {payload}", body=f"Mein Problem: {payload} bitte helfen", tags=""))
    assert reply.status_code == 302, field_error(reply, "title")
    for url in (reply.location, "/community/", "/community/?sort=unanswered",
                f"/community/search?q={quote(payload)}", "/community/search?q=Frage"):
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert unsafe_markup(answer) == [], url


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_script_in_an_answer_never_reaches_the_page(client, member, thread, payload):
    _asker, question, _answerer, _answer = thread
    reply = post_form(client, f"/community/q/{question.id}/answer",
                      {"body": f"Antwort {payload}"}, page=f"/community/q/{question.id}")
    assert reply.status_code == 302
    assert unsafe_markup(client.get(f"/community/q/{question.id}")) == []
    assert unsafe_markup(client.get("/community/search?q=Antwort")) == []


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_script_in_bad_input_is_escaped_when_the_form_comes_back(client, member, payload):
    reply = post_form(client, "/community/ask", ask_data(title=payload, body=payload,
                                                         tags=payload))
    assert reply.status_code == 422
    assert unsafe_markup(reply) == []


def test_the_audit_finds_unsafe_markup():
    """The check above can fail: it sees what it looks for."""

    class Page:
        def __init__(self, body):
            self.body = body

        def get_data(self, as_text=True):
            return self.body

    assert unsafe_markup(Page("<p><script>alert(1)</script></p>"))
    assert unsafe_markup(Page('<img src=x onerror="alert(1)">'))
    assert unsafe_markup(Page('<a href=" javascript:alert(1)">x</a>'))
    assert unsafe_markup(Page('<script src="/static/js/x.js"></script>')) == []


# ---- search --------------------------------------------------------------------------

def test_search_highlights_the_words_and_escapes_the_text(client, member, make_question):
    question = make_question(title="Router <b>fett</b> verliert WLAN",
                             body="Der <i>Router</i> verliert jede Nacht das WLAN-Signal.")
    db.session.commit()
    answer = client.get("/community/search?q=wlan")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert f'href="/community/q/{question.id}"' in page
    assert "<mark>WLAN</mark>" in page
    assert "&lt;b&gt;fett&lt;/b&gt;" in page and "<b>fett</b>" not in page
    assert "<i>Router</i>" not in page


def test_search_marks_questions_and_articles(client, member, make_member, make_question,
                                             make_answer, make_staff):
    _question, article = solved_with_article(make_member, make_question, make_answer,
                                             make_staff)
    page = client.get("/community/search?q=Pixel").get_data(as_text=True)
    hits = re.findall(r'<li class="border-bottom py-3 search-hit">.*?</li>', page, re.S)
    assert any("Article" in hit and f"/community/kb/{article.slug}" in hit for hit in hits)
    assert any("Question" in hit and "/community/q/" in hit for hit in hits)


def test_an_empty_search_shows_only_the_form(client, member):
    page = client.get("/community/search?q=").get_data(as_text=True)
    assert 'id="search-query"' in page and "results-heading" not in page


def test_a_search_without_hits_says_so(client, member):
    answer = client.get("/community/search?q=Quantenverschränkung")
    assert answer.status_code == 200 and "no-results" in answer.get_data(as_text=True)


def test_search_results_are_paginated(client, member, make_question):
    for n in range(22):
        make_question(title=f"Glasfaser Anschluss Frage {n}")
    db.session.commit()
    first = client.get("/community/search?q=Glasfaser").get_data(as_text=True)
    assert first.count('class="border-bottom py-3 search-hit"') == 20
    assert 'rel="next"' in first and "q=Glasfaser" in first
    second = client.get("/community/search?q=Glasfaser&page=2").get_data(as_text=True)
    assert second.count('class="border-bottom py-3 search-hit"') == 2


# ---- knowledge base ------------------------------------------------------------------

def test_the_knowledge_base_lists_categories_with_their_articles(client, make_member,
                                                                 make_question, make_answer,
                                                                 make_staff):
    _question, article = solved_with_article(make_member, make_question, make_answer,
                                             make_staff)
    page = client.get("/community/kb/").get_data(as_text=True)
    assert article.title in page and f'href="/community/kb/{article.slug}"' in page
    assert 'href="/community/kb/category/mobilfunk"' in page
    assert 'href="/community/kb/category/testlabor"' in page


def test_a_knowledge_base_category_lists_its_articles(client, make_member, make_question,
                                                      make_answer, make_staff):
    _question, article = solved_with_article(make_member, make_question, make_answer,
                                             make_staff)
    assert article.title in client.get("/community/kb/category/mobilfunk").get_data(
        as_text=True)
    assert article.title not in client.get("/community/kb/category/testlabor").get_data(
        as_text=True)


def test_an_article_shows_its_text_and_links_back_to_its_question(client, member,
                                                                  make_member,
                                                                  make_question,
                                                                  make_answer, make_staff):
    question, article = solved_with_article(make_member, make_question, make_answer,
                                            make_staff)
    answer = client.get(f"/community/kb/{article.slug}")
    assert answer.status_code == 200
    assert "WLAN-Call einschalten" in text(answer)
    assert f'href="/community/q/{question.id}"' in answer.get_data(as_text=True)
    assert "updated" in text(answer)
    assert 'href="/community/kb/category/mobilfunk"' in answer.get_data(as_text=True)


def test_the_public_profile_counts_community_posts_and_links_the_latest_solution(
        client, make_member, make_question, make_answer):
    asker, helper = make_member(), make_member()
    question = make_question(asker)
    answer = make_answer(question, helper)
    make_answer(make_question(asker), helper)
    solutions.accept(asker, question.id, answer.id)
    db.session.commit()
    page = client.get(f"/members/{helper.handle}")
    assert page.status_code == 200
    assert f'href="/community/q/{question.id}#answer-{answer.id}"' in page.get_data(
        as_text=True)
    assert lists.activity_of(helper.id).answers == 2
    assert lists.activity_of(helper.id).solutions == 1
    assert lists.activity_of(asker.id).questions == 2
