"""Member pages of the test lab: campaigns, applying, confirming."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")
