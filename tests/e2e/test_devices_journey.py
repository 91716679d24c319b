"""Test devices in the browser: logistics import phones from a CSV file, assign them to a
campaign's confirmed testers (by hand and automatically) and ship one; the tester confirms
receipt, staff finish the test, the tester sends the phone back and logistics check it
back into stock. And a kept phone, which is given away only once a second admin approves.
Every page visited is checked with axe.

As in test_campaign_journey: one browser context per person, elements found by ids,
names, hrefs and form actions (the new strings are not translated yet), texts the app
composes computed by the live app itself, and the database checked afterwards.
"""

from __future__ import annotations

import uuid

import pytest
from flask_babel import gettext
from playwright.sync_api import expect
from sqlalchemy import select

from lab.accounts.models import User
from lab.accounts.services import save_address
from lab.campaigns import lifecycle
from lab.campaigns.models import CONFIRMED, KEEP, RETURN, Application, Campaign
from lab.core.clock import utcnow
from lab.extensions import db
from lab.logistics import assignments, inventory, shipping
from lab.logistics.inventory import CONDITION_LABELS, STATUS_LABELS
from lab.logistics.models import Assignment, Device, DeviceEvent, Shipment
from lab.rewards import awards
from tests.campaigns.helpers import campaign_fields
from tests.e2e.test_account_journey import assert_accessible
from tests.e2e.test_campaign_journey import (  # noqa: F401  (person_page is a fixture)
    action,
    expect_at,
    expect_success_flash,
    in_page_language,
    person_page,
    seed_person,
    seed_product,
)
from tests.e2e.test_rewards_journey import submit
from tests.logistics.conftest import address_of, imei_for

pytestmark = pytest.mark.e2e


# --- seeding, in the live app's own database --------------------------------------

def seed_campaign(app, creator: dict, approver: dict, testers: list[dict], *,
                  policy: str) -> dict:
    """A phone campaign with this device policy, created by ``creator``, approved by
    ``approver`` and moved on to testing; the testers hold confirmed places (written
    directly, as tests/feedback/conftest.py make_test_campaign does) and gave their
    shipping addresses."""
    product = seed_product(app, creator["id"])  # a smartphone
    slug = f"dev-{uuid.uuid4().hex[:8]}"
    with app.app_context():
        author, reviewer = (db.session.get(User, p["id"]) for p in (creator, approver))
        campaign = lifecycle.create_campaign(author, **campaign_fields(
            product["id"], slug=slug, title=f"Phone field test {slug}", device_policy=policy))
        lifecycle.submit_for_review(author, campaign)
        lifecycle.approve(reviewer, campaign)
        lifecycle.advance(author, campaign)  # selection
        lifecycle.advance(author, campaign)  # testing
        application_ids = []
        for n, tester in enumerate(testers, start=1):
            application = Application(campaign_id=campaign.id, member_id=tester["id"],
                                      status=CONFIRMED, answers={}, confirmed_at=utcnow())
            db.session.add(application)
            save_address(db.session.get(User, tester["id"]), **address_of(n))
            db.session.flush()
            application_ids.append(application.id)
        db.session.commit()
        return {"id": campaign.id, "slug": slug, "product_id": product["id"],
                "applications": application_ids}


def phones(count: int) -> list[dict]:
    """Serial numbers and valid IMEIs nobody else in this database uses."""
    start = uuid.uuid4().int % 900_000
    return [{"serial": f"E2E-{uuid.uuid4().hex[:10].upper()}", "imei": imei_for(start + n)}
            for n in range(count)]


def seed_delivered_device(app, campaign: dict, logistics: dict) -> dict:
    """A phone added to stock, assigned to the campaign's first tester, shipped and
    delivered, all through the services."""
    phone = phones(1)[0]
    with app.app_context():
        actor = db.session.get(User, logistics["id"])
        device = inventory.add_device(actor, product_id=campaign["product_id"],
                                      condition="new", notes=None, **phone)
        assignment = assignments.assign(actor, db.session.get(Campaign, campaign["id"]),
                                        campaign["applications"][0], device.id)
        shipping.ship(actor, assignment.id, carrier="dpd", tracking_number="01234567890123")
        shipping.deliver(actor, assignment.id)
        db.session.commit()
        return {"id": device.id, "serial": device.serial, "assignment": assignment.id}


def statuses_of(device_id: int) -> list[str]:
    return list(db.session.scalars(select(DeviceEvent.to_status).where(
        DeviceEvent.device_id == device_id).order_by(DeviceEvent.id)))


# --- the journeys ---------------------------------------------------------------

def test_imported_phones_are_assigned_shipped_received_returned_and_back_in_stock(
        person_page, live_app, live_server, tmp_path):  # noqa: F811 (the fixture)
    logistics = seed_person(live_app, "lgx", roles=("logistics",))
    author = seed_person(live_app, "devstf", roles=("staff",))
    approver = seed_person(live_app, "devadm", roles=("admin",))
    tester_a = seed_person(live_app, "phonea")
    tester_b = seed_person(live_app, "phoneb")
    campaign = seed_campaign(live_app, author, approver, [tester_a, tester_b], policy=RETURN)
    slug = campaign["slug"]
    application_a, application_b = campaign["applications"]
    roster = f"/staff/campaigns/{slug}/devices/"
    device_page = f"/tests/{slug}/device"
    phone_1, phone_2 = phones(2)

    def label(compose) -> str:
        return in_page_language(live_app, compose)

    # 1. Logistics import two phones of the campaign's product from a CSV file ...
    page_l = person_page(logistics)
    page_l.goto("/staff/devices/")
    assert_accessible(page_l)
    page_l.locator("#device-actions a[href='/staff/devices/import']").click()
    expect_at(page_l, f"{live_server}/staff/devices/import")
    assert_accessible(page_l)
    csv_file = tmp_path / "phones.csv"
    csv_file.write_text("product;serial;imei;condition;notes\n" + "".join(
        f"{campaign['product_id']};{p['serial']};{p['imei']};neu;Sealed box\n"
        for p in (phone_1, phone_2)), encoding="utf-8")
    upload = page_l.locator("form#import-form")
    upload.locator("input[type=file][name=file]").set_input_files(str(csv_file))
    submit(page_l, upload.locator("[type=submit][name=submit]"))

    # ... and see them in the list.
    expect_at(page_l, f"{live_server}/staff/devices/")
    expect_success_flash(page_l)
    with live_app.app_context():
        imported = {device.serial: device.id for device in db.session.scalars(
            select(Device).where(Device.serial.in_([phone_1["serial"], phone_2["serial"]])))}
    assert set(imported) == {phone_1["serial"], phone_2["serial"]}, "nothing was imported"
    in_stock = label(lambda: STATUS_LABELS["in_stock"])
    for phone in (phone_1, phone_2):
        row = page_l.locator(f"#devices tr#device-{imported[phone['serial']]}")
        expect(row.locator(f"a[href='/staff/devices/{imported[phone['serial']]}']")) \
            .to_have_text(phone["serial"])
        expect(row.locator("td").nth(0)).to_have_text(phone["imei"])
        expect(row.locator(".badge")).to_have_text(in_stock)
    assert_accessible(page_l)

    # 2. On the campaign's devices page, phone 1 goes to tester A by hand ...
    page_l.goto(roster)
    assert_accessible(page_l)
    row_a = page_l.locator(f"#tester-{application_a}")
    assign = row_a.locator(f"form[action='/staff/campaigns/{slug}/devices/assign']")
    assign.locator("select[name=device_id]").select_option(
        value=str(imported[phone_1["serial"]]))
    submit(page_l, assign.locator("[type=submit]"))
    expect_at(page_l, f"{live_server}{roster}#tester-{application_a}")
    expect_success_flash(page_l)
    expect(row_a.locator(f"a[href='/staff/devices/{imported[phone_1['serial']]}']")) \
        .to_have_text(phone_1["serial"])

    # ... and tester B gets the other one automatically.
    submit(page_l, action(page_l, f"/staff/campaigns/{slug}/devices/assign-automatically"))
    expect_at(page_l, f"{live_server}{roster}#roster")
    expect_success_flash(page_l)
    row_b = page_l.locator(f"#tester-{application_b}")
    expect(row_b.locator(f"a[href='/staff/devices/{imported[phone_2['serial']]}']")) \
        .to_have_text(phone_2["serial"])
    assert_accessible(page_l)
    with live_app.app_context():
        loans = {a.application_id: a.id for a in db.session.scalars(
            select(Assignment).where(Assignment.campaign_id == campaign["id"]))}
    assert set(loans) == {application_a, application_b}
    loan_a = loans[application_a]

    # 3. Logistics ship tester A's phone.
    ship = row_a.locator(f"form[action='/staff/campaigns/{slug}/devices/{loan_a}/ship']")
    ship.locator("select[name=carrier]").select_option(value="dhl")
    ship.locator("input[name=tracking_number]").fill("00340434161094042557")
    submit(page_l, ship.locator("[type=submit]"))
    expect_at(page_l, f"{live_server}{roster}#tester-{application_a}")
    expect_success_flash(page_l)
    expect(row_a.locator(".badge")).to_have_text(label(lambda: STATUS_LABELS["shipped"]))
    assert_accessible(page_l)

    # 4. Tester A finds the device in the test area and confirms receipt on its page.
    page_a = person_page(tester_a)
    page_a.goto(f"/tests/{slug}/")
    assert_accessible(page_a)
    page_a.locator(f"#device a[href='{device_page}']").click()
    expect_at(page_a, f"{live_server}{device_page}")
    expect(page_a.locator("main .device-serial")).to_have_text(phone_1["serial"])
    expect(page_a.locator("#parcel-out .tracking-number")).to_have_text("00340434161094042557")
    assert_accessible(page_a)
    with live_app.app_context():
        parcel_out = db.session.scalar(select(Shipment.id).where(
            Shipment.assignment_id == loan_a, Shipment.direction == "out"))
    submit(page_a, action(page_a, f"/tests/{slug}/shipments/{parcel_out}/received"))
    expect_at(page_a, f"{live_server}{device_page}")
    expect_success_flash(page_a)
    expect(page_a.locator("main .device-status")).to_have_text(
        label(lambda: gettext("The test device is with you.")))
    assert_accessible(page_a)

    # 5. The campaign's staff mark A's test as completed.
    page_s = person_page(author)
    application_page = f"/staff/campaigns/{slug}/applications/{application_a}"
    page_s.goto(application_page)
    assert_accessible(page_s)
    finish = page_s.locator(f"main form[action='{application_page}/finish']"
                            ":has(input[name=outcome][value=completed])")
    submit(page_s, finish.locator("[type=submit]"))
    expect_at(page_s, f"{live_server}{application_page}")
    expect_success_flash(page_s)
    assert_accessible(page_s)

    # 6. A is asked for the phone back and enters the parcel back.
    page_a.goto(device_page)
    expect(page_a.locator("#send-back #return-address")).to_be_visible()
    assert_accessible(page_a)
    sent_back = page_a.locator(f"form#sent-back-form[action='/tests/{slug}/device/sent-back']")
    sent_back.locator("select[name=carrier]").select_option(value="hermes")
    sent_back.locator("input[name=tracking_number]").fill("H1002345678901")
    submit(page_a, sent_back.locator("[type=submit][name=submit]"))
    expect_at(page_a, f"{live_server}{device_page}#parcel-back")
    expect_success_flash(page_a)
    expect(page_a.locator("#parcel-back .tracking-number")).to_have_text("H1002345678901")
    expect(page_a.locator("main .device-status")).to_have_text(
        label(lambda: gettext("The device is on its way back to us.")))
    assert_accessible(page_a)

    # 7. Logistics see the parcel announced and mark the phone received back ...
    page_l.goto(roster)
    expect(row_a).to_contain_text("H1002345678901")
    submit(page_l, action(page_l, f"/staff/campaigns/{slug}/devices/{loan_a}/received-back"))
    expect_at(page_l, f"{live_server}{roster}#tester-{application_a}")
    expect_success_flash(page_l)
    assert_accessible(page_l)

    # ... then check it on its page: back in stock, in good condition.
    device_id = imported[phone_1["serial"]]
    row_a.locator(f"a[href='/staff/devices/{device_id}']").click()
    expect_at(page_l, f"{live_server}/staff/devices/{device_id}")
    expect(page_l.locator("#device-status")).to_have_text(
        label(lambda: STATUS_LABELS["returned"]))
    assert_accessible(page_l)
    check = page_l.locator(f"form#status-form[action='/staff/devices/{device_id}/status']")
    check.locator("select[name=status]").select_option(value="in_stock")
    check.locator("textarea[name=reason]").fill("Checked: works, small scratch.")
    check.locator("select[name=condition]").select_option(value="good")
    submit(page_l, check.locator("[type=submit][name=submit_status]"))
    expect_at(page_l, f"{live_server}/staff/devices/{device_id}")
    expect_success_flash(page_l)
    expect(page_l.locator("#device-status")).to_have_text(in_stock)
    expect(page_l.locator("#device-condition")).to_have_text(
        label(lambda: CONDITION_LABELS["good"]))
    assert_accessible(page_l)

    # What the browsers did, in the database.
    with live_app.app_context():
        device = db.session.get(Device, device_id)
        assert (device.status, device.condition, device.holder_id, device.campaign_id) == \
            ("in_stock", "good", None, None)
        assert device.imei == phone_1["imei"]
        assert statuses_of(device_id) == ["in_stock", "reserved", "shipped", "with_tester",
                                          "return_requested", "returned", "in_stock"]
        loan = db.session.get(Assignment, loan_a)
        assert loan.outcome == "returned" and loan.received_at is not None
        out, back = loan.shipment("out"), loan.shipment("back")
        assert (out.carrier, out.tracking_number) == ("dhl", "00340434161094042557")
        assert out.delivered_at is not None
        assert (back.carrier, back.tracking_number) == ("hermes", "H1002345678901")
        assert db.session.get(Application, application_a).status == "completed"
        other = db.session.get(Device, imported[phone_2["serial"]])
        assert (other.status, other.holder_id) == ("reserved", tester_b["id"])
        assert statuses_of(other.id) == ["in_stock", "reserved"]


def test_a_kept_phone_is_given_away_only_after_a_second_admin_approves(
        person_page, live_app, live_server):  # noqa: F811 (the fixture)
    admin_a = seed_person(live_app, "keepa", roles=("admin",))
    admin_b = seed_person(live_app, "keepb", roles=("admin",))
    logistics = seed_person(live_app, "keeplgx", roles=("logistics",))
    tester = seed_person(live_app, "keeper")
    campaign = seed_campaign(live_app, admin_a, admin_b, [tester], policy=KEEP)
    slug = campaign["slug"]
    (application_id,) = campaign["applications"]
    device = seed_delivered_device(live_app, campaign, logistics)

    # 1. Admin A marks the test as completed: the phone is proposed as a gift.
    page_a = person_page(admin_a)
    application_page = f"/staff/campaigns/{slug}/applications/{application_id}"
    page_a.goto(application_page)
    assert_accessible(page_a)
    finish = page_a.locator(f"main form[action='{application_page}/finish']"
                            ":has(input[name=outcome][value=completed])")
    submit(page_a, finish.locator("[type=submit]"))
    expect_at(page_a, f"{live_server}{application_page}")
    expect_success_flash(page_a)
    assert_accessible(page_a)
    with live_app.app_context():
        award = awards.award_by_key(f"device-kept:{device['assignment']}")
        assert award is not None, "finishing the test proposed no device award"
        assert (award.state, award.proposed_by_id, award.member_id) == \
            ("proposed", admin_a["id"], tester["id"])
        award_id = award.id
        assert db.session.get(Device, device["id"]).status == "with_tester"

    # 2. The queue shows it to A, who proposed it, without a way to decide on it.
    page_a.goto("/admin/approvals")
    card = page_a.locator(f"#award-{award_id}")
    expect(card).to_contain_text(device["serial"])
    expect(card).to_contain_text(f"@{tester['handle']}")
    expect(card.locator(f"form[action='/admin/approvals/{award_id}/approve']")) \
        .to_have_count(0)
    expect(card.locator(f"form[action='/admin/approvals/{award_id}/reject']")) \
        .to_have_count(0)
    assert_accessible(page_a)

    # 3. Admin B approves it ...
    page_b = person_page(admin_b)
    page_b.goto("/admin/approvals")
    assert_accessible(page_b)
    submit(page_b, page_b.locator(
        f"#award-{award_id} form[action='/admin/approvals/{award_id}/approve'] [type=submit]"))
    expect_at(page_b, f"{live_server}/admin/approvals")
    expect_success_flash(page_b)
    expect(page_b.locator(f"#award-{award_id}")).to_have_count(0)
    assert_accessible(page_b)

    # ... and the device's page shows it given away.
    page_b.goto(f"/staff/devices/{device['id']}")
    expect(page_b.locator("#device-status")).to_have_text(
        in_page_language(live_app, lambda: STATUS_LABELS["given_away"]))
    assert_accessible(page_b)

    with live_app.app_context():
        phone = db.session.get(Device, device["id"])
        assert phone.status == "given_away"
        assert statuses_of(phone.id) == ["in_stock", "reserved", "shipped", "with_tester",
                                         "given_away"]
        award = awards.award_by_key(f"device-kept:{device['assignment']}")
        assert (award.state, award.decided_by_id) == ("approved", admin_b["id"])
        loan = db.session.get(Assignment, device["assignment"])
        assert loan.outcome == "given_away" and loan.ended_at is not None
