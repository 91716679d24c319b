"""A campaign's analytics page and the exports of responses and reports."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("feedback_analytics", __name__, url_prefix="/staff/campaigns")
