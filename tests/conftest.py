"""Fixtures: one app per database (SQLite always, PostgreSQL when configured), a
transaction per test that is rolled back, factories and a sign-in helper."""

from __future__ import annotations

import tempfile
import time

import flask_migrate
import pytest
from flask.testing import FlaskClient
from flask_security import hash_password
from sqlalchemy import orm

from lab import create_app
from lab.accounts import services as accounts
from lab.extensions import db, limiter
from tests.support import postgres_url, sqlite_url

TEST_PASSWORD = "Correct-Horse-Battery-42"
DATABASES = ["sqlite", "postgresql"]


class _TestSession(orm.Session):
    """Flask-SQLAlchemy's session ignores bind=; this plain one joins the test's connection."""

    def __init__(self, db=None, **options):
        super().__init__(**options)


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as in production.

    Without this a request would reuse the test's app context, and with it `g`
    (the signed-in user, cached translations) from the request before.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_app(database_url: str, **overrides):
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_BACKEND": "console",
        "MAIL_SEND_IMMEDIATELY": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": "localhost",
        "SECURITY_PASSWORD_HASH_PASSLIB_OPTIONS": {"argon2__rounds": 1, "argon2__memory_cost": 512},
        # uploads of a test run never land in the checkout's instance/ folder
        "PRIVATE_UPLOAD_FOLDER": tempfile.mkdtemp(prefix="testlab-private-"),
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = FreshContextClient
    return app


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        return sqlite_url(tmp_path_factory.mktemp("db"))
    return postgres_url("_suite")


@pytest.fixture(scope="session")
def app(database_url):
    app = make_app(database_url)
    with app.app_context():
        flask_migrate.upgrade()
        app.config["_PASSWORD_HASH"] = hash_password(TEST_PASSWORD)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _db_transaction(request):
    """Every test that uses the app runs in a transaction that is rolled back."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        # A plain SQLAlchemy session honours bind=; commits become savepoint releases.
        db.session = db._make_scoped_session(
            {"bind": connection, "join_transaction_mode": "create_savepoint",
             "class_": _TestSession}
        )
        limiter.reset()
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_member(app):
    """Factory: make_member(handle=..., roles=(...), **columns) -> a confirmed, active user."""
    counter = {"n": 0}

    def make(handle: str | None = None, *, roles=(), email: str | None = None, **columns):
        counter["n"] += 1
        handle = handle or f"member{counter['n']}x{int(time.time() * 1000) % 100000}"
        user = accounts.create_user(
            email or f"{handle.lower()}@example.org", handle, "",
            roles=roles, password_hash=app.config["_PASSWORD_HASH"],
        )
        for name, value in columns.items():
            setattr(user, name, value)
        db.session.flush()
        return user

    return make


@pytest.fixture
def make_staff(make_member):
    return lambda handle=None, **kw: make_member(handle, roles=("staff",), **kw)


@pytest.fixture
def make_logistics(make_member):
    """Staff who ship devices (the logistics role brings staff with it)."""
    return lambda handle=None, **kw: make_member(handle, roles=("logistics",), **kw)


@pytest.fixture
def make_admin(make_member):
    return lambda handle=None, **kw: make_member(handle, roles=("admin",), **kw)


class Auth:
    """Sign a test client in as a user, as Flask-Security's session would."""

    def __init__(self, client):
        self.client = client

    def login(self, user):
        db.session.commit()  # make the user visible to the request's session
        with self.client.session_transaction() as session:
            session["_user_id"] = user.fs_uniquifier
            session["_fresh"] = True
            session["fs_paa"] = time.time()
            session["fs_cc"] = "set"
        return user

    def logout(self):
        with self.client.session_transaction() as session:
            session.clear()


@pytest.fixture
def auth(client):
    return Auth(client)


# fixtures whose parameter says which database a test ran on
_DATABASE_FIXTURES = ("database_url", "live_app", "empty_database")


# the slowest tests (browser journeys, demo seeds) first within each database's tests:
# pytest-xdist then ends the run on short tests instead of one journey on one worker
SLOW = ("tests/e2e/", "/test_demo.py", "tests/test_cli.py::test_seed_demo")
DATABASE_ORDER = {"sqlite": 1, "postgresql": 2}


def _database_of(item) -> str:
    params = item.callspec.params if hasattr(item, "callspec") else {}
    return next((params[name] for name in _DATABASE_FIXTURES if name in params), "")


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: (DATABASE_ORDER.get(_database_of(item), 0),
                                 not any(slow in item.nodeid for slow in SLOW)))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    params = getattr(getattr(item, "callspec", None), "params", {})
    database = next((params[f] for f in _DATABASE_FIXTURES if f in params), None)
    # user_properties travel from pytest-xdist's workers to the summary below
    report.user_properties = [*report.user_properties, ("database", database)]
    return report


def pytest_terminal_summary(terminalreporter):
    """Say plainly which databases and how many browser tests really ran."""
    passed = [r for r in terminalreporter.stats.get("passed", []) if r.when == "call"]
    terminalreporter.write_sep("-", "what ran")
    for name in DATABASES:
        count = sum(("database", name) in r.user_properties for r in passed)
        terminalreporter.write_line(f"passed on {name}: {count} tests")
    browser = sum("tests/e2e/" in r.nodeid for r in passed)
    terminalreporter.write_line(f"passed in the browser (Chromium + axe): {browser} tests")
