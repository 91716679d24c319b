"""What the models do not describe and autogenerate must leave alone: the full-text
search structures built by hand in migration 0007 (SQLite FTS5 tables and their shadow
tables, PostgreSQL expression indexes)."""

from __future__ import annotations

FTS_MARK = "_fts"


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    if type_ in ("table", "index") and name and FTS_MARK in name:
        return False
    return True
