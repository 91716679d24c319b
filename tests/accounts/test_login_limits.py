"""Signing in is rate limited per address and per account; only failures count."""

from lab.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.support import post_form


def _login(client, email, password, ip="10.0.0.1"):
    return post_form(client, "/login", {"email": email, "password": password},
                     environ_base={"REMOTE_ADDR": ip})


def test_too_many_failed_sign_ins_are_stopped_with_a_clear_message(app, client, make_member,
                                                                   monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    make_member("Ziel", email="ziel@example.org")
    db.session.commit()
    for _ in range(3):
        assert _login(client, "ziel@example.org", "falsch").status_code == 200
    blocked = _login(client, "ziel@example.org", TEST_PASSWORD)
    assert blocked.status_code == 429
    assert "Zu viele Versuche" in blocked.get_data(as_text=True)


def test_successful_sign_ins_do_not_count(app, client, make_member, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "2 per minute")
    make_member("Oft", email="oft@example.org")
    db.session.commit()
    for _ in range(4):
        assert _login(client, "oft@example.org", TEST_PASSWORD).status_code == 302
        post_form(client, "/logout", {}, page="/me/")


def test_one_account_is_protected_against_guesses_from_many_addresses(app, client, make_member,
                                                                      monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_RATE_LIMIT", "3 per hour")
    make_member("Beliebt", email="beliebt@example.org")
    db.session.commit()
    for n in range(3):
        _login(client, "beliebt@example.org", "falsch", ip=f"10.0.1.{n}")
    assert _login(client, "beliebt@example.org", "falsch", ip="10.0.2.1").status_code == 429
    assert _login(client, "other@example.org", "falsch", ip="10.0.2.1").status_code == 200
