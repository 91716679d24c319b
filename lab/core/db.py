"""The one place a request commits its unit of work."""

from __future__ import annotations

from flask import abort, g

from lab.extensions import db


def commit() -> None:
    """Commit the request's work; refuse if the request failed its CSRF check.

    Views call this once, after the service did its work. The CSRF guard is a
    second line behind form validation: a state change never lands with a bad token.
    """
    if g.get("csrf_error"):
        db.session.rollback()
        abort(400)
    db.session.commit()
