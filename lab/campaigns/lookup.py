"""Finding a campaign named in a URL, for the pages of every domain that work on one."""

from __future__ import annotations

from sqlalchemy import select

from lab.campaigns.models import Campaign
from lab.extensions import db


def campaign_or_404(slug: str) -> Campaign:
    return db.first_or_404(select(Campaign).where(Campaign.slug == slug))
