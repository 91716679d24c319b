"""Registration, e-mail confirmation, sign-in, password reset and change."""

import pytest
from sqlalchemy import select

from lab.accounts.models import User
from lab.extensions import db
from lab.notify.models import OutboxMail
from tests.conftest import TEST_PASSWORD
from tests.support import outbox_links, post_form

STRONG = "Lila-Elefant-tanzt-42"


def _register(client, **fields):
    data = {"email": "neu@example.org", "handle": "NeuesMitglied", "password": STRONG,
            "password_confirm": STRONG}
    data.update(fields)
    return post_form(client, "/register", data)


def _mails_to(address):
    db.session.expire_all()
    return db.session.scalars(select(OutboxMail).where(OutboxMail.recipient == address)).all()


def test_registration_creates_an_unconfirmed_member_and_mails_a_link(client):
    answer = _register(client)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/register/done"
    user = db.session.scalar(select(User).where(User.email == "neu@example.org"))
    assert user.handle == "NeuesMitglied"
    assert user.confirmed_at is None
    assert user.role_names == {"member"}
    assert user.profile is not None
    assert outbox_links(_mails_to("neu@example.org"), "/confirm/")


def test_the_confirmation_link_confirms_and_then_sign_in_works(client):
    _register(client)
    link = outbox_links(_mails_to("neu@example.org"), "/confirm/")[0]
    answer = client.get(link.split("localhost", 1)[1])
    assert answer.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "neu@example.org"))
    db.session.refresh(user)
    assert user.confirmed_at is not None
    signed_in = post_form(client, "/login", {"email": "neu@example.org", "password": STRONG})
    assert signed_in.status_code == 302
    assert client.get("/me/").status_code == 200


def test_an_unconfirmed_member_cannot_sign_in(client):
    _register(client)
    answer = post_form(client, "/login", {"email": "neu@example.org", "password": STRONG})
    assert answer.status_code == 200
    assert "bestätigt" in answer.get_data(as_text=True)  # Flask-Security's own text, in German
    assert client.get("/me/").status_code == 302


@pytest.mark.parametrize("handle", ["Taken", "taken", "TAKEN"])
def test_a_taken_handle_is_refused_beside_the_field_whatever_its_case(client, make_member,
                                                                     handle):
    make_member("Taken")
    db.session.commit()
    answer = _register(client, handle=handle)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert 'id="handle-error"' in html
    assert "bereits vergeben" in html
    assert 'value="neu@example.org"' in html


def test_a_taken_email_is_refused_and_the_input_kept(client, make_member):
    make_member("Someone", email="neu@example.org")
    db.session.commit()
    answer = _register(client, handle="AnotherOne")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert 'id="email-error"' in html
    assert 'value="AnotherOne"' in html
    assert db.session.scalar(select(User).where(User.handle_key == "anotherone")) is None


@pytest.mark.parametrize("password", ["kurz", "passwort1234", "neu@example.org"])
def test_a_weak_password_is_refused_with_a_message(client, password):
    answer = _register(client, password=password, password_confirm=password)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert 'id="password-error"' in html
    assert db.session.scalar(select(User).where(User.email == "neu@example.org")) is None


@pytest.mark.parametrize("handle", ["x" * 31, "a", "bad handle", "-dash", "admin"])
def test_a_bad_or_over_long_handle_is_refused(client, handle):
    answer = _register(client, handle=handle)
    assert answer.status_code == 200
    assert 'id="handle-error"' in answer.get_data(as_text=True)


def test_wrong_password_gives_a_german_message(client, make_member):
    make_member("Anna", email="anna@example.org")
    db.session.commit()
    answer = post_form(client, "/login", {"email": "anna@example.org", "password": "wrong-one"})
    assert answer.status_code == 200
    assert "Ungültig" in answer.get_data(as_text=True)


def test_deactivated_account_cannot_sign_in(client, make_member):
    make_member("Gone", email="gone@example.org", active=False)
    db.session.commit()
    answer = post_form(client, "/login", {"email": "gone@example.org", "password": TEST_PASSWORD})
    assert answer.status_code == 200
    assert client.get("/me/").status_code == 302


def test_password_reset_mails_a_link_that_sets_a_new_password(client, make_member):
    make_member("Vergesslich", email="vergesslich@example.org")
    db.session.commit()
    post_form(client, "/reset", {"email": "vergesslich@example.org"})
    link = outbox_links(_mails_to("vergesslich@example.org"), "/reset/")[0]
    path = link.split("localhost", 1)[1]
    answer = post_form(client, path, {"password": STRONG, "password_confirm": STRONG})
    assert answer.status_code == 302
    client.post("/logout", data={"csrf_token": "x"})  # refused: no valid token
    signed_in = post_form(client, "/login", {"email": "vergesslich@example.org",
                                             "password": STRONG})
    assert signed_in.status_code == 302


def test_change_password_needs_the_current_one(client, auth, make_member):
    auth.login(make_member())
    answer = post_form(client, "/me/password", {
        "password": "not-the-current", "new_password": STRONG, "new_password_confirm": STRONG})
    assert answer.status_code == 200
    assert 'id="password-error"' in answer.get_data(as_text=True)
    ok = post_form(client, "/me/password", {
        "password": TEST_PASSWORD, "new_password": STRONG, "new_password_confirm": STRONG})
    assert ok.status_code == 302


def test_sign_out_is_a_post_and_ends_the_session(client, auth, make_member):
    auth.login(make_member())
    assert client.get("/logout").status_code == 405
    assert client.get("/me/").status_code == 200
    post_form(client, "/logout", {}, page="/me/")
    assert client.get("/me/").status_code == 302


def test_an_email_differing_only_in_case_counts_as_taken(client, make_member):
    make_member("Original", email="gross@example.org")
    db.session.commit()
    answer = _register(client, email="Gross@Example.org", handle="Kopie")
    assert answer.status_code == 200
    assert 'id="email-error"' in answer.get_data(as_text=True)
