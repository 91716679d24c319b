"""The harness of the PostgreSQL concurrency tests: an app on a database of its own with
committed data, and requests started together by a barrier.

The rolled-back transaction of the `app` fixture would hide the commits, so these tests
use an app of their own (`concurrent_app`) instead.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import flask_migrate

from lab.core.errors import DomainError
from lab.extensions import db
from tests.conftest import make_app


def concurrent_app(database_url: str, threads: int):
    """A migrated app whose pool has a connection for every thread."""
    app = make_app(database_url, SQLALCHEMY_ENGINE_OPTIONS={
        "pool_pre_ping": True, "pool_size": threads + 2, "max_overflow": 0})
    with app.app_context():
        flask_migrate.upgrade()
    return app


def dispose(app) -> None:
    with app.app_context():
        db.engine.dispose()


def committed(app, make):
    """Run make() in a unit of work of its own and commit it."""
    with app.app_context():
        result = make()
        db.session.commit()
        return result


def read(app, query):
    with app.app_context():
        return db.session.scalar(query)


def all_at_once(app, count: int, request) -> list[object]:
    """Run request(n) for n in range(count) in threads that start together, each as its
    own request: commit when it works, roll back when a rule refuses it. Returns what
    each request returned, or the DomainError that refused it."""
    barrier = threading.Barrier(count, timeout=30)

    def one(n: int):
        with app.app_context():
            barrier.wait()
            try:
                result = request(n)
                db.session.commit()
                return result
            except DomainError as refused:
                db.session.rollback()
                return refused

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def new_user(*roles):
    """A confirmed account with a random handle (made inside ``committed``)."""
    from lab.accounts import services as accounts

    handle = f"c{uuid.uuid4().hex[:12]}"
    return accounts.create_user(f"{handle}@example.org", handle, "", roles=roles,
                                password_hash="unused")
