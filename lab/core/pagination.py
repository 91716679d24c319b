"""Paginate a select() from the request's ?page= (bad values mean page 1)."""

from __future__ import annotations

from flask import request
from flask_sqlalchemy.pagination import SelectPagination

from lab.extensions import db

MAX_PAGE = 100_000


class RowPagination(SelectPagination):
    """Pages of whole rows, for selects of more than one entity or column."""

    def _query_items(self) -> list:
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(select).all())


def current_page() -> int:
    page = request.args.get("page", type=int) or 1
    return max(1, min(page, MAX_PAGE))


def paginate(query, per_page: int = 25):
    """A page of the first entity of each row (the usual case)."""
    return db.paginate(query, page=current_page(), per_page=per_page, error_out=False,
                       max_per_page=100)


def paginate_rows(query, per_page: int = 25) -> RowPagination:
    """A page of rows, e.g. (member, points) pairs."""
    return RowPagination(select=query, session=db.session(), page=current_page(),
                         per_page=per_page, error_out=False, max_per_page=100)
