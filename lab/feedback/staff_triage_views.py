"""Staff triage of a campaign's reports: list, one report, status, severity, merge,
thread."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("feedback_triage", __name__, url_prefix="/staff/campaigns")
