"""Full-text search over questions, answers and articles, and the similar questions the
ask page offers. PostgreSQL stems German words, SQLite matches word beginnings: every
expectation here holds on both."""

import pytest

from lab.community import knowledge, moderation, posts, search, solutions
from lab.community.models import ANSWER, QUESTION
from tests.community.conftest import category

REASON = "Beleidigender Ton gegenüber anderen"


@pytest.fixture
def staff(make_staff):
    return make_staff()


@pytest.fixture
def fillers(make_question, make_answer):
    """Unrelated questions with answers: ranking needs a corpus to weigh words against."""
    for number, (title, body, reply) in enumerate([
        ("Handy lädt nicht mehr richtig", "Das Ladekabel ist neu, trotzdem lädt nichts.",
         "Ladebuchse vorsichtig reinigen."),
        ("Rechnung doppelt abgebucht", "Im März wurde der Betrag zweimal eingezogen.",
         "Beim Kundenservice die Erstattung anfordern."),
        ("Fernsehsender fehlen nach Sendersuchlauf", "Nach dem Suchlauf fehlen Sender.",
         "Sendersuchlauf mit neuer Satellitenliste wiederholen."),
        ("Vertrag online kündigen geht nicht", "Der Button auf der Webseite reagiert nicht.",
         "Anderen Browser verwenden."),
    ]):
        question = make_question(title=title, body=body + f" Nummer {number}.")
        make_answer(question, body=reply)


def hits(query, **options):
    return [(hit.kind, hit.id) for hit in search.search(query, **options).items]


def solved(make_member, make_question, make_answer, **question_fields):
    asker = make_member()
    question = make_question(asker, **question_fields)
    answer = make_answer(question, body="Im Menü Verbindungen den Schalter umlegen.")
    solutions.accept(asker, question.id, answer.id)
    return question


def test_a_word_in_a_questions_title_finds_it(make_question):
    question = make_question(title="Glasfaseranschluss wird nicht erkannt")
    make_question(title="Handy lädt nicht mehr richtig")
    assert hits("Glasfaseranschluss") == [("question", question.id)]


def test_a_word_in_a_questions_body_finds_it(make_question):
    question = make_question(body="Die Rufumleitung auf die Mailbox klappt nicht.")
    make_question()
    assert hits("rufumleitung") == [("question", question.id)]


def test_the_beginning_of_a_word_finds_it(make_question):
    question = make_question(title="Glasfaseranschluss wird nicht erkannt")
    assert hits("Glasfaser") == [("question", question.id)]


def test_a_word_only_in_an_answer_finds_its_question_once(make_question, make_answer):
    question = make_question(title="Anrufe brechen nach Sekunden ab")
    make_answer(question, body="Bei mir half es, Voicemailsteuerung abzuschalten.")
    make_answer(question, body="Stimmt, Voicemailsteuerung aus, dann geht es.")
    make_question()
    page = search.search("Voicemailsteuerung")
    assert [(h.kind, h.id) for h in page.items] == [("question", question.id)]
    assert page.total == 1
    assert page.items[0].question is question


def test_a_question_found_by_its_text_and_its_answer_is_listed_once(make_question,
                                                                    make_answer):
    question = make_question(title="Voicemailsteuerung lässt sich nicht abschalten")
    make_answer(question, body="Voicemailsteuerung per Kurzwahl abschalten.")
    page = search.search("Voicemailsteuerung")
    assert ([(h.kind, h.id) for h in page.items], page.total) == ([("question", question.id)], 1)


def test_an_edited_question_is_found_by_its_new_words_only(make_member, make_question):
    author = make_member()
    question = make_question(author, title="Glasfaseranschluss wird nicht erkannt")
    posts.edit_question(author, question.id, title="Kabelanschluss wird nicht erkannt",
                        body=question.body, category_id=question.category_id, tags="")
    assert hits("Glasfaseranschluss") == []
    assert hits("Kabelanschluss") == [("question", question.id)]


def test_an_edited_answer_is_found_by_its_new_words_only(make_member, make_question,
                                                         make_answer):
    author = make_member()
    question = make_question()
    answer = make_answer(question, author, body="Voicemailsteuerung abschalten.")
    posts.edit_answer(author, answer.id, body="Rufweiterleitung abschalten.")
    assert hits("Voicemailsteuerung") == []
    assert hits("Rufweiterleitung") == [("question", question.id)]


def test_a_hidden_question_is_not_found(make_question, staff):
    question = make_question(title="Glasfaseranschluss wird nicht erkannt")
    moderation.hide(staff, QUESTION, question.id, REASON)
    assert hits("Glasfaseranschluss") == []
    assert search.search("Glasfaseranschluss").total == 0


def test_a_hidden_answer_does_not_find_its_question(make_question, make_answer, staff):
    question = make_question(title="Anrufe brechen nach Sekunden ab")
    answer = make_answer(question, body="Voicemailsteuerung abschalten, dann geht es.")
    moderation.hide(staff, ANSWER, answer.id, REASON)
    assert hits("Voicemailsteuerung") == []


def test_the_answers_of_a_hidden_question_do_not_find_it(make_question, make_answer, staff):
    question = make_question(title="Anrufe brechen nach Sekunden ab")
    make_answer(question, body="Voicemailsteuerung abschalten, dann geht es.")
    moderation.hide(staff, QUESTION, question.id, REASON)
    assert hits("Voicemailsteuerung") == []


def test_articles_are_found_as_articles(make_member, make_question, make_answer, staff):
    question = solved(make_member, make_question, make_answer)
    article = knowledge.publish(
        staff, question.id, title="WLAN-Telefonie einrichten",
        body="So richten Sie die WLAN-Telefonie ein: Einstellungen, Mobilfunk, "
             "Netzbetreiberoptionen, dann den Schalter umlegen.",
        category_id=category().id)
    page = search.search("Netzbetreiberoptionen")
    (hit,) = page.items
    assert (hit.kind, hit.id, hit.article) == ("article", article.id, article)
    assert hit.question is None and hit.link == f"/community/kb/{article.slug}"


def test_the_search_can_be_narrowed_to_questions(make_member, make_question, make_answer,
                                                staff):
    question = solved(make_member, make_question, make_answer,
                      title="Netzbetreiberoptionen finde ich nicht")
    knowledge.publish(staff, question.id, title="Netzbetreiberoptionen finden",
                      body="Die Netzbetreiberoptionen stehen unter Einstellungen, Mobilfunk, "
                           "ganz unten in der Liste.", category_id=category().id)
    assert sorted(h.kind for h in search.search("Netzbetreiberoptionen").items) == [
        "article", "question"]
    assert hits("Netzbetreiberoptionen", kinds=("question",)) == [("question", question.id)]


def test_every_word_must_match(make_question):
    both = make_question(title="Glasfaseranschluss und Router streiken")
    make_question(title="Glasfaseranschluss wird nicht erkannt")
    make_question(title="Router startet ständig neu")
    assert hits("router glasfaseranschluss") == [("question", both.id)]


def test_words_in_title_and_body_rank_above_a_word_only_in_an_answer(
        make_question, make_answer, fillers):
    in_answer = make_question(title="Anrufe brechen nach Sekunden ab",
                              body="Egal wo ich bin, nach zehn Sekunden ist Schluss.")
    make_answer(in_answer, body="Bei mir lag es an der Zweitkarte im Gerät.")
    in_question = make_question(title="Zweitkarte wird nicht erkannt",
                                body="Die Zweitkarte steckt im Slot, das Gerät sieht sie nicht.")
    assert hits("Zweitkarte") == [("question", in_question.id), ("question", in_answer.id)]


def test_results_are_paginated(make_question):
    questions = [make_question(title=f"Tarifwechsel Frage Nummer {n}") for n in range(5)]
    first, second, last = (search.search("Tarifwechsel", page=n, per_page=2)
                           for n in (1, 2, 3))
    assert (last.total, last.pages, len(last.items)) == (5, 3, 1)
    assert (len(first.items), len(second.items)) == (2, 2)
    assert {h.id for page in (first, second, last) for h in page.items} == {
        q.id for q in questions}
    assert search.search("Tarifwechsel", page=4, per_page=2).items == []


def test_the_word_is_marked_in_the_passage_and_title(make_question):
    make_question(title="Firmware bricht beim Laden ab",
                  body="Seit gestern bricht die Firmware beim Aktualisieren immer ab.")
    (hit,) = search.search("firmware").items
    assert "<mark>Firmware</mark>" in hit.title
    assert "<mark>Firmware</mark>" in hit.passage


def test_html_in_the_title_and_passage_is_escaped(make_question):
    make_question(title="Firmware <script>alert(1)</script> bricht ab",
                  body="<script>alert(1)</script> Die Firmware bricht beim Laden ab.")
    (hit,) = search.search("firmware").items
    assert "<script" not in hit.title and "&lt;script&gt;" in hit.title
    assert "<script" not in hit.passage and "<mark>" in hit.passage


def test_markup_characters_around_the_word_are_escaped(make_question):
    make_question(title="Router zeigt Fehler <b> an",
                  body="Der Router meldet Fehler & Co. <b>fett</b> im Menü.")
    (hit,) = search.search("router").items
    assert "<b>" not in hit.title and "&lt;b&gt;" in hit.title
    assert "<b>" not in hit.passage and "&amp;" in hit.passage


NASTY = ['"router', "router*", "-router", "router OR modem", "router AND modem",
         "NEAR(router modem)", "(router", "router)", "title:router", "router's",
         "C:\\router\\", "\\", "'", '"', "*", "-", ":", "^router", "router +modem",
         "router & | ! <-> :* modem", "' OR 1=1 --", "router; DROP TABLE community_question",
         "📶 router 🚀", "x" * 5000, "router " * 1000, "Straße ǅ ½ ² router"]


@pytest.mark.parametrize("query", NASTY)
def test_query_syntax_characters_never_raise(make_question, query):
    make_question(title="Router blinkt rot seit gestern")
    page = search.search(query)
    assert page.total >= 0 and len(page.items) <= page.total
    assert search.similar_questions(query) is not None


def test_query_syntax_is_ignored_and_the_words_are_searched(make_question):
    question = make_question(title="Router blinkt rot seit gestern")
    for query in ('"router', "router*", "(router)", ":router:", "-router", "router\\",
                  "📶 router"):
        assert hits(query) == [("question", question.id)], query


@pytest.mark.parametrize("query", ["", "   ", None, "!!! ??? ...", "📶🚀", "a", "* - :",
                                   "'\"\\"])
def test_an_empty_query_finds_nothing(make_question, query):
    make_question(title="Router blinkt rot seit gestern")
    page = search.search(query)
    assert (page.total, page.items, page.pages) == (0, [], 0)


def test_similar_questions_rank_the_one_sharing_most_words_first(make_question, fillers):
    closest = make_question(title="Router verliert ständig die Verbindung",
                            body="Jede Nacht bricht die Verbindung des Routers ab.")
    some = make_question(title="Router blinkt rot", body="Die Lampe am Gerät blinkt rot.")
    found = search.similar_questions("Router verliert nachts die Verbindung")
    assert found[:2] == [closest, some]


def test_similar_questions_ignore_stop_words(make_question):
    make_question(title="Warum ist das Internet so langsam",
                  body="Wie kann das sein, dass es abends nicht geht?")
    assert search.similar_questions("Was ist das für ein Router?") == []


@pytest.mark.parametrize("title", ["", None, "   ", "a b c", "?!", "und oder aber"])
def test_similar_questions_need_a_word_to_go_by(make_question, title):
    make_question(title="Router blinkt rot seit gestern")
    assert search.similar_questions(title) == []


def test_similar_questions_leave_hidden_questions_out(make_question, staff):
    visible = make_question(title="Router blinkt rot seit gestern")
    hidden = make_question(title="Router blinkt rot seit heute")
    moderation.hide(staff, QUESTION, hidden.id, REASON)
    assert search.similar_questions("Router blinkt rot") == [visible]


def test_similar_questions_leave_duplicates_out_and_offer_their_original(make_question,
                                                                         staff):
    original = make_question(title="Glasfaseranschluss wird nicht freigeschaltet")
    duplicate = make_question(title="Glasfaseranschluss noch nicht freigeschaltet")
    moderation.mark_duplicate(staff, duplicate.id, original.id)
    assert search.similar_questions("Glasfaseranschluss freigeschaltet") == [original]


def test_similar_questions_stop_at_the_limit(make_question):
    for n in range(4):
        make_question(title=f"Router blinkt rot, Fall {n}")
    assert len(search.similar_questions("Router blinkt", limit=3)) == 3


@pytest.mark.parametrize("query", ["Störung", "störung", "STÖRUNG", "Stör"])
def test_words_with_umlauts_find_themselves(make_question, query):
    question = make_question(title="Störung im Festnetz seit Montag")
    make_question(title="Router blinkt rot seit gestern")
    assert hits(query) == [("question", question.id)]

