"""Request hooks: the CSRF answer, security headers, and two-factor for admins."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, abort, current_app, g, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from lab.core.db import MAX_ID

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Endpoints an admin without two-factor may still reach, to set it up or leave.
_TWO_FACTOR_SETUP_ENDPOINTS = {
    "security.two_factor_setup",
    "security.two_factor_setup_validate",
    "security.two_factor_token_validation",
    "security.tf_select",
    "security.logout",
    "static",
    "bootstrap.static",
    "core.healthz",
}


def install_hooks(app: Flask) -> None:
    app.register_error_handler(CSRFError, answer_bad_csrf_token)
    app.before_request(refuse_nul_characters)
    app.before_request(require_two_factor_for_admins)
    app.after_request(add_security_headers)


# endpoint -> function that re-renders its form page from request.form, for views we
# cannot run again (Flask-Security's check the token themselves before their form).
CSRF_RERENDER: dict[str, Callable[[], str]] = {}


def answer_bad_csrf_token(error: CSRFError):
    """A form sent with a missing or stale token comes back with the input kept (400).

    Our views are run once more with the flag set; their form then fails validation on
    the token, so they re-render the user's input with a message, and
    lab.core.db.commit() refuses to commit. Pure action endpoints (POST only) get the
    400 page.
    """
    g.csrf_error = error.description
    rule = request.url_rule
    if request.endpoint in CSRF_RERENDER:
        return CSRF_RERENDER[request.endpoint](), 400
    view = current_app.view_functions.get(request.endpoint or "")
    if rule is not None and view is not None and "GET" in (rule.methods or ()):
        try:
            response = current_app.make_response(
                current_app.ensure_sync(view)(**(request.view_args or {}))
            )
        except HTTPException:
            response = None
        if response is not None and response.status_code in (200, 400) \
                and response.mimetype == "text/html":
            response.status_code = 400
            return response
    return render_template("errors/400.html", csrf=True), 400


def require_two_factor_for_admins():
    if not current_app.config.get("TWO_FACTOR_REQUIRED_FOR_ADMINS"):
        return None
    if not current_user.is_authenticated or not current_user.is_admin:
        return None
    if current_user.tf_primary_method or request.endpoint in _TWO_FACTOR_SETUP_ENDPOINTS:
        return None
    return redirect(url_for("security.two_factor_setup"))


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config["LAB_ENV"] == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if current_user and current_user.is_authenticated:
        # pages with private data must not linger in shared caches or the back button
        headers.setdefault("Cache-Control", "no-store")
    return response


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` in every route: ids beyond a 32-bit column are 404, not a database
    error (PostgreSQL refuses them, SQLite overflows)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def install_converters(app: Flask) -> None:
    """Before any blueprint is registered: rules pick their converters when added."""
    app.url_map.converters["int"] = BoundedIntConverter


def refuse_nul_characters():
    """A NUL character in the path, the query or a form field is never legitimate, and
    PostgreSQL refuses it in text: answer 400 before any view sees it."""
    fields = [request.args]
    if request.method in ("POST", "PUT", "PATCH"):
        fields.append(request.form)
    if "\x00" in request.path or any("\x00" in key or "\x00" in value
                                      for multidict in fields
                                      for key, values in multidict.lists() for value in values):
        abort(400)
