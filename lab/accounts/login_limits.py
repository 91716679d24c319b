"""Rate limits on signing in: per address and per account, counting failed attempts only."""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_limiter.util import get_remote_address

from lab.extensions import limiter

# Endpoints where a password or code is guessed.
GUARDED = ("security.login", "security.two_factor_token_validation", "security.forgot_password")


def _failed(response) -> bool:
    # A successful sign-in redirects; a failed one re-renders the form.
    return response.status_code < 300 or response.status_code >= 400


def _account_key() -> str:
    email = (request.form.get("email") or "").strip().lower()
    return f"account:{email}" if email else f"addr:{get_remote_address()}"


def limit_login(app: Flask) -> None:
    """Wrap Flask-Security's views with the configured limits (kept in Redis if set)."""

    def per_address() -> str:
        return current_app.config["LOGIN_RATE_LIMIT"]

    def per_account() -> str:
        return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]

    for endpoint in GUARDED:
        view = app.view_functions.get(endpoint)
        if view is None:
            continue
        view = limiter.limit(per_address, methods=["POST"], deduct_when=_failed)(view)
        view = limiter.limit(per_account, methods=["POST"], deduct_when=_failed,
                             key_func=_account_key)(view)
        app.view_functions[endpoint] = view
