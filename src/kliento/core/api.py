"""REST routes of core: the caller, users and teams."""

from django.http import HttpRequest
from ninja import Router, Schema

from kliento.core import selectors
from kliento.core.apicontract import ApiRouter, Id
from kliento.core.apikit import caller

me_router = ApiRouter(tags=["me"])
users_router = ApiRouter(tags=["users"])
teams_router = ApiRouter(tags=["teams"])


class TeamOut(Schema):
    id: int
    name: str


class UserOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    role: str
    team_id: int | None
    language: str
    time_zone: str
    is_active: bool


@me_router.get("", response=UserOut, summary="The signed-in user")
def me(request: HttpRequest) -> object:
    return caller(request)


@users_router.get("", response=list[UserOut], summary="Active users")
def users_list(request: HttpRequest) -> object:
    return selectors.users_for(caller(request))


@users_router.get("/{user_id}", response=UserOut, summary="One user")
def users_detail(request: HttpRequest, user_id: Id) -> object:
    return selectors.user_get(caller(request), user_id)


@teams_router.get("", response=list[TeamOut], summary="Teams")
def teams_list(request: HttpRequest) -> object:
    return selectors.teams_for(caller(request))


routers: list[tuple[str, Router]] = [
    ("/me", me_router),
    ("/users", users_router),
    ("/teams", teams_router),
]
