"""What every template can use: language, forms for the navigation, date formatting."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import format_date, format_datetime

from lab.core.i18n import chosen_language


def install(app: Flask) -> None:
    from lab.core.forms import ActionForm, LanguageForm

    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def page_context():
        language_form = LanguageForm(language=chosen_language(), next=request.full_path)
        return {
            "current_language": chosen_language(),
            "language_form": language_form,
            "action_form": ActionForm(),
        }

    from lab.accounts import choices

    app.jinja_env.globals.update(
        device_kind_label=lambda code: choices.label(choices.DEVICE_KINDS, code),
        os_label=lambda code: choices.label(choices.OPERATING_SYSTEMS, code),
        connection_label=lambda code: choices.label(choices.CONNECTION_TYPES, code),
        region_label=lambda code: choices.label(choices.REGIONS, code),
    )
    from lab.core.markdown import render as render_markdown

    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": (
        format_datetime(value, fmt) if value else ""
    )
    app.jinja_env.filters["date"] = lambda value, fmt="medium": (
        format_date(value, fmt) if value else ""
    )
