"""Finding a campaign named in a URL, for the pages of every domain that work on one."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from lab.campaigns.models import CANCELLED, PUBLIC_STATES, Campaign
from lab.extensions import db


def campaign_or_404(slug: str) -> Campaign:
    return db.first_or_404(select(Campaign).where(Campaign.slug == slug))


def published_campaign_or_404(slug: str) -> Campaign:
    """A campaign members may know of: drafts and campaigns in review are 404."""
    campaign = campaign_or_404(slug)
    if campaign.state not in (*PUBLIC_STATES, CANCELLED):
        abort(404)
    return campaign
