"""Staff pages of the inventory: /staff/devices/ (list, one device, import, overdue)."""

from __future__ import annotations

from flask import Blueprint

from lab.core.permissions import staff_required
from lab.logistics import after_test  # noqa: F401  (registers what follows a test)

bp = Blueprint("logistics", __name__, url_prefix="/staff/devices")


@bp.get("/")
@staff_required
def list_devices():
    return "TODO"


@bp.get("/<int:device_id>")
@staff_required
def device(device_id: int):
    return "TODO"
