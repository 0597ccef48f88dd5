"""Fixtures of the sales tests: the pipeline they run in and the reasons to close a deal."""

from __future__ import annotations

import pytest

from kliento.sales.choices import ReasonKind
from tests.factories import DealReasonFactory, make_pipeline


@pytest.fixture
def pipeline(db):
    return make_pipeline("Windows")


@pytest.fixture
def won_reason(db):
    return DealReasonFactory(kind=ReasonKind.WON, name="Best price")


@pytest.fixture
def lost_reason(db):
    return DealReasonFactory(kind=ReasonKind.LOST, name="Too expensive")
