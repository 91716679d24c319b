"""A campaign's devices: /staff/campaigns/<slug>/devices (assign, ship, lists)."""

from __future__ import annotations

from flask import Blueprint

from lab.core.permissions import staff_required

bp = Blueprint("shipping", __name__, url_prefix="/staff/campaigns/<slug>/devices")


@bp.get("/")
@staff_required
def campaign_devices(slug: str):
    return "TODO"
