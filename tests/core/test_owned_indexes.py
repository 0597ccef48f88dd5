"""`Owned` gives owner and team no index of their own: each model's composites serve them."""

from __future__ import annotations

import pytest
from django.apps import apps

from kliento.core.models.base import Owned

OWNED = [m for m in apps.get_models() if issubclass(m, Owned)]


def test_every_owned_model_is_checked():
    assert {m._meta.label for m in OWNED} >= {
        "customers.Company",
        "customers.Contact",
        "sales.Lead",
        "sales.Deal",
        "activities.Activity",
    }


@pytest.mark.parametrize("model", OWNED, ids=lambda m: m._meta.label)
@pytest.mark.parametrize("column", ["owner", "team"])
def test_owner_and_team_lookups_are_served_by_a_composite_index(model, column):
    # deleting a user or team, and every owner / team filter, look rows up by the column
    assert model._meta.get_field(column).db_index is False
    leading = [ix for ix in model._meta.indexes if ix.fields and ix.fields[0] == column]
    assert any(len(ix.fields) > 1 for ix in leading), (model, column)
