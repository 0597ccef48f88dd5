from __future__ import annotations

import datetime as dt

import pytest

from kliento.core.actors import Actor
from kliento.core.choices import Role

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday


@pytest.fixture
def actor(manager):
    return Actor.of_user(manager)


@pytest.fixture
def colleague(make_user):
    """A manager in the same team as `manager`."""
    return make_user(Role.MANAGER)


@pytest.fixture
def stranger(make_user, other_team):
    """A manager in another team."""
    return make_user(Role.MANAGER, team=other_team)


@pytest.fixture
def head(make_user):
    return make_user(Role.HEAD_OF_SALES)
