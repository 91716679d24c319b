"""The inventory pages /staff/devices/ as staff use them: who may do what, adding and
editing devices, the manual status moves, the CSV import (all or nothing), the filters
and the list of overdue returns. Bad input comes back beside its field, never a 500."""

from __future__ import annotations

import html as html_lib
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lab.core.clock import frozen_at, utcnow
from lab.extensions import db
from lab.logistics import assignments, inventory, shipping
from lab.logistics.models import IN_STOCK, LOST, RETURNED, Device, DeviceEvent
from tests.logistics.conftest import imei_for
from tests.support import csrf_token, field_error, post_form, text

LIST = "/staff/devices/"


# ---- helpers -------------------------------------------------------------------------

def field_value(answer, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"',
                      answer.get_data(as_text=True))
    return html_lib.unescape(match.group(1)) if match else None


def device_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Device.id)))


def fresh(device) -> Device:
    db.session.expire_all()
    return db.session.get(Device, device.id)


def upload(client, data: bytes, name: str = "devices.csv"):
    return post_form(client, f"{LIST}import", {"file": (io.BytesIO(data), name)},
                     content_type="multipart/form-data")


def listed_serials(answer) -> list[str]:
    return re.findall(r'<tr id="device-\d+">\s*<th scope="row"><a [^>]*>([^<]+)</a>',
                      answer.get_data(as_text=True))


@pytest.fixture
def phone(make_product):
    return make_product(name="Nova 9", maker="Nova", category="smartphone")


@pytest.fixture
def router(make_product):
    return make_product(name="AirLink Mesh", maker="AirLink", category="router")


@pytest.fixture
def logistics(auth, make_logistics):
    return auth.login(make_logistics(locale="en"))


def _out_on_loan(shipping_campaign, make_device, staff, *, asked_back=True):
    """A device shipped to and received by a tester of a campaign in testing; asked back
    (due in RETURN_DAYS) unless said otherwise. Returns (device, assignment, tester)."""
    campaign, (tester, *_others) = shipping_campaign(testers=1)
    device = make_device(campaign.product)
    application_id = assignments.roster(campaign)[0].application.id
    loan = assignments.assign(staff, campaign, application_id, device.id)
    shipping.ship(staff, loan.id, carrier="dhl", tracking_number="00340434161094042557")
    shipping.deliver(staff, loan.id)
    if asked_back:
        shipping.request_return_by_staff(staff, loan.id, "The test is over.")
    return device, loan, tester


# ---- who may do what -----------------------------------------------------------------

STAFF_PAGES = ("", "{id}", "overdue")
LOGISTICS_PAGES = ("new", "{id}/edit", "import", "import/template.csv")


def _urls(pages, device) -> list[str]:
    return [LIST + page.format(id=device.id) for page in pages]


def test_anonymous_visitors_are_sent_to_sign_in(client, make_device, router):
    device = make_device(router)
    for url in _urls(STAFF_PAGES + LOGISTICS_PAGES, device):
        answer = client.get(url)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"], url


def test_members_get_403_on_every_page(client, auth, make_member, make_device, router):
    device = make_device(router)
    auth.login(make_member())
    for url in _urls(STAFF_PAGES + LOGISTICS_PAGES, device):
        assert client.get(url).status_code == 403, url


def test_staff_without_logistics_see_the_lists_and_devices_but_change_nothing(
        client, auth, make_staff, make_device, router):
    device = make_device(router)
    auth.login(make_staff(locale="en"))
    for url in _urls(STAFF_PAGES, device):
        assert client.get(url).status_code == 200, url
    for url in _urls(LOGISTICS_PAGES, device):
        assert client.get(url).status_code == 403, url
    token = csrf_token(client, LIST)
    answer = client.post(f"{LIST}{device.id}/status",
                         data={"csrf_token": token, "status": LOST, "reason": "gone"})
    assert answer.status_code == 403
    assert fresh(device).status == IN_STOCK


def test_staff_without_logistics_see_no_forms_on_the_device_page(
        client, auth, make_staff, make_device, router):
    device = make_device(router)
    auth.login(make_staff(locale="en"))
    page = client.get(f"{LIST}{device.id}").get_data(as_text=True)
    assert 'id="status-form"' not in page and f"{device.id}/edit" not in page
    assert "/staff/devices/new" not in client.get(LIST).get_data(as_text=True)


def test_logistics_staff_reach_every_page(client, logistics, make_device, router):
    device = make_device(router)
    for url in _urls(STAFF_PAGES + LOGISTICS_PAGES, device):
        assert client.get(url).status_code == 200, url


def test_a_missing_device_is_404(client, logistics):
    for url in (f"{LIST}999999", f"{LIST}999999/edit"):
        assert client.get(url).status_code == 404, url


# ---- adding and editing --------------------------------------------------------------

def test_a_device_is_added_and_shown_with_its_history(client, logistics, router):
    answer = post_form(client, f"{LIST}new", {
        "product_id": str(router.id), "serial": "alm 0001", "imei": "",
        "condition": "good", "notes": "Box opened"})
    assert answer.status_code == 302
    device = db.session.scalar(select(Device).where(Device.serial == "ALM0001"))
    assert device is not None and device.condition == "good"
    page = text(client.get(answer.headers["Location"]))
    assert "ALM0001" in page and "added to stock" in page and "Box opened" in page


def test_an_imei_with_a_wrong_check_digit_is_refused_beside_the_field(
        client, logistics, phone):
    wrong = imei_for(7)[:-1] + str((int(imei_for(7)[-1]) + 1) % 10)
    answer = post_form(client, f"{LIST}new", {
        "product_id": str(phone.id), "serial": "NV9-0001", "imei": wrong,
        "condition": "new", "notes": ""})
    assert answer.status_code == 422
    assert "check digit" in field_error(answer, "imei")
    assert field_value(answer, "imei") == wrong
    assert field_value(answer, "serial") == "NV9-0001"
    assert device_count() == 0


def test_a_serial_number_already_in_the_inventory_is_refused(
        client, logistics, make_device, router):
    make_device(router, serial="ALM-0002")
    answer = post_form(client, f"{LIST}new", {
        "product_id": str(router.id), "serial": "alm-0002", "condition": "new"})
    assert answer.status_code == 422
    assert "already in the inventory" in field_error(answer, "serial")
    assert device_count() == 1


def test_a_device_needs_a_product(client, logistics):
    answer = post_form(client, f"{LIST}new", {
        "product_id": "not-a-number", "serial": "ALM-0003", "condition": "new"})
    assert answer.status_code == 422
    assert field_error(answer, "product_id")
    assert device_count() == 0


def test_a_device_is_edited(client, logistics, make_device, router):
    device = make_device(router)
    answer = post_form(client, f"{LIST}{device.id}/edit", {
        "serial": "ALM-NEW-1", "imei": "", "condition": "worn", "notes": "Scratched"})
    assert answer.status_code == 302
    device = fresh(device)
    assert (device.serial, device.condition, device.notes) == ("ALM-NEW-1", "worn",
                                                               "Scratched")


def test_an_edit_to_a_taken_serial_keeps_the_input_and_changes_nothing(
        client, logistics, make_device, router):
    make_device(router, serial="ALM-TAKEN")
    device = make_device(router, serial="ALM-MINE")
    answer = post_form(client, f"{LIST}{device.id}/edit", {
        "serial": "ALM-TAKEN", "condition": "defective", "notes": "Broken"})
    assert answer.status_code == 422
    assert "already in the inventory" in field_error(answer, "serial")
    assert field_value(answer, "serial") == "ALM-TAKEN"
    assert (fresh(device).serial, fresh(device).condition) == ("ALM-MINE", "new")


# ---- status moves --------------------------------------------------------------------

def test_a_device_is_marked_lost_with_a_reason(client, logistics, make_device, router):
    device = make_device(router)
    answer = post_form(client, f"{LIST}{device.id}/status",
                       {"status": LOST, "reason": "Not on the shelf"},
                       page=f"{LIST}{device.id}")
    assert answer.status_code == 302
    assert fresh(device).status == LOST
    page = text(client.get(f"{LIST}{device.id}"))
    assert "in stock → lost" in page and "Not on the shelf" in page


def test_marking_a_device_lost_needs_a_reason(client, logistics, make_device, router):
    device = make_device(router)
    answer = post_form(client, f"{LIST}{device.id}/status", {"status": LOST, "reason": " "},
                       page=f"{LIST}{device.id}")
    assert answer.status_code == 422
    assert field_error(answer, "reason") == "Please give a reason."
    assert fresh(device).status == IN_STOCK


def test_a_move_not_allowed_from_the_status_is_refused(
        client, logistics, make_device, router):
    device = make_device(router)
    answer = post_form(client, f"{LIST}{device.id}/status",
                       {"status": IN_STOCK, "reason": "checked", "condition": "good"},
                       page=f"{LIST}{device.id}")
    assert answer.status_code == 422
    assert "cannot become" in field_error(answer, "status")
    assert fresh(device).status == IN_STOCK
    events = db.session.scalar(select(func.count(DeviceEvent.id))
                               .where(DeviceEvent.device_id == device.id))
    assert events == 1


def test_a_lost_device_found_again_is_checked_back_into_stock(
        client, logistics, make_device, router):
    device = make_device(router)
    inventory.change_status(logistics, device.id, LOST, reason="gone")
    post_form(client, f"{LIST}{device.id}/status", {"status": RETURNED, "reason": "In a box"},
              page=f"{LIST}{device.id}")
    assert fresh(device).status == RETURNED
    page = client.get(f"{LIST}{device.id}").get_data(as_text=True)
    assert 'name="condition"' in page  # the check asks for the condition
    post_form(client, f"{LIST}{device.id}/status",
              {"status": IN_STOCK, "reason": "", "condition": "worn"},
              page=f"{LIST}{device.id}")
    assert (fresh(device).status, fresh(device).condition) == (IN_STOCK, "worn")


def test_a_post_without_csrf_token_is_refused_and_changes_nothing(
        client, logistics, make_device, router):
    device = make_device(router)
    answer = client.post(f"{LIST}{device.id}/status",
                         data={"status": LOST, "reason": "gone"})
    assert answer.status_code == 400
    assert fresh(device).status == IN_STOCK
    answer = client.post(f"{LIST}new", data={"product_id": str(router.id),
                                             "serial": "NO-TOKEN", "condition": "new"})
    assert answer.status_code == 400
    assert device_count() == 1


# ---- import --------------------------------------------------------------------------

def test_a_good_utf8_file_imports_every_row(client, logistics, phone, router):
    data = ("product,serial,imei,condition,notes\n"
            f"Nova 9,NV9-1001,{imei_for(1001)},new,\n"
            f"{phone.id},NV9-1002,{imei_for(1002)},good,Box opened\n"
            "AirLink Mesh,ALM-1003,,worn,\n").encode()
    answer = upload(client, data)
    assert answer.status_code == 302 and answer.headers["Location"].endswith(LIST)
    assert device_count() == 3
    assert "3 devices imported." in text(client.get(LIST))


def test_an_excel_file_with_semicolons_and_umlauts_is_imported(client, logistics, router):
    data = ("Produkt;Seriennummer;IMEI;Zustand;Bemerkung\r\n"
            "AirLink Mesh;ALM-2001;;neu;Karton beschädigt\r\n"
            "AirLink Mesh;ALM-2002;;gebraucht;Größe passt\r\n").encode("cp1252")
    answer = upload(client, data)
    assert answer.status_code == 302
    device = db.session.scalar(select(Device).where(Device.serial == "ALM-2001"))
    assert device.notes == "Karton beschädigt" and device.condition == "new"
    assert device_count() == 2


def test_a_file_with_one_bad_row_imports_nothing_and_names_the_row(
        client, logistics, router):
    data = (b"product;serial;condition\n"
            b"AirLink Mesh;ALM-3001;new\n"
            b"AirLink Mesh;ALM-3002;shiny\n"
            b"AirLink Mesh;ALM-3003;good\n")
    answer = upload(client, data)
    assert answer.status_code == 200
    page = text(answer)
    assert "Nothing was imported: 1 problem in 1 row." in page
    rows = re.findall(r"<tr><th scope=\"row\">(\d+)</th><td>(\w+)</td>",
                      answer.get_data(as_text=True))
    assert rows == [("3", "condition")]
    assert device_count() == 0


def test_a_file_with_wrong_columns_gets_a_message_beside_the_file(client, logistics, router):
    answer = upload(client, b"name,number\nAirLink Mesh,ALM-4001\n")
    assert answer.status_code == 422
    assert "must have the columns" in field_error(answer, "file")
    assert device_count() == 0


def test_an_import_without_a_file_asks_for_one(client, logistics):
    answer = post_form(client, f"{LIST}import", {}, content_type="multipart/form-data")
    assert answer.status_code == 422
    assert field_error(answer, "file") == "Please choose a CSV file."


def test_the_sample_file_is_a_csv_the_import_accepts(client, logistics):
    answer = client.get(f"{LIST}import/template.csv")
    assert answer.mimetype == "text/csv"
    assert "attachment" in answer.headers["Content-Disposition"]
    assert answer.get_data(as_text=True).lstrip("\ufeff").startswith("product;serial;imei")


# ---- the list's filters --------------------------------------------------------------

@pytest.fixture
def stock(make_device, phone, router, logistics):
    """A phone in stock, a lost phone and a router in stock."""
    in_stock = make_device(phone, serial="NV9-AAA1", imei=imei_for(501))
    lost = make_device(phone, serial="NV9-BBB2", imei=imei_for(602))
    inventory.change_status(logistics, lost.id, LOST, reason="gone")
    box = make_device(router, serial="ALM-CCC3")
    return in_stock, lost, box


def test_the_list_filters_by_status(client, stock):
    assert listed_serials(client.get(f"{LIST}?status=lost")) == ["NV9-BBB2"]


def test_the_list_filters_by_product(client, stock, router):
    assert listed_serials(client.get(f"{LIST}?product={router.id}")) == ["ALM-CCC3"]


def test_the_list_searches_by_serial_and_by_imei_prefix(client, stock):
    assert listed_serials(client.get(f"{LIST}?q=aaa")) == ["NV9-AAA1"]
    assert listed_serials(client.get(f"{LIST}?q={imei_for(602)[:12]}")) == ["NV9-BBB2"]


def test_the_list_counts_devices_by_status(client, stock):
    page = text(client.get(LIST))
    assert "in stock: 2" in page and "lost: 1" in page


def test_bad_filter_values_are_ignored(client, stock):
    for query in ("?status=melted", "?product=abc", "?campaign=99999999999", "?page=x"):
        answer = client.get(LIST + query)
        assert answer.status_code == 200, query
        assert len(listed_serials(answer)) == 3, query


def test_the_list_shows_the_holder_and_campaign(
        client, logistics, shipping_campaign, make_device):
    device, loan, tester = _out_on_loan(shipping_campaign, make_device, logistics)
    answer = client.get(f"{LIST}?campaign={loan.campaign_id}")
    assert listed_serials(answer) == [device.serial]
    assert f"@{tester.handle}" in text(answer)


# ---- the device page and overdue returns ---------------------------------------------

def test_the_device_page_shows_the_holder_and_the_parcel(
        client, logistics, shipping_campaign, make_device):
    device, loan, tester = _out_on_loan(shipping_campaign, make_device, logistics)
    page = text(client.get(f"{LIST}{device.id}"))
    assert f"@{tester.handle}" in page and loan.campaign.title in page
    assert "DHL 00340434161094042557" in page
    assert "with tester → return requested" in page


def test_the_overdue_page_lists_a_device_overdue_for_return(
        client, logistics, shipping_campaign, make_device):
    start = utcnow()
    with frozen_at(start):
        late, _loan, late_tester = _out_on_loan(shipping_campaign, make_device, logistics)
    with frozen_at(start + timedelta(days=10)):
        on_time, _loan, on_time_tester = _out_on_loan(shipping_campaign, make_device,
                                                      logistics)
    with frozen_at(start + timedelta(days=17)):
        page = text(client.get(f"{LIST}overdue"))
    assert late.serial in page and f"@{late_tester.handle}" in page
    assert "3 days" in page and "not announced" in page
    assert on_time.serial not in page and f"@{on_time_tester.handle}" not in page


def test_the_overdue_page_shows_a_parcel_the_tester_announced(
        client, logistics, shipping_campaign, make_device):
    start = utcnow()
    with frozen_at(start):
        _device, loan, tester = _out_on_loan(shipping_campaign, make_device, logistics)
        shipping.sent_back(tester, loan.campaign, carrier="hermes",
                           tracking_number="H1234567890")
    with frozen_at(start + timedelta(days=20)):
        page = text(client.get(f"{LIST}overdue"))
    assert "announced: Hermes H1234567890" in page

