"""Fixtures of the sales tests."""

from __future__ import annotations

import pytest

from kliento.core.choices import Role
from kliento.sales.choices import ReasonKind
from tests.sales.factories import DealReasonFactory, make_pipeline


@pytest.fixture
def pipeline(db):
    return make_pipeline("Windows")


@pytest.fixture
def won_reason(db):
    return DealReasonFactory(kind=ReasonKind.WON, name="Best price")


@pytest.fixture
def lost_reason(db):
    return DealReasonFactory(kind=ReasonKind.LOST, name="Too expensive")


@pytest.fixture
def colleague(make_user):
    """A manager in the same team as `manager`."""
    return make_user(Role.MANAGER)


@pytest.fixture
def stranger(make_user, other_team):
    """A manager of another team."""
    return make_user(Role.MANAGER, team=other_team)


@pytest.fixture
def head(make_user):
    return make_user(Role.HEAD_OF_SALES)
