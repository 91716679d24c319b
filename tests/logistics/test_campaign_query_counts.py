"""A campaign's devices page and its shipping list run a fixed number of SQL queries,
however many testers have devices and parcels out and back."""

from __future__ import annotations

from lab.logistics import assignments, shipping
from tests.support import page_queries

LIMIT = 15


def _assert_same(few: list[str], many: list[str]) -> None:
    assert len(many) == len(few), "\n".join(many)
    assert len(few) <= LIMIT, "\n".join(few)


def _busy_campaign(shipping_campaign, make_device, actor, testers: int):
    """Every tester has a device; every second one has it delivered, was asked for it
    back and announced the parcel back; the others wait for it to be shipped. One more
    device waits in stock for the manual choice."""
    campaign, members = shipping_campaign(testers=testers)
    for _ in range(testers + 1):
        make_device(campaign.product)
    assignments.assign_automatically(actor, campaign)
    for n, row in enumerate(assignments.roster(campaign)):
        if n % 2:
            shipping.ship(actor, row.assignment.id, carrier="dhl",
                          tracking_number=f"00340434{n:06d}")
            shipping.deliver(actor, row.assignment.id)
            shipping.request_return_by_staff(actor, row.assignment.id, None)
            shipping.sent_back(members[n], campaign, carrier="dpd",
                               tracking_number=f"01234567{n:06d}")
    return campaign


def test_the_roster_runs_the_same_queries_with_2_and_12_testers(
        client, auth, shipping_campaign, make_device, make_logistics):
    logistics = auth.login(make_logistics(locale="en"))
    small = _busy_campaign(shipping_campaign, make_device, logistics, 2)
    large = _busy_campaign(shipping_campaign, make_device, logistics, 12)
    few = page_queries(client, f"/staff/campaigns/{small.slug}/devices/")
    many = page_queries(client, f"/staff/campaigns/{large.slug}/devices/")
    _assert_same(few, many)


def test_the_shipping_list_runs_the_same_queries_with_2_and_12_testers(
        client, auth, shipping_campaign, make_device, make_logistics):
    logistics = auth.login(make_logistics(locale="en"))
    small = _busy_campaign(shipping_campaign, make_device, logistics, 2)
    large = _busy_campaign(shipping_campaign, make_device, logistics, 12)
    for page in ("shipping-list", "shipping-list.csv", "picklist"):
        few = page_queries(client, f"/staff/campaigns/{small.slug}/devices/{page}")
        many = page_queries(client, f"/staff/campaigns/{large.slug}/devices/{page}")
        _assert_same(few, many)
