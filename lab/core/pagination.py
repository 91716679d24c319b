"""Paginate a select() from the request's ?page= (bad values mean page 1)."""

from __future__ import annotations

from flask import request

from lab.extensions import db


def current_page() -> int:
    page = request.args.get("page", type=int) or 1
    return max(1, min(page, 100_000))


def paginate(query, per_page: int = 25):
    return db.paginate(query, page=current_page(), per_page=per_page, error_out=False,
                       max_per_page=100)
