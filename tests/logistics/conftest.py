"""Factories of the logistics tests: devices in stock, a campaign in testing whose
confirmed testers have given their addresses, and the logistics staff who ship."""

from __future__ import annotations

import itertools

import pytest

from lab.accounts.services import save_address
from lab.campaigns.models import RETURN, TESTING
from lab.logistics import inventory
from lab.logistics.identifiers import check_digit
from tests.campaigns.conftest import (  # noqa: F401  (fixtures used here)
    english,
    make_campaign,
    make_product,
    make_tester,
)
from tests.feedback.conftest import make_test_campaign  # noqa: F401  (fixture used here)

_numbers = itertools.count(1)


def imei_for(number: int) -> str:
    """A valid IMEI (Luhn check digit) made from a running number."""
    body = f"35209900{number:06d}"
    return body + check_digit(body)


def address_of(n: int = 1) -> dict:
    return {"full_name": f"Erika Muster {n}", "street": f"Hauptstraße {n}", "extra": None,
            "postcode": "53113", "city": "Bonn", "country": "DE", "phone": None}


@pytest.fixture
def make_device(make_staff):
    """Factory: make_device(product, condition="new", **fields) -> a device in stock,
    added through the inventory service (phones get a valid IMEI)."""

    def make(product, condition="new", *, actor=None, **fields):
        number = next(_numbers)
        values = {"serial": f"SN-{number:06d}",
                  "imei": imei_for(number) if product.category == "smartphone" else None,
                  "condition": condition, "notes": None} | fields
        return inventory.add_device(actor or make_staff(), product_id=product.id, **values)

    return make


@pytest.fixture
def shipping_campaign(make_test_campaign, make_product):  # noqa: F811 (the fixtures)
    """Factory: shipping_campaign(testers=2, policy="return", state="testing") ->
    (campaign, [testers]); a phone campaign whose confirmed testers gave their address."""

    def make(testers=2, policy=RETURN, state=TESTING, category="smartphone"):
        product = make_product(name=f"Nova {next(_numbers)}", maker="Nova",
                               category=category)
        campaign, members = make_test_campaign(testers, state=state, product=product,
                                               device_policy=policy)
        for n, member in enumerate(members, start=1):
            save_address(member, **address_of(n))
        return campaign, members

    return make


@pytest.fixture
def logistics_staff(make_logistics):
    return make_logistics()

