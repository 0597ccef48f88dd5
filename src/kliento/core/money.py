"""Money: ISO 4217 currency codes and the checks every amount goes through."""

from __future__ import annotations

import decimal

from django.utils.translation import gettext as _

# Active ISO 4217 codes (list one, without funds codes, precious metals and test codes).
ISO_4217: frozenset[str] = frozenset(
    [
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "ANG",
        "AOA",
        "ARS",
        "AUD",
        "AWG",
        "AZN",
        "BAM",
        "BBD",
        "BDT",
        "BGN",
        "BHD",
        "BIF",
        "BMD",
        "BND",
        "BOB",
        "BRL",
        "BSD",
        "BTN",
        "BWP",
        "BYN",
        "BZD",
        "CAD",
        "CDF",
        "CHF",
        "CLP",
        "CNY",
        "COP",
        "CRC",
        "CUC",
        "CUP",
        "CVE",
        "CZK",
        "DJF",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ERN",
        "ETB",
        "EUR",
        "FJD",
        "FKP",
        "GBP",
        "GEL",
        "GHS",
        "GIP",
        "GMD",
        "GNF",
        "GTQ",
        "GYD",
        "HKD",
        "HNL",
        "HTG",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IQD",
        "IRR",
        "ISK",
        "JMD",
        "JOD",
        "JPY",
        "KES",
        "KGS",
        "KHR",
        "KMF",
        "KPW",
        "KRW",
        "KWD",
        "KYD",
        "KZT",
        "LAK",
        "LBP",
        "LKR",
        "LRD",
        "LSL",
        "LYD",
        "MAD",
        "MDL",
        "MGA",
        "MKD",
        "MMK",
        "MNT",
        "MOP",
        "MRU",
        "MUR",
        "MVR",
        "MWK",
        "MXN",
        "MYR",
        "MZN",
        "NAD",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "OMR",
        "PAB",
        "PEN",
        "PGK",
        "PHP",
        "PKR",
        "PLN",
        "PYG",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "RWF",
        "SAR",
        "SBD",
        "SCR",
        "SDG",
        "SEK",
        "SGD",
        "SHP",
        "SLE",
        "SLL",
        "SOS",
        "SRD",
        "SSP",
        "STN",
        "SVC",
        "SYP",
        "SZL",
        "THB",
        "TJS",
        "TMT",
        "TND",
        "TOP",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "UGX",
        "USD",
        "UYU",
        "UZS",
        "VED",
        "VES",
        "VND",
        "VUV",
        "WST",
        "XAF",
        "XCD",
        "XCG",
        "XOF",
        "XPF",
        "YER",
        "ZAR",
        "ZMW",
        "ZWG",
        "ZWL",
    ]
)

# Amount columns are numeric(14, 2): at most 12 digits before the point.
MAX_INTEGER_DIGITS = 12
CENT = decimal.Decimal("0.01")


def validate_currency(code: str) -> str:
    """The code itself when it is a known ISO 4217 code (three upper-case letters)."""
    if not isinstance(code, str) or code not in ISO_4217:
        raise ValueError(_("Not a known ISO 4217 currency code (such as EUR or USD)."))
    return code


def validate_amount(value: object) -> decimal.Decimal:
    """A non-negative amount with at most 12 integer digits and 2 decimals, as a Decimal."""
    if isinstance(value, bool) or value is None:
        raise ValueError(_("Must be an amount such as 1200.50."))
    try:
        amount = decimal.Decimal(str(value))
    except (decimal.InvalidOperation, ValueError):
        raise ValueError(_("Must be an amount such as 1200.50.")) from None
    if not amount.is_finite():
        raise ValueError(_("Must be an amount such as 1200.50."))
    if amount < 0:
        raise ValueError(_("Must not be negative."))
    if amount >= decimal.Decimal(10) ** MAX_INTEGER_DIGITS:
        raise ValueError(_("At most %(n)d digits before the decimal point.") % {"n": 12})
    if amount != amount.quantize(CENT, rounding=decimal.ROUND_DOWN):
        raise ValueError(_("At most 2 decimal places."))
    return amount.quantize(CENT)
