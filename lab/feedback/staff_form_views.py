"""Staff pages that build a campaign's test: feedback forms (with preview) and tasks."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("feedback_forms", __name__, url_prefix="/staff/campaigns")
