"""Small helpers views use to answer with a form.

A form whose CSRF token failed is answered 400 by lab.core.web, not here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash

from lab.core.db import commit
from lab.core.errors import DomainError
from lab.extensions import db


def attach_error(form, error: DomainError) -> None:
    """Put a service's error beside its field, or above the form when it names none."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error.message)]
    else:
        form.form_errors.append(str(error.message))


def attempt(form, action: Callable[[], Any]) -> tuple[bool, Any]:
    """Run the service call behind a submitted form: commit and return (True, result),
    or roll back, put the service's error beside its field and return (False, None)."""
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return False, None
    commit()
    return True, result


def perform(action: Callable[[], Any], success) -> bool:
    """Run the service call behind a button: commit and flash ``success`` (a message, or a
    function of the call's result), or roll back and flash the service's error."""
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
        return False
    commit()
    flash(success(result) if callable(success) else success, "success")
    return True
