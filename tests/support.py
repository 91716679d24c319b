"""Helpers shared by the tests: database targets, skips that fail in strict mode, forms."""

from __future__ import annotations

import html as html_lib
import os
import re
import uuid
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest

STRICT = os.environ.get("LAB_STRICT") == "1"
PG_URL = os.environ.get("LAB_TEST_DATABASE_URL")

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                     r'type="hidden" name="csrf_token" value="([^"]+)"')


def unavailable(reason: str):
    """Skip, or fail when LAB_STRICT=1 (CI must run everything)."""
    if STRICT:
        pytest.fail(f"{reason} (LAB_STRICT=1 turns this skip into a failure)", pytrace=False)
    pytest.skip(reason)


def postgres_url(suffix: str) -> str:
    """A fresh, empty PostgreSQL database named after LAB_TEST_DATABASE_URL plus a suffix."""
    import psycopg

    from lab.config import normalise_database_url

    if not PG_URL:
        unavailable("PostgreSQL tests need LAB_TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1/testlab_test)")
    parts = urlsplit(normalise_database_url(PG_URL))
    # parallel workers (pytest-xdist) each get their own databases
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    name = (parts.path.lstrip("/") or "testlab_test") + suffix + (f"_{worker}" if worker else "")
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        unavailable(f"PostgreSQL at {parts.hostname}:{parts.port or 5432} is not reachable: {exc}")
    return urlunsplit(parts._replace(path="/" + name))


def sqlite_url(directory) -> str:
    return f"sqlite:///{directory}/testlab-{uuid.uuid4().hex[:8]}.sqlite"


def csrf_token(client, url: str = "/") -> str:
    page = client.get(url).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1) or match.group(2)


def post_form(client, url: str, data: dict, *, page: str | None = None, **kwargs):
    """Submit a form the way a browser does: with the CSRF token of the page."""
    payload = {"csrf_token": csrf_token(client, page or url), **data}
    return client.post(url, data=payload, **kwargs)


def outbox_links(mails, path_prefix: str) -> list[str]:
    """Links to this site's path_prefix found in the given outbox mails."""
    pattern = re.compile(r"https?://[^\s\"'<>]+" + re.escape(path_prefix) + r"[^\s\"'<>]*")
    return [m for mail in mails for m in pattern.findall(mail.body_text)]


@contextmanager
def count_queries():
    """Collect the SQL statements run inside the block (savepoint chatter left out)."""
    statements = []

    def record(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            statements.append(statement)

    from sqlalchemy import event

    from lab.extensions import db

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def text(answer) -> str:
    """The page as plain text: tags dropped, entities resolved, spaces squeezed."""
    page = answer.get_data(as_text=True)
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def field_error(answer, name: str) -> str | None:
    """The error shown beside the field ``name``, or None."""
    match = re.search(rf'id="{name}-error"[^>]*>(.*?)</div>', answer.get_data(as_text=True),
                      re.S)
    if match is None:
        return None
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def page_queries(client, url: str) -> list[str]:
    """The SQL statements a GET of the page runs (what the test wrote committed first)."""
    from lab.extensions import db

    db.session.commit()
    with count_queries() as statements:
        answer = client.get(url)
    assert answer.status_code == 200, url
    return statements
