"""Every state change is a POST protected by CSRF: without a token nothing happens."""

import re

from sqlalchemy import func, select

from lab.core.audit import AuditEntry
from lab.extensions import db
from tests.support import post_form


def _example_url(rule, user_id):
    return re.sub(r"<(?:int:)?(\w+)>", lambda m: str(user_id) if "id" in m.group(1) else "x",
                  rule.rule)


def test_every_post_endpoint_refuses_a_request_without_token(app, client, auth, make_admin,
                                                              make_member):
    admin = auth.login(make_admin())
    victim = make_member()
    db.session.commit()
    audit_before = db.session.scalar(select(func.count(AuditEntry.id)))
    checked = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        url = _example_url(rule, victim.id)
        answer = client.post(url, data={"active": "0", "roles": ["admin"], "language": "en"})
        assert answer.status_code == 400, f"POST {url} without CSRF token: {answer.status_code}"
        checked.append(url)
    assert "/logout" in checked and "/admin/users/<int:user_id>/roles" in {
        r.rule for r in app.url_map.iter_rules()}
    db.session.expire_all()
    assert db.session.scalar(select(func.count(AuditEntry.id))) == audit_before
    assert victim.active and not victim.is_admin
    assert client.get("/me/").status_code == 200, "still signed in: logout was refused"
    assert admin.active


def test_a_form_sent_with_a_stale_token_comes_back_with_the_input_kept(client):
    answer = client.post("/register", data={
        "csrf_token": "stale", "email": "kept@example.org", "handle": "KeptHandle",
        "password": "x", "password_confirm": "x",
    })
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert 'value="kept@example.org"' in html
    assert 'value="KeptHandle"' in html
    assert 'role="alert"' in html


def test_profile_form_with_bad_token_keeps_input_and_saves_nothing(client, auth, make_member):
    member = auth.login(make_member())
    answer = client.post("/me/profile", data={
        "csrf_token": "wrong", "postcode_area": "53", "locale": "de", "connection_type": "dsl",
    })
    assert answer.status_code == 400
    assert 'value="53"' in answer.get_data(as_text=True)
    db.session.expire_all()
    assert member.profile.postcode_area is None


def test_the_same_form_with_its_token_is_accepted(client, auth, make_member):
    auth.login(make_member())
    answer = post_form(client, "/me/profile", {"postcode_area": "53", "locale": "de"})
    assert answer.status_code == 302
