"""Admins find users, change roles, deactivate and reactivate accounts; all audited."""

import pytest
from sqlalchemy import select

from lab.accounts import services
from lab.accounts.services import AccountError
from lab.core.audit import AuditEntry
from lab.extensions import db
from tests.support import post_form


def _audit(action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_admin_searches_users_by_handle_or_email(client, auth, make_admin, make_member):
    auth.login(make_admin())
    make_member("RouterRita", email="rita@example.org")
    make_member("Someone", email="other@example.org")
    db.session.commit()
    html = client.get("/admin/users?q=rita").get_data(as_text=True)
    assert "@RouterRita" in html and "@Someone" not in html
    html = client.get("/admin/users?q=OTHER@").get_data(as_text=True)
    assert "@Someone" in html and "@RouterRita" not in html


def test_search_treats_wildcards_as_text(make_member):
    make_member("under_score")
    make_member("underXscore")
    found = db.session.scalars(services.users_query(search="under_")).all()
    assert [u.handle for u in found] == ["under_score"]


def test_user_list_is_paginated(client, auth, make_admin, make_member):
    auth.login(make_admin())
    for n in range(30):
        make_member(f"paged{n:02d}")
    db.session.commit()
    first = client.get("/admin/users").get_data(as_text=True)
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    assert first.count("/admin/users/") >= 25
    assert 'rel="next"' in first
    assert "@paged00" in second or "@paged00" in first
    assert client.get("/admin/users?page=abc").status_code == 200


def test_admin_gives_a_member_the_staff_role_and_it_is_audited(client, auth, make_admin,
                                                                make_member):
    admin = auth.login(make_admin())
    member = make_member()
    answer = post_form(client, f"/admin/users/{member.id}/roles", {"roles": ["staff"]},
                       page=f"/admin/users/{member.id}")
    assert answer.status_code == 302
    db.session.expire_all()
    assert member.role_names == {"member", "staff"}
    [entry] = _audit("user.roles_changed")
    assert entry.actor_id == admin.id and entry.object_id == str(member.id)
    assert entry.details == {"before": ["member"], "after": ["member", "staff"]}


def test_admin_role_implies_staff(make_admin, make_member):
    admin, member = make_admin(), make_member()
    services.set_roles(admin, member, ["admin"])
    assert member.role_names == {"member", "staff", "admin"}
    assert member.is_staff


def test_an_admin_cannot_remove_their_own_admin_role(make_admin):
    admin = make_admin()
    with pytest.raises(AccountError):
        services.set_roles(admin, admin, ["staff"])
    assert admin.is_admin


def test_unknown_role_is_refused(client, auth, make_admin, make_member):
    auth.login(make_admin())
    member = make_member()
    answer = post_form(client, f"/admin/users/{member.id}/roles", {"roles": ["superuser"]},
                       page=f"/admin/users/{member.id}")
    assert answer.status_code == 200
    assert 'id="roles-error"' in answer.get_data(as_text=True)


def test_deactivating_ends_the_members_sessions_and_is_audited(app, auth, make_admin,
                                                               make_member):
    member_client = app.test_client()
    member = make_member()
    from tests.conftest import Auth
    Auth(member_client).login(member)
    assert member_client.get("/me/").status_code == 200

    admin_client = app.test_client()
    Auth(admin_client).login(make_admin())
    post_form(admin_client, f"/admin/users/{member.id}/active", {"active": "0"},
              page=f"/admin/users/{member.id}")
    db.session.expire_all()
    assert member.active is False
    assert member_client.get("/me/").status_code == 302
    assert len(_audit("user.deactivated")) == 1

    post_form(admin_client, f"/admin/users/{member.id}/active", {"active": "1"},
              page=f"/admin/users/{member.id}")
    db.session.expire_all()
    assert member.active is True
    assert len(_audit("user.reactivated")) == 1


def test_an_admin_cannot_deactivate_themselves(make_admin):
    admin = make_admin()
    with pytest.raises(AccountError):
        services.set_active(admin, admin, False)


def test_unknown_user_gives_404(client, auth, make_admin):
    auth.login(make_admin())
    assert client.get("/admin/users/999999").status_code == 404


def test_audit_log_filters_by_action_and_actor(client, auth, make_admin, make_member):
    admin = auth.login(make_admin("Chefin"))
    member = make_member("Gefiltert")
    services.set_roles(admin, member, ["staff"])
    services.set_active(admin, member, False)
    db.session.commit()
    html = client.get("/admin/audit?action=user.deactivated").get_data(as_text=True)
    assert "<td>Konto deaktiviert</td>" in html
    assert "<td>Rollen geändert</td>" not in html
    by_actor = client.get("/admin/audit?actor=chefin").get_data(as_text=True)
    assert f"#{member.id}" in by_actor
    nobody = client.get("/admin/audit?actor=nobody-like-this").get_data(as_text=True)
    assert f"#{member.id}" not in nobody
    assert client.get("/admin/audit?since=not-a-date").status_code == 200
