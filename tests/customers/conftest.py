from __future__ import annotations

import pytest

from kliento.core.actors import Actor
from kliento.core.choices import Role


@pytest.fixture
def teammate(make_user):
    return make_user(Role.MANAGER)


@pytest.fixture
def outsider(make_user, other_team):
    return make_user(Role.MANAGER, team=other_team)


@pytest.fixture
def head(make_user):
    return make_user(Role.HEAD_OF_SALES)


@pytest.fixture
def actor_for():
    return Actor.of_user
