"""community: full-text search (PostgreSQL german GIN indexes, SQLite FTS5 tables kept
by triggers), the ledger key each helpful vote paid, partial indexes for the list's sorts

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 09:10:00

The search structures are made by hand (the models do not describe them;
lab.core.migration_filter keeps autogenerate away from every name with "_fts").
On SQLite, a later migration that rebuilds community_question, community_answer or
community_article with batch_alter_table drops their triggers: create them again.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# table -> the text searched; the PostgreSQL expression must stay identical to the one in
# lab/community/search.py, or the index is not used
SEARCHED = {
    "community_question": ("title", "body"),
    "community_answer": ("body",),
    "community_article": ("title", "body"),
}


def _document(columns) -> str:
    return " || ' ' || ".join(columns)


def _upgrade_postgresql():
    for table, columns in SEARCHED.items():
        op.execute(f"CREATE INDEX ix_{table}_fts ON {table} "
                   f"USING gin (to_tsvector('german'::regconfig, {_document(columns)}))")


def _upgrade_sqlite():
    for table, columns in SEARCHED.items():
        fts = f"{table}_fts"
        names = ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}', "
                   "content_rowid='id', tokenize='unicode61 remove_diacritics 2')")
        op.execute(f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
                   f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new}); END")
        op.execute(f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
                   f"INSERT INTO {fts}({fts}, rowid, {names}) "
                   f"VALUES ('delete', old.id, {old}); END")
        op.execute(f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {names} ON {table} BEGIN "
                   f"INSERT INTO {fts}({fts}, rowid, {names}) "
                   f"VALUES ('delete', old.id, {old}); "
                   f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new}); END")
        op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


# the question list's sort orders: (name, columns, condition) before and after
OLD_SORT_INDEXES = [
    ("ix_question_newest", ["hidden_at", "created_at", "id"], None),
    ("ix_question_unanswered", ["hidden_at", "answer_count", "created_at"], None),
    ("ix_question_me_too", ["hidden_at", "me_too_count", "id"], None),
    ("ix_question_solved", ["hidden_at", "solved_at", "id"], None),
    ("ix_question_category", ["category_id", "hidden_at", "created_at"], None),
]
NEW_SORT_INDEXES = [
    ("ix_question_newest", ["created_at", "id"], "hidden_at IS NULL"),
    ("ix_question_unanswered", ["created_at", "id"], "hidden_at IS NULL AND answer_count = 0"),
    ("ix_question_me_too", ["me_too_count", "id"], "hidden_at IS NULL"),
    ("ix_question_solved", ["solved_at", "id"], "hidden_at IS NULL AND solved_at IS NOT NULL"),
    ("ix_question_category", ["category_id", "created_at", "id"], "hidden_at IS NULL"),
]


def _sort_indexes(drop, create):
    for name, _, _ in drop:
        op.drop_index(name, table_name="community_question")
    for name, columns, condition in create:
        where = sa.text(condition) if condition else None
        op.create_index(name, "community_question", columns, unique=False,
                        sqlite_where=where, postgresql_where=where)


def upgrade():
    with op.batch_alter_table('community_vote', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paid_key', sa.String(length=160), nullable=True))
    _sort_indexes(OLD_SORT_INDEXES, NEW_SORT_INDEXES)
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
    else:
        _upgrade_sqlite()


def downgrade():
    _sort_indexes(NEW_SORT_INDEXES, OLD_SORT_INDEXES)
    for table in SEARCHED:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_fts")
        else:
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{event}")
            op.execute(f"DROP TABLE IF EXISTS {table}_fts")
    with op.batch_alter_table('community_vote', schema=None) as batch_op:
        batch_op.drop_column('paid_key')
