"""The page-input layer (core/web/params.py): strict parsers, and the safe way back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import RequestFactory

from kliento.core.errors import ErrorCollector
from kliento.core.scalars import MAX_ID, parse_int, well_formed
from kliento.core.web.params import (
    BadParameter,
    choice_param,
    date_param,
    form_id,
    gather,
    id_field,
    id_param,
    int_param,
    parse_id,
    parse_local_datetime,
    safe_next,
)

NOT_IDS = [
    "²",  # "²".isdigit() is True, int("²") raises
    "٣",  # int("٣") is 3
    "١٢٣",
    "３",  # a full-width digit
    "𝟙",
    "0",
    "-1",
    "+1",
    " 1",
    "1_000",
    "1.0",
    "1e3",
    "0x10",
    str(MAX_ID + 1),
    str(2**64),
    "9" * 40,
    "\x00",
    "1\x00",
    "abc",
]


@pytest.mark.parametrize("text", NOT_IDS)
def test_parse_id_refuses_everything_but_ascii_digits_within_64_bits(text):
    assert parse_id(text) is None


@pytest.mark.parametrize(("text", "value"), [("1", 1), ("007", 7), (str(MAX_ID), MAX_ID)])
def test_parse_id_reads_positive_ascii_whole_numbers(text, value):
    assert parse_id(text) == value


def test_parse_int_takes_a_minus_and_its_bounds():
    assert parse_int("-5") == -5
    assert parse_int("-5", minimum=0) is None
    assert parse_int("11", maximum=10) is None
    assert parse_int("٣", minimum=0) is None


@pytest.mark.parametrize("text", ["²", "٣", str(2**64), "-3", "0", "<b>"])
def test_id_param_refuses_junk_as_a_400_naming_the_parameter(text):
    with pytest.raises(BadParameter) as refused:
        id_param({"owner": text}, "owner")

    assert refused.value.status == 400
    assert [e.field for e in refused.value.errors] == ["owner"]


def test_id_param_blank_or_absent_is_none():
    assert id_param({"owner": " "}, "owner") is None
    assert id_param({}, "owner") is None
    assert id_param({"owner": " 42 "}, "owner") == 42


def test_int_param_checks_its_range():
    assert int_param({"idle": "30"}, "idle", minimum=1, maximum=3650) == 30
    with pytest.raises(BadParameter):
        int_param({"idle": "3651"}, "idle", minimum=1, maximum=3650)
    with pytest.raises(BadParameter):
        int_param({"idle": "²"}, "idle", minimum=1, maximum=3650)


def test_choice_param_takes_only_its_choices():
    assert choice_param({"view": "day"}, "view", ("day", "week")) == "day"
    assert choice_param({"view": ""}, "view", ("day", "week")) is None
    with pytest.raises(BadParameter, match="Pick one"):
        choice_param({"view": "year"}, "view", ("day", "week"), message="Pick one")


@pytest.mark.parametrize(
    "text", ["2026-02-30", "20260101", "2026-W01-1", "٢٠٢٦-٠١-٠١", "0001-01-01", "9999-12-31"]
)
def test_date_param_refuses_what_is_not_a_plain_date_in_range(text):
    with pytest.raises(BadParameter):
        date_param({"date": text}, "date")


def test_date_param_reads_a_plain_date():
    assert date_param({"date": "2026-03-04"}, "date") == dt.date(2026, 3, 4)


def test_parse_local_datetime_is_strict_and_bounded():
    assert parse_local_datetime("2026-03-04T10:00") == dt.datetime(2026, 3, 4, 10, 0)
    assert parse_local_datetime("0001-01-01T00:00") is None  # leaves datetime when in UTC
    assert parse_local_datetime("2026-03-04T10:00+05:00") is None
    assert parse_local_datetime("٢٠٢٦-٠٣-٠٤T10:00") is None


def test_form_id_passes_junk_on_for_the_service_to_refuse():
    assert form_id("") is None
    assert form_id(" 12 ") == 12
    assert form_id("²") == "²"
    assert form_id(str(2**64)) == str(2**64)


def test_id_field_adds_a_field_error():
    errors = ErrorCollector()

    assert id_field("٣", "stage_id", errors) is None
    assert id_field("", "version", errors, required=True) is None
    assert id_field("5", "pipeline_id", errors) == 5
    assert [e.field for e in errors.errors] == ["stage_id", "version"]


def test_gather_collects_each_bad_parameter():
    errors: dict[str, list[str]] = {}
    params = {"owner": "²", "team": "2", "date": "x"}

    owner = gather(errors, lambda: id_param(params, "owner"))
    team = gather(errors, lambda: id_param(params, "team"))
    day = gather(errors, lambda: date_param(params, "date"))

    assert (owner, team, day) == (None, 2, None)
    assert set(errors) == {"owner", "date"}


def test_well_formed_refuses_lone_surrogates_and_nul():
    assert well_formed("Zvaigzne ☆")
    assert not well_formed("\ud800")
    assert not well_formed("a\x00")


# --- safe_next ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "secure", "expected"),
    [
        ("/contacts/?owner=2", False, "/contacts/?owner=2"),
        ("https://testserver/deals/", True, "https://testserver/deals/"),
        ("http://testserver/deals/", True, "/home/"),  # an https page never goes back to http
        ("https://evil.example/", False, "/home/"),
        ("//evil.example/", False, "/home/"),
        ("javascript:alert(1)", False, "/home/"),
        ("deals", False, "/home/"),  # redirect() would look for a view of that name
        ("", False, "/home/"),
    ],
)
def test_safe_next_keeps_only_our_own_addresses(target, secure, expected):
    request = RequestFactory().post("/x/", {"next": target}, secure=secure)

    assert safe_next(request, "/home/") == expected


def test_safe_next_reads_the_query_when_nothing_is_posted():
    request = RequestFactory().get("/sign-in/", {"next": "/deals/"})

    assert safe_next(request, "/") == "/deals/"
