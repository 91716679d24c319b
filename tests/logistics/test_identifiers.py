"""Serial numbers and IMEIs: typed in as they are printed, stored in one clean form, and an
IMEI counts only with the right Luhn check digit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lab.logistics.identifiers import (
    clean_imei,
    clean_serial,
    imei_problem,
    imei_valid,
    serial_problem,
)
from tests.logistics.conftest import imei_for

VALID_IMEIS = ("490154203237518", "352099001761481")


# ---- IMEI ---------------------------------------------------------------------------

@pytest.mark.parametrize("imei", VALID_IMEIS)
def test_a_known_valid_imei_is_valid(imei):
    assert imei_valid(imei)


@pytest.mark.parametrize("imei", ["490154203237519", "490154203237510", "352099001761482"])
def test_an_imei_with_a_wrong_check_digit_is_invalid(imei):
    assert not imei_valid(imei)


@pytest.mark.parametrize("imei", ["49015420323751", "4901542032375180", "", "4"])
def test_an_imei_of_other_than_fifteen_digits_is_invalid(imei):
    assert not imei_valid(imei)


@pytest.mark.parametrize("imei", ["49015420323751A", "A90154203237518", "4901542O3237518"])
def test_an_imei_with_letters_is_invalid(imei):
    assert not imei_valid(imei)


def test_an_imei_with_separators_is_valid_only_once_cleaned():
    assert not imei_valid("49 015420 323751 8")


@pytest.mark.parametrize("raw", ["49 015420 323751 8", "49-015420-323751-8",
                                 "49/015420/323751/8", " 490154203237518\t", "49 0154-20/3237518"])
def test_cleaning_an_imei_removes_spaces_dashes_and_slashes(raw):
    assert clean_imei(raw) == "490154203237518"
    assert imei_valid(clean_imei(raw))


def test_cleaning_no_imei_gives_an_empty_one():
    assert clean_imei(None) == "" and clean_imei("  ") == ""


def test_a_valid_imei_has_no_problem_for_a_phone():
    assert imei_problem("490154203237518", "smartphone") is None


def test_a_phone_needs_an_imei():
    assert imei_problem("", "smartphone") is not None


def test_a_router_needs_no_imei():
    assert imei_problem("", "router") is None


@pytest.mark.parametrize("imei", ["490154203237519", "49015420323751", "49015420323751A"])
@pytest.mark.parametrize("category", ["smartphone", "router"])
def test_an_invalid_imei_is_a_problem_for_any_product(imei, category):
    assert imei_problem(imei, category) is not None


def test_the_imei_problems_say_what_is_wrong(english):
    assert "phone" in str(imei_problem("", "smartphone")).lower()
    assert "15 digits" in str(imei_problem("49015420323751", "smartphone"))
    assert "check digit" in str(imei_problem("490154203237519", "smartphone"))


@given(st.integers(min_value=0, max_value=999_999))
def test_every_imei_the_factory_makes_is_valid(number):
    assert imei_valid(imei_for(number))


@given(st.integers(min_value=0, max_value=999_999), st.integers(min_value=0, max_value=14),
       st.integers(min_value=1, max_value=9))
def test_changing_any_one_digit_of_a_valid_imei_makes_it_invalid(number, position, shift):
    imei = imei_for(number)
    digit = str((int(imei[position]) + shift) % 10)
    assert not imei_valid(imei[:position] + digit + imei[position + 1:])


# ---- serial numbers -------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "clean"), [
    ("sn-1234", "SN-1234"),
    (" SN 12 34 ", "SN1234"),
    ("ab\t12/cd.3\n", "AB12/CD.3"),
    ("ab\u00a012", "AB12"),
    (None, ""),
])
def test_cleaning_a_serial_makes_it_upper_case_without_spaces(raw, clean):
    assert clean_serial(raw) == clean


@pytest.mark.parametrize("serial", ["ABC", "SN-000123", "NV7/2024.11-A", "A" * 40, "123"])
def test_a_serial_of_3_to_40_letters_digits_dashes_slashes_or_dots_has_no_problem(serial):
    assert serial_problem(serial) is None


@pytest.mark.parametrize("serial", ["", "AB", "A" * 41, "-AB12", ".AB12", "AB_12", "AB#12",
                                    "ÄB12", "AB 12"])
def test_a_serial_outside_the_pattern_is_a_problem(serial):
    assert serial_problem(serial) is not None
