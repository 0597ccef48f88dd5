"""What every domain router shares: authentication, the caller's actor, errors, list shapes.

Domain services never import this module; only the `api.py` of each app does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth
from pydantic import AwareDatetime, BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError

from kliento.core.actors import Actor
from kliento.core.errors import DomainError
from kliento.core.models import User
from kliento.core.tokens import token_authenticate

T = TypeVar("T")


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = token_authenticate(token)
        if found is None:
            return None
        request.user = found.user
        request.kliento_actor = Actor.of_token(found.user, found.name or found.prefix)  # type: ignore[attr-defined]
        return found.user


AUTH = [BearerToken(), SessionAuth(csrf=True)]


def caller(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def actor_of(request: HttpRequest) -> Actor:
    actor = getattr(request, "kliento_actor", None)
    return actor if actor is not None else Actor.of_user(caller(request))


def _text_or_datetime(value: object) -> object:
    if isinstance(value, str | dt.datetime):
        return value
    raise PydanticCustomError(
        "datetime_type", _("Must be a date-time with a time zone (ISO 8601).")
    )


# A date and time sent as text (ISO 8601 with an offset), never a bare number: pydantic's
# own datetime would read 1700000000 as seconds since 1970.
IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_text_or_datetime)]


class InSchema(Schema):
    """Input: unknown fields are an error, never silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ErrorItem(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem] = []


class ListOut(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def _field_of(loc: Any) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "payload", "file")]
    # ninja nests the body under the parameter name: drop it when it is the schema's own name.
    if len(parts) > 1 and parts[0] in ("data", "payload", "body_data"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def error_body(detail: str, errors: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "errors": [{"field": f, "message": m} for f, m in (errors or [])]}


def _domain(exc: DomainError) -> tuple[int, dict[str, Any]]:
    return exc.status, error_body(exc.message, [(e.field, e.message) for e in exc.errors])


def _validation(exc: ValidationError) -> tuple[int, dict[str, Any]]:
    errors = []
    for err in exc.errors:
        message = str(err.get("msg", _("Invalid value.")))
        if err.get("type") == "extra_forbidden":
            message = _("Unknown field.")
        errors.append((_field_of(err.get("loc", ())), message))
    return 422, error_body(_("Invalid input."), errors)


def _authentication(exc: AuthenticationError) -> tuple[int, dict[str, Any]]:
    return 401, error_body(_("Authentication required."))


def _http(exc: HttpError) -> tuple[int, dict[str, Any]]:
    if exc.status_code == 400 and exc.message.startswith("Cannot parse request body"):
        # Malformed JSON is invalid input like any other: 422, nothing written.
        return 422, error_body(
            _("Malformed JSON."), [("body", _("The request body is not valid JSON."))]
        )
    return exc.status_code, error_body(exc.message)


def _multipart(exc: MultiPartParserError) -> tuple[int, dict[str, Any]]:
    return 422, error_body(
        _("Malformed upload."), [("file", _("The multipart body could not be read."))]
    )


def _not_found(exc: Http404) -> tuple[int, dict[str, Any]]:
    return 404, error_body(_("Not found."))


REQUEST_LIMITS = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def request_too_large(exc: Exception) -> tuple[int, dict[str, Any]]:
    """413 for a request past Django's limits (body size, number of fields or files)."""
    if isinstance(exc, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        message = _("The request has too many fields: at most %(n)d.") % {"n": limit}
    elif isinstance(exc, TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        message = _("The request has too many files: at most %(n)d.") % {"n": limit}
    else:
        megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
        message = _("The request body is too large: at most %(size).1f MB.") % {"size": megabytes}
    return 413, error_body(_("The request is too large."), [("body", message)])


# Exception -> (status, body): every error leaves the API in one shape.
_HANDLERS: list[tuple[type[Exception], Callable[[Any], tuple[int, dict[str, Any]]]]] = [
    (DomainError, _domain),
    (ValidationError, _validation),
    (AuthenticationError, _authentication),
    (HttpError, _http),
    (MultiPartParserError, _multipart),
    (Http404, _not_found),
    *((limit, request_too_large) for limit in REQUEST_LIMITS),
]


def _responder(
    api: NinjaAPI, to_body: Callable[[Any], tuple[int, dict[str, Any]]]
) -> Callable[[HttpRequest, Any], HttpResponse]:
    def handler(request: HttpRequest, exc: Any) -> HttpResponse:
        status, body = to_body(exc)
        return api.create_response(request, body, status=status)

    return handler


def install_error_handlers(api: NinjaAPI) -> None:
    for exc_class, to_body in _HANDLERS:
        api.add_exception_handler(exc_class, _responder(api, to_body))
