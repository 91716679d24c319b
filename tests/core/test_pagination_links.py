"""The pager keeps the list's query but never passes url_for's own keywords on."""

from lab.community import posts
from tests.community.conftest import category


def _questions(make_member, count):
    author = make_member(reputation=1000)  # above the new-member pace limit
    for number in range(count):
        posts.ask(author, title=f"Frage Nummer {number} zum Router", category_id=category().id,
                  body="Die Box startet jede Nacht um drei Uhr neu.")


def test_underscore_keywords_in_the_query_are_not_passed_to_the_links(client, make_member):
    _questions(make_member, 26)
    page = client.get("/community/?sort=newest&_scheme=javascript&_anchor=x&_method=POST")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "javascript:" not in html
    assert 'href="/community/?sort=newest&amp;page=2"' in html
