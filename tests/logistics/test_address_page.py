"""/me/address says who sees the address and until when it is kept: until deleted by a
member who never tested, while a test runs, and up to the exact day after a device came
back (ADDRESS_RETENTION_DAYS after the end)."""

from __future__ import annotations

import html as html_lib
import re
from datetime import datetime, timedelta

import pytest

from lab.accounts.services import save_address
from lab.campaigns import selection
from lab.core.clock import frozen_at
from lab.extensions import db
from lab.logistics import assignments, shipping
from tests.logistics.conftest import address_of

pytestmark = pytest.mark.usefixtures("english")

T0 = datetime(2025, 3, 3, 9, 0)


def retention_text(client) -> str:
    answer = client.get("/me/address")
    assert answer.status_code == 200
    match = re.search(r'id="address-retention"[^>]*>(.*?)</p>', answer.get_data(as_text=True),
                      re.S)
    assert match, "no retention sentence"
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def test_a_member_who_never_tested_keeps_the_address_until_deleting_it(client, auth,
                                                                         make_member):
    member = auth.login(make_member(locale="en"))
    save_address(member, **address_of(1))
    db.session.commit()
    assert retention_text(client) == (
        "It is kept until you delete it; after a test, it is deleted 30 days after your "
        "device is back or the test ends.")


def test_a_member_without_an_address_is_told_how_one_would_be_kept(client, auth,
                                                                    make_member):
    auth.login(make_member(locale="en"))
    assert retention_text(client).startswith("An address you give is kept until you "
                                             "delete it;")


def test_a_tester_keeps_the_address_while_testing(client, auth, shipping_campaign):
    _campaign, (tester, _other) = shipping_campaign()
    tester.locale = "en"
    auth.login(tester)
    db.session.commit()
    assert retention_text(client) == (
        "It is kept while you take part in a test or wait for a parcel; it is deleted 30 "
        "days after your device is back or the test ends.")


def test_after_the_device_is_back_the_exact_day_of_deletion_is_shown(
        client, auth, shipping_campaign, make_device, logistics_staff):
    with frozen_at(T0):
        campaign, (tester, _other) = shipping_campaign()
        application = next(row.application for row in assignments.roster(campaign)
                           if row.application.member_id == tester.id)
        assignment = assignments.assign(logistics_staff, campaign, application.id,
                                        make_device(campaign.product).id)
        shipping.ship(logistics_staff, assignment.id, carrier="dhl",
                      tracking_number="00340434161094042557")
        shipping.deliver(logistics_staff, assignment.id)
        selection.finish_test(logistics_staff, application.id, campaign, completed=True)
    with frozen_at(T0 + timedelta(days=7)):  # back on 10 March: deleted on 9 April
        shipping.receive_back(logistics_staff, assignment.id)
        tester.locale = "en"
        auth.login(tester)
        db.session.commit()
        assert retention_text(client) == "It will be deleted on Apr 9, 2025."


def test_the_page_says_who_sees_the_address(client, auth, make_member):
    auth.login(make_member(locale="en"))
    page = client.get("/me/address").get_data(as_text=True)
    assert ("Only the logistics team sees your address, and only while you take part in a "
            "test or wait for a parcel; every look is logged.") in page
