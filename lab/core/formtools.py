"""Small helpers views use to answer with a form.

A form whose CSRF token failed is answered 400 by lab.core.web, not here.
"""

from __future__ import annotations

from lab.core.errors import DomainError


def attach_error(form, error: DomainError) -> None:
    """Put a service's error beside its field, or above the form when it names none."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error.message)]
    else:
        form.form_errors.append(str(error.message))
