"""Currency codes and amounts."""

from decimal import Decimal

import pytest

from kliento.core.money import ISO_4217, validate_amount, validate_currency


@pytest.mark.parametrize("code", ["EUR", "USD", "RUB", "MNT", "GBP", "JPY"])
def test_known_codes_pass(code):
    assert validate_currency(code) == code


@pytest.mark.parametrize("code", ["eur", "EURO", "", "XXZ", " EUR", None, 978])
def test_unknown_codes_fail(code):
    with pytest.raises(ValueError):
        validate_currency(code)


def test_the_list_has_only_three_letter_upper_case_codes():
    assert len(ISO_4217) > 150
    assert all(len(c) == 3 and c.isalpha() and c.isupper() for c in ISO_4217)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0", "0.00"), ("12.5", "12.50"), (7, "7.00"), ("999999999999.99", "999999999999.99")],
)
def test_good_amounts(raw, expected):
    assert validate_amount(raw) == Decimal(expected)


@pytest.mark.parametrize(
    "raw", ["-1", "1000000000000", "1.001", "NaN", "inf", "1e400", "abc", True, None, [1]]
)
def test_bad_amounts(raw):
    with pytest.raises(ValueError):
        validate_amount(raw)
