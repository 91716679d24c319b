"""Who may reach which page: anonymous visitors, members, staff and admins."""

import pytest

PUBLIC = ["/", "/login", "/register", "/reset", "/confirm", "/healthz", "/register/done"]
MEMBER = ["/me/", "/me/profile", "/me/address", "/me/password", "/tf-setup"]
ADMIN = ["/admin/users", "/admin/users/{admin_id}", "/admin/audit"]

# Our own GET pages; a new page must be added to a list above (checked below).
COVERED_ENDPOINTS = {
    "core.index", "core.healthz", "core.registered",
    "accounts.dashboard", "accounts.edit_profile", "accounts.edit_address",
    "accounts_admin.list_users", "accounts_admin.show_user", "admin.audit_log",
}

EXPECTED = {
    # who: (public, member pages, admin pages)
    "anonymous": (200, 302, 302),
    "member": (200, 200, 403),
    "staff": (200, 200, 403),
    "admin": (200, 200, 200),
}


@pytest.fixture
def admin_user(make_admin):
    return make_admin("boss")


def _sign_in(who, auth, make_member, admin_user):
    if who == "admin":
        auth.login(admin_user)
    elif who != "anonymous":
        auth.login(make_member(roles=(who,) if who == "staff" else ()))


@pytest.mark.parametrize("who", list(EXPECTED))
def test_who_may_reach_which_page(who, client, auth, make_member, admin_user):
    _sign_in(who, auth, make_member, admin_user)
    public, member, admin = EXPECTED[who]
    for urls, expected in ((PUBLIC, public), (MEMBER, member), (ADMIN, admin)):
        for url in urls:
            url = url.format(admin_id=admin_user.id)
            if url in ("/login", "/register", "/reset", "/confirm") and who != "anonymous":
                continue  # signed-in users are sent on from these
            status = client.get(url).status_code
            assert status == expected, f"{who} GET {url}: {status}, expected {expected}"


def test_anonymous_visitors_are_sent_to_sign_in_and_back(client):
    answer = client.get("/admin/users")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login?next=")


def test_a_member_opening_an_admin_page_sees_the_403_page(client, auth, make_member):
    auth.login(make_member())
    answer = client.get("/admin/audit")
    assert answer.status_code == 403
    assert "Zugriff verweigert" in answer.get_data(as_text=True)


def test_every_page_of_ours_is_in_the_access_matrix(app):
    ours = {
        rule.endpoint for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint.split(".")[0]
        in {"core", "accounts", "accounts_admin", "admin"}
    }
    assert ours == COVERED_ENDPOINTS
