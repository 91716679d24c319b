"""The device inventory: devices go in with a clean serial and a valid IMEI, move only
along the status machine, every step stays in an append-only history, staff make the
hand moves (lost, found, checked) with a reason, and the list is searched and filtered."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from lab.core.audit import AuditEntry, AuditLogIsAppendOnly
from lab.extensions import db
from lab.logistics import assignments, shipping
from lab.logistics.inventory import (
    MANUAL_MOVES,
    TRANSITIONS,
    LogisticsError,
    add_device,
    change_status,
    devices_query,
    history,
    move,
    status_counts,
    update_device,
)
from lab.logistics.models import (
    ENDED_LOST,
    IN_STOCK,
    LOST,
    RESERVED,
    RETURNED,
    SHIPPED,
    STATUSES,
    Device,
    DeviceEvent,
)
from tests.logistics.conftest import imei_for

PAIRS = list(itertools.product(STATUSES, STATUSES))
ALLOWED = {(start, to) for start, tos in TRANSITIONS.items() for to in tos}


@pytest.fixture
def phone(make_product):
    return make_product(name="Nova 7 5G", maker="Nova", category="smartphone")


@pytest.fixture
def router(make_product):
    return make_product(name="AirLink Mesh Duo", maker="AirLink", category="router")


def events_of(device) -> list[DeviceEvent]:
    return list(db.session.scalars(select(DeviceEvent).where(DeviceEvent.device_id == device.id)
                                   .order_by(DeviceEvent.id)))


def audit_of(device, action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.object_type == "device",
        AuditEntry.object_id == str(device.id)).order_by(AuditEntry.id)))


def stored_status(device) -> str:
    return db.session.scalar(select(Device.status).where(Device.id == device.id))


def device_in(status, make_device, product):
    """A device put straight into a status (the setup of a table-driven test)."""
    device = make_device(product)
    device.status = status
    db.session.flush()
    return device


def shipped_device(shipping_campaign, make_device, actor):
    """A phone assigned to the first tester of a campaign and shipped to them."""
    campaign, (tester, *_others) = shipping_campaign()
    device = make_device(campaign.product)
    application_id = assignments.roster(campaign)[0].application.id
    assignment = assignments.assign(actor, campaign, application_id, device.id)
    shipping.ship(actor, assignment.id, carrier="dhl", tracking_number="00340434161094042557")
    return device, assignment, campaign, tester


# ---- the status machine ---------------------------------------------------------------

def test_the_machine_knows_every_status():
    assert set(TRANSITIONS) == set(STATUSES)
    assert {to for tos in TRANSITIONS.values() for to in tos} <= set(STATUSES)


@pytest.mark.parametrize(("start", "to"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_a_move_succeeds_exactly_along_the_machine(start, to, make_device, phone,
                                                   logistics_staff):
    device = device_in(start, make_device, phone)
    before = len(events_of(device))

    if (start, to) in ALLOWED:
        move(device, to, logistics_staff, reason="table")
        db.session.flush()
        assert stored_status(device) == to
        assert [(e.from_status, e.to_status) for e in events_of(device)[before:]] == [
            (start, to)]
        [entry] = audit_of(device, "device.status")
        assert (entry.details["from"], entry.details["to"]) == (start, to)
    else:
        with pytest.raises(LogisticsError):
            move(device, to, logistics_staff, reason="table")
        db.session.flush()
        assert device.status == start and stored_status(device) == start
        assert len(events_of(device)) == before
        assert audit_of(device, "device.status") == []


def test_the_usual_way_round_is_a_way_through_the_machine():
    way = (IN_STOCK, RESERVED, SHIPPED, "with_tester", "return_requested", RETURNED, IN_STOCK)
    assert set(itertools.pairwise(way)) <= ALLOWED


def test_a_given_away_device_goes_nowhere():
    assert TRANSITIONS["given_away"] == ()


def test_adding_a_device_starts_its_history(make_device, phone, logistics_staff):
    device = make_device(phone, actor=logistics_staff)
    [event] = history(device.id)
    assert (event.from_status, event.to_status, event.actor_id) == (None, IN_STOCK,
                                                                     logistics_staff.id)
    [entry] = audit_of(device, "device.added")
    assert entry.actor_id == logistics_staff.id and entry.details == {"serial": device.serial}


def test_a_move_keeps_who_from_what_to_what_why_for_whom_and_for_which_campaign(
        shipping_campaign, make_device, logistics_staff):
    campaign, (tester, _other) = shipping_campaign()
    device = make_device(campaign.product)
    application_id = assignments.roster(campaign)[0].application.id
    assignments.assign(logistics_staff, campaign, application_id, device.id)

    event = move(device, SHIPPED, logistics_staff, reason="parcel handed to DHL")
    db.session.flush()

    assert (event.actor_id, event.from_status, event.to_status, event.reason,
            event.member_id, event.campaign_id) == (
        logistics_staff.id, RESERVED, SHIPPED, "parcel handed to DHL", tester.id, campaign.id)
    reserved = history(device.id)[1]
    assert (reserved.to_status, reserved.member_id, reserved.campaign_id) == (
        RESERVED, tester.id, campaign.id)
    assert [e.to_status for e in history(device.id)] == [SHIPPED, RESERVED, IN_STOCK]
    entry = audit_of(device, "device.status")[-1]
    assert entry.actor_id == logistics_staff.id
    assert entry.details == {"from": RESERVED, "to": SHIPPED,
                             "reason": "parcel handed to DHL"}


def test_a_move_names_the_member_and_campaign_it_is_given(make_device, phone,
                                                          shipping_campaign, logistics_staff):
    campaign, (tester, _other) = shipping_campaign()
    device = make_device(phone)
    event = move(device, LOST, logistics_staff, reason="fell off the shelf",
                 member_id=tester.id, campaign_id=campaign.id)
    assert (event.member_id, event.campaign_id) == (tester.id, campaign.id)


# ---- the history is append-only -------------------------------------------------------

def test_changing_a_history_step_is_refused(make_device, phone):
    [event] = events_of(make_device(phone))
    with pytest.raises(AuditLogIsAppendOnly):
        with db.session.begin_nested():
            event.to_status = LOST
            db.session.flush()


def test_deleting_a_history_step_is_refused(make_device, phone):
    [event] = events_of(make_device(phone))
    with pytest.raises(AuditLogIsAppendOnly):
        with db.session.begin_nested():
            db.session.delete(event)
            db.session.flush()


@pytest.mark.parametrize("statement", [
    "UPDATE device_event SET to_status = 'lost'",
    "DELETE FROM device_event",
])
def test_the_database_itself_refuses_changes_to_the_history(make_device, phone, statement):
    make_device(phone)
    db.session.flush()
    with pytest.raises(DBAPIError, match="append-only"):
        with db.session.begin_nested():
            db.session.execute(text(statement))


# ---- adding devices -------------------------------------------------------------------

def test_a_device_goes_in_clean_and_in_stock(phone, logistics_staff):
    device = add_device(logistics_staff, product_id=phone.id, serial=" nv7 000-123 ",
                        imei="35 209900 176148 1", condition="good", notes="  boxed  ")
    assert (device.serial, device.imei, device.condition, device.notes, device.status) == (
        "NV7000-123", "352099001761481", "good", "boxed", IN_STOCK)
    assert device.holder_id is None and device.campaign_id is None


@pytest.mark.parametrize("imei", [None, "", "  "])
def test_a_router_may_have_no_imei(router, logistics_staff, imei):
    device = add_device(logistics_staff, product_id=router.id, serial="ALM-88812", imei=imei,
                        condition="new")
    assert device.imei is None


def test_two_routers_without_an_imei_are_two_devices(router, make_device):
    first, second = make_device(router), make_device(router)
    assert first.imei is None and second.imei is None and first.id != second.id


def test_empty_notes_are_no_notes(router, logistics_staff):
    device = add_device(logistics_staff, product_id=router.id, serial="ALM-1", imei=None,
                        condition="new", notes="   ")
    assert device.notes is None


BAD_DEVICES = {
    "unknown product": ({"product_id": 987654}, "product_id"),
    "no product": ({"product_id": None}, "product_id"),
    "no serial": ({"serial": "  "}, "serial"),
    "serial too short": ({"serial": "AB"}, "serial"),
    "serial with a bad character": ({"serial": "SN_1234"}, "serial"),
    "phone without IMEI": ({"imei": ""}, "imei"),
    "IMEI with a wrong check digit": ({"imei": "490154203237519"}, "imei"),
    "IMEI of 14 digits": ({"imei": "49015420323751"}, "imei"),
    "IMEI with letters": ({"imei": "49015420323751A"}, "imei"),
    "unknown condition": ({"condition": "mint"}, "condition"),
    "no condition": ({"condition": ""}, "condition"),
}


@pytest.mark.parametrize(("change", "field"), BAD_DEVICES.values(), ids=BAD_DEVICES.keys())
def test_a_bad_device_is_refused_beside_its_field(phone, logistics_staff, change, field):
    values = {"product_id": phone.id, "serial": "NV7-000123", "imei": "490154203237518",
              "condition": "new", "notes": None} | change
    count = db.session.scalar(select(func.count(Device.id)))

    with pytest.raises(LogisticsError) as refused:
        add_device(logistics_staff, **values)

    assert refused.value.field == field
    assert db.session.scalar(select(func.count(Device.id))) == count


def test_a_routers_imei_if_given_must_be_valid(router, logistics_staff):
    with pytest.raises(LogisticsError) as refused:
        add_device(logistics_staff, product_id=router.id, serial="ALM-2",
                   imei="490154203237519", condition="new")
    assert refused.value.field == "imei"


@pytest.mark.parametrize("serial", ["AB-1234", "ab-1234", " Ab-12 34 ", "aB-1 2 3 4"])
def test_a_serial_already_in_the_inventory_is_refused_however_it_is_typed(
        router, make_device, logistics_staff, serial):
    make_device(router, serial="AB-1234")
    with pytest.raises(LogisticsError) as refused:
        add_device(logistics_staff, product_id=router.id, serial=serial, imei=None,
                   condition="new")
    assert refused.value.field == "serial"


@pytest.mark.parametrize("imei", ["490154203237518", "49 015420 323751 8",
                                  "49-015420-323751-8"])
def test_an_imei_already_in_the_inventory_is_refused_however_it_is_typed(
        phone, make_device, logistics_staff, imei):
    make_device(phone, imei="490154203237518")
    with pytest.raises(LogisticsError) as refused:
        add_device(logistics_staff, product_id=phone.id, serial="NV7-999", imei=imei,
                   condition="new")
    assert refused.value.field == "imei"


def test_the_same_imei_in_full_width_digits_is_not_a_second_device(
        phone, make_device, logistics_staff):
    make_device(phone, imei="490154203237518")
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "490154203237518")
    with pytest.raises(LogisticsError) as refused:
        add_device(logistics_staff, product_id=phone.id, serial="NV7-998", imei=full_width,
                   condition="new")
    assert refused.value.field == "imei"


def test_the_errors_say_what_is_wrong(phone, make_device, logistics_staff, english):
    make_device(phone, serial="NV7-1")
    with pytest.raises(LogisticsError, match="already in the inventory"):
        add_device(logistics_staff, product_id=phone.id, serial="nv7-1",
                   imei="490154203237518", condition="new")
    with pytest.raises(LogisticsError, match="check digit"):
        add_device(logistics_staff, product_id=phone.id, serial="NV7-2",
                   imei="490154203237519", condition="new")


# ---- correcting a device --------------------------------------------------------------

def current(device) -> dict:
    return {"serial": device.serial, "imei": device.imei, "condition": device.condition,
            "notes": device.notes}


def test_saving_a_device_unchanged_changes_nothing(phone, make_device, logistics_staff):
    device = make_device(phone, notes="boxed")
    assert update_device(logistics_staff, device.id, **current(device)) is False
    assert audit_of(device, "device.edited") == []


def test_saving_a_device_typed_differently_is_no_change(phone, make_device, logistics_staff):
    device = make_device(phone, serial="NV7-5", imei="490154203237518")
    changed = update_device(logistics_staff, device.id, serial=" nv7-5 ",
                            imei="49 015420 323751 8", condition=device.condition, notes="")
    assert changed is False


def test_correcting_a_device_keeps_its_own_serial_and_imei(phone, make_device,
                                                           logistics_staff):
    device = make_device(phone, notes="boxed")
    changed = update_device(logistics_staff, device.id,
                            **(current(device) | {"condition": "worn", "notes": "scratched"}))
    assert changed is True
    assert (device.condition, device.notes) == ("worn", "scratched")
    [entry] = audit_of(device, "device.edited")
    assert entry.details == {"fields": ["condition", "notes"]}


def test_correcting_a_serial_cleans_it(phone, make_device, logistics_staff):
    device = make_device(phone)
    assert update_device(logistics_staff, device.id,
                         **(current(device) | {"serial": "nv7 777"})) is True
    assert device.serial == "NV7777"


@pytest.mark.parametrize("field", ["serial", "imei"])
def test_correcting_to_another_devices_identifier_is_refused(phone, make_device,
                                                             logistics_staff, field):
    other, device = make_device(phone), make_device(phone)
    before = current(device)
    with pytest.raises(LogisticsError) as refused:
        update_device(logistics_staff, device.id,
                      **(before | {field: getattr(other, field).lower()}))
    assert refused.value.field == field
    db.session.refresh(device)
    assert current(device) == before


def test_correcting_a_phone_to_no_imei_is_refused(phone, make_device, logistics_staff):
    device = make_device(phone)
    with pytest.raises(LogisticsError) as refused:
        update_device(logistics_staff, device.id, **(current(device) | {"imei": ""}))
    assert refused.value.field == "imei"


def test_correcting_a_device_that_does_not_exist_is_refused(logistics_staff, app):
    with pytest.raises(LogisticsError):
        update_device(logistics_staff, 987654, serial="X-123", imei=None, condition="new",
                      notes=None)


# ---- moves by hand --------------------------------------------------------------------

NOT_BY_HAND = [pair for pair in PAIRS if pair not in MANUAL_MOVES]


@pytest.mark.parametrize(("start", "to"), sorted(MANUAL_MOVES),
                         ids=[f"{a}->{b}" for a, b in sorted(MANUAL_MOVES)])
def test_staff_make_the_hand_moves(start, to, make_device, phone, logistics_staff):
    device = device_in(start, make_device, phone)
    change_status(logistics_staff, device.id, to, reason="counted the shelf",
                  condition="good")
    assert stored_status(device) == to
    assert (history(device.id)[0].from_status, history(device.id)[0].reason) == (
        start, "counted the shelf")


@pytest.mark.parametrize(("start", "to"), NOT_BY_HAND,
                         ids=[f"{a}->{b}" for a, b in NOT_BY_HAND])
def test_every_other_move_is_refused_by_hand(start, to, make_device, phone, logistics_staff):
    device = device_in(start, make_device, phone)
    before = len(events_of(device))
    with pytest.raises(LogisticsError) as refused:
        change_status(logistics_staff, device.id, to, reason="because", condition="good")
    assert refused.value.field == "status"
    assert stored_status(device) == start and len(events_of(device)) == before


def test_a_status_that_does_not_exist_is_refused(make_device, phone, logistics_staff):
    device = make_device(phone)
    with pytest.raises(LogisticsError) as refused:
        change_status(logistics_staff, device.id, "broken", reason="dropped")
    assert refused.value.field == "status" and stored_status(device) == IN_STOCK


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_marking_a_device_lost_needs_a_reason(make_device, phone, logistics_staff, reason):
    device = make_device(phone)
    with pytest.raises(LogisticsError) as refused:
        change_status(logistics_staff, device.id, LOST, reason=reason)
    assert refused.value.field == "reason" and stored_status(device) == IN_STOCK


def test_finding_a_lost_device_again_needs_a_reason(make_device, phone, logistics_staff):
    device = device_in(LOST, make_device, phone)
    with pytest.raises(LogisticsError) as refused:
        change_status(logistics_staff, device.id, RETURNED, reason=" ")
    assert refused.value.field == "reason" and stored_status(device) == LOST


def test_a_lost_device_ends_its_loan_as_lost(shipping_campaign, make_device, logistics_staff):
    device, assignment, _campaign, _tester = shipped_device(shipping_campaign, make_device,
                                                            logistics_staff)
    change_status(logistics_staff, device.id, LOST, reason="the parcel never arrived")
    assert device.status == LOST
    assert assignment.outcome == ENDED_LOST and assignment.ended_at is not None
    assert assignments.open_assignment(assignment.application_id) is None
    assert history(device.id)[0].reason == "the parcel never arrived"


def test_a_checked_device_is_in_stock_with_its_condition_and_nobody_holds_it(
        shipping_campaign, make_device, logistics_staff):
    device, _assignment, campaign, tester = shipped_device(shipping_campaign, make_device,
                                                           logistics_staff)
    change_status(logistics_staff, device.id, LOST, reason="the parcel never arrived")
    change_status(logistics_staff, device.id, RETURNED, reason="DHL found it")
    assert (device.holder_id, device.campaign_id, tester.id) == (None, None, tester.id)
    assert campaign.id in {e.campaign_id for e in history(device.id)}  # the history knows

    change_status(logistics_staff, device.id, IN_STOCK, reason="", condition="worn")

    assert (device.status, device.condition) == (IN_STOCK, "worn")
    assert device.holder_id is None and device.campaign_id is None
    assert [e.to_status for e in history(device.id)][:3] == [IN_STOCK, RETURNED, LOST]


@pytest.mark.parametrize("condition", [None, "", "mint"])
def test_checking_a_returned_device_needs_its_condition(make_device, phone, logistics_staff,
                                                       condition):
    device = device_in(RETURNED, make_device, phone)
    with pytest.raises(LogisticsError) as refused:
        change_status(logistics_staff, device.id, IN_STOCK, reason="checked",
                      condition=condition)
    assert refused.value.field == "condition" and stored_status(device) == RETURNED


def test_a_device_in_stock_cannot_be_shipped_by_hand(make_device, phone, logistics_staff,
                                                     english):
    device = make_device(phone)
    with pytest.raises(LogisticsError, match="cannot become") as refused:
        change_status(logistics_staff, device.id, SHIPPED, reason="sent it")
    assert refused.value.field == "status" and stored_status(device) == IN_STOCK


# ---- the list -------------------------------------------------------------------------

@pytest.fixture
def shelf(phone, router, make_device, shipping_campaign, logistics_staff):
    """Two phones, a router and a phone reserved for a campaign's tester."""
    campaign, _testers = shipping_campaign()
    devices = {
        "phone": make_device(phone, serial="KX-100A", imei=imei_for(910001)),
        "phone2": make_device(phone, serial="KX-200B", imei=imei_for(920002)),
        "router": make_device(router, serial="RT-300C"),
        "out": make_device(campaign.product, serial="QZ-400D", imei=imei_for(930003)),
    }
    application_id = assignments.roster(campaign)[0].application.id
    assignments.assign(logistics_staff, campaign, application_id, devices["out"].id)
    return devices, campaign


def listed(**filters) -> list[int]:
    return list(db.session.scalars(devices_query(**filters)))


def newest_first(*devices) -> list:
    return sorted(devices, key=lambda d: d.id, reverse=True)


@pytest.mark.parametrize("search", ["kx-1", "KX-100A", "100a", " kx - 1 "])
def test_searching_finds_a_serial_by_any_part_of_it(shelf, search):
    devices, _campaign = shelf
    assert listed(search=search) == [devices["phone"]]


def test_searching_finds_several_serials_newest_first(shelf):
    devices, _campaign = shelf
    assert listed(search="kx") == newest_first(devices["phone"], devices["phone2"])


@pytest.mark.parametrize("digits", [lambda imei: imei[:10], lambda imei: imei,
                                    lambda imei: f"{imei[:2]} {imei[2:8]}-{imei[8:11]}"])
def test_searching_finds_an_imei_by_its_beginning(shelf, digits):
    devices, _campaign = shelf
    assert listed(search=digits(devices["phone2"].imei)) == [devices["phone2"]]


def test_searching_does_not_find_an_imei_by_its_middle(shelf):
    devices, _campaign = shelf
    assert devices["phone2"] not in listed(search=devices["phone2"].imei[5:13])


@pytest.mark.parametrize("search", ["_", "%", "K_-1"])
def test_searching_takes_wildcards_literally(shelf, search):
    assert listed(search=search) == []


def test_filtering_by_product(shelf, router):
    devices, _campaign = shelf
    assert listed(product_id=router.id) == [devices["router"]]


def test_filtering_by_status(shelf):
    devices, _campaign = shelf
    assert listed(status=RESERVED) == [devices["out"]]
    assert devices["out"] not in listed(status=IN_STOCK)


def test_filtering_by_campaign(shelf):
    devices, campaign = shelf
    assert listed(campaign_id=campaign.id) == [devices["out"]]


def test_filters_combine(shelf, phone):
    devices, _campaign = shelf
    assert listed(search="kx", product_id=phone.id, status=IN_STOCK) == newest_first(
        devices["phone"], devices["phone2"])
    assert listed(search="kx", status=RESERVED) == []


def test_counts_per_status_name_every_status(app):
    counts = status_counts()
    assert set(counts) == set(STATUSES)


def test_counts_per_status_count_each_device_once(shelf, phone):
    devices, campaign = shelf
    counts = status_counts()
    assert counts[IN_STOCK] == db.session.scalar(
        select(func.count(Device.id)).where(Device.status == IN_STOCK))
    assert counts[RESERVED] >= 1 and sum(counts.values()) == db.session.scalar(
        select(func.count(Device.id)))
    assert status_counts(phone.id) == dict.fromkeys(STATUSES, 0) | {IN_STOCK: 2}
    assert status_counts(campaign.product_id) == dict.fromkeys(STATUSES, 0) | {RESERVED: 1}
