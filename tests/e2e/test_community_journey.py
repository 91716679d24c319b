"""The community in the browser: a member about to ask is shown a similar question while
typing the title and asks anyway; two members answer, one answer is voted helpful and
accepted as the solution (its author's points and level go up on the public profile);
the other answer is flagged, hidden by staff from the moderation queue and its author
told; staff turn the solved question into a knowledge-base article that search finds.
Every kind of page visited is checked with axe, in each state that changes it (once
per page where the next visit only changes a number).

As in test_campaign_journey: one browser context per person, elements found by ids,
names, hrefs and form actions (the new strings are being translated), texts the app
composes computed by the live app itself, and the database checked afterwards.
"""

from __future__ import annotations

import random
import re
import string

import pytest
from flask_babel import ngettext
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lab.accounts.models import User
from lab.community import knowledge, moderation, posts
from lab.community.models import Answer, Category, Flag, Question
from lab.extensions import db
from lab.notify.models import Notification
from lab.notify.services import text_of
from lab.rewards import levels, rules
from tests.e2e.test_account_journey import assert_accessible
from tests.e2e.test_campaign_journey import (  # noqa: F401  (person_page is a fixture)
    action,
    expect_at,
    expect_success_flash,
    in_page_language,
    person_page,
    seed_person,
)
from tests.e2e.test_rewards_journey import submit

pytestmark = pytest.mark.e2e

# the answerer whose answer becomes the solution starts just below the "helper" level
START_POINTS = 90


# --- seeding, in the live app's own database --------------------------------------

def word() -> str:
    """A made-up word nobody else's post contains (letters only, so both full-text
    searches take it as one word)."""
    return "zq" + "".join(random.choices(string.ascii_lowercase, k=8))


def seed_question(app, author: dict, title: str) -> dict:
    """A question asked through the service, in the "Mobilfunk" category."""
    with app.app_context():
        category = db.session.scalar(select(Category).where(Category.slug == "mobilfunk"))
        question = posts.ask(db.session.get(User, author["id"]), title=title,
                             body="Seit dem letzten Update habe ich im Keller gar kein Netz "
                                  "mehr, oben im Haus geht alles.",
                             category_id=category.id, tags="netz")
        db.session.commit()
        return {"id": question.id, "title": title, "category_id": category.id}


def reputation_of(app, person: dict) -> int:
    with app.app_context():
        return db.session.get(User, person["id"]).reputation


# --- the browser ----------------------------------------------------------------

def expect_answer_order(page: Page, ids: list[int]) -> None:
    expect(page.locator("#answers > article.answer")).to_have_count(len(ids))
    for place, answer_id in enumerate(ids):
        expect(page.locator("#answers > article.answer").nth(place)) \
            .to_have_attribute("id", f"answer-{answer_id}")


def id_from(page: Page, pattern: str) -> int:
    """The number the page's address carries at pattern's group (after waiting for it)."""
    expect(page).to_have_url(re.compile(pattern))
    return int(re.search(pattern, page.url).group(1))


def expect_profile(page: Page, points: int, level: str) -> None:
    """The public profile shows this reputation and level."""
    expect(page.locator("main dl dd").nth(0)).to_have_text(str(points))
    expect(page.locator("main h1 .level-badge")).to_have_text(level)


# --- the journey ----------------------------------------------------------------

def test_a_question_is_answered_solved_moderated_and_becomes_an_article(
        person_page, live_app, live_server):  # noqa: F811 (the fixture)
    old_asker = seed_person(live_app, "keller")
    asker = seed_person(live_app, "asker")
    first = seed_person(live_app, "answ1")
    second = seed_person(live_app, "answ2", points=START_POINTS)
    staff = seed_person(live_app, "cstf", roles=("staff",))
    token = word()
    existing = seed_question(live_app, old_asker,
                             f"Kein Netz im Keller seit dem Update {token}")
    title = f"Im Keller kein Netz, WLAN-Call geht auch nicht {token}"
    body = ("Pixel 8: seit dem Update zeigt das Handy im Keller kein Netz, und WLAN-Call "
            "schaltet sich nicht ein. Was kann ich tun?")

    def say(compose) -> str:
        return in_page_language(live_app, compose)

    def helpful(count: int) -> str:
        return say(lambda: ngettext("%(num)d member found this helpful",
                                    "%(num)d members found this helpful", count))

    # 1. The asker starts a question; the title's words suggest the existing question.
    page_q = person_page(asker)
    page_q.goto("/community/ask")
    form = page_q.locator("main form.question-form")
    title_field = form.locator("input[name=title][data-similar-url='/community/similar']")
    title_field.press_sequentially(title)
    similar = page_q.locator("#similar-questions[aria-live=polite]")
    expect(similar.locator(f"li a[href='/community/q/{existing['id']}']")) \
        .to_have_text(existing["title"])
    assert_accessible(page_q)

    # ... asks anyway, and lands on the new question's page.
    form.locator("textarea[name=body]").fill(body)
    form.locator("select[name=category_id]").select_option(value=str(existing["category_id"]))
    form.locator("input[name=tags]").fill("Keller, wlan-call")
    submit(page_q, form.locator("[type=submit][name=submit]"))
    question_id = id_from(page_q, rf"^{re.escape(live_server)}/community/q/(\d+)$")
    question_page = f"/community/q/{question_id}"
    expect_success_flash(page_q)
    expect(page_q.locator("main h1#question-title")).to_have_text(title)
    for tag in ("keller", "wlan-call"):
        expect(page_q.locator(f"main article.question a[href='/community/?tag={tag}']")) \
            .to_have_text(f"#{tag}")
    expect(page_q.locator("#answers .no-answers")).to_be_visible()
    assert_accessible(page_q)

    # 2. Two members answer, each in their own browser.
    answered = {}
    for person, text in ((first, "Schalte im Menü Netzwerk den Modus auf 4G/LTE only und "
                                 "starte das Handy neu."),
                         (second, "Unter Einstellungen > Netzwerk > Anrufe über WLAN den "
                                  "Schalter WLAN-Call einschalten; im Keller telefonierst "
                                  "du dann über dein WLAN.")):
        page = answered[person["id"]] = person_page(person)
        page.goto(question_page)
        reply = page.locator(f"main form.answer-form[action='{question_page}/answer']")
        reply.locator("textarea[name=body]").fill(text)
        submit(page, reply.locator("[type=submit][name=submit]"))
        person["answer"] = id_from(
            page, rf"^{re.escape(live_server)}{question_page}#answer-(\d+)$")
        expect_success_flash(page)
        expect(page.locator(f"#answer-{person['answer']} .post-body")).to_contain_text(text)
    page_1, page_2 = answered[first["id"]], answered[second["id"]]
    answer_1, answer_2 = first["answer"], second["answer"]
    expect_answer_order(page_2, [answer_1, answer_2])  # the oldest first, for now

    # 3. The asker opens the second answerer's public profile from the answer.
    page_q.goto(question_page)
    page_q.locator(f"#answer-{answer_2} h3 a[href='/members/{second['handle']}']").click()
    expect_at(page_q, f"{live_server}/members/{second['handle']}")
    expect(page_q.locator("main h1")).to_contain_text(f"@{second['handle']}")
    level_before = say(lambda: levels.level_for(START_POINTS).label)
    expect_profile(page_q, START_POINTS, level_before)
    assert reputation_of(live_app, second) == START_POINTS
    assert_accessible(page_q)

    # 4. The first answerer finds the second answer helpful: it moves to the top.
    page_1.goto(question_page)
    expect(page_1.locator(f"#answer-{answer_1} form[action$='/vote']")).to_have_count(0)
    submit(page_1, action(page_1, f"/community/answers/{answer_2}/vote"))
    expect_at(page_1, f"{live_server}{question_page}#answer-{answer_2}")
    expect_success_flash(page_1)
    expect(page_1.locator(f"#answer-{answer_2} .helpful-count")).to_have_text(helpful(1))
    expect(page_1.locator(f"#answer-{answer_1} .helpful-count")).to_have_text(helpful(0))
    expect(action(page_1, f"/community/answers/{answer_2}/unvote")).to_be_visible()
    expect_answer_order(page_1, [answer_2, answer_1])

    # 5. The asker accepts it as the solution: marked, and shown first.
    page_q.goto(question_page)
    submit(page_q, action(page_q, f"{question_page}/accept/{answer_2}"))
    expect_at(page_q, f"{live_server}{question_page}#answer-{answer_2}")
    expect_success_flash(page_q)
    expect_answer_order(page_q, [answer_2, answer_1])
    solution = page_q.locator(f"#answer-{answer_2}")
    expect(solution).to_have_class(re.compile(r"\baccepted-answer\b"))
    expect(solution.locator("h3 .badge.text-bg-success")).to_be_visible()
    expect(page_q.locator(f"#answer-{answer_1}")).not_to_have_class(
        re.compile(r"\baccepted-answer\b"))
    expect(action(page_q, f"{question_page}/unaccept")).to_be_visible()
    expect(action(page_q, f"{question_page}/accept/{answer_1}")).to_be_visible()
    expect(page_q.locator("main h1#question-title .badge.text-bg-success")).to_be_visible()
    assert_accessible(page_q)

    # 6. The answerer's profile: a helpful vote and a solution more, the next level.
    with live_app.app_context():
        gained = (rules.rule_for(rules.HELPFUL_VOTE).points
                  + rules.rule_for(rules.ANSWER_ACCEPTED).points)
    points_after = START_POINTS + gained
    level_after = say(lambda: levels.level_for(points_after).label)
    assert level_after != level_before, "the journey should cross a level threshold"
    expect(solution.locator("h3 .level-badge")).to_have_text(level_after)
    solution.locator(f"h3 a[href='/members/{second['handle']}']").click()
    expect_at(page_q, f"{live_server}/members/{second['handle']}")
    expect_profile(page_q, points_after, level_after)
    assert reputation_of(live_app, second) == points_after

    # 7. The asker flags the other answer, with a reason ...
    reason = f"Falscher Rat {token}: LTE only schaltet VoLTE und Notrufe ab."
    page_q.goto(question_page)
    page_q.locator(f"#answer-{answer_1} a[href='/community/flag/answer/{answer_1}']").click()
    expect_at(page_q, f"{live_server}/community/flag/answer/{answer_1}")
    assert_accessible(page_q)
    report = page_q.locator("main form.flag-form")
    report.locator("textarea[name=reason]").fill(reason)
    submit(page_q, report.locator("[type=submit][name=submit]"))
    expect_at(page_q, f"{live_server}{question_page}#answer-{answer_1}")
    expect_success_flash(page_q)
    expect(page_q.locator(f"#answer-{answer_1} .flagged")).to_be_visible()
    expect(page_q.locator(f"#answer-{answer_1} a[href^='/community/flag/']")).to_have_count(0)

    # ... staff find it in the moderation queue ...
    page_s = person_page(staff)
    page_s.goto("/staff/moderation")
    row = page_s.locator(f"#queue tr#flagged-answer-{answer_1}")
    expect(row).to_contain_text(reason)
    expect(row.locator(f"a[href='/members/{asker['handle']}']")).to_be_visible()
    expect(row.locator(f"a[href='/members/{first['handle']}']")).to_be_visible()
    assert_accessible(page_s)
    row.locator(f"a[href='/staff/moderation/answer/{answer_1}']").click()
    moderation_page = f"/staff/moderation/answer/{answer_1}"
    expect_at(page_s, f"{live_server}{moderation_page}")
    expect(page_s.locator("#open-flags li")).to_have_count(1)
    expect(page_s.locator("#open-flags")).to_contain_text(reason)
    expect(page_s.locator(f"#post-author a[href='/members/{first['handle']}']")).to_be_visible()
    assert_accessible(page_s)

    # ... and hide it with a reason.
    hide_reason = f"Gefährlicher Rat {token}: ohne VoLTE keine Notrufe."
    hide = page_s.locator(f"form#hide-form[action='{moderation_page}/hide']")
    hide.locator("textarea[name=hide_reason]").fill(hide_reason)
    submit(page_s, hide.locator("[type=submit][name=submit_hide]"))
    expect_at(page_s, f"{live_server}/staff/moderation")
    expect_success_flash(page_s)
    expect(page_s.locator(f"#flagged-answer-{answer_1}")).to_have_count(0)

    # Members no longer see the hidden answer; staff see it marked.
    page_q.goto(question_page)
    expect(page_q.locator(f"#answer-{answer_1}")).to_have_count(0)
    expect_answer_order(page_q, [answer_2])
    page_s.goto(question_page)
    expect(page_s.locator(f"#answer-{answer_1}.hidden-answer .hidden-reason")) \
        .to_contain_text(hide_reason)
    expect_answer_order(page_s, [answer_2, answer_1])
    assert_accessible(page_s)

    # Its author is told why, in the app.
    with live_app.app_context():
        note = db.session.scalar(select(Notification).where(
            Notification.member_id == first["id"], Notification.kind == moderation.HIDDEN_KIND))
        assert note is not None, "the author of the hidden answer was not told"
        assert note.link == f"{question_page}#answer-{answer_1}"
        assert note.params["reason"] == hide_reason
        note_text = in_page_language(live_app, lambda: text_of(note))
    page_1.goto("/me/notifications")
    notice = page_1.locator("main ul.list-group > li", has_text=note_text)
    expect(notice).to_have_count(1)
    expect(notice.locator(f"form[action='/me/notifications/{note.id}/open']")).to_have_count(1)
    assert_accessible(page_1)

    # 8. Staff turn the solved question into an article, from the question page.
    page_s.locator(f"main a.new-article-link[href='/staff/kb/new/{question_id}']").click()
    expect_at(page_s, f"{live_server}/staff/kb/new/{question_id}")
    article_form = page_s.locator(f"form#article-form[action='/staff/kb/new/{question_id}']")
    expect(article_form.locator("input[name=title]")).to_have_value(title)
    expect(article_form.locator("textarea[name=body]")).to_have_value(
        re.compile(r"WLAN-Call einschalten"))
    expect(article_form.locator("select[name=category_id]")).to_have_value(
        str(existing["category_id"]))
    assert_accessible(page_s)
    submit(page_s, article_form.locator("[type=submit][name=submit]"))
    with live_app.app_context():
        slug = knowledge.slugify(title)
    article_page = f"/community/kb/{slug}"
    expect_at(page_s, f"{live_server}{article_page}")
    expect_success_flash(page_s)
    expect(page_s.locator("main h1#article-title")).to_have_text(title)
    expect(page_s.locator(f"main .source-question a[href='{question_page}']")) \
        .to_have_text(title)
    assert_accessible(page_s)

    # Members see the article, linked both ways.
    page_q.goto(question_page)
    kb_link = page_q.locator(f"main .kb-link a[href='{article_page}']")
    expect(kb_link).to_be_visible()
    kb_link.click()
    expect_at(page_q, f"{live_server}{article_page}")
    expect(page_q.locator(f"main .source-question a[href='{question_page}']")).to_be_visible()

    # Search finds the article (and both questions) by the word, marked.
    page_q.goto(f"/community/search?q={token}")
    hits = page_q.locator("main ol.search-results > li.search-hit")
    article_hit = hits.filter(has=page_q.locator(f"h3 a[href='{article_page}']"))
    expect(article_hit.locator("h3 a mark")).to_have_text(token)
    for listed in (question_page, f"/community/q/{existing['id']}"):
        expect(hits.filter(has=page_q.locator(f"h3 a[href='{listed}']"))).to_have_count(1)
    expect(hits).to_have_count(3)
    expect(page_q.locator("#search-query")).to_have_value(token)
    assert_accessible(page_q)

    # What the browsers did, in the database.
    with live_app.app_context():
        question = db.session.get(Question, question_id)
        assert (question.author_id, question.title, question.answer_count) == \
            (asker["id"], title, 1)
        assert sorted(tag.name for tag in question.tags) == ["keller", "wlan-call"]
        assert question.solved_at is not None
        accepted, hidden = db.session.get(Answer, answer_2), db.session.get(Answer, answer_1)
        assert (accepted.accepted_by_id, accepted.helpful_count) == (asker["id"], 1)
        assert hidden.hidden_at is not None
        assert (hidden.hidden_by_id, hidden.hidden_reason) == (staff["id"], hide_reason)
        flags = db.session.execute(select(Flag.reporter_id, Flag.reason, Flag.resolution,
                                          Flag.resolved_by_id).where(
            Flag.post_kind == "answer", Flag.post_id == answer_1)).all()
        assert flags == [(asker["id"], reason, "hidden", staff["id"])]
        article = knowledge.article_for(question_id)
        assert (article.slug, article.author_id, article.category_id) == \
            (slug, staff["id"], existing["category_id"])
        assert db.session.get(User, asker["id"]).reputation == \
            rules.rule_for(rules.ACCEPTED_AN_ANSWER).points
        assert db.session.get(User, first["id"]).reputation == 0
