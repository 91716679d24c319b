"""Small helpers views use to answer with a form."""

from __future__ import annotations

from flask import render_template

from lab.core.errors import DomainError


def attach_error(form, error: DomainError) -> None:
    """Put a service's error beside its field, or above the form when it names none."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error.message)]
    else:
        form.form_errors.append(str(error.message))


def render_form(template: str, form, **context):
    """Render a page with a form; a form that failed its CSRF check answers 400."""
    status = 400 if getattr(getattr(form, "csrf_token", None), "errors", None) else 200
    return render_template(template, form=form, **context), status
