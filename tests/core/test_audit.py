"""The audit log is append-only: neither the ORM nor plain SQL may change an entry."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from lab.core import audit
from lab.extensions import db


def test_record_stores_who_what_which_object_and_details(make_admin):
    admin = make_admin()
    entry = audit.record(admin, "user.roles_changed", "user", 7, before=["member"])
    db.session.flush()
    assert (entry.actor_id, entry.object_type, entry.object_id) == (admin.id, "user", "7")
    assert entry.details == {"before": ["member"]} and entry.created_at is not None


def test_changing_an_entry_through_the_orm_is_refused(make_admin):
    entry = audit.record(make_admin(), "user.deactivated", "user", 1)
    db.session.flush()
    entry.action = "something.else"
    with pytest.raises(audit.AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def test_deleting_an_entry_through_the_orm_is_refused(make_admin):
    entry = audit.record(make_admin(), "user.deactivated", "user", 1)
    db.session.flush()
    db.session.delete(entry)
    with pytest.raises(audit.AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("statement", [
    "UPDATE audit_entry SET action = 'forged'",
    "DELETE FROM audit_entry",
])
def test_the_database_itself_refuses_changes(make_admin, statement):
    audit.record(make_admin(), "user.deactivated", "user", 1)
    db.session.flush()
    with pytest.raises(DBAPIError, match="append-only"):
        with db.session.begin_nested():
            db.session.execute(text(statement))


def test_entries_query_filters_by_object(make_admin):
    admin = make_admin()
    audit.record(admin, "user.deactivated", "user", 1)
    audit.record(admin, "user.deactivated", "user", 2)
    db.session.flush()
    found = db.session.scalars(audit.entries_query(object_type="user", object_id=2)).all()
    assert [e.object_id for e in found] == ["2"]
