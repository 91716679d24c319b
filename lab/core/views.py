"""Pages that belong to no single domain: landing page, language switch, health check."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, send_from_directory, session
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text

from lab.core.db import commit
from lab.core.forms import LanguageForm, safe_next
from lab.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/")
def index():
    return render_template("core/index.html")


@bp.get("/register/done")
def registered():
    return render_template("core/registered.html")


@bp.post("/language")
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.language.data
        if current_user.is_authenticated:
            current_user.locale = form.language.data
            commit()
    return redirect(safe_next(form.next.data))


@bp.get("/healthz")
def healthz():
    """Liveness and a round trip to the database; 503 if the database does not answer."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not healthy"
        db.session.rollback()
        return {"status": "error", "database": "unreachable", "detail": type(exc).__name__}, 503
    return {"status": "ok", "database": "ok", "message": _("Testlab is running.")}


@bp.get("/media/<path:name>")
def media(name: str):
    """Uploaded public images (re-encoded by lab.core.uploads); never a directory listing."""
    from lab.core.uploads import upload_root

    return send_from_directory(upload_root(), name, max_age=86400)
