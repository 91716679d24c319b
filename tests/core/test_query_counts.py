"""Main pages run a fixed number of SQL queries, however many rows there are."""

import pytest

from lab.accounts import services
from lab.extensions import db
from tests.support import count_queries


def _grow(admin, make_member, how_many):
    for n in range(how_many):
        member = make_member()
        services.add_device(member, kind="router", brand="AVM", model=str(n), os="firmware")
        services.set_roles(admin, member, ["staff"] if n % 2 else [])
    db.session.commit()


@pytest.mark.parametrize("url", ["/", "/me/", "/me/profile", "/me/address", "/admin/users",
                                 "/admin/audit", "/admin/users/{admin_id}"])
def test_page_queries_do_not_grow_with_the_data(client, auth, make_admin, make_member, url):
    admin = auth.login(make_admin())
    url = url.format(admin_id=admin.id)
    _grow(admin, make_member, 5)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    _grow(admin, make_member, 40)
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), "\n".join(many)
    assert len(few) <= 8, "\n".join(few)
