"""REST routes for custom field definitions: anyone signed in reads, admins change."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field, StrictBool, StrictInt

from kliento.core import customfields
from kliento.core.apicontract import ApiRouter, Id, one_of
from kliento.core.apikit import InSchema, actor_of, caller
from kliento.core.errors import ValidationFailed
from kliento.core.models import FieldType

router = ApiRouter(tags=["custom-fields"])


Choice = Annotated[str, Field(min_length=1, max_length=customfields.MAX_CHOICE_LENGTH)]
# Record types are registered by the installed apps, so the service checks the name.
RecordTypeName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=40,
        pattern=r"^[a-z][a-z_]*$",
        description="A record type: contact, company, lead, deal, activity, or one an app adds.",
    ),
]


class CustomFieldOut(Schema):
    id: int
    record_type: str
    key: str
    label: str
    field_type: str
    choices: list[str]
    required: bool
    position: int
    active: bool


class CustomFieldIn(InSchema):
    record_type: RecordTypeName
    key: str = Field(pattern=customfields.KEY_RE.pattern)
    label: str = Field(min_length=1, max_length=customfields.MAX_LABEL)
    field_type: Annotated[str, one_of(FieldType.values)]
    choices: list[Choice] | None = Field(None, max_length=customfields.MAX_CHOICES)
    required: StrictBool = False
    position: StrictInt = Field(0, ge=0, le=1_000_000)


class CustomFieldPatch(InSchema):
    label: str | None = Field(None, min_length=1, max_length=customfields.MAX_LABEL)
    choices: list[Choice] | None = Field(None, max_length=customfields.MAX_CHOICES)
    required: StrictBool | None = None
    position: StrictInt | None = Field(None, ge=0, le=1_000_000)
    active: StrictBool | None = None


class CustomFieldQuery(Schema):
    record_type: RecordTypeName | None = None


@router.get("", response=list[CustomFieldOut], summary="Custom fields")
def custom_field_list(request: HttpRequest, params: Query[CustomFieldQuery]) -> object:
    return list(customfields.custom_fields_for(caller(request), params.record_type))


@router.get("/{field_id}", response=CustomFieldOut, summary="One custom field")
def custom_field_detail(request: HttpRequest, field_id: Id) -> object:
    return customfields.custom_field_get(caller(request), field_id)


@router.post("", response={201: CustomFieldOut}, summary="Define a custom field")
def custom_field_create(request: HttpRequest, data: CustomFieldIn) -> object:
    created = customfields.custom_field_create(actor=actor_of(request), **data.model_dump())
    return Status(201, created)


@router.patch("/{field_id}", response=CustomFieldOut, summary="Change a field")
def custom_field_update(request: HttpRequest, field_id: Id, data: CustomFieldPatch) -> object:
    changes = data.model_dump(exclude_unset=True)
    for name in ("label", "required", "position", "active"):
        if name in changes and changes[name] is None:
            raise ValidationFailed.on(name, _("Must not be null."))
    return customfields.custom_field_update(
        actor=actor_of(request), field_id=field_id, changes=changes
    )


@router.delete("/{field_id}", response={204: None}, summary="Remove a custom field")
def custom_field_delete(request: HttpRequest, field_id: Id) -> object:
    customfields.custom_field_delete(actor=actor_of(request), field_id=field_id)
    return Status(204, None)


routers: list[tuple[str, Router]] = [("/custom-fields", router)]
