"""`flask lab reminders`: each reminder goes out once however often it runs, and places
not confirmed in time move on to the waiting list."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lab.accounts.models import OwnedDevice
from lab.campaigns import notices, reminders, selection
from lab.campaigns.applications import application_of
from lab.campaigns.models import DECLINED, RECRUITING, SELECTED, SELECTION
from lab.core.clock import frozen_at
from lab.extensions import db
from tests.campaigns.helpers import ADDRESS, fresh, mails_to, notifications

pytestmark = pytest.mark.usefixtures("english")


def run_at(moment) -> reminders.ReminderRun:
    with frozen_at(moment):
        return reminders.run()


# --- applications closing soon -------------------------------------------------------------

@pytest.fixture
def draft(make_campaign, make_tester, apply):
    """(campaign closing in a week, a member with an unsent application to it)"""
    campaign, member = make_campaign(RECRUITING), make_tester(locale="en")
    apply(member, campaign, submit=False)
    return campaign, member


def test_an_unsent_application_is_reminded_a_day_before_the_close(draft):
    campaign, member = draft
    result = run_at(campaign.applications_close_at - timedelta(hours=12))
    assert (result.closing, result.confirm, result.expired) == (1, 0, 0)
    [note] = notifications(member, notices.CLOSING_KIND)
    assert note.params["deadline"] == campaign.applications_close_at.isoformat()
    assert [m.subject for m in mails_to(member)] == ["Applications close soon"]


def test_running_twice_reminds_once(draft):
    campaign, member = draft
    first = run_at(campaign.applications_close_at - timedelta(hours=20))
    second = run_at(campaign.applications_close_at - timedelta(hours=2))
    assert (first.closing, second.closing) == (1, 0)
    assert len(notifications(member, notices.CLOSING_KIND)) == 1


def test_no_reminder_earlier_than_a_day_before(draft):
    campaign, member = draft
    assert run_at(campaign.applications_close_at - timedelta(hours=25)).closing == 0
    assert notifications(member, notices.CLOSING_KIND) == []


def test_no_reminder_after_the_close(draft):
    campaign, member = draft
    assert run_at(campaign.applications_close_at).closing == 0


def test_a_sent_application_is_not_reminded(draft, apply):
    campaign, member = draft
    apply(member, campaign)
    assert run_at(campaign.applications_close_at - timedelta(hours=1)).closing == 0


def test_a_member_who_is_no_longer_eligible_is_not_reminded(make_campaign, make_tester,
                                                            apply):
    campaign = make_campaign(RECRUITING, eligibility=[{"rule": "owns_os",
                                                       "values": ["android"]}])
    member = make_tester(os="android")
    apply(member, campaign, submit=False)
    db.session.execute(db.delete(OwnedDevice).where(OwnedDevice.user_id == member.id))
    assert run_at(campaign.applications_close_at - timedelta(hours=1)).closing == 0


# --- confirmations -------------------------------------------------------------------------

@pytest.fixture
def offer(make_campaign, make_tester):
    """(campaign in selection, the selected member, the one waiting, the deadline)"""
    first, second = make_tester(), make_tester()
    campaign = make_campaign(SELECTION, applicants=[first, second], slots=1)
    selection.select_by_ranking(campaign.created_by, campaign)
    selected, waiting = sorted((first, second),
                               key=lambda m: application_of(m.id, campaign.id).rank)
    return campaign, selected, waiting, application_of(selected.id, campaign.id).confirm_by


def test_a_selected_member_is_reminded_a_day_before_the_deadline_once(offer):
    _campaign, selected, _waiting, deadline = offer
    assert run_at(deadline - timedelta(hours=23)).confirm == 1
    assert run_at(deadline - timedelta(hours=1)).confirm == 0
    [note] = notifications(selected, notices.CONFIRM_REMINDER_KIND)
    assert note.params["deadline"] == deadline.isoformat()


def test_no_confirmation_reminder_earlier(offer):
    _campaign, selected, _waiting, deadline = offer
    assert run_at(deadline - timedelta(hours=25)).confirm == 0


def test_a_confirmed_member_is_not_reminded(offer):
    campaign, selected, _waiting, deadline = offer
    selection.confirm(selected, campaign, accept_terms=True, address=ADDRESS)
    assert run_at(deadline - timedelta(hours=1)).confirm == 0


def test_an_expired_offer_goes_to_the_waiting_list_on_the_next_run(offer):
    campaign, selected, waiting, deadline = offer
    result = run_at(deadline + timedelta(minutes=5))
    assert result.expired == 1
    assert fresh(application_of(selected.id, campaign.id)).status == DECLINED
    assert fresh(application_of(waiting.id, campaign.id)).status == SELECTED
    assert notifications(waiting, notices.OFFERED_KIND)
    assert run_at(deadline + timedelta(minutes=10)).expired == 0


def test_the_promoted_member_is_reminded_of_the_new_deadline(offer):
    campaign, _selected, waiting, deadline = offer
    run_at(deadline + timedelta(minutes=5))
    new_deadline = fresh(application_of(waiting.id, campaign.id)).confirm_by
    assert run_at(new_deadline - timedelta(hours=2)).confirm == 1
    assert len(notifications(waiting, notices.CONFIRM_REMINDER_KIND)) == 1


# --- the command ---------------------------------------------------------------------------

def test_the_command_prints_what_it_did_and_commits(app, draft):
    campaign, member = draft
    db.session.commit()  # the command commits its own unit of work
    with frozen_at(campaign.applications_close_at - timedelta(hours=3)):
        result = app.test_cli_runner().invoke(args=["lab", "reminders"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == ("places expired 0, closing reminders 1, "
                                     "confirmation reminders 0, tasks due soon 0, "
                                     "tasks overdue 0, returns due soon 0, "
                                     "returns overdue 0")
    db.session.rollback()
    assert len(notifications(member, notices.CLOSING_KIND)) == 1
