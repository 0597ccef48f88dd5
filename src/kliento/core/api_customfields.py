"""REST routes for custom field definitions: anyone signed in reads, admins change."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from kliento.core import customfields
from kliento.core.apikit import ErrorOut, InSchema, actor_of, caller
from kliento.core.errors import ValidationFailed

router = Router(tags=["custom-fields"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


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
    record_type: str = Field(max_length=20)
    key: str = Field(max_length=50)
    label: str = Field(max_length=customfields.MAX_LABEL)
    field_type: str = Field(max_length=15)
    choices: list[str] | None = Field(None, max_length=customfields.MAX_CHOICES)
    required: bool = False
    position: int = Field(0, ge=0, le=1_000_000)


class CustomFieldPatch(InSchema):
    label: str | None = Field(None, max_length=customfields.MAX_LABEL)
    choices: list[str] | None = Field(None, max_length=customfields.MAX_CHOICES)
    required: bool | None = None
    position: int | None = Field(None, ge=0, le=1_000_000)
    active: bool | None = None


class CustomFieldQuery(Schema):
    record_type: str | None = Field(None, max_length=20)


@router.get("", response={200: list[CustomFieldOut], **ERRORS}, summary="Custom fields")
def custom_field_list(request: HttpRequest, params: Query[CustomFieldQuery]) -> object:
    return list(customfields.custom_fields_for(caller(request), params.record_type))


@router.get("/{field_id}", response={200: CustomFieldOut, **ERRORS}, summary="One custom field")
def custom_field_detail(request: HttpRequest, field_id: int) -> object:
    return customfields.custom_field_get(caller(request), field_id)


@router.post("", response={201: CustomFieldOut, **ERRORS}, summary="Define a custom field")
def custom_field_create(request: HttpRequest, data: CustomFieldIn) -> object:
    created = customfields.custom_field_create(actor=actor_of(request), **data.model_dump())
    return Status(201, created)


@router.patch("/{field_id}", response={200: CustomFieldOut, **ERRORS}, summary="Change a field")
def custom_field_update(request: HttpRequest, field_id: int, data: CustomFieldPatch) -> object:
    changes = data.model_dump(exclude_unset=True)
    for name in ("label", "required", "position", "active"):
        if name in changes and changes[name] is None:
            raise ValidationFailed.on(name, _("Must not be null."))
    return customfields.custom_field_update(
        actor=actor_of(request), field_id=field_id, changes=changes
    )


@router.delete("/{field_id}", response={204: None, **ERRORS}, summary="Remove a custom field")
def custom_field_delete(request: HttpRequest, field_id: int) -> object:
    customfields.custom_field_delete(actor=actor_of(request), field_id=field_id)
    return Status(204, None)


routers: list[tuple[str, Router]] = [("/custom-fields", router)]
