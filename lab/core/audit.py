"""Append-only audit log: who did what to which object, when, with which details."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from lab.core.clock import utcnow
from lab.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor = relationship("User", foreign_keys=[actor_id], lazy="joined")

    __table_args__ = (db.Index("ix_audit_entry_object", "object_type", "object_id"),)


class AuditLogIsAppendOnly(RuntimeError):
    """An append-only row (audit entry, ledger entry) was to be changed or deleted."""


# models whose rows are written once; their migrations add refusing triggers too
APPEND_ONLY: set[type] = {AuditEntry}


def register_append_only(model: type) -> type:
    APPEND_ONLY.add(model)
    return model


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_append_only_rows(session, flush_context, instances):
    # The database triggers refuse it too; this catches it earlier, with a clear error.
    for obj in list(session.dirty) + list(session.deleted):
        if type(obj) in APPEND_ONLY and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsAppendOnly(f"{type(obj).__name__} rows are never changed or deleted")


def record(actor, action: str, obj_type: str, obj_id: Any, **details: Any) -> AuditEntry:
    """Add an audit entry to the current unit of work (committed with it)."""
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=obj_type,
        object_id=str(obj_id),
        details=details,
    )
    db.session.add(entry)
    return entry


def entries_query(*, actor_id=None, action=None, object_type=None, object_id=None,
                  since=None, until=None):
    """Entries newest first, narrowed by the given filters."""
    query = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if action:
        query = query.where(AuditEntry.action == action)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id:
        query = query.where(AuditEntry.object_id == str(object_id))
    if since:
        query = query.where(AuditEntry.created_at >= since)
    if until:
        query = query.where(AuditEntry.created_at < until)
    return query


# action code -> translatable label; each domain registers the actions it writes.
ACTIONS: dict[str, Any] = {}


def register_action(code: str, label) -> str:
    ACTIONS[code] = label
    return code
