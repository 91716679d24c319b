"""Migrations build the whole schema from empty, and the models do not drift from them."""

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from lab.accounts.models import Role
from lab.core.migration_filter import include_object
from lab.extensions import db
from tests.conftest import make_app
from tests.support import postgres_url, sqlite_url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    return postgres_url("_migrations")


def test_upgrade_from_empty_builds_every_table_with_no_drift(empty_database):
    app = make_app(empty_database)
    with app.app_context():
        flask_migrate.upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        with db.engine.connect() as connection:
            diff = compare_metadata(
                MigrationContext.configure(connection, opts={"compare_type": True,
                                              "include_object": include_object}),
                db.metadata,
            )
        assert diff == [], f"models and migrations differ: {diff}"
        assert {r.name for r in db.session.scalars(select(Role))} == {"member", "staff", "admin"}
        db.session.remove()  # release its locks before the downgrade drops the tables
        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
