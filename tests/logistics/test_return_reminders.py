"""Return reminders of `flask lab reminders`: a device due back within three days and one
past its date are each told once per loan; a tester who announced the parcel back, or whose
device is back, is not chased."""

from datetime import timedelta

import pytest

from lab.campaigns.applications import application_of
from lab.core.clock import frozen_at, utcnow
from lab.extensions import db
from lab.logistics import assignments, notices, reminders, shipping
from lab.logistics.reminders import ReturnReminders
from tests.rewards.helpers import mails_to, notifications

pytestmark = pytest.mark.usefixtures("english")

MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
DUE, LATE = notices.RETURN_DUE_KIND, notices.RETURN_OVERDUE_KIND


@pytest.fixture
def asked_back(shipping_campaign, make_device, make_member, logistics_staff):
    """(campaign, [two testers reading English], their loans), both devices asked back
    now (due in RETURN_DAYS)."""
    testers = [make_member(locale="en") for _ in range(2)]
    campaign, testers = shipping_campaign(testers=testers)
    loans = []
    for tester in testers:
        loan = assignments.assign(logistics_staff, campaign,
                                  application_of(tester.id, campaign.id).id,
                                  make_device(campaign.product).id)
        out = shipping.ship(logistics_staff, loan.id, carrier="dhl",
                            tracking_number="00340434161094042557")
        shipping.confirm_receipt(tester, campaign, out.id)
        loans.append(loan)
    with frozen_at(utcnow()):  # both due at the same moment
        for loan in loans:
            shipping.request_return_by_staff(logistics_staff, loan.id, None)
    return campaign, testers, loans


def run_at(moment) -> tuple[int, int]:
    with frozen_at(moment):
        result = reminders.run()
    db.session.flush()
    return result.due_soon, result.overdue


def told(member, kind=DUE) -> int:
    return len(notifications(member, kind))


def test_a_device_due_within_three_days_is_reminded_once(asked_back):
    _campaign, [alice, bob], [loan, _other] = asked_back
    assert run_at(loan.return_due_at - 3 * DAY) == (2, 0)
    assert run_at(loan.return_due_at - 2 * DAY) == (0, 0)
    assert run_at(loan.return_due_at - MINUTE) == (0, 0)
    assert (told(alice), told(bob)) == (1, 1)


def test_no_reminder_earlier_than_three_days_before_the_date(asked_back):
    _campaign, [alice, _bob], [loan, _other] = asked_back
    assert run_at(loan.return_due_at - 3 * DAY - MINUTE) == (0, 0)
    assert told(alice) == 0


def test_the_reminder_names_the_device_the_date_and_the_return_address(app, asked_back):
    campaign, [alice, _bob], [loan, _other] = asked_back
    run_at(loan.return_due_at - DAY)
    [note] = notifications(alice, DUE)
    assert note.link == f"/tests/{campaign.slug}/device"
    assert (note.params["product"], note.params["campaign"], note.params["return_by"],
            note.params["address"]) == (campaign.product.name, campaign.title,
                                        loan.return_due_at.isoformat(),
                                        app.config["RETURN_ADDRESS"])
    assert mails_to(alice)[-1].subject == "Your test device is due back soon"


def test_an_overdue_device_is_reminded_once_more(asked_back):
    _campaign, [alice, bob], [loan, _other] = asked_back
    assert run_at(loan.return_due_at - DAY) == (2, 0)
    assert run_at(loan.return_due_at + HOUR) == (0, 2)
    assert run_at(loan.return_due_at + 5 * DAY) == (0, 0)
    for tester in (alice, bob):
        assert (told(tester), told(tester, LATE)) == (1, 1)
    assert mails_to(alice)[-1].subject == "Your test device is overdue"


def test_a_device_is_overdue_from_its_due_date(asked_back):
    _campaign, _testers, [loan, _other] = asked_back
    assert run_at(loan.return_due_at) == (0, 2)


def test_a_device_found_overdue_on_the_first_run_is_told_only_as_overdue(asked_back):
    _campaign, [alice, _bob], [loan, _other] = asked_back
    assert run_at(loan.return_due_at + 3 * DAY) == (0, 2)
    assert (told(alice), told(alice, LATE)) == (0, 1)


def test_a_tester_who_announced_the_parcel_back_is_not_chased(asked_back):
    campaign, [alice, bob], [loan, _other] = asked_back
    shipping.sent_back(alice, campaign, carrier="hermes", tracking_number="H1234567")
    assert run_at(loan.return_due_at - DAY) == (1, 0)
    assert run_at(loan.return_due_at + HOUR) == (0, 1)
    assert (told(alice), told(alice, LATE)) == (0, 0)
    assert (told(bob), told(bob, LATE)) == (1, 1)


def test_a_returned_device_is_not_reminded(asked_back, logistics_staff):
    _campaign, [alice, bob], [loan, _other] = asked_back
    shipping.receive_back(logistics_staff, loan.id)
    assert run_at(loan.return_due_at - DAY) == (1, 0)
    assert run_at(loan.return_due_at + HOUR) == (0, 1)
    assert (told(alice), told(alice, LATE)) == (0, 0)
    assert told(bob, LATE) == 1


def test_a_device_still_with_the_tester_is_not_reminded(shipping_campaign, make_device,
                                                        logistics_staff):
    campaign, (tester,) = shipping_campaign(testers=1)
    loan = assignments.assign(logistics_staff, campaign,
                              application_of(tester.id, campaign.id).id,
                              make_device(campaign.product).id)
    shipping.ship(logistics_staff, loan.id, carrier="dhl", tracking_number="JJD00012345")
    shipping.deliver(logistics_staff, loan.id)
    assert run_at(utcnow() + 60 * DAY) == (0, 0)
    assert (told(tester), told(tester, LATE)) == (0, 0)


def test_nothing_to_remind_gives_zero_counts(app):
    with frozen_at(utcnow()):
        assert reminders.run() == ReturnReminders(due_soon=0, overdue=0)


def test_the_command_prints_the_return_counts_and_commits(app, asked_back):
    _campaign, [alice, bob], [loan, _other] = asked_back
    db.session.commit()  # the command commits its own unit of work
    runner = app.test_cli_runner()
    with frozen_at(loan.return_due_at - DAY):
        first = runner.invoke(args=["lab", "reminders"])
    assert first.exit_code == 0, first.output
    assert "returns due soon 2, returns overdue 0" in first.output
    db.session.rollback()
    assert (told(alice), told(bob)) == (1, 1)

    with frozen_at(loan.return_due_at + HOUR):
        second = runner.invoke(args=["lab", "reminders"])
        again = runner.invoke(args=["lab", "reminders"])
    assert "returns due soon 0, returns overdue 2" in second.output
    assert "returns due soon 0, returns overdue 0" in again.output
    db.session.rollback()
    assert (told(alice, LATE), told(bob, LATE)) == (1, 1)
