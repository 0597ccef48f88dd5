"""Fixtures every test can use: users of each role and team, actors, API clients with a token."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from kliento.core.actors import Actor
from kliento.core.choices import Role
from kliento.core.models import User
from kliento.core.tokens import token_issue
from tests.factories import TeamFactory, UserFactory


class ApiClient:
    """A test client that speaks JSON to /api/v1/ with a bearer token."""

    def __init__(self, user: User | None) -> None:
        self.user = user
        self._client = Client()
        self._headers: dict[str, str] = {}
        if user is not None:
            _, key = token_issue(user=user, name="test")
            self._headers["Authorization"] = f"Bearer {key}"

    def _url(self, path: str) -> str:
        return path if path.startswith("/api/") else "/api/v1" + path

    def request(self, method: str, path: str, data: Any = None, **headers: str):
        body = data if isinstance(data, str | bytes) or data is None else json.dumps(data)
        return self._client.generic(
            method,
            self._url(path),
            body or "",
            content_type="application/json",
            headers={**self._headers, **headers},
        )

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str):
        return self._client.get(self._url(path), params or {}, headers={**self._headers, **headers})

    def post(self, path: str, data: Any = None, **headers: str):
        return self.request("POST", path, data, **headers)

    def patch(self, path: str, data: Any = None, **headers: str):
        return self.request("PATCH", path, data, **headers)

    def put(self, path: str, data: Any = None, **headers: str):
        return self.request("PUT", path, data, **headers)

    def delete(self, path: str, **headers: str):
        return self.request("DELETE", path, None, **headers)

    def upload(self, path: str, files: dict[str, Any], data: dict[str, Any] | None = None):
        return self._client.post(self._url(path), {**(data or {}), **files}, headers=self._headers)


@pytest.fixture
def team(db):
    return TeamFactory(name="North")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="South")


@pytest.fixture
def make_user(db, team) -> Callable[..., User]:
    def make(role: str = Role.MANAGER, **kwargs: Any) -> User:
        kwargs.setdefault("team", team)
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def admin(make_user) -> User:
    return make_user(Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def manager(make_user) -> User:
    return make_user(Role.MANAGER)


@pytest.fixture
def colleague(make_user) -> User:
    """A manager in the same team as `manager`."""
    return make_user(Role.MANAGER)


@pytest.fixture
def stranger(make_user, other_team) -> User:
    """A manager of another team."""
    return make_user(Role.MANAGER, team=other_team)


@pytest.fixture
def head(make_user) -> User:
    return make_user(Role.HEAD_OF_SALES)


@pytest.fixture
def actor(manager) -> Actor:
    return Actor.of_user(manager)


@pytest.fixture
def api() -> Callable[[User | None], ApiClient]:
    return ApiClient
