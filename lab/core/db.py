"""The one place a request commits its unit of work, and row locks for services."""

from __future__ import annotations

from flask import abort, g
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lab.extensions import db

MAX_ID = 2**31 - 1  # id columns are 32-bit: PostgreSQL refuses more, SQLite overflows


def id_or_none(value) -> int | None:
    """A row id typed or picked in a form, or None for anything else (never an error)."""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_ID:
        return None
    return int(text)


def commit() -> None:
    """Commit the request's work; refuse if the request failed its CSRF check.

    Views call this once, after the service did its work. The CSRF guard is a
    second line behind form validation: a state change never lands with a bad token.
    """
    if g.get("csrf_error"):
        db.session.rollback()
        abort(400)
    db.session.commit()


def dialect_insert(model):
    """INSERT for the session's database, with its ON CONFLICT clauses."""
    postgres = db.session.get_bind().dialect.name == "postgresql"
    return (pg_insert if postgres else sqlite_insert)(model)


def insert_ignoring_duplicates(model, rows: list[dict]) -> None:
    """Insert the rows, leaving out those that would break a unique constraint (another
    request may have inserted the same a moment ago)."""
    if rows:
        db.session.execute(dialect_insert(model).values(rows).on_conflict_do_nothing())


def locked(model, object_id):
    """Load a row locked FOR UPDATE OF its own table (PostgreSQL), fresh from the database.

    OF keeps the lock off the tables of joined eager loads: PostgreSQL refuses to lock
    the nullable side of an outer join. SQLite ignores the lock (it serialises writers).
    """
    return db.session.execute(
        select(model).where(model.id == object_id).with_for_update(of=model)
        .execution_options(populate_existing=True)
    ).unique().scalar_one_or_none()
