"""The lists of the staff pages: campaigns, and a campaign's applications as a table and
as CSV (answers and ranking, no contact data).

In the CSV, cells that a spreadsheet would read as a formula (starting with = + - @, a
tab or a carriage return) get a leading apostrophe, so an applicant's answer cannot run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, lazyload

from lab.accounts.models import User
from lab.campaigns.models import Application, Campaign
from lab.core.export import csv_lines


def campaigns_query(state: str | None = None):
    """Campaigns, those whose applications close last first (ix_campaign_listing)."""
    query = (select(Campaign).options(lazyload(Campaign.questions))
             .order_by(Campaign.applications_close_at.desc(), Campaign.id.desc()))
    return query.where(Campaign.state == state) if state else query


def applications_query(campaign: Campaign, filters: dict):
    """The campaign's applications with their members, in one query, filtered
    (status, eligible "yes"/"no", search in handles) and sorted (rank, score,
    submitted, handle) as the staff table asks."""
    query = (select(Application).join(Application.member)
             .options(contains_eager(Application.member), lazyload(Application.campaign))
             .where(Application.campaign_id == campaign.id))
    if filters.get("status"):
        query = query.where(Application.status == filters["status"])
    if filters.get("eligible") == "yes":
        query = query.where(Application.eligible.is_(True))
    elif filters.get("eligible") == "no":
        query = query.where(Application.eligible.is_(False))
    if filters.get("search"):
        escaped = filters["search"].casefold().replace("\\", "\\\\") \
            .replace("%", "\\%").replace("_", "\\_")
        query = query.where(User.handle_key.like(f"%{escaped}%", escape="\\"))
    order = {
        "score": (Application.score.is_(None), Application.score.desc()),
        "submitted": (Application.submitted_at.is_(None), Application.submitted_at),
        "handle": (User.handle_key,),
    }.get(filters.get("sort"), (Application.rank.is_(None), Application.rank))
    return query.order_by(*order, Application.id)


def _header(campaign: Campaign) -> list[str]:
    return [_("Handle"), _("Status"), _("Eligible"), _("Rank"), _("Score"),
            _("Helpfulness"), _("Reputation (12 months)"), _("Reliability"), _("Freshness"),
            _("Tie-break"), _("Submitted at (UTC)")] + [q.label for q in campaign.questions]


def _row(campaign: Campaign, application: Application) -> list:
    answers = application.answers or {}
    return [application.member.handle, application.status, application.eligible,
            application.rank, application.score, application.helpfulness,
            application.reputation_12m, application.reliability, application.freshness,
            application.tie_break,
            application.submitted_at.isoformat(sep=" ") if application.submitted_at else None,
            ] + [(answers.get(str(q.id)) or {}).get("value") for q in campaign.questions]


def applications_csv(campaign: Campaign, rows: Iterable[Application]) -> Iterator[str]:
    return csv_lines(_header(campaign), (_row(campaign, a) for a in rows))
