"""Serial numbers and IMEIs: how they are written down and when they are valid."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l

SERIAL_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9\-/.]{2,39}")
# products that have a mobile radio and therefore an IMEI that must be given
NEEDS_IMEI = ("smartphone",)


def clean_serial(raw: str | None) -> str:
    """Upper case without spaces: labels are read off stickers and typed in many ways
    (NFKC: full-width letters and digits are the ordinary ones)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw or "")).upper()


def clean_imei(raw: str | None) -> str:
    """Digits only: IMEIs are often printed in groups ("35 209900 176148 1")."""
    return re.sub(r"[\s\-/]", "", unicodedata.normalize("NFKC", raw or ""))


def check_digit(body: str) -> str:
    """The Luhn check digit that completes these digits (an IMEI's first fourteen)."""
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char) * (2 if position % 2 == 0 else 1)  # doubled from the right
        total += digit - 9 if digit > 9 else digit
    return str((10 - total % 10) % 10)


def imei_valid(imei: str) -> bool:
    """Fifteen digits whose last is the Luhn check digit of the first fourteen."""
    return bool(re.fullmatch(r"[0-9]{15}", imei)) and check_digit(imei[:14]) == imei[14]


def serial_problem(serial: str):
    """Why a cleaned serial number cannot be used, or None."""
    if not serial:
        return _l("Please enter the serial number.")
    if not SERIAL_PATTERN.fullmatch(serial):
        return _l("A serial number has 3 to 40 letters, digits, dashes, slashes or dots.")
    return None


def imei_problem(imei: str, category: str):
    """Why a cleaned IMEI cannot be used for a product of this category, or None."""
    if not imei:
        return _l("Phones need their IMEI.") if category in NEEDS_IMEI else None
    if not re.fullmatch(r"[0-9]{15}", imei):
        return _l("An IMEI has 15 digits.")
    if not imei_valid(imei):
        return _l("This IMEI is not valid: its check digit does not match.")
    return None
