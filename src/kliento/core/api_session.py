"""Browser sign-in over the API: POST /session, DELETE /session, GET /session/csrf."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from kliento.core.apicontract import ApiRouter
from kliento.core.apikit import ErrorOut, InSchema, caller, error_body
from kliento.core.signin import SignInFailed, SignInLocked, sign_in, sign_out

router = ApiRouter(tags=["session"])


class SignInIn(InSchema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=4096)


class SessionOut(Schema):
    id: int
    username: str
    role: str


class CsrfOut(Schema):
    csrf_token: str


@router.post(
    "",
    auth=None,
    response={200: SessionOut, 401: ErrorOut, 415: ErrorOut, 429: ErrorOut},
    summary="Sign in with a password (sets the session cookie)",
)
def session_create(request: HttpRequest, data: SignInIn) -> object:
    # JSON only: a cross-site HTML form cannot send it, so no one can sign a
    # victim's browser into an attacker's account (login CSRF).
    if request.content_type != "application/json":
        return Status(415, error_body(_("Send the sign-in as JSON.")))
    try:
        user = sign_in(request, data.username, data.password)
    except SignInLocked as exc:
        response = JsonResponse(error_body(exc.message), status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    except SignInFailed as exc:
        return Status(401, error_body(exc.message))
    return Status(200, user)


@router.delete("", response={204: None}, summary="Sign out")
def session_delete(request: HttpRequest) -> object:
    caller(request)
    sign_out(request)
    return HttpResponse(status=204)


@router.get("/csrf", auth=None, response=CsrfOut, summary="A CSRF token for browser clients")
def session_csrf(request: HttpRequest) -> object:
    # get_token also makes the CSRF middleware set the cookie on this response.
    return {"csrf_token": get_token(request)}


routers: list[tuple[str, Router]] = [("/session", router)]
