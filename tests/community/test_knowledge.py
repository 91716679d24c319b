"""The knowledge base: staff turn a solved question into an article (once), with a slug
made from the title; articles are edited in place and listed by category."""

import unicodedata
from datetime import timedelta

import pytest
from sqlalchemy import select

from lab.community import knowledge, moderation, solutions
from lab.community.models import QUESTION, Category
from lab.community.posts import CommunityError
from lab.core.audit import AuditEntry
from lab.core.clock import frozen_at, utcnow
from lab.core.pagination import paginate
from lab.extensions import db
from tests.community.conftest import category

BODY = ("So richten Sie WLAN-Telefonie ein: Einstellungen öffnen, Mobilfunk wählen, "
        "dann unter Netzbetreiberoptionen den Schalter umlegen.")


@pytest.fixture
def staff(make_staff):
    return make_staff()


@pytest.fixture
def solved(make_member, make_question, make_answer):
    """solved(**question fields) -> a question whose asker accepted an answer."""

    def make(**fields):
        asker = make_member()
        question = make_question(asker, **fields)
        answer = make_answer(question, body="Unter Netzbetreiberoptionen WLAN-Call einschalten.")
        solutions.accept(asker, question.id, answer.id)
        return question

    return make


def publish(staff, question, *, title="WLAN-Telefonie einrichten", body=BODY,
            category_slug="mobilfunk"):
    return knowledge.publish(staff, question.id, title=title, body=body,
                             category_id=category(category_slug).id)


def audit_actions(article):
    return [e.action for e in db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "article", AuditEntry.object_id == str(article.id))
        .order_by(AuditEntry.id))]


def test_staff_publish_a_solved_question_as_an_article(staff, solved):
    question = solved()
    article = publish(staff, question)
    assert (article.title, article.slug, article.question_id, article.author_id) == (
        "WLAN-Telefonie einrichten", "wlan-telefonie-einrichten", question.id, staff.id)
    assert article.category.slug == "mobilfunk"
    assert "Netzbetreiberoptionen" in article.body_html
    assert knowledge.by_slug("wlan-telefonie-einrichten") is article


def test_an_unsolved_question_cannot_become_an_article(staff, make_question):
    question = make_question()
    with pytest.raises(CommunityError):
        publish(staff, question)
    assert knowledge.article_count() == 0


def test_a_hidden_question_cannot_become_an_article(staff, solved):
    question = solved()
    moderation.hide(staff, QUESTION, question.id, "Enthält private Daten")
    with pytest.raises(CommunityError):
        publish(staff, question)
    assert knowledge.article_count() == 0


def test_an_unknown_question_cannot_become_an_article(staff):
    with pytest.raises(CommunityError):
        knowledge.publish(staff, 999_999, title="WLAN-Telefonie einrichten", body=BODY,
                          category_id=category().id)


def test_a_question_becomes_an_article_once(staff, solved):
    question = solved()
    publish(staff, question)
    with pytest.raises(CommunityError):
        publish(staff, question, title="WLAN-Telefonie einrichten, zweiter Versuch")
    assert knowledge.article_count() == 1


def test_members_cannot_publish_articles(make_member, solved):
    question = solved()
    for who in (make_member(), question.author):
        with pytest.raises(CommunityError):
            publish(who, question)
    assert knowledge.article_count() == 0


def test_the_slug_spells_out_umlauts():
    assert knowledge.slugify("Größe & Übertragung") == "groesse-uebertragung"
    assert knowledge.slugify("WLAN-Call auf dem Pixel 9 einrichten") == (
        "wlan-call-auf-dem-pixel-9-einrichten")
    assert knowledge.slugify("  Straße: «Tarif» wählen!  ") == "strasse-tarif-waehlen"


def test_the_slug_spells_out_decomposed_umlauts_too():
    decomposed = unicodedata.normalize("NFD", "Größe & Übertragung")
    assert knowledge.slugify(decomposed) == "groesse-uebertragung"


def test_a_title_without_latin_letters_gets_a_slug_all_the_same():
    assert knowledge.slugify("日本語のタイトル") == "artikel"
    assert len(knowledge.slugify("Sehr langer Titel " * 20)) <= knowledge.SLUG_LENGTH


def test_a_second_article_with_the_same_title_gets_a_numbered_slug(staff, solved):
    first = publish(staff, solved(), title="Größe & Übertragung der Dateien")
    second = publish(staff, solved(), title="Größe & Übertragung der Dateien")
    third = publish(staff, solved(), title="Größe & Übertragung der Dateien")
    assert [a.slug for a in (first, second, third)] == [
        "groesse-uebertragung-der-dateien", "groesse-uebertragung-der-dateien-2",
        "groesse-uebertragung-der-dateien-3"]


@pytest.mark.parametrize("body", ["", "   ", None, "Zu kurz für einen Artikel."])
def test_an_article_needs_a_body_of_some_length(staff, solved, body):
    question = solved()
    with pytest.raises(CommunityError) as refused:
        publish(staff, question, body=body)
    assert refused.value.field == "body"
    assert knowledge.article_for(question.id) is None


@pytest.mark.parametrize(("field", "values"), [
    ("title", {"title": ""}), ("title", {"title": "Kurz"}),
    ("category_id", {"category_id": None}), ("category_id", {"category_id": 999_999})])
def test_an_article_needs_a_title_and_a_category(staff, solved, field, values):
    question = solved()
    fields = {"title": "WLAN-Telefonie einrichten", "body": BODY,
              "category_id": category().id} | values
    with pytest.raises(CommunityError) as refused:
        knowledge.publish(staff, question.id, **fields)
    assert refused.value.field == field
    assert knowledge.article_for(question.id) is None


def test_the_draft_holds_the_question_and_its_solution(solved):
    question = solved(title="WLAN-Call geht nicht im Keller",
                      body="Im Keller habe ich kein Netz, WLAN-Call startet nicht.",
                      category_slug="internet-festnetz")
    draft = knowledge.draft_from(question)
    assert (draft["title"], draft["category_id"]) == (
        "WLAN-Call geht nicht im Keller", category("internet-festnetz").id)
    assert "Im Keller habe ich kein Netz, WLAN-Call startet nicht." in draft["body"]
    assert "Unter Netzbetreiberoptionen WLAN-Call einschalten." in draft["body"]
    assert draft["body"].index("Im Keller") < draft["body"].index("Unter Netzbetreiber")


def test_the_draft_of_a_question_without_solution_is_its_text(make_question):
    question = make_question(body="Im Keller habe ich kein Netz, WLAN-Call startet nicht.")
    assert knowledge.draft_from(question)["body"] == question.body


def test_the_article_of_a_question_links_back_to_it(staff, solved, make_question):
    question = solved()
    article = publish(staff, question)
    assert knowledge.article_for(question.id) is article
    assert article.question_id == question.id
    assert knowledge.article_for(make_question().id) is None


def test_editing_changes_the_text_and_keeps_the_slug(staff, solved, make_staff):
    article = publish(staff, solved())
    knowledge.edit(make_staff(), article.id, title="WLAN-Telefonie auf dem Handy einrichten",
                   body=BODY + " Danach das Handy neu starten.",
                   category_id=category("geraete-zubehoer").id)
    assert article.title == "WLAN-Telefonie auf dem Handy einrichten"
    assert "neu starten" in article.body_html and article.category.slug == "geraete-zubehoer"
    assert article.slug == "wlan-telefonie-einrichten"
    assert knowledge.by_slug("wlan-telefonie-einrichten") is article


def test_publishing_and_editing_are_audited(staff, solved):
    question = solved()
    article = publish(staff, question)
    knowledge.edit(staff, article.id, title=article.title, body=BODY + " Ergänzt.",
                   category_id=article.category_id)
    assert audit_actions(article) == [knowledge.PUBLISHED, knowledge.EDITED]
    published = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == knowledge.PUBLISHED, AuditEntry.object_id == str(article.id)))
    assert (published.actor_id, published.details) == (staff.id, {"question_id": question.id})


def test_members_cannot_edit_articles(staff, solved, make_member):
    article = publish(staff, solved())
    with pytest.raises(CommunityError):
        knowledge.edit(make_member(), article.id, title="Ganz anderer Titel hier",
                       body=BODY, category_id=category().id)
    assert article.title == "WLAN-Telefonie einrichten"
    assert audit_actions(article) == [knowledge.PUBLISHED]


def test_a_bad_edit_is_refused_naming_the_field(staff, solved):
    article = publish(staff, solved())
    with pytest.raises(CommunityError) as refused:
        knowledge.edit(staff, article.id, title=article.title, body="Zu kurz.",
                       category_id=article.category_id)
    assert refused.value.field == "body"
    db.session.refresh(article)
    assert article.body == BODY


def test_an_unknown_article_cannot_be_edited(staff):
    with pytest.raises(CommunityError):
        knowledge.edit(staff, 999_999, title="WLAN-Telefonie einrichten", body=BODY,
                       category_id=category().id)


def _published(staff, solved, layout):
    """Articles published a minute apart: layout is a list of category slugs."""
    start = utcnow()
    made = []
    for minute, slug in enumerate(layout):
        with frozen_at(start + timedelta(minutes=minute)):
            made.append(publish(staff, solved(), title=f"Anleitung Nummer {minute + 1}",
                                category_slug=slug))
    return made


def test_by_category_counts_articles_and_lists_the_newest_few(staff, solved):
    a1, a2, a3, a4, b1 = _published(staff, solved, [
        "mobilfunk", "mobilfunk", "mobilfunk", "mobilfunk", "internet-festnetz"])
    listed = {cat.slug: (count, newest) for cat, count, newest in knowledge.by_category(
        latest=2)}
    assert listed["mobilfunk"] == (4, [a4, a3])
    assert listed["internet-festnetz"] == (1, [b1])
    assert listed["testlabor"] == (0, [])
    assert len(listed) == 5


def test_by_category_keeps_the_categories_order(staff, solved):
    _published(staff, solved, ["testlabor"])
    expected = db.session.scalars(select(Category.slug).order_by(Category.position,
                                                                 Category.name)).all()
    assert [cat.slug for cat, _count, _newest in knowledge.by_category()] == expected
    assert len(expected) == 5


def test_in_category_pages_through_the_articles_newest_first(app, staff, solved):
    a1, a2, _other, a3 = _published(staff, solved, [
        "mobilfunk", "mobilfunk", "internet-festnetz", "mobilfunk"])
    query = knowledge.in_category(category("mobilfunk").id)
    with app.test_request_context("/?page=1"):
        first = paginate(query, per_page=2)
    with app.test_request_context("/?page=2"):
        second = paginate(query, per_page=2)
    assert (first.total, first.pages) == (3, 2)
    assert (first.items, second.items) == ([a3, a2], [a1])

