"""Who may enter a campaign's participant area, and when they may write in it."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from lab.campaigns.models import (
    CLOSED,
    COMPLETED,
    CONFIRMED,
    EVALUATION,
    TESTING,
    Application,
    Campaign,
)
from lab.core.errors import DomainError
from lab.extensions import db

# testers: confirmed, or finished with the test completed (they keep reading their reports)
TESTER_STATUSES = (CONFIRMED, COMPLETED)
AREA_STATES = (TESTING, EVALUATION, CLOSED)
WRITABLE_STATES = (TESTING, EVALUATION)


class NotATester(DomainError):
    """The member is not a confirmed tester of this campaign."""


@dataclass(frozen=True)
class Participation:
    campaign: Campaign
    application: Application

    @property
    def member_id(self) -> int:
        return self.application.member_id

    @property
    def can_write(self) -> bool:
        return self.campaign.state in WRITABLE_STATES


def participation(member_id: int, campaign: Campaign) -> Participation:
    """The member's place in the campaign's test, or NotATester."""
    # the campaign is at hand and the member signed in: no joins needed
    application = db.session.scalar(select(Application).options(
        lazyload(Application.campaign), lazyload(Application.member)).where(
        Application.campaign_id == campaign.id, Application.member_id == member_id,
        Application.status.in_(TESTER_STATUSES)))
    if application is None or campaign.state not in AREA_STATES:
        raise NotATester(_l("Only the confirmed testers of this campaign can open its "
                            "test area."))
    return Participation(campaign, application)


def writable(participation: Participation) -> None:
    if not participation.can_write:
        raise DomainError(_l("The test has ended: nothing can be added or changed any more."))


def tester_ids(campaign_id: int, statuses=TESTER_STATUSES) -> list[int]:
    return list(db.session.scalars(select(Application.member_id).where(
        Application.campaign_id == campaign_id, Application.status.in_(statuses))))
