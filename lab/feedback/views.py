"""The participant area /tests/<slug>/: tasks, forms, reports (confirmed testers only)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("tests", __name__, url_prefix="/tests")
