"""Devices from a CSV file: UTF-8 or Excel's German CSV, products by number or name, and
all or nothing: one bad row and no device goes in, with every bad row reported by its line
and column."""

from __future__ import annotations

import io
import random
import zipfile

import pytest
from sqlalchemy import func, select

from lab.core.audit import AuditEntry
from lab.extensions import db
from lab.logistics.importer import MAX_ROWS, import_devices, template_csv
from lab.logistics.inventory import LogisticsError
from lab.logistics.models import IN_STOCK, Device, DeviceEvent
from tests.logistics.conftest import imei_for

HEADING = ("product", "serial", "imei", "condition", "notes")
GERMAN_HEADING = ("Produkt", "Seriennummer", "IMEI", "Zustand", "Notiz")


def count_devices() -> int:
    return db.session.scalar(select(func.count(Device.id)))


def csv_file(rows, *, heading=HEADING, sep=",", encoding="utf-8", bom=False) -> bytes:
    lines = [sep.join(heading), *(sep.join(row) for row in rows)]
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    return b"\xef\xbb\xbf" + data if bom else data


@pytest.fixture
def phone(make_product):
    return make_product(name="Nova 7 5G", maker="Nova", category="smartphone")


@pytest.fixture
def router(make_product):
    return make_product(name="AirLink Mesh Duo", maker="AirLink", category="router")


@pytest.fixture
def phone_rows(phone):
    """phone_rows(count, start=1) -> rows of good phones, the product named by its number."""

    def rows(count, start=1):
        return [[str(phone.id), f"NV7-{n:05d}", imei_for(800_000 + n), "new", ""]
                for n in range(start, start + count)]

    return rows


def imported(actor, data: bytes, filename="devices.csv"):
    return import_devices(actor, data, filename=filename)


def device(serial: str) -> Device:
    return db.session.scalar(select(Device).where(Device.serial == serial))


def import_events() -> int:
    return db.session.scalar(select(func.count(DeviceEvent.id))
                             .where(DeviceEvent.reason == "import"))


def import_audits() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry)
                                   .where(AuditEntry.action == "device.imported")))


def where(result) -> list[tuple[int, str]]:
    return [(error.row, error.column) for error in result.errors]


# ---- good files -----------------------------------------------------------------------

def test_a_good_file_puts_every_device_in_stock(phone, router, logistics_staff):
    before = count_devices()
    data = csv_file([
        ["Nova 7 5G", "nv7-001", "35 209900 176148 1", "new", "boxed"],
        ["Nova 7 5G", "NV7-002", "490154203237518", "good", ""],
        [str(router.id), "alm 88812", "", "worn", "no power supply"],
    ])

    result = imported(logistics_staff, data)

    assert (result.ok, result.imported, result.rows, result.errors) == (True, 3, 3, [])
    assert count_devices() == before + 3
    first, router_device = device("NV7-001"), device("ALM88812")
    assert (first.product_id, first.imei, first.condition, first.notes, first.status) == (
        phone.id, "352099001761481", "new", "boxed", IN_STOCK)
    assert (router_device.product_id, router_device.imei, router_device.notes) == (
        router.id, None, "no power supply")
    assert device("NV7-002").notes is None


def test_each_imported_device_starts_its_history_with_the_import(phone_rows,
                                                                 logistics_staff):
    imported(logistics_staff, csv_file(phone_rows(4)))
    events = list(db.session.scalars(select(DeviceEvent).join(
        Device, Device.id == DeviceEvent.device_id).where(Device.serial.like("NV7-%"))))
    assert len(events) == 4 and len({e.device_id for e in events}) == 4
    assert {(e.from_status, e.to_status, e.reason, e.actor_id) for e in events} == {
        (None, IN_STOCK, "import", logistics_staff.id)}


def test_an_import_is_one_audit_entry_with_the_count(phone_rows, logistics_staff):
    imported(logistics_staff, csv_file(phone_rows(4)), filename="lieferung-mai.csv")
    [entry] = import_audits()
    assert entry.actor_id == logistics_staff.id
    assert (entry.details["count"], entry.details["file"]) == (4, "lieferung-mai.csv")


def test_a_utf8_file_with_a_byte_order_mark_is_read(phone_rows, logistics_staff):
    result = imported(logistics_staff, csv_file(phone_rows(2), bom=True))
    assert result.ok and result.imported == 2


def test_excels_german_csv_with_semicolons_and_latin1_is_read(router, logistics_staff):
    data = csv_file([["AirLink Mesh Duo", "ALM-1", "", "gut", "Gerät für Küche"]],
                    heading=GERMAN_HEADING, sep=";", encoding="cp1252")
    assert "Gerät".encode("cp1252") in data  # the umlauts really are single Latin-1 bytes

    result = imported(logistics_staff, data)

    assert result.ok and result.imported == 1
    assert device("ALM-1").notes == "Gerät für Küche"


def test_umlauts_in_utf8_stay_right(router, logistics_staff):
    data = csv_file([["AirLink Mesh Duo", "ALM-1", "", "new", "Karton beschädigt, öffnen"]],
                    sep=";")
    imported(logistics_staff, data)
    assert device("ALM-1").notes == "Karton beschädigt, öffnen"


def test_a_tab_separated_file_is_read(phone_rows, logistics_staff):
    result = imported(logistics_staff, csv_file(phone_rows(3), sep="\t"))
    assert result.ok and result.imported == 3


@pytest.mark.parametrize(("written", "condition"), [
    ("neu", "new"), ("gut", "good"), ("gebraucht", "worn"), ("defekt", "defective"),
    ("Neu", "new"), ("DEFEKT", "defective"), ("Good", "good")])
def test_german_headings_and_conditions_are_understood(router, logistics_staff, written,
                                                        condition):
    data = csv_file([[str(router.id), "ALM-7", "", written, "Notiz"]], heading=GERMAN_HEADING,
                    sep=";")
    result = imported(logistics_staff, data)
    assert result.ok
    assert (device("ALM-7").condition, device("ALM-7").notes) == (condition, "Notiz")


def test_imei_and_notes_columns_may_be_left_out(router, logistics_staff):
    data = csv_file([["AirLink Mesh Duo", "ALM-8", "good"]],
                    heading=("Product", "Serial", "Condition"))
    result = imported(logistics_staff, data)
    assert result.ok and device("ALM-8").condition == "good"


@pytest.mark.parametrize("written", ["nova 7 5g", "NOVA 7 5G", " Nova 7 5G ", "number"])
def test_a_product_is_found_by_its_number_or_its_name_in_any_case(phone, logistics_staff,
                                                                  written):
    written = str(phone.id) if written == "number" else written
    result = imported(logistics_staff, csv_file([[written, "NV7-1", imei_for(1), "new", ""]]))
    assert result.ok and device("NV7-1").product_id == phone.id


def test_a_name_two_products_share_is_refused_asking_for_the_number(
        phone, make_product, logistics_staff, english):
    twin = make_product(name="nova 7 5G ", maker="Nova", category="smartphone")
    data = csv_file([["Nova 7 5G", "NV7-1", imei_for(1), "new", ""],
                     [str(twin.id), "NV7-2", imei_for(2), "new", ""]])

    result = imported(logistics_staff, data)

    assert where(result) == [(2, "product")]
    assert "product number" in result.errors[0].message
    assert device("NV7-2") is None


def test_a_number_that_is_also_another_products_name_is_refused(phone, make_product,
                                                               logistics_staff):
    named_like_a_number = make_product(name=str(phone.id), maker="Odd", category="router")
    data = csv_file([[str(phone.id), "NV7-1", imei_for(1), "new", ""]])

    result = imported(logistics_staff, data)

    assert where(result) == [(2, "product")]
    assert device("NV7-1") is None and named_like_a_number.id != phone.id


def test_blank_lines_are_ignored(phone_rows, logistics_staff):
    first, second = phone_rows(2)
    data = b"product,serial,imei,condition,notes\r\n\r\n" + ",".join(first).encode() + \
        b"\r\n , , , , \r\n\r\n" + ",".join(second).encode() + b"\r\n\r\n\r\n"
    result = imported(logistics_staff, data)
    assert (result.ok, result.imported, result.rows) == (True, 2, 2)


# ---- all or nothing -------------------------------------------------------------------

BAD_LINE = 27  # the heading is line 1, so this is the 26th device of 51


def unknown_product(row, **_):
    row[0] = "Nova 99"


def serial_twice_in_the_file(row, rows, **_):
    row[1] = rows[3][1].lower()  # the device on line 5


def serial_already_in_stock(row, stocked, **_):
    row[1] = f" {stocked.serial.lower()} "


def bad_serial(row, **_):
    row[1] = "NV7_00026"


def imei_with_a_wrong_check_digit(row, **_):
    row[2] = row[2][:-1] + str((int(row[2][-1]) + 1) % 10)


def imei_twice_in_the_file(row, rows, **_):
    imei = rows[3][2]
    row[2] = f"{imei[:2]} {imei[2:8]} {imei[8:14]} {imei[14]}"


def imei_already_in_stock(row, stocked, **_):
    row[2] = stocked.imei


def phone_without_imei(row, **_):
    row[2] = ""


def bad_condition(row, **_):
    row[3] = "mint"


BAD_ROWS = {
    "unknown product": (unknown_product, "product"),
    "serial twice in the file": (serial_twice_in_the_file, "serial"),
    "serial already in stock": (serial_already_in_stock, "serial"),
    "serial with a bad character": (bad_serial, "serial"),
    "IMEI with a wrong check digit": (imei_with_a_wrong_check_digit, "imei"),
    "IMEI twice in the file": (imei_twice_in_the_file, "imei"),
    "IMEI already in stock": (imei_already_in_stock, "imei"),
    "phone without IMEI": (phone_without_imei, "imei"),
    "unknown condition": (bad_condition, "condition"),
}


@pytest.mark.parametrize(("spoil", "column"), BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_one_bad_row_among_fifty_good_ones_imports_nothing_and_is_reported(
        phone, phone_rows, make_device, logistics_staff, spoil, column):
    stocked = make_device(phone, serial="IN-STOCK-1", imei=imei_for(700_001))
    rows = phone_rows(51)
    spoil(rows[BAD_LINE - 2], rows=rows, stocked=stocked)
    before, events_before = count_devices(), import_events()

    result = imported(logistics_staff, csv_file(rows))

    assert where(result) == [(BAD_LINE, column)]
    assert (result.ok, result.imported, result.rows) == (False, 0, 51)
    assert count_devices() == before
    assert import_events() == events_before and import_audits() == []


def test_a_repeated_serial_names_the_row_it_repeats(phone_rows, logistics_staff, english):
    rows = phone_rows(30)
    serial_twice_in_the_file(rows[BAD_LINE - 2], rows=rows)
    [error] = imported(logistics_staff, csv_file(rows)).errors
    assert "row 5" in error.message


def test_every_bad_row_is_reported_in_file_order(phone, phone_rows, make_device,
                                                 logistics_staff):
    stocked = make_device(phone, serial="IN-STOCK-1", imei=imei_for(700_001))
    rows = phone_rows(6)
    rows[1][3] = "mint"  # line 3
    rows[2][0], rows[2][2] = "Nova 99", "490154203237519"  # line 4
    rows[3][1] = stocked.serial  # line 5, found only when the file is checked against stock
    rows[4][1] = rows[0][1]  # line 6 repeats line 2
    before = count_devices()

    result = imported(logistics_staff, csv_file(rows))

    assert where(result) == [(3, "condition"), (4, "product"), (4, "imei"), (5, "serial"),
                             (6, "serial")]
    assert count_devices() == before


def test_the_line_of_a_bad_row_counts_blank_lines(phone_rows, logistics_staff):
    good, bad = phone_rows(2)
    bad[3] = "mint"
    data = b"product,serial,imei,condition,notes\r\n" + ",".join(good).encode() + \
        b"\r\n\r\n" + ",".join(bad).encode() + b"\r\n"
    assert where(imported(logistics_staff, data)) == [(4, "condition")]


def test_notes_longer_than_2000_characters_are_refused(router, logistics_staff):
    data = csv_file([[str(router.id), "ALM-9", "", "new", "x" * 2001]])
    assert where(imported(logistics_staff, data)) == [(2, "notes")]


def test_ten_thousand_rows_import_completely(phone_rows, logistics_staff):
    before = count_devices()
    result = imported(logistics_staff, csv_file(phone_rows(10_000), sep=";"))
    assert (result.ok, result.imported, result.rows) == (True, 10_000, 10_000)
    assert count_devices() == before + 10_000
    assert import_events() == 10_000


# ---- files that are not a device list -------------------------------------------------

def xlsx_like() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "<sheetData>" + "<row/>" * 200 +
                         "</sheetData>")
    return buffer.getvalue()


WRONG_FILES = {
    "no serial column": b"product,imei,condition\r\nNova 7 5G,490154203237518,new\r\n",
    "no product column": b"serial;condition\r\nNV7-1;new\r\n",
    "an unknown column": b"product,serial,condition,colour\r\nNova 7 5G,NV7-1,new,red\r\n",
    "a column twice": b"product,serial,condition,Serial\r\nNova 7 5G,NV7-1,new,NV7-2\r\n",
    "no heading": b"Nova 7 5G,NV7-1,490154203237518,new,\r\n",
    "empty": b"",
    "only blank lines": b"\r\n\r\n  \r\n",
    "a heading only": b"product;serial;imei;condition;notes\r\n",
    "a heading and blank lines": b"product;serial;imei;condition;notes\r\n;;;;\r\n\r\n",
    "a spreadsheet": xlsx_like(),
    "an image": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08",
    "text with NUL bytes": b"product,serial,condition\r\nNova 7 5G,NV7-1\x00\x00,new\r\n",
    "random bytes": bytes(random.Random(6).randrange(256) for _ in range(4000)),
}


@pytest.mark.parametrize("data", WRONG_FILES.values(), ids=WRONG_FILES.keys())
def test_a_file_that_is_not_a_device_list_is_refused_as_a_file(phone, logistics_staff, data):
    before = count_devices()
    with pytest.raises(LogisticsError) as refused:
        imported(logistics_staff, data)
    assert refused.value.field == "file"
    assert count_devices() == before


def test_the_column_error_names_the_columns_expected_and_found(logistics_staff, english):
    with pytest.raises(LogisticsError) as refused:
        imported(logistics_staff, b"product,serial,colour\r\nx,y,z\r\n")
    assert "product, serial, imei, condition, notes" in refused.value.message
    assert "colour" in str(refused.value.message)


def test_more_rows_than_allowed_are_refused_as_a_file(phone, logistics_staff):
    rows = [[str(phone.id), f"R-{n}", "", "new", ""] for n in range(MAX_ROWS + 1)]
    with pytest.raises(LogisticsError) as refused:
        imported(logistics_staff, csv_file(rows))
    assert refused.value.field == "file"


def test_one_empty_column_at_the_end_of_the_heading_is_ignored(router, logistics_staff):
    data = b"product;serial;imei;condition;notes;\r\nAirLink Mesh Duo;ALM-1;;new;;\r\n"
    assert imported(logistics_staff, data).imported == 1


def test_several_empty_columns_at_the_end_of_the_heading_are_ignored(router, logistics_staff):
    data = b"product;serial;imei;condition;notes;;;\r\nAirLink Mesh Duo;ALM-1;;new;;;;\r\n"
    assert imported(logistics_staff, data).imported == 1


def test_a_stray_quote_in_a_large_file_is_refused_as_a_file(phone_rows, logistics_staff):
    rows = phone_rows(5000)
    rows[1][4] = '"Karton'
    with pytest.raises(LogisticsError) as refused:
        imported(logistics_staff, csv_file(rows))
    assert refused.value.field == "file"


def test_the_template_file_imports_once_its_products_exist(make_product, logistics_staff):
    make_product(name="Nova 7 5G", maker="Nova", category="smartphone")
    make_product(name="AirLink Mesh Duo", maker="AirLink", category="router")
    result = imported(logistics_staff, template_csv().encode("utf-8"))
    assert (result.ok, result.imported) == (True, 2)
