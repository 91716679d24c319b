"""The staff dashboard /staff/: what waits too long, across campaigns and domains."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")
