"""Landing page, error pages, health check, security headers, language switch."""

from tests.support import post_form


def test_landing_page_says_what_the_lab_is_and_links_to_registration(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'href="/register"' in html
    assert 'lang="de"' in html
    assert "Testlab" in html


def test_unknown_url_gives_the_friendly_404_page_in_german(client):
    page = client.get("/does-not-exist")
    assert page.status_code == 404
    assert "Seite nicht gefunden" in page.get_data(as_text=True)


def test_unknown_api_url_answers_json(client):
    answer = client.get("/api/v1/nothing")
    assert answer.status_code == 404
    assert answer.json["status"] == 404


def test_healthz_checks_the_database(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json["database"] == "ok"


def test_pages_carry_security_headers(client):
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_contain_no_inline_script(client):
    for url in ("/", "/login", "/register"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html
        assert "<script " not in html.replace('<script src=', '')


def test_session_cookie_is_httponly_and_lax(client):
    post_form(client, "/language", {"language": "en", "next": "/"})
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_language_switch_turns_the_pages_english(client):
    answer = post_form(client, "/language", {"language": "en", "next": "/login"})
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/login"
    html = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in html
    assert "Sign in" in html


def test_language_switch_never_redirects_off_site(client):
    answer = post_form(client, "/language", {"language": "en", "next": "https://evil.example/"})
    assert answer.headers["Location"] == "/"


def test_language_of_a_member_is_remembered_on_the_account(client, auth, make_member):
    member = auth.login(make_member())
    post_form(client, "/language", {"language": "en", "next": "/"})
    from lab.extensions import db
    db.session.refresh(member)
    assert member.locale == "en"


def test_an_unexpected_error_shows_the_friendly_500_page(tmp_path):
    from tests.conftest import make_app
    from tests.support import sqlite_url

    app = make_app(sqlite_url(tmp_path), TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("unexpected")

    answer = app.test_client().get("/boom")
    assert answer.status_code == 500
    assert "Etwas ist schiefgelaufen" in answer.get_data(as_text=True)


def test_a_nul_character_anywhere_in_the_request_is_a_400(client):
    assert client.get("/members/a%00b").status_code == 400
    assert client.get("/campaigns/?q=a%00b").status_code == 400
    assert client.post("/language", data={"language": "de\x00"}).status_code == 400


def test_an_id_beyond_a_32_bit_column_is_a_404(client):
    assert client.get("/rewards/99999999999").status_code == 404
