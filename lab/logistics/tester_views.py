"""The tester's device in the participant area: /tests/<slug>/device and shipments."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("tester_device", __name__, url_prefix="/tests/<slug>")
