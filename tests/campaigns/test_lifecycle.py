"""A campaign's life: each transition, the forbidden ones, four eyes, edits that need a
new review, cancelling, and the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from lab.campaigns import history, lifecycle, selection
from lab.campaigns.lifecycle import CampaignError
from lab.campaigns.models import (
    CANCELLED,
    CLOSED,
    DRAFT,
    DROPPED,
    EVALUATION,
    IN_REVIEW,
    NOT_SELECTED,
    RECRUITING,
    SELECTION,
    TESTING,
    Application,
)
from lab.campaigns.notices import CAMPAIGN_APPROVED_KIND, CAMPAIGN_RETURNED_KIND, CANCELLED_KIND
from lab.core.clock import frozen_at, utcnow
from lab.extensions import db
from tests.campaigns.helpers import audited, campaign_fields, mails_to, notifications

pytestmark = pytest.mark.usefixtures("english")


# --- creating and checking -----------------------------------------------------------------

def test_a_new_campaign_is_a_draft_with_its_own_seed(make_staff, make_product):
    staff = make_staff()
    campaign = lifecycle.create_campaign(staff, **campaign_fields(make_product()))
    other = lifecycle.create_campaign(staff, **campaign_fields(make_product()))
    assert (campaign.state, campaign.created_by_id, campaign.last_edited_by_id) == (
        DRAFT, staff.id, staff.id)
    assert (campaign.slots_taken, campaign.terms_version) == (0, 1)
    assert len(campaign.ranking_seed) == 16 and campaign.ranking_seed != other.ranking_seed


def test_creating_is_audited(make_staff, make_product):
    staff = make_staff()
    campaign = lifecycle.create_campaign(staff, **campaign_fields(make_product()))
    [entry] = audited(lifecycle.CAMPAIGN_SAVED, "campaign", campaign.id)
    assert (entry.actor_id, entry.details) == (staff.id, {"created": True,
                                                          "slug": campaign.slug})


@pytest.mark.parametrize("field,value,message", [
    ("slug", "A B", "lower-case letters"),
    ("title", "  ", "fill in this field"),
    ("slots", 0, "between 1 and 10,000 slots"),
    ("device_policy", "lend", "device policy"),
    ("completion_points", -1, "between 0 and 10,000 points"),
    ("confirm_days", 31, "between 1 and 30 days"),
    ("product_id", 10**9, "choose a product"),
])
def test_invalid_fields_are_refused_by_name(make_staff, make_product, field, value, message):
    fields = campaign_fields(make_product(), **{field: value})
    with pytest.raises(CampaignError, match=message) as refused:
        lifecycle.create_campaign(make_staff(), **fields)
    assert refused.value.field == field


def test_applications_must_close_after_they_open(make_staff, make_product):
    now = utcnow()
    fields = campaign_fields(make_product(), applications_open_at=now,
                             applications_close_at=now - timedelta(hours=1))
    with pytest.raises(CampaignError, match="close after they open"):
        lifecycle.create_campaign(make_staff(), **fields)


def test_the_test_cannot_start_before_applications_close(make_staff, make_product):
    fields = campaign_fields(make_product())
    fields["test_starts_at"] = fields["applications_close_at"] - timedelta(hours=1)
    with pytest.raises(CampaignError, match="cannot start before applications close"):
        lifecycle.create_campaign(make_staff(), **fields)


def test_a_slug_is_used_once(make_staff, make_campaign):
    taken = make_campaign()
    fields = campaign_fields(taken.product, slug=taken.slug)
    with pytest.raises(CampaignError, match="already used"):
        lifecycle.create_campaign(make_staff(), **fields)


def test_unknown_fields_are_a_programming_error(make_staff, make_product):
    with pytest.raises(ValueError, match="unknown campaign fields"):
        lifecycle.create_campaign(make_staff(), **campaign_fields(make_product(), state="closed"))


# --- review and four eyes ------------------------------------------------------------------

def test_submitting_puts_a_draft_in_review(make_campaign):
    campaign = make_campaign()
    lifecycle.submit_for_review(campaign.created_by, campaign)
    assert (campaign.state, campaign.submitted_by_id) == (IN_REVIEW, campaign.created_by_id)
    assert campaign.submitted_at is not None
    assert audited(lifecycle.CAMPAIGN_SUBMITTED, "campaign", campaign.id)


def test_a_second_staff_member_approves_and_recruiting_starts(make_campaign, make_staff):
    campaign, reviewer = make_campaign(IN_REVIEW), make_staff()
    lifecycle.approve(reviewer, campaign)
    assert (campaign.state, campaign.approved_by_id) == (RECRUITING, reviewer.id)
    [entry] = audited(lifecycle.CAMPAIGN_APPROVED, "campaign", campaign.id)
    assert (entry.actor_id, entry.details) == (reviewer.id,
                                               {"submitted_by": campaign.submitted_by_id})


def test_the_submitter_hears_of_the_approval(make_campaign, make_staff):
    campaign = make_campaign(IN_REVIEW, creator=make_staff(locale="en"))
    lifecycle.approve(make_staff(), campaign)
    [note] = notifications(campaign.created_by, CAMPAIGN_APPROVED_KIND)
    assert note.params == {"title": campaign.title}
    assert [m.subject for m in mails_to(campaign.created_by)] == ["Campaign review"]


def test_the_submitter_cannot_approve(make_campaign):
    campaign = make_campaign(IN_REVIEW)
    assert not lifecycle.can_review(campaign.created_by, campaign)
    with pytest.raises(CampaignError, match="different staff member must approve"):
        lifecycle.approve(campaign.created_by, campaign)
    assert campaign.state == IN_REVIEW


def test_the_last_editor_cannot_approve(make_campaign, make_staff):
    campaign, editor = make_campaign(IN_REVIEW), make_staff()
    lifecycle.update_campaign(editor, campaign, summary="Now with a mesh repeater.")
    assert not lifecycle.can_review(editor, campaign)
    with pytest.raises(CampaignError, match="different staff member must approve"):
        lifecycle.approve(editor, campaign)


def test_a_member_without_the_staff_role_cannot_approve(make_campaign, make_member):
    campaign = make_campaign(IN_REVIEW)
    with pytest.raises(CampaignError, match="different staff member"):
        lifecycle.approve(make_member(), campaign)


def test_the_database_refuses_an_approval_by_the_submitter(make_campaign):
    campaign = make_campaign(RECRUITING)
    with pytest.raises(IntegrityError, match="campaign_four_eyes"):
        with db.session.begin_nested():
            db.session.execute(text("UPDATE campaign SET approved_by_id = submitted_by_id "
                                    "WHERE id = :id"), {"id": campaign.id})


def test_returning_to_draft_needs_a_comment(make_campaign, make_staff):
    campaign = make_campaign(IN_REVIEW)
    with pytest.raises(CampaignError, match="say what needs to change") as refused:
        lifecycle.return_to_draft(make_staff(), campaign, "   ")
    assert (refused.value.field, campaign.state) == ("reason", IN_REVIEW)


def test_returning_to_draft_keeps_the_comment_and_tells_the_submitter(make_campaign,
                                                                      make_staff):
    campaign, reviewer = make_campaign(IN_REVIEW), make_staff()
    lifecycle.return_to_draft(reviewer, campaign, " The terms lack the return address. ")
    assert (campaign.state, campaign.review_comment) == (
        DRAFT, "The terms lack the return address.")
    [entry] = audited(lifecycle.CAMPAIGN_RETURNED, "campaign", campaign.id)
    assert entry.details == {"comment": "The terms lack the return address."}
    assert notifications(campaign.created_by, CAMPAIGN_RETURNED_KIND)


def test_the_submitter_cannot_return_their_own_campaign(make_campaign):
    campaign = make_campaign(IN_REVIEW)
    with pytest.raises(CampaignError, match="different staff member must review"):
        lifecycle.return_to_draft(campaign.created_by, campaign, "Oops")


def test_submitting_again_clears_the_review_comment(make_campaign, make_staff):
    campaign = make_campaign(IN_REVIEW)
    lifecycle.return_to_draft(make_staff(), campaign, "Fix the terms.")
    lifecycle.submit_for_review(campaign.created_by, campaign)
    assert (campaign.state, campaign.review_comment) == (IN_REVIEW, None)


@pytest.mark.parametrize("state", [IN_REVIEW, RECRUITING, SELECTION])
def test_only_a_draft_can_be_submitted(make_campaign, state):
    campaign = make_campaign(state)
    with pytest.raises(CampaignError, match="only possible for a campaign in the state "
                                            "“draft”"):
        lifecycle.submit_for_review(campaign.created_by, campaign)
    assert campaign.state == state


@pytest.mark.parametrize("state", [DRAFT, RECRUITING, CANCELLED])
def test_only_a_campaign_in_review_can_be_approved(make_campaign, make_staff, state):
    campaign = make_campaign(state)
    with pytest.raises(CampaignError, match="only possible for a campaign in the state "
                                            "“in review”"):
        lifecycle.approve(make_staff(), campaign)
    assert campaign.state == state


def test_only_a_campaign_in_review_can_be_returned(make_campaign, make_staff):
    campaign = make_campaign(DRAFT)
    with pytest.raises(CampaignError, match="in the state “in review”; it is “draft”"):
        lifecycle.return_to_draft(make_staff(), campaign, "Why?")


# --- editing -------------------------------------------------------------------------------

def test_editing_what_applicants_read_sends_a_recruiting_campaign_back_to_review(
        make_campaign, make_staff):
    campaign, editor = make_campaign(RECRUITING), make_staff()
    assert lifecycle.update_campaign(editor, campaign, title="A better title") is True
    assert (campaign.state, campaign.approved_by_id, campaign.approved_at) == (
        IN_REVIEW, None, None)
    assert (campaign.submitted_by_id, campaign.last_edited_by_id) == (editor.id, editor.id)
    [_created, entry] = audited(lifecycle.CAMPAIGN_SAVED, "campaign", campaign.id)
    assert entry.details == {"changed": ["title"], "back_to_review": True}


@pytest.mark.parametrize("field", ["eligibility", "completion_points", "device_policy"])
def test_each_reviewed_field_needs_a_new_review(make_campaign, make_staff, field):
    value = {"eligibility": [{"rule": "owns_os", "values": ["ios"]}],
             "completion_points": 80, "device_policy": "keep"}[field]
    campaign = make_campaign(RECRUITING)
    assert lifecycle.update_campaign(make_staff(), campaign, **{field: value}) is True
    assert campaign.state == IN_REVIEW


def test_dates_and_slots_change_without_a_new_review(make_campaign, make_staff):
    campaign = make_campaign(RECRUITING)
    later = campaign.applications_close_at + timedelta(days=2)
    changed = lifecycle.update_campaign(make_staff(), campaign, slots=5,
                                        applications_close_at=later)
    assert changed is False
    assert (campaign.state, campaign.slots, campaign.applications_close_at) == (
        RECRUITING, 5, later)
    assert campaign.approved_by_id is not None


def test_saving_without_changes_records_nothing(make_campaign, make_staff):
    campaign = make_campaign(RECRUITING)
    assert lifecycle.update_campaign(make_staff(), campaign, title=campaign.title) is False
    assert len(audited(lifecycle.CAMPAIGN_SAVED, "campaign", campaign.id)) == 1


def test_editing_the_terms_bumps_their_version(make_campaign, make_staff):
    campaign = make_campaign(DRAFT)
    lifecycle.update_campaign(make_staff(), campaign, summary="Other words.")
    assert campaign.terms_version == 1
    lifecycle.update_campaign(make_staff(), campaign, terms="New terms.")
    assert campaign.terms_version == 2


def test_the_address_of_a_published_campaign_stays(make_campaign, make_staff):
    campaign = make_campaign(RECRUITING)
    with pytest.raises(CampaignError, match="cannot change") as refused:
        lifecycle.update_campaign(make_staff(), campaign, slug="another-address")
    assert refused.value.field == "slug"


@pytest.mark.parametrize("state", [SELECTION, TESTING, CLOSED, CANCELLED])
def test_a_campaign_past_recruiting_cannot_be_edited(make_campaign, make_staff, state):
    campaign = make_campaign(state)
    with pytest.raises(CampaignError, match="can no longer be edited"):
        lifecycle.update_campaign(make_staff(), campaign, slots=9)
    assert campaign.slots == 3


# --- moving on -----------------------------------------------------------------------------

@pytest.mark.parametrize("start,target", [
    (RECRUITING, SELECTION), (SELECTION, TESTING), (TESTING, EVALUATION),
    (EVALUATION, CLOSED)])
def test_advance_moves_to_the_next_state_and_is_audited(make_campaign, start, target):
    campaign = make_campaign(start)
    assert lifecycle.advance(campaign.created_by, campaign) == target
    assert campaign.state == target
    entries = audited(lifecycle.CAMPAIGN_STATE, "campaign", campaign.id)
    assert entries[-1].details == {"from": start, "to": target}


@pytest.mark.parametrize("state", [DRAFT, IN_REVIEW, CLOSED, CANCELLED])
def test_advance_is_refused_where_there_is_no_next_state(make_campaign, state):
    campaign = make_campaign(state)
    with pytest.raises(CampaignError, match="cannot move on"):
        lifecycle.advance(campaign.created_by, campaign)
    assert campaign.state == state


def test_selection_closes_applications_early_and_ranks(make_campaign, make_tester):
    campaign = make_campaign(RECRUITING, applicants=[make_tester()])
    moment = utcnow().replace(microsecond=0) + timedelta(hours=1)
    with frozen_at(moment):
        lifecycle.advance(campaign.created_by, campaign)
    assert (campaign.applications_close_at, campaign.ranked_at) == (moment, moment)
    assert db.session.scalar(select(Application.rank)
                             .where(Application.campaign_id == campaign.id)) == 1


def test_selection_cannot_start_before_applications_open(make_campaign):
    campaign = make_campaign(RECRUITING)
    with frozen_at(campaign.applications_open_at - timedelta(minutes=1)):
        with pytest.raises(CampaignError, match="not opened yet"):
            lifecycle.advance(campaign.created_by, campaign)
    assert campaign.state == RECRUITING


def test_selection_after_the_window_keeps_its_close(make_campaign):
    campaign = make_campaign(RECRUITING)
    close = campaign.applications_close_at
    with frozen_at(close + timedelta(days=1)):
        lifecycle.advance(campaign.created_by, campaign)
    assert campaign.applications_close_at == close


# --- cancelling ----------------------------------------------------------------------------

@pytest.mark.parametrize("state", [DRAFT, IN_REVIEW, RECRUITING, SELECTION, TESTING,
                                   EVALUATION])
def test_an_open_campaign_can_be_cancelled_with_a_reason(make_campaign, state):
    campaign = make_campaign(state)
    lifecycle.cancel(campaign.created_by, campaign, "  The maker withdrew the device. ")
    assert (campaign.state, campaign.cancel_reason) == (CANCELLED,
                                                        "The maker withdrew the device.")
    [entry] = audited(lifecycle.CAMPAIGN_CANCELLED, "campaign", campaign.id)
    assert entry.details == {"reason": "The maker withdrew the device."}


def test_cancelling_needs_a_reason(make_campaign):
    campaign = make_campaign(RECRUITING)
    with pytest.raises(CampaignError, match="give a reason") as refused:
        lifecycle.cancel(campaign.created_by, campaign, "")
    assert (refused.value.field, campaign.state) == ("reason", RECRUITING)


@pytest.mark.parametrize("state", [CLOSED, CANCELLED])
def test_a_finished_campaign_cannot_be_cancelled(make_campaign, state):
    campaign = make_campaign(state)
    with pytest.raises(CampaignError, match="Only an open campaign"):
        lifecycle.cancel(campaign.created_by, campaign, "Again")


def test_cancelling_tells_every_applicant(make_campaign, make_tester, apply):
    sent, draft = make_tester(), make_tester()
    campaign = make_campaign(RECRUITING, applicants=[sent])
    apply(draft, campaign, submit=False)
    lifecycle.cancel(campaign.created_by, campaign, "Recalled")
    for member in (sent, draft):
        [note] = notifications(member, CANCELLED_KIND)
        assert note.params["title"] == campaign.title
        assert mails_to(member)[-1].kind == f"notify:{CANCELLED_KIND}"
    rows = db.session.execute(select(Application.member_id, Application.status,
                                        Application.outcome_reason)
                              .where(Application.campaign_id == campaign.id)).all()
    assert sorted(rows) == sorted([(sent.id, NOT_SELECTED, "cancelled"),
                                   (draft.id, NOT_SELECTED, "cancelled")])


def test_cancelling_during_the_test_drops_the_testers(make_campaign, make_tester, make_staff):
    tester = make_tester()
    campaign = make_campaign(SELECTION, applicants=[tester])
    selection.select_by_ranking(make_staff(), campaign)
    lifecycle.advance(campaign.created_by, campaign)
    lifecycle.cancel(campaign.created_by, campaign, "Recalled")
    application = db.session.scalar(select(Application)
                                    .where(Application.member_id == tester.id))
    assert application.status == DROPPED and application.finished_at is not None


def test_a_test_cut_short_by_cancelling_does_not_count_against_the_tester(
        make_campaign, make_tester, make_staff):
    tester = make_tester()
    campaign = make_campaign(SELECTION, applicants=[tester])
    selection.select_by_ranking(make_staff(), campaign)
    lifecycle.cancel(campaign.created_by, campaign, "Recalled")
    assert history.records_for([tester.id]) == {}
    later = make_campaign(RECRUITING, applicants=[tester],
                          eligibility=[{"rule": "no_test_months", "value": 6}])
    assert later.state == RECRUITING  # the rule let the tester apply
