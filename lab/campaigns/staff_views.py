"""Staff pages of the test lab: products, campaigns, review, questions, applications."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("campaigns_staff", __name__, url_prefix="/staff")
