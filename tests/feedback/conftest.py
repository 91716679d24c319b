"""Factories of the feedback tests: a campaign in testing with confirmed testers, forms
with questions, tasks and reports, all made through the real services."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lab.campaigns.models import CONFIRMED, TESTING, Application
from lab.core.clock import utcnow
from lab.extensions import db
from lab.feedback import access, builder, reports
from tests.campaigns.conftest import (  # noqa: F401  (fixtures used here)
    english,
    make_campaign,
    make_product,
    make_tester,
)

# one question of each kind a form can have (builder.save_question keywords)
EVERY_KIND = (
    {"kind": "rating", "label": "How do you rate the setup?"},
    {"kind": "nps", "label": "Would you recommend it to a friend?"},
    {"kind": "single", "label": "Where did you test?", "options": ["Flat", "House", "Office"]},
    {"kind": "multiple", "label": "What did you use?", "options": ["WiFi", "LAN", "Mesh"]},
    {"kind": "short_text", "label": "Firmware version", "required": False},
    {"kind": "long_text", "label": "What did you like?", "required": False},
    {"kind": "yes_no", "label": "Would you buy it?"},
    {"kind": "number", "label": "Download speed (Mbit/s)", "required": False},
)


@pytest.fixture
def make_test_campaign(make_campaign, make_member):  # noqa: F811 (the fixture)
    """Factory: make_test_campaign(testers=2, state="testing", **fields) -> (campaign,
    [testers]); the testers are confirmed members (applications written directly: how
    they got there is the test lab's business)."""

    def make(testers=2, state=TESTING, **fields):
        campaign = make_campaign(state, **fields)
        members = [make_member() for _ in range(testers)] if isinstance(testers, int) \
            else list(testers)
        for member in members:
            db.session.add(Application(campaign_id=campaign.id, member_id=member.id,
                                       status=CONFIRMED, answers={},
                                       confirmed_at=utcnow()))
        db.session.flush()
        return campaign, members

    return make


@pytest.fixture
def make_form():
    """Factory: make_form(campaign, questions=EVERY_KIND, opens_in=-1 day, due_in=7 days,
    title=...) -> a feedback form built by a staff member through the builder."""

    def make(campaign, questions=EVERY_KIND, *, opens_in=timedelta(days=-1),
             due_in=timedelta(days=7), title="First impressions", actor=None):
        actor = actor or campaign.created_by
        now = utcnow()
        form = builder.save_form(actor, campaign, title=title, intro="Tell us.",
                                 opens_at=now + opens_in, due_at=now + due_in)
        for question in questions:
            builder.save_question(actor, form, kind=question["kind"], label=question["label"],
                                  help_text=None, required=question.get("required", True),
                                  options=list(question.get("options", [])))
        return form

    return make


def participation_of(member, campaign) -> access.Participation:
    return access.participation(member.id, campaign)


@pytest.fixture
def file_report():
    """file_report(member, campaign, kind="bug", title=..., severity="major", **fields)."""

    def make(member, campaign, kind="bug", title="WiFi drops every hour", severity="major",
             **fields):
        defaults = {"steps": "Leave it running.", "actual": "The WiFi drops.",
                    "expected": "It stays up."} if kind == "bug" else \
            {"description": "Please add a guest network schedule."}
        defaults.update(fields)
        return reports.file_report(participation_of(member, campaign), kind=kind, title=title,
                                   severity=severity if kind == "bug" else None, **defaults)

    return make


def answers_for(form, **overrides) -> dict:
    """A complete, valid set of raw answers ({"q<id>": value}) for a form."""
    values = {"rating": "4", "nps": "9", "single": None, "multiple": None,
              "short_text": "1.2.3", "long_text": "The range.", "yes_no": "yes",
              "number": "250"}
    raw = {}
    for question in form.questions:
        value = values[question.kind]
        if question.kind == "single":
            value = question.options[0]
        elif question.kind == "multiple":
            value = question.options[:2]
        raw[f"q{question.id}"] = value
    raw.update(overrides)
    return raw


@pytest.fixture
def make_task():
    """Factory: make_task(campaign, title=..., due_in=3 days, form=None, description=None)
    -> a test task saved by the campaign's creator through the builder."""

    def make(campaign, title="Set up the router", *, due_in=timedelta(days=3), form=None,
             description=None, actor=None):
        return builder.save_task(actor or campaign.created_by, campaign, title=title,
                                 description=description, due_at=utcnow() + due_in,
                                 form_id=form.id if form is not None else None)

    return make


def submit_form(member, campaign, form, **overrides):
    """The member submits a complete response (answers_for with ``overrides``) through
    lab.feedback.responses.save; returns its Saved."""
    from lab.feedback import responses

    return responses.save(participation_of(member, campaign), form,
                          answers_for(form, **overrides), submit=True)
