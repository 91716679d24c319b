"""The inventory list, a device's page and the overdue returns run a fixed number of SQL
queries, however many devices, holders, history steps, loans and overdue returns there
are."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lab.core.clock import frozen_at, utcnow
from lab.logistics import assignments, inventory, shipping
from lab.logistics.models import IN_STOCK
from tests.support import page_queries

LIMIT = 12
LIST = "/staff/devices/"


def _assert_same(few: list[str], many: list[str]) -> None:
    assert len(many) == len(few), "\n".join(many)
    assert len(few) <= LIMIT, "\n".join(few)


def _lend(staff, campaign, tester_index: int, device, *, ask_back=True):
    """The device reserved, shipped and delivered to one of the campaign's testers, then
    (by default) asked back."""
    application_id = assignments.roster(campaign)[tester_index].application.id
    loan = assignments.assign(staff, campaign, application_id, device.id)
    shipping.ship(staff, loan.id, carrier="dpd", tracking_number=f"TRACK{loan.id:08d}")
    shipping.deliver(staff, loan.id)
    if ask_back:
        shipping.request_return_by_staff(staff, loan.id, "The test is over.")
    return loan


@pytest.fixture
def staff(auth, make_logistics):
    return auth.login(make_logistics(locale="en"))


def _lent_out(staff, shipping_campaign, make_device, testers: int, in_stock: int):
    """A campaign whose testers each have a device, plus devices still in stock."""
    campaign, _members = shipping_campaign(testers=testers)
    for index in range(testers):
        _lend(staff, campaign, index, make_device(campaign.product), ask_back=index % 2 == 0)
    for _ in range(in_stock):
        make_device(campaign.product)
    return campaign


def test_the_list_runs_the_same_queries_with_few_and_many_devices(
        client, staff, shipping_campaign, make_device):
    small = _lent_out(staff, shipping_campaign, make_device, testers=2, in_stock=1)
    queries = ("", "?status=with_tester", "?q=SN-", f"?product={small.product_id}",
               f"?campaign={small.id}")
    few = [page_queries(client, LIST + query) for query in queries]
    _lent_out(staff, shipping_campaign, make_device, testers=6, in_stock=20)
    _lent_out(staff, shipping_campaign, make_device, testers=5, in_stock=5)
    for before, query in zip(few, queries, strict=True):
        _assert_same(before, page_queries(client, LIST + query))


def test_a_device_page_runs_the_same_queries_with_a_short_and_a_long_history(
        client, staff, shipping_campaign, make_device):
    campaign, _members = shipping_campaign(testers=4)
    quiet = make_device(campaign.product)
    _lend(staff, campaign, 0, quiet)
    busy = make_device(campaign.product)
    # lent to three testers in turn, each time returned and checked back into stock
    for index in range(1, 4):
        loan = _lend(staff, campaign, index, busy)
        shipping.receive_back(staff, loan.id, note=f"Back from tester {index}")
        inventory.change_status(staff, busy.id, IN_STOCK, reason="", condition="good")
    few = page_queries(client, f"{LIST}{quiet.id}")
    _assert_same(few, page_queries(client, f"{LIST}{busy.id}"))


def test_the_overdue_page_runs_the_same_queries_with_few_and_many_overdue_returns(
        client, staff, shipping_campaign, make_device):
    start = utcnow()

    def overdue_loans(testers: int) -> None:
        with frozen_at(start):
            campaign, members = shipping_campaign(testers=testers)
            for index, member in enumerate(members):
                loan = _lend(staff, campaign, index, make_device(campaign.product))
                if index % 2:  # some testers announced their parcel back
                    shipping.sent_back(member, loan.campaign, carrier="gls",
                                       tracking_number=f"GLS{loan.id:08d}")

    def overdue_page() -> list[str]:
        with frozen_at(start + timedelta(days=30)):
            return page_queries(client, f"{LIST}overdue")

    overdue_loans(2)
    few = overdue_page()
    overdue_loans(8)
    overdue_loans(4)
    _assert_same(few, overdue_page())
