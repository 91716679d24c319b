"""Helpers the test lab tests share: campaign fields, valid answers, applying, lookups."""

from __future__ import annotations

import itertools
from datetime import timedelta

from sqlalchemy import select

from lab.campaigns import applications
from lab.campaigns.models import (
    LONG_TEXT,
    MULTIPLE,
    NUMBER,
    SHORT_TEXT,
    SINGLE,
    YES_NO,
    Application,
    ApplicationEvent,
    Campaign,
)
from lab.core.clock import utcnow
from lab.extensions import db
from tests.rewards.helpers import audited, count, mails_to, notifications  # noqa: F401

_numbers = itertools.count(1)

# What a campaign says, apart from its product, address and dates (see campaign_fields)
CAMPAIGN_FIELDS = {
    "title": "Fritz!Box 7690 field test",
    "summary": "Try the new router at home for four weeks.",
    "description": "We send you the router; you report what works and what does not.",
    "device_policy": "return",
    "eligibility": [],
    "terms": "You report at least once a week and return the device afterwards.",
    "completion_points": 50,
    "confirm_days": 5,
    "slots": 3,
}

# Applications open a day ago (so a recruiting campaign accepts them at once and may move
# on to selection at once), close in a week; the test runs from day 10 to day 30.
OPENS, CLOSES = timedelta(days=-1), timedelta(days=7)
TEST_STARTS, TEST_ENDS = timedelta(days=10), timedelta(days=30)

ADDRESS = {"full_name": "Erika Mustermann", "street": "Heidestraße 17", "extra": "",
           "postcode": "51147", "city": "Köln", "country": "DE", "phone": ""}

# a valid answer per question kind
ANSWERS = {SHORT_TEXT: "Every day", LONG_TEXT: "I stream, game and work from home.",
           YES_NO: "yes", NUMBER: "3"}


def unique_slug(prefix: str = "campaign") -> str:
    return f"{prefix}-{next(_numbers)}"


def campaign_fields(product=None, **overrides) -> dict:
    """Complete fields for create_campaign: CAMPAIGN_FIELDS, a fresh slug, the product (or
    a product_id among the overrides) and windows relative to utcnow() (so inside
    frozen_at they follow the frozen time)."""
    now = utcnow().replace(microsecond=0)
    fields = {
        **CAMPAIGN_FIELDS,
        "slug": unique_slug(),
        "product_id": getattr(product, "id", product),
        "applications_open_at": now + OPENS,
        "applications_close_at": now + CLOSES,
        "test_starts_at": now + TEST_STARTS,
        "test_ends_at": now + TEST_ENDS,
    }
    fields.update(overrides)
    return fields


def valid_answers(campaign: Campaign, **overrides) -> dict:
    """A valid answer to every question of the campaign, as the form posts them
    ({"q<id>": value}); overrides by field name replace single answers."""
    answers = {}
    for question in campaign.questions:
        if question.kind == SINGLE:
            value = question.options[0]
        elif question.kind == MULTIPLE:
            value = [question.options[0]]
        else:
            value = ANSWERS[question.kind]
        answers[f"q{question.id}"] = value
    answers.update(overrides)
    return answers


def apply(member, campaign: Campaign, answers: dict | None = None, *,
          submit: bool = True) -> Application:
    """Apply through the service: valid answers (merged with ``answers``) and the terms
    accepted; ``submit=False`` saves a draft."""
    raw = valid_answers(campaign, **(answers or {}))
    return applications.save(member, campaign, raw, submit=submit, accept_terms=submit)


def fresh(obj):
    """The object as stored now (after conditional UPDATEs that bypass the session)."""
    db.session.flush()
    db.session.refresh(obj)
    return obj


def statuses(campaign: Campaign) -> dict[int, str]:
    """{member id: status} of the campaign's applications, as stored."""
    db.session.flush()
    return dict(db.session.execute(
        select(Application.member_id, Application.status)
        .where(Application.campaign_id == campaign.id)).all())


def events_of(application: Application) -> list[tuple[str, int | None]]:
    """The application's history as (status, actor id), oldest first."""
    db.session.flush()
    return [(event.status, event.actor_id) for event in db.session.scalars(
        select(ApplicationEvent).where(ApplicationEvent.application_id == application.id)
        .order_by(ApplicationEvent.id))]
