"""Devices from a CSV file, all or nothing.

The whole file is checked first; one bad row and nothing is imported, and every problem
is reported with its row. Excel's German CSV (semicolons, Windows-1252) works as well as
UTF-8 with commas. Rows go in with two bulk statements, so 10,000 rows take seconds.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select

from lab.campaigns.models import Product
from lab.core import audit
from lab.extensions import db
from lab.logistics.identifiers import clean_imei, clean_serial, imei_problem, serial_problem
from lab.logistics.inventory import CONDITION_LABELS, LogisticsError
from lab.logistics.models import CONDITIONS, IN_STOCK, Device, DeviceEvent

DEVICES_IMPORTED = audit.register_action("device.imported", _l("Devices imported"))

REQUIRED_COLUMNS = ("product", "serial", "condition")
COLUMNS = ("product", "serial", "imei", "condition", "notes")
# German headings as Excel users write them
COLUMN_ALIASES = {"produkt": "product", "seriennummer": "serial", "zustand": "condition",
                  "notiz": "notes", "notizen": "notes", "bemerkung": "notes"}
CONDITION_ALIASES = {"neu": "new", "gut": "good", "gebraucht": "worn", "abgenutzt": "worn",
                     "defekt": "defective"}
MAX_ROWS = 20_000
MAX_ERRORS_SHOWN = 200


@dataclass
class RowError:
    row: int  # the line in the file (the heading is line 1)
    column: str
    message: str


@dataclass
class ImportResult:
    imported: int = 0
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) or, failing that, Windows-1252 as Excel writes it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = None
    # NUL never occurs in text (and PostgreSQL refuses it): a binary file was chosen
    if text is None or "\x00" in text:
        raise LogisticsError(_l("The file is neither UTF-8 nor Windows/Latin-1 text. Please "
                                "save it as CSV (UTF-8)."), "file")
    return text


def _reader(text: str):
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _columns(heading: list[str]) -> dict[str, int]:
    names = [COLUMN_ALIASES.get(h.strip().lower(), h.strip().lower()) for h in heading]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    unknown = [h for h, n in zip(heading, names, strict=True) if n not in COLUMNS and h.strip()]
    given = [n for n in names if n]  # empty headings (Excel's trailing ";;") are ignored
    if missing or unknown or len(set(given)) != len(given):
        raise LogisticsError(_l("The file must have the columns %(columns)s (imei and notes "
                                "may be left out); it has %(found)s.",
                                columns=", ".join(COLUMNS),
                                found=", ".join(h.strip() for h in heading) or "–"), "file")
    return {name: names.index(name) for name in COLUMNS if name in names}


def _products() -> tuple[dict[str, Product], dict[str, Product], set[str]]:
    """Products by number and by lower-case name; names two products share are
    ambiguous."""
    by_id, by_name, ambiguous = {}, {}, set()
    for product in db.session.scalars(select(Product)):
        by_id[str(product.id)] = product
        name = product.name.strip().lower()
        if name in by_name:
            ambiguous.add(name)
        by_name[name] = product
    return by_id, by_name, ambiguous


def _product(key: str, products) -> tuple[Product | None, bool]:
    """(the product a cell names, whether the cell is ambiguous): a number that is also
    another product's name is ambiguous, as is a name two products share."""
    by_id, by_name, ambiguous = products
    numbered, named = by_id.get(key), by_name.get(key)
    if key in ambiguous or (numbered and named and numbered is not named):
        return None, True
    return numbered or named, False


def _existing(column, values: list[str]) -> set[str]:
    found = set()
    for start in range(0, len(values), 500):
        chunk = values[start:start + 500]
        found.update(db.session.scalars(select(column).where(column.in_(chunk))))
    return found


def check_file(data: bytes) -> tuple[ImportResult, list[dict]]:
    """Every row checked; returns the result and the devices to insert."""
    try:
        rows = list(_reader(decode(data)))
    except csv.Error as error:  # e.g. a stray quote that swallows the rest of the file
        raise LogisticsError(_l("The file could not be read as CSV (%(problem)s).",
                                problem=str(error)), "file") from None
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise LogisticsError(_l("The file is empty."), "file")
    columns = _columns(rows[0])
    body = [(number, row) for number, row in enumerate(rows[1:], start=2)
            if any(cell.strip() for cell in row)]
    if not body:
        raise LogisticsError(_l("The file has a heading but no devices."), "file")
    if len(body) > MAX_ROWS:
        raise LogisticsError(_l("At most %(max)s devices per file, please.", max=MAX_ROWS),
                             "file")
    products = _products()
    result, devices = ImportResult(rows=len(body)), []
    seen_serials: dict[str, int] = {}
    seen_imeis: dict[str, int] = {}
    for number, row in body:
        device = _check_row(number, row, columns, products, result.errors)
        if device is None:
            continue
        for key, seen, label in (("serial", seen_serials, _l("serial number")),
                                 ("imei", seen_imeis, _l("IMEI"))):
            value = device[key]
            if value and value in seen:
                result.errors.append(RowError(number, key, str(_l(
                    "The same %(what)s as in row %(row)s.", what=label, row=seen[value]))))
            elif value:
                seen[value] = number
        devices.append({**device, "_row": number})
    _check_taken(devices, result.errors)
    result.errors.sort(key=lambda e: (e.row, COLUMNS.index(e.column)
                                      if e.column in COLUMNS else 0))
    return result, devices


def _cell(row: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return row[index].strip() if index is not None and index < len(row) else ""


def _check_row(number, row, columns, products, errors) -> dict | None:
    before = len(errors)
    product_cell = _cell(row, columns, "product")
    product, ambiguous = _product(product_cell.lower(), products)
    if ambiguous:
        errors.append(RowError(number, "product", str(_l(
            "Two products have this name; please use the product number."))))
    elif product is None:
        errors.append(RowError(number, "product", str(_l(
            "Unknown product “%(product)s”.", product=product_cell or "–"))))
    serial = clean_serial(_cell(row, columns, "serial"))
    problem = serial_problem(serial)
    if problem:
        errors.append(RowError(number, "serial", str(problem)))
    imei = clean_imei(_cell(row, columns, "imei"))
    problem = imei_problem(imei, product.category if product else "")
    if problem:
        errors.append(RowError(number, "imei", str(problem)))
    raw_condition = _cell(row, columns, "condition").lower()
    condition = CONDITION_ALIASES.get(raw_condition, raw_condition)
    if condition not in CONDITIONS:
        errors.append(RowError(number, "condition", str(_l(
            "Unknown condition “%(condition)s”; use one of %(allowed)s.",
            condition=raw_condition or "–",
            allowed=", ".join(f"{code} ({CONDITION_LABELS[code]})" for code in CONDITIONS)))))
    notes = _cell(row, columns, "notes")
    if len(notes) > 2000:
        errors.append(RowError(number, "notes", str(_l("Notes are limited to 2,000 "
                                                       "characters."))))
    if len(errors) > before:
        return None
    return {"product_id": product.id, "serial": serial, "imei": imei or None,
            "condition": condition, "notes": notes or None}


def _check_taken(devices: list[dict], errors: list[RowError]) -> None:
    serials = _existing(Device.serial, [d["serial"] for d in devices])
    imeis = _existing(Device.imei, [d["imei"] for d in devices if d["imei"]])
    for device in devices:
        if device["serial"] in serials:
            errors.append(RowError(device["_row"], "serial", str(_l(
                "A device with this serial number is already in the inventory."))))
        if device["imei"] in imeis:
            errors.append(RowError(device["_row"], "imei", str(_l(
                "A device with this IMEI is already in the inventory."))))


def import_devices(actor, data: bytes, *, filename: str = "") -> ImportResult:
    """Check the file and, if every row is good, add all its devices to stock."""
    result, devices = check_file(data)
    if not result.ok:
        return result
    rows = [{k: v for k, v in d.items() if k != "_row"} | {"status": IN_STOCK}
            for d in devices]
    ids = list(db.session.scalars(insert(Device).returning(Device.id), rows))
    actor_id = getattr(actor, "id", None)
    db.session.execute(insert(DeviceEvent), [
        {"device_id": device_id, "from_status": None, "to_status": IN_STOCK,
         "actor_id": actor_id, "reason": "import"} for device_id in ids])
    result.imported = len(ids)
    audit.record(actor, DEVICES_IMPORTED, "device", "import", count=len(ids),
                 file=filename[:120], first=min(ids), last=max(ids))
    return result


def template_csv() -> str:
    """A sample file to start from."""
    return ("product;serial;imei;condition;notes\r\n"
            "Nova 7 5G;NV7-000123;352099001761481;new;\r\n"
            "AirLink Mesh Duo;ALM-88812;;good;Karton leicht beschädigt\r\n")

