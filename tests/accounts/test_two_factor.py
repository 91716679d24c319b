"""Two-factor sign-in with an authenticator app: open to all, required for admins in
production."""

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest

from lab.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.support import post_form


def authenticator_code(key: str) -> str:
    """What an authenticator app shows for this key now (RFC 6238, SHA-1, 6 digits)."""
    secret = base64.b32decode(key.replace("-", "").upper() + "=" * (-len(key.replace("-", "")) % 8))
    counter = struct.pack(">Q", int(time.time()) // 30)
    digest = hmac.new(secret, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def _set_up_two_factor(client):
    page = post_form(client, "/tf-setup", {"setup": "authenticator"})
    key = re.search(r'id="authr-key">([^<]+)<', page.get_data(as_text=True)).group(1)
    post_form(client, "/tf-validate", {"code": authenticator_code(key)}, page="/tf-setup")
    return key


def test_a_member_turns_on_two_factor_and_then_needs_a_code(app, client, auth, make_member):
    member = auth.login(make_member("Vorsichtig", email="vorsichtig@example.org"))
    key = _set_up_two_factor(client)
    db.session.expire_all()
    assert member.tf_primary_method == "authenticator"

    post_form(client, "/logout", {}, page="/me/")
    answer = post_form(client, "/login", {"email": "vorsichtig@example.org",
                                          "password": TEST_PASSWORD})
    assert answer.status_code == 302 and "/tf-validate" in answer.headers["Location"]
    assert client.get("/me/").status_code == 302, "not signed in before the code"
    wrong = post_form(client, "/tf-validate", {"code": "000000"})
    assert wrong.status_code == 200
    post_form(client, "/tf-validate", {"code": authenticator_code(key)})
    assert client.get("/me/").status_code == 200


def test_two_factor_is_optional_for_admins_in_development(client, make_admin):
    make_admin("DevChef", email="devchef@example.org")
    db.session.commit()
    answer = post_form(client, "/login", {"email": "devchef@example.org",
                                          "password": TEST_PASSWORD})
    assert answer.status_code == 302 and "tf-" not in answer.headers["Location"]


@pytest.fixture
def production_two_factor(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_FOR_ADMINS", True)


def test_admins_must_set_up_two_factor_when_required(production_two_factor, client,
                                                     make_admin):
    make_admin("ProdChef", email="prodchef@example.org")
    db.session.commit()
    answer = post_form(client, "/login", {"email": "prodchef@example.org",
                                          "password": TEST_PASSWORD})
    assert answer.status_code == 302
    assert "/tf-setup" in answer.headers["Location"] or "/tf-select" in answer.headers["Location"]
    assert client.get("/admin/users").status_code == 302


def test_a_signed_in_admin_without_two_factor_is_sent_to_set_it_up(production_two_factor,
                                                                   client, auth, make_admin):
    auth.login(make_admin())
    answer = client.get("/admin/users")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/tf-setup")


def test_members_are_not_forced_when_admins_are(production_two_factor, client, make_member):
    make_member("Normal", email="normal@example.org")
    db.session.commit()
    answer = post_form(client, "/login", {"email": "normal@example.org",
                                          "password": TEST_PASSWORD})
    assert answer.status_code == 302 and "tf-" not in answer.headers["Location"]
