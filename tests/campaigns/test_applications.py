"""Applying: a draft, submitting with the terms, one application per member, the window,
eligibility, editing and withdrawing, the history and what the member is told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from lab.campaigns import applications, lifecycle
from lab.campaigns.applications import ApplicationError, NotEligible
from lab.campaigns.models import (
    DRAFT,
    NOT_SELECTED,
    RECRUITING,
    SELECTION,
    STARTED,
    SUBMITTED,
    WITHDRAWN,
    Application,
)
from lab.campaigns.notices import KINDS
from lab.campaigns.questions import AnswerErrors
from lab.core.clock import frozen_at
from lab.extensions import db
from tests.campaigns.helpers import count, events_of, mails_to, notifications, valid_answers
from tests.support import count_queries

pytestmark = pytest.mark.usefixtures("english")

QUESTIONS = [{"kind": "short_text", "label": "Router model"},
             {"kind": "yes_no", "label": "Balcony", "required": False}]


@pytest.fixture
def campaign(make_campaign):
    return make_campaign(RECRUITING, questions=QUESTIONS)


def applications_of(member) -> int:
    return count(Application, Application.member_id == member.id)


# --- draft and submit ----------------------------------------------------------------------

def test_a_draft_keeps_partial_answers_without_the_terms(campaign, make_tester):
    member = make_tester()
    first = campaign.questions[0]
    application = applications.save(member, campaign, {f"q{first.id}": "Fritz!Box"},
                                    submit=False)
    assert application.status == STARTED
    assert application.answers == {str(first.id): {"label": "Router model",
                                                   "kind": "short_text", "value": "Fritz!Box"}}
    assert (application.terms_version, application.submitted_at) == (None, None)


def test_submitting_a_draft_sends_it(campaign, make_tester, apply):
    member = make_tester()
    draft = apply(member, campaign, submit=False)
    sent = apply(member, campaign)
    assert sent.id == draft.id
    assert sent.status == SUBMITTED and sent.submitted_at is not None


def test_submitting_stores_the_accepted_terms_version(make_campaign, make_staff, make_tester,
                                                     apply):
    campaign = make_campaign(DRAFT)
    lifecycle.update_campaign(campaign.created_by, campaign, terms="Second version.")
    lifecycle.submit_for_review(campaign.created_by, campaign)
    lifecycle.approve(make_staff(), campaign)
    application = apply(make_tester(), campaign)
    assert application.terms_version == 2 and application.terms_accepted_at is not None


def test_submitting_needs_the_terms(campaign, make_tester):
    member = make_tester()
    with pytest.raises(ApplicationError, match="accept the participation terms") as refused:
        applications.save(member, campaign, valid_answers(campaign), submit=True,
                          accept_terms=False)
    assert refused.value.field == "accept_terms"
    assert applications_of(member) == 0


def test_submitting_needs_every_required_answer(campaign, make_tester):
    member = make_tester()
    with pytest.raises(AnswerErrors):
        applications.save(member, campaign, {}, submit=True, accept_terms=True)
    assert applications_of(member) == 0


def test_applying_twice_gives_the_same_single_application(campaign, make_tester, apply):
    member = make_tester()
    first, second = apply(member, campaign), apply(member, campaign)
    assert first.id == second.id and applications_of(member) == 1
    assert [status for status, _ in events_of(first)] == [STARTED, SUBMITTED]


def test_a_second_submit_updates_the_answers(campaign, make_tester, apply):
    member = make_tester()
    application = apply(member, campaign)
    first = campaign.questions[0]
    apply(member, campaign, {f"q{first.id}": "Speedport"})
    assert application.answers[str(first.id)]["value"] == "Speedport"
    assert application.status == SUBMITTED


def test_the_database_holds_one_application_per_member(campaign, make_tester, apply):
    member = make_tester()
    apply(member, campaign)
    unique = "uq_application_member|UNIQUE constraint failed: application.campaign_id"
    with pytest.raises(IntegrityError, match=unique):
        with db.session.begin_nested():
            db.session.add(Application(campaign_id=campaign.id, member_id=member.id,
                                       status=STARTED, answers={}))


# --- the window ----------------------------------------------------------------------------

def test_applying_before_the_window_opens_is_refused(campaign, make_tester):
    member = make_tester()
    with frozen_at(campaign.applications_open_at - timedelta(seconds=1)):
        with pytest.raises(ApplicationError, match="have not opened yet"):
            applications.save(member, campaign, valid_answers(campaign), submit=True,
                              accept_terms=True)
    assert applications_of(member) == 0


def test_applying_when_the_window_closed_is_refused(campaign, make_tester):
    member = make_tester()
    with frozen_at(campaign.applications_close_at):
        with pytest.raises(ApplicationError, match="are closed"):
            applications.save(member, campaign, valid_answers(campaign), submit=False)
    assert applications_of(member) == 0


def test_applying_in_the_last_second_works(campaign, make_tester, apply):
    with frozen_at(campaign.applications_close_at - timedelta(seconds=1)):
        assert apply(make_tester(), campaign).status == SUBMITTED


@pytest.mark.parametrize("state", [DRAFT, SELECTION])
def test_a_campaign_not_recruiting_takes_no_applications(make_campaign, make_tester, state):
    campaign = make_campaign(state)
    with pytest.raises(ApplicationError, match="are closed"):
        applications.save(make_tester(), campaign, {}, submit=False)


# --- eligibility ---------------------------------------------------------------------------

def test_a_member_who_is_not_eligible_hears_why(make_campaign, make_tester):
    campaign = make_campaign(RECRUITING, eligibility=[
        {"rule": "owns_os", "values": ["ios"]}, {"rule": "region", "values": ["AT"]},
        {"rule": "connection", "values": ["fibre"]}])
    member = make_tester(os="android", region="DE-NW", connection="fibre")
    with pytest.raises(NotEligible) as refused:
        applications.save(member, campaign, {}, submit=False)
    assert refused.value.reasons == [
        "You need a device with iOS / iPadOS in your tester profile.",
        "You must live in Austria (as given in your tester profile)."]
    assert "iOS / iPadOS" in str(refused.value) and "Austria" in str(refused.value)
    assert applications_of(member) == 0


def test_unmet_rules_lists_what_a_member_lacks(make_campaign, make_tester):
    rule = {"rule": "min_level", "value": "helper"}
    campaign = make_campaign(RECRUITING, eligibility=[rule])
    assert applications.unmet_rules(make_tester(reputation=10), campaign) == [rule]
    assert applications.unmet_rules(make_tester(reputation=100), campaign) == []


def test_an_eligible_member_applies(make_campaign, make_tester, apply):
    campaign = make_campaign(RECRUITING, eligibility=[{"rule": "owns_os",
                                                       "values": ["android"]}])
    assert apply(make_tester(os="android"), campaign).status == SUBMITTED


# --- editing and withdrawing ---------------------------------------------------------------

def test_withdrawing_a_submitted_application(campaign, make_tester, apply):
    member = make_tester()
    apply(member, campaign)
    application = applications.withdraw(member, campaign)
    assert application.status == WITHDRAWN
    assert [status for status, _ in events_of(application)] == [STARTED, SUBMITTED, WITHDRAWN]
    assert notifications(member, KINDS[WITHDRAWN])


def test_withdrawing_a_draft_tells_nobody(campaign, make_tester, apply):
    member = make_tester()
    apply(member, campaign, submit=False)
    assert applications.withdraw(member, campaign).status == WITHDRAWN
    assert notifications(member, KINDS[WITHDRAWN]) == []


def test_there_is_nothing_to_withdraw_without_an_application(campaign, make_tester):
    with pytest.raises(ApplicationError, match="no open application to withdraw"):
        applications.withdraw(make_tester(), campaign)


def test_withdrawing_twice_is_refused(campaign, make_tester, apply):
    member = make_tester()
    apply(member, campaign)
    applications.withdraw(member, campaign)
    with pytest.raises(ApplicationError, match="no open application"):
        applications.withdraw(member, campaign)


def test_a_withdrawn_application_can_be_sent_again(campaign, make_tester, apply):
    member = make_tester()
    application = apply(member, campaign)
    applications.withdraw(member, campaign)
    apply(member, campaign, submit=False)
    assert application.status == STARTED
    apply(member, campaign)
    assert [status for status, _ in events_of(application)] == [
        STARTED, SUBMITTED, WITHDRAWN, STARTED, SUBMITTED]


def test_editing_after_the_window_closed_is_refused(campaign, make_tester, apply):
    member = make_tester()
    application = apply(member, campaign)
    before = dict(application.answers)
    with frozen_at(campaign.applications_close_at + timedelta(minutes=1)):
        with pytest.raises(ApplicationError, match="are closed"):
            apply(member, campaign, {f"q{campaign.questions[0].id}": "Late change"})
    assert application.answers == before


def test_withdrawing_after_the_window_closed_is_refused(campaign, make_tester, apply):
    member = make_tester()
    application = apply(member, campaign)
    with frozen_at(campaign.applications_close_at + timedelta(minutes=1)):
        with pytest.raises(ApplicationError, match="are closed"):
            applications.withdraw(member, campaign)
    assert application.status == SUBMITTED


# --- history and notices -------------------------------------------------------------------

def test_each_step_is_kept_with_its_actor(campaign, make_tester, apply):
    member = make_tester()
    application = apply(member, campaign)
    assert events_of(application) == [(STARTED, member.id), (SUBMITTED, member.id)]


def test_history_of_many_applications_in_one_query(campaign, make_tester, apply):
    first, second = apply(make_tester(), campaign), apply(make_tester(), campaign, submit=False)
    db.session.flush()
    with count_queries() as statements:
        history = applications.history_of([first.id, second.id])
    assert len(statements) == 1
    assert [e.status for e in history[first.id]] == [STARTED, SUBMITTED]
    assert [e.status for e in history[second.id]] == [STARTED]


def test_submitting_notifies_the_member_in_the_app_and_by_mail(campaign, make_tester, apply):
    member = make_tester()
    apply(member, campaign)
    [note] = notifications(member, KINDS[SUBMITTED])
    assert (note.params, note.link) == ({"title": campaign.title},
                                        f"/campaigns/{campaign.slug}")
    [mail] = mails_to(member)
    assert mail.kind == f"notify:{KINDS[SUBMITTED]}"
    assert campaign.title in mail.body_text and f"/campaigns/{campaign.slug}" in mail.body_text


def test_a_draft_notifies_nobody(campaign, make_tester, apply):
    member = make_tester()
    apply(member, campaign, submit=False)
    assert mails_to(member) == [] and notifications(member, KINDS[SUBMITTED]) == []


def test_the_mail_is_in_the_members_language(campaign, make_tester, apply):
    member = make_tester(locale="en")
    apply(member, campaign)
    [mail] = mails_to(member)
    assert mail.body_text.startswith("We received your application")


# --- reading -------------------------------------------------------------------------------

def test_own_application_is_only_the_members_own(campaign, make_tester, apply):
    member, other = make_tester(), make_tester()
    application = apply(member, campaign)
    assert applications.own_application(member.id, application.id) is application
    assert applications.own_application(other.id, application.id) is None
    assert applications.own_application(member.id, 10**9) is None


def test_member_applications_lists_the_members_newest_first(make_campaign, make_tester, apply):
    member = make_tester()
    older = apply(member, make_campaign(RECRUITING))
    newer = apply(member, make_campaign(RECRUITING))
    apply(make_tester(), make_campaign(RECRUITING))
    listed = db.session.scalars(applications.member_applications_query(member.id)).all()
    assert [a.id for a in listed] == [newer.id, older.id]


def test_explain_outcome_gives_the_reason_of_a_not_selected(campaign, make_tester, apply):
    application = apply(make_tester(), campaign)
    assert applications.explain_outcome(application) is None
    application.status, application.outcome_reason = NOT_SELECTED, "draw"
    assert "recorded lottery" in applications.explain_outcome(application)
    assert applications.status_label(NOT_SELECTED) == "not selected"


def test_a_sent_application_cannot_lose_a_required_answer_as_a_draft(campaign, make_tester,
                                                                    apply):
    member = make_tester()
    application = apply(member, campaign)
    before = dict(application.answers)
    with pytest.raises(AnswerErrors):
        applications.save(member, campaign, {}, submit=False)
    assert (application.status, application.answers) == (SUBMITTED, before)
