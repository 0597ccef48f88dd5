"""The registry of record types: which model each is, and who else may see it.

Lower apps cannot import higher ones, so attachments, custom fields, the audit
trail and the timeline find a record's model here by its type name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from kliento.core.models import User

ExtraVisibility = Callable[["User"], models.Q]


@dataclass(frozen=True)
class RecordSpec:
    name: str
    model: type[models.Model]
    # Extra rows a user sees beyond own/team (a deal's participants).
    extra_visibility: ExtraVisibility | None = None


_by_name: dict[str, RecordSpec] = {}
_by_model: dict[type[models.Model], RecordSpec] = {}


def register(
    name: str, model: type[models.Model], extra_visibility: ExtraVisibility | None = None
) -> None:
    spec = RecordSpec(name, model, extra_visibility)
    _by_name[name] = spec
    _by_model[model] = spec


def spec_for_name(name: str) -> RecordSpec | None:
    return _by_name.get(name)


def spec_for_model(model: type[models.Model]) -> RecordSpec:
    try:
        return _by_model[model]
    except KeyError:
        raise LookupError(f"{model.__name__} is not a registered record type") from None


def names() -> list[str]:
    return list(_by_name)
