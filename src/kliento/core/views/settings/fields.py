"""Settings: custom fields per record type (all seven types; choices for the choice types)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kliento.core import customfields, records
from kliento.core.errors import ValidationFailed
from kliento.core.models import FieldType
from kliento.core.views.settings.common import admin_of, checked
from kliento.core.web.pages import actor_of, field_errors, page, render_page
from kliento.core.web.params import parse_int

MAX_POSITION = 1_000_000


def _choices_of(text: str) -> list[str]:
    """One choice per line; blank lines are left out."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _int_position(raw: str) -> int:
    position = parse_int(raw.strip() or "0", minimum=0, maximum=MAX_POSITION)
    if position is None:
        raise ValidationFailed.on(
            "position", _("Must be a whole number from 0 to %(max)d.") % {"max": MAX_POSITION}
        )
    return position


def _form_context(**extra: Any) -> dict[str, Any]:
    return {
        "record_types": records.choices(),
        "field_types": FieldType.choices,
        "choice_types": sorted(customfields.CHOICE_TYPES),
        "errors": {},
        **extra,
    }


@require_GET
@page
def field_list(request: HttpRequest) -> HttpResponse:
    user = admin_of(request)
    record_type = request.GET.get("record_type") or None
    if record_type not in (None, *records.names()):
        record_type = None
    rows = list(customfields.custom_fields_for(user, record_type))
    groups = [
        (rt, label, [f for f in rows if f.record_type == rt])
        for rt, label in records.choices()
        if record_type in (None, rt)
    ]
    context = {"groups": groups, "record_type": record_type, "record_types": records.choices()}
    return render_page(request, "core/settings/fields.html", context)


@require_http_methods(["GET", "POST"])
@page
def field_create(request: HttpRequest) -> HttpResponse:
    admin_of(request)
    values: dict[str, Any] = {
        "record_type": request.GET.get("record_type", records.names()[0]),
        "field_type": FieldType.TEXT,
        "position": 0,
    }
    context = _form_context(creating=True)
    status = 200
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("record_type", "key", "label", "field_type")}
        values["choices_text"] = request.POST.get("choices", "")
        values["required"] = checked(request, "required")
        values["position"] = request.POST.get("position", "0")
        choices = _choices_of(values["choices_text"])
        try:
            created = customfields.custom_field_create(
                actor=actor_of(request),
                record_type=values["record_type"],
                key=values["key"].strip(),
                label=values["label"].strip(),
                field_type=values["field_type"],
                choices=choices or None,
                required=values["required"],
                position=_int_position(values["position"]),
            )
        except ValidationFailed as exc:
            context["errors"], status = field_errors(exc), 422
        else:
            messages.success(request, _("Field “%(label)s” created.") % {"label": created.label})
            return redirect(f"{reverse('core:settings-fields')}?record_type={created.record_type}")
    context["values"] = values
    return render_page(request, "core/settings/field_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@page
def field_edit(request: HttpRequest, field_id: int) -> HttpResponse:
    field = customfields.custom_field_get(admin_of(request), field_id)
    values: dict[str, Any] = {
        "record_type": field.record_type,
        "key": field.key,
        "label": field.label,
        "field_type": field.field_type,
        "choices_text": "\n".join(field.choices),
        "required": field.required,
        "position": field.position,
        "active": field.active,
    }
    context = _form_context(field=field)
    status = 200
    if request.method == "POST":
        values.update(
            label=request.POST.get("label", ""),
            choices_text=request.POST.get("choices", ""),
            required=checked(request, "required"),
            position=request.POST.get("position", "0"),
            active=checked(request, "active"),
        )
        changes: dict[str, Any] = {
            "label": values["label"].strip(),
            "required": values["required"],
            "active": values["active"],
        }
        if field.field_type in customfields.CHOICE_TYPES:
            changes["choices"] = _choices_of(values["choices_text"])
        try:
            changes["position"] = _int_position(values["position"])
            customfields.custom_field_update(
                actor=actor_of(request), field_id=field.pk, changes=changes
            )
        except ValidationFailed as exc:
            context["errors"], status = field_errors(exc), 422
        else:
            messages.success(request, _("Changes saved."))
            return redirect(f"{reverse('core:settings-fields')}?record_type={field.record_type}")
    context["values"] = values
    return render_page(request, "core/settings/field_form.html", context, status=status)


@require_POST
@page
def field_delete(request: HttpRequest, field_id: int) -> HttpResponse:
    field = customfields.custom_field_get(admin_of(request), field_id)
    customfields.custom_field_delete(actor=actor_of(request), field_id=field.pk)
    messages.success(request, _("Field “%(label)s” removed.") % {"label": field.label})
    return redirect(f"{reverse('core:settings-fields')}?record_type={field.record_type}")
