"""Factories of the test lab tests: products, campaigns in any state (through the real
lifecycle services), testers with a profile and a device, and applying."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from lab.accounts import services as accounts
from lab.accounts.models import OwnedDevice
from lab.campaigns import lifecycle, products, questions
from lab.campaigns.models import (
    CANCELLED,
    CLOSED,
    COMPLETED,
    DRAFT,
    EVALUATION,
    IN_REVIEW,
    RECRUITING,
    SELECTION,
    TESTING,
    Application,
)
from lab.extensions import db
from tests.campaigns import helpers
from tests.campaigns.helpers import campaign_fields

# the states make_campaign reaches by moving a campaign on, in order
PATH = (DRAFT, IN_REVIEW, RECRUITING, SELECTION, TESTING, EVALUATION, CLOSED)


@pytest.fixture
def english(app, _db_transaction):
    """Messages in English (the default language is German), for matching error texts."""
    with force_locale("en"):
        yield


@pytest.fixture
def make_product(make_staff):
    """Factory: make_product(**fields) -> a product saved through the products service."""

    def make(**fields):
        values = {"name": "Fritz!Box 7690", "maker": "AVM", "category": "router",
                  "description": "Wi-Fi 7 router"} | fields
        return products.save_product(make_staff(), **values)

    return make


@pytest.fixture
def make_campaign(make_staff, make_product):
    """Factory: make_campaign(state="draft", creator=None, *, product=None, questions=(),
    applicants=(), **fields) -> a campaign brought to ``state`` by the lifecycle services.

    The creator (a new staff member unless given) creates and submits it, a second staff
    member approves it. ``questions`` (dicts of save_question's keywords; kind and label
    are enough) are added while it is a draft; ``applicants`` (members) apply with valid
    answers while it is recruiting, before it moves on. Later states are reached with
    advance() (allowed at once: the default window opened a day ago). ``cancelled``
    cancels a recruiting campaign. ``fields`` override helpers.campaign_fields().
    """

    def make(state: str = DRAFT, creator=None, *, product=None, questions=(), applicants=(),
             **fields):
        if state != CANCELLED and state not in PATH:
            raise ValueError(f"unknown campaign state {state!r}")
        creator = creator or make_staff()
        if product is None and "product_id" not in fields:
            product = make_product()
        campaign = lifecycle.create_campaign(creator, **campaign_fields(product, **fields))
        for question in questions:
            add_question(creator, campaign, **question)
        target = RECRUITING if state == CANCELLED else state
        for step in PATH[1:PATH.index(target) + 1]:
            if step == IN_REVIEW:
                lifecycle.submit_for_review(creator, campaign)
            elif step == RECRUITING:
                lifecycle.approve(make_staff(), campaign)
                for member in applicants:
                    helpers.apply(member, campaign)
            else:
                lifecycle.advance(creator, campaign)
        if state == CANCELLED:
            lifecycle.cancel(creator, campaign, "The product was withdrawn by the maker.")
        db.session.flush()
        return campaign

    return make


def add_question(actor, campaign, *, kind="short_text", label=None, help_text=None,
                 required=True, options=()):
    """Add a screening question through the builder; returns the question."""
    question, _back = questions.save_question(
        actor, campaign, kind=kind, label=label or f"A {kind} question", help_text=help_text,
        required=required, options=list(options) or (["Often", "Sometimes", "Never"]
                                                      if kind in ("single", "multiple")
                                                      else []))
    return question


@pytest.fixture
def make_tester(make_member):
    """Factory: make_tester(handle=None, os="android", connection="fibre", region="DE-NW",
    kind="smartphone", reputation=0, **columns) -> a member with a tester profile and one
    owned device (none when both os and kind are None). ``reputation`` is set on the
    member as the level rules read it, without ledger entries."""

    def make(handle=None, os="android", connection="fibre", region="DE-NW",
             kind="smartphone", reputation=0, **columns):
        member = make_member(handle, reputation=reputation, **columns)
        profile = accounts.profile_of(member)
        profile.connection_type, profile.region = connection, region
        if os is not None or kind is not None:
            profile.devices.append(OwnedDevice(kind=kind or "smartphone", brand="Acme",
                                               model="One", os=os or "other"))
        db.session.flush()
        return member

    return make


@pytest.fixture
def make_past_test(make_campaign):
    """Factory: make_past_test(member, finished_at, status="completed",
    feedback_on_time=None) -> an earlier, finished test of the member (an application of
    a closed campaign), as the ranking and the no_test_months rule read them."""
    used: dict[int, int] = {}  # member id -> closed campaigns used
    campaigns = []

    def make(member, finished_at, status=COMPLETED, feedback_on_time=None):
        n = used[member.id] = used.get(member.id, 0) + 1
        if len(campaigns) < n:
            campaigns.append(make_campaign(CLOSED))
        campaign = campaigns[n - 1]
        application = Application(campaign_id=campaign.id, member_id=member.id, status=status,
                                  answers={}, finished_at=finished_at,
                                  feedback_on_time=feedback_on_time)
        db.session.add(application)
        db.session.flush()
        return application

    return make


@pytest.fixture
def apply():
    """apply(member, campaign, answers=None, submit=True): helpers.apply as a fixture."""
    return helpers.apply
