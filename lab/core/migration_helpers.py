"""Pieces the Alembic migrations share (kept stable: old migrations import them)."""

from __future__ import annotations

from alembic import op


def append_only(table: str) -> None:
    """Database triggers that refuse UPDATE and DELETE: the table is append-only."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION lab_refuse_change() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION lab_refuse_change()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def drop_append_only(table: str, *, drop_function: bool = False) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        if drop_function:
            op.execute("DROP FUNCTION IF EXISTS lab_refuse_change()")
    else:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{event}")


def add_counter_column(table: str, column: str, check_name: str) -> None:
    """Add an integer column (default 0) that a CHECK keeps at or above zero.

    SQLite can add a column with its CHECK in place, so the table (and the rows that
    point at it) need not be copied as batch mode would.
    """
    check = f"CONSTRAINT ck_{table}_{check_name} CHECK ({column} >= 0)"
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f'ALTER TABLE "{table}" ADD COLUMN {column} INTEGER DEFAULT 0 NOT NULL {check}')
    else:
        op.execute(f'ALTER TABLE "{table}" ADD COLUMN {column} INTEGER DEFAULT 0 NOT NULL, '
                   f"ADD {check}")
