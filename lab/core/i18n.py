"""Which language a request is served in: the member's choice, else the session's, else German."""

from __future__ import annotations

from flask import current_app, has_request_context, session
from flask_login import current_user

# Flask-Security ships its German catalogue as de_DE; asking for de_DE finds it and
# falls back to our own "de" catalogue, so both are German.
_BABEL_LOCALES = {"de": "de_DE", "en": "en"}


def chosen_language() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user_choice = getattr(current_user, "locale", None) if current_user else None
    for candidate in (user_choice, session.get("lang")):
        if candidate in languages:
            return candidate
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_locale() -> str:
    return _BABEL_LOCALES[chosen_language()]
