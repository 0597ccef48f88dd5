"""What the OpenAPI document promises, declared once for every route.

- Integers are bounded to what the databases store (signed 64 bits): SQLite
  raises OverflowError on a larger one, and pydantic's `int` has no bound, so an
  unbounded `int` parameter turns `?owner=<40 digits>` into a 500. Every integer
  in a path, query or body uses one of the types below, and is a 422 past them.
- `ApiRouter` adds to each operation every error it can answer, all in the one
  error shape (`ErrorOut`), so a generated client reads each of them as a typed
  object. The errors follow from what the operation is (see `error_statuses`); a
  route declares its success, and only an error the rule cannot see (a 404 for a
  record named in a query or form rather than in the path).
- An address longer than the web server reads (`URI_LIMIT`) is refused by it with a
  414 before Kliento sees the request, as an HTML page: every operation declares
  that too.
- Headers and query parameters the API reads outside a view's signature (the
  `Idempotency-Key` of every POST, the `custom.<key>` list filters) are declared
  here too.
"""

from __future__ import annotations

import datetime as dt
import decimal
import inspect
import re
from collections.abc import Callable, Iterable
from typing import Annotated, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Router
from ninja.constants import NOT_SET
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    JsonValue,
    StrictInt,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from kliento.core.apikit import ErrorOut
from kliento.core.customfields import KEY_RE
from kliento.core.idempotency import HEADER as IDEMPOTENCY_HEADER
from kliento.core.idempotency import MAX_KEY_LENGTH
from kliento.core.limits import URI_LIMIT
from kliento.core.pagination import MAX_LIMIT

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

# Query and path values arrive as text, so these parse "42"; bodies use the strict ones.
Id = Annotated[int, Field(ge=1, le=INT64_MAX)]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description=f"1 to {MAX_LIMIT}")]
# In a JSON body a number must be a number: "42" is refused, as the document says.
StrictId = Annotated[StrictInt, Field(ge=1, le=INT64_MAX)]
Version = Annotated[
    StrictInt,
    Field(ge=1, le=INT64_MAX, description="The version you read; a stale one is refused (409)."),
]

# Money: numeric(14, 2), never negative; a JSON number or the same written as text.
AMOUNT_MAX = decimal.Decimal("999999999999.99")
_AMOUNT_TEXT = re.compile(r"^\d{1,12}(\.\d{1,2})?$")


def _amount_in(value: Any) -> Any:
    if isinstance(value, bool) or (isinstance(value, str) and not _AMOUNT_TEXT.match(value)):
        raise ValueError(_("Must be an amount such as 1200.50."))
    return value


Amount = Annotated[
    decimal.Decimal,
    BeforeValidator(_amount_in),
    Field(ge=0, le=AMOUNT_MAX, decimal_places=2),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": float(AMOUNT_MAX), "multipleOf": 0.01},
                {"type": "string", "pattern": _AMOUNT_TEXT.pattern},
            ],
            "description": "An amount such as 1200.50 (a number, or the same as text).",
        }
    ),
]

# Dates and times as ISO 8601 text only: pydantic would also take a number (Unix
# time) from a query string or a body, which the document does not allow.
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _iso_text(pattern: re.Pattern[str], message: str) -> BeforeValidator:
    def check(value: Any) -> Any:
        if isinstance(value, int | float) or (isinstance(value, str) and not pattern.match(value)):
            # A custom error: its message reaches the client as it is ("Value error, …"
            # is what a plain ValueError would add in front).
            raise PydanticCustomError("iso_text", _(message))
        return value

    return BeforeValidator(check)


Date = Annotated[dt.date, _iso_text(_ISO_DATE, gettext_noop("Must be a date (YYYY-MM-DD)."))]
DateTime = Annotated[
    dt.datetime, _iso_text(_ISO_DATETIME, gettext_noop("Enter a date and time (YYYY-MM-DD HH:MM)."))
]


def _in_utc(value: dt.datetime) -> dt.datetime:
    """The same moment in UTC: PostgreSQL refuses offsets past 15:59, which ISO 8601 and
    Python allow (+19:19), and a moment on 1 January of year 1 may fall before year 1."""
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise PydanticCustomError("datetime_range", _(OUT_OF_RANGE)) from None


OUT_OF_RANGE = gettext_noop("Must be a date-time between the years 1 and 9999.")
AwareDateTime = Annotated[
    AwareDatetime,
    _iso_text(_ISO_DATETIME, gettext_noop("Must be a date-time with a time zone (ISO 8601).")),
    AfterValidator(_in_utc),
]

# A cursor is URL-safe base64 (core.pagination, core.timeline).
Cursor = Annotated[str, Field(max_length=1000, pattern=r"^[A-Za-z0-9_-]*$")]


def one_of(values: Iterable[str], *, description: str | None = None) -> Any:
    """Metadata of a text that takes one of `values`: declared as an enum, enforced by a pattern.

    Use as `Annotated[str, one_of(...)]` (a `Literal` built at run time is no type to mypy).
    """
    allowed = sorted(set(values))
    enum: list[JsonValue] = [*allowed]
    return Field(
        pattern="^(" + "|".join(re.escape(value) for value in allowed) + ")$",
        json_schema_extra={"enum": enum},
        description=description,
    )


def ordering_of(*names: str) -> Any:
    """Metadata of an `ordering` parameter: one of `names`, or one of them after "-" (reversed)."""
    return one_of(
        [*names, *(f"-{name}" for name in names)],
        description="Sort by one of: " + ", ".join(sorted(set(names))) + " (prefix - to reverse).",
    )


_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_PATH_PARAM = re.compile(r"\{(?:\w+:)?(\w+)\}")


def error_statuses(path: str, method: str, view: Callable[..., Any], public: bool) -> set[int]:
    """Every error status an operation can answer, from what it is.

    400: a NUL character in the address (core.web.middleware), for every operation.
    401/403: a signed-in operation refuses a missing or bad credential (401), a
    browser session without its CSRF token, or a caller without the right (403).
    422: any input (path, query or body) can be invalid. 404: a path names a
    record. 409: a write can be stale (a version) or repeat an `Idempotency-Key`
    still in progress. 413: a body can be too large.
    """
    path_params = set(_PATH_PARAM.findall(path))
    inputs = list(inspect.signature(view).parameters)[1:]
    found: set[int] = {400}  # a NUL in the address, refused before any route
    if not public:
        found |= {401, 403}
    if inputs or method == "POST":  # every POST reads the Idempotency-Key header
        found.add(422)
    if path_params:
        found.add(404)
    if method in _WRITE_METHODS and not public:
        found.add(409)
    if method in _BODY_METHODS and any(name not in path_params for name in inputs):
        found.add(413)
    return found


IDEMPOTENCY_PARAMETER: dict[str, Any] = {
    "name": IDEMPOTENCY_HEADER,
    "in": "header",
    "required": False,
    "description": (
        "Repeat a POST safely: a retry with the same key and body returns the first "
        "response and creates nothing; the same key with another body is refused (422)."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": r"\S"},
}

# `custom.<key>=value`: one exact-match filter per custom field, as an exploded object.
CUSTOM_FILTERS: dict[str, Any] = {
    "parameters": [
        {
            "name": "custom",
            "in": "query",
            "required": False,
            "style": "form",
            "explode": True,
            "description": (
                "Custom field filters, one `custom.<key>=value` per field (exact match; "
                "a multiple-choice field matches when it holds the value). An unknown key "
                "or a value of the wrong type is refused (422)."
            ),
            "schema": {
                "type": "object",
                "patternProperties": {
                    "^custom\\." + KEY_RE.pattern.lstrip("^"): {"type": "string", "maxLength": 500}
                },
                "additionalProperties": False,
            },
        }
    ]
}


def _with_errors(response: Any, errors: Iterable[int]) -> dict[int, Any]:
    declared: dict[int, Any] = dict(response) if isinstance(response, dict) else {200: response}
    for status in sorted(errors):
        declared.setdefault(status, ErrorOut)
    return declared


URI_TOO_LONG: dict[str, Any] = {
    "414": {
        "description": f"The address is longer than {URI_LIMIT} bytes; the web server refuses "
        "it, as an HTML page, before Kliento reads the request.",
        "content": {"text/html": {"schema": {"type": "string"}}},
    }
}


def _merged(extra: dict[str, Any] | None, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    merged = dict(extra or {})
    if parameters:
        merged["parameters"] = [*merged.get("parameters", []), *parameters]
    merged["responses"] = {**merged.get("responses", {}), **URI_TOO_LONG}
    return merged


class ApiRouter(Router):
    """A router whose operations declare every error they can answer (see module doc)."""

    def add_api_operation(
        self,
        path: str,
        methods: list[str],
        view_func: Callable[..., Any],
        *,
        response: Any = NOT_SET,
        auth: Any = NOT_SET,
        openapi_extra: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if response is NOT_SET:
            raise TypeError(f"{view_func.__name__}: declare the success response.")
        (method,) = methods
        public = auth is None
        response = _with_errors(response, error_statuses(path, method, view_func, public))
        openapi_extra = _merged(openapi_extra, [IDEMPOTENCY_PARAMETER] if method == "POST" else [])
        super().add_api_operation(
            path,
            methods,
            view_func,
            response=response,
            auth=auth,
            openapi_extra=openapi_extra,
            **kwargs,
        )
