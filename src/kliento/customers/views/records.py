"""A company's or contact's card, its create / edit form, delete, and the duplicate hint."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kliento.core import customfields, visibility
from kliento.core.errors import Conflict, NotFound, ValidationFailed
from kliento.core.models import User
from kliento.core.selectors import users_for
from kliento.core.web import custom_inputs
from kliento.core.web.pages import actor_of, error_status, field_errors, page, render_page, user_of
from kliento.core.web.params import form_id, id_param, parse_id
from kliento.customers import selectors
from kliento.customers.choices import ChannelKind, Relationship
from kliento.customers.models import Company, Contact
from kliento.customers.services._common import CHANNEL_LISTS
from kliento.customers.views._kinds import COMPANY, CONTACT, Kind

COMPANY_CONTACTS = 50
MAX_CHECKED_CHANNELS = 10
LIST_OF_KIND = {kind: key for key, kind in CHANNEL_LISTS.items()}
EDITABLE_KINDS = tuple(CHANNEL_LISTS.values())
_HANDLE = re.compile(r"^[A-Za-z0-9_]{3,64}$")
_NUMBER = re.compile(r"^\+?[\d\s().-]{5,40}$")


# --- channels as links -------------------------------------------------------------


def channel_href(kind: str, label: str, value: str) -> str | None:
    """The link that opens a channel: mailto:, tel:, a messenger's own link, a web site."""
    digits = re.sub(r"\D", "", value) if _NUMBER.match(value.strip()) else ""
    if kind == ChannelKind.EMAIL:
        return f"mailto:{quote(value, safe='@')}"
    if kind == ChannelKind.PHONE and digits:
        return f"tel:+{digits}" if value.strip().startswith("+") else f"tel:{digits}"
    if kind == ChannelKind.MESSENGER:
        name = f"{label} {value}".casefold()
        if "whatsapp" in name and digits:
            return f"https://wa.me/{digits}"
        if "viber" in name and digits:
            return f"viber://chat?number=%2B{digits}"
        if "telegram" in name:
            handle = value.strip().lstrip("@")
            if _HANDLE.match(handle):
                return f"https://t.me/{handle}"
            if digits:
                return f"https://t.me/+{digits}"
    if kind == ChannelKind.WEBSITE and value.strip().lower().startswith(("https://", "http://")):
        return value.strip()
    return None


def _channels(record: Company | Contact) -> list[dict[str, Any]]:
    order = {kind: i for i, kind in enumerate(ChannelKind.values)}
    rows = sorted(
        record.channels.all(), key=lambda c: (order.get(c.kind, 9), not c.is_primary, c.pk)
    )
    return [
        {
            "kind": c.kind,
            "kind_label": c.get_kind_display(),
            "label": c.label,
            "value": c.value,
            "href": channel_href(c.kind, c.label, c.value),
            "is_primary": c.is_primary,
        }
        for c in rows
    ]


def website_href(value: str) -> str | None:
    text = value.strip()
    if not text or any(ch.isspace() for ch in text):
        return None
    if text.lower().startswith(("https://", "http://")):
        return text
    return f"https://{text}" if "." in text and ":" not in text else None


def _custom_display(record_type: str, values: dict[str, Any]) -> list[tuple[str, str]]:
    fields = customfields.fields_for(record_type).values()
    shown = ((field.label, custom_inputs.shown(field, values.get(field.key))) for field in fields)
    return [(label, text) for label, text in shown if text]


# --- cards ------------------------------------------------------------------------


def _card_context(request: HttpRequest, kind: Kind, record: Any) -> dict[str, Any]:
    user = user_of(request)
    rights = visibility.rights(user, kind.record_type)
    return {
        "kind": kind,
        "record": record,
        "owner": record.owner,
        "tags": list(record.tags.all()),
        "channels": _channels(record),
        "dates": list(record.important_dates.all()),
        "custom": _custom_display(kind.record_type, record.custom or {}),
        "can_edit": rights.can_edit,
        "can_delete": rights.can_delete,
    }


@require_GET
@page
def contact_detail(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = selectors.contact_get(user_of(request), contact_id)
    context = _card_context(request, CONTACT, contact)
    return render_page(request, "customers/contact_detail.html", {**context, "contact": contact})


@require_GET
@page
def company_detail(request: HttpRequest, company_id: int) -> HttpResponse:
    user = user_of(request)
    company = selectors.company_get(user, company_id)
    context = _card_context(request, COMPANY, company)
    contacts = selectors.contact_list(user, filters={"company": company.pk}, limit=COMPANY_CONTACTS)
    context.update(
        {
            "company": company,
            "website": website_href(company.website),
            "contacts": contacts,
        }
    )
    return render_page(request, "customers/company_detail.html", context)


# --- the form ---------------------------------------------------------------------


def _channel_rows(post: QueryDict) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """The channel rows of the form, and the per-kind lists the service takes."""
    kinds = post.getlist("channel_kind")
    labels = post.getlist("channel_label")
    values = post.getlist("channel_value")
    rows: list[dict[str, Any]] = []
    lists: dict[str, list[dict[str, Any]]] = {key: [] for key in CHANNEL_LISTS}
    for i, value in enumerate(values):
        kind = kinds[i] if i < len(kinds) else ""
        label = labels[i] if i < len(labels) else ""
        row = {"kind": kind, "label": label, "value": value, "key": ""}
        rows.append(row)
        if not value.strip():
            continue
        key = LIST_OF_KIND.get(kind)
        if key is None:
            row["key"] = "channel_kind"
            continue
        row["key"] = f"{key}.{len(lists[key])}"
        lists[key].append({"value": value, "label": label})
    return rows, lists


def form_data(
    request: HttpRequest, kind: Kind, record: Any | None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The service's `data` from the posted form, and the channel rows as typed."""
    post = request.POST
    data: dict[str, Any] = {name: post.get(name, "") for name in kind.text_fields}
    data["relationship"] = post.get("relationship", Relationship.PROSPECT)
    data["tags"] = [t.strip() for t in post.get("tags", "").split(",") if t.strip()]
    if "owner_id" in post:
        data["owner_id"] = form_id(post.get("owner_id"))
    if kind is CONTACT:
        data["birthday"] = post.get("birthday", "").strip() or None
        data["company_id"] = form_id(post.get("company_id"))
    rows, lists = _channel_rows(post)
    data.update(lists)
    data["custom"] = custom_inputs.read(post, customfields.fields_for(kind.record_type).values())
    if record is not None:
        data["version"] = form_id(post.get("version"))
    return data, rows


def _values_of(kind: Kind, record: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The form's values of a stored record."""
    values: dict[str, Any] = {name: getattr(record, name) for name in kind.text_fields}
    values["relationship"] = record.relationship
    values["tags"] = ", ".join(t.name for t in record.tags.all())
    values["owner_id"] = record.owner_id
    values["version"] = record.version
    if kind is CONTACT:
        values["birthday"] = record.birthday.isoformat() if record.birthday else ""
        values["company_id"] = record.company_id or ""
    values["custom"] = record.custom or {}
    rows = [
        {"kind": c["kind"], "label": c["label"], "value": c["value"], "key": ""}
        for c in _channels(record)
        if c["kind"] in EDITABLE_KINDS
    ]
    return values, rows


def _posted_values(request: HttpRequest, kind: Kind, record: Any | None) -> dict[str, Any]:
    """The form as the user filled it in (custom fields over the stored ones)."""
    post = request.POST
    values: dict[str, Any] = {
        k: post.get(k) for k in post if not k.startswith(("channel_", custom_inputs.PREFIX))
    }
    fields = customfields.fields_for(kind.record_type).values()
    stored = record.custom if record is not None else {}
    values["custom"] = {**(stored or {}), **custom_inputs.posted(post, fields)}
    return values


def _company_name(user: User, record: Any | None, raw: Any) -> str:
    """The visible name of the company the form links, for its picker ("" when the id
    is not one, or names a company the user may not see: the picker shows the id)."""
    pk = parse_id(str(raw or "").strip())
    if pk is None:
        return ""
    if record is not None and record.company_id == pk:  # the card's company: no query
        return record.company.name if record.company_visible else ""
    try:
        return selectors.company_rows(user, [pk])[0].name
    except (NotFound, ValidationFailed):
        return ""


def _row_error_keys(row: dict[str, Any]) -> tuple[str, ...]:
    key = row.get("key") or ""
    if not key:
        return ()
    return (key, f"{key}.value", f"{key}.label")


def _render_form(
    request: HttpRequest,
    kind: Kind,
    record: Any | None,
    values: dict[str, Any],
    rows: list[dict[str, Any]],
    *,
    errors: dict[str, list[str]] | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    user = user_of(request)
    errors = errors or {}
    for row in rows:
        row["errors"] = [m for name in _row_error_keys(row) for m in errors.get(name, [])]
    channel_errors = [m for key in CHANNEL_LISTS for m in errors.get(key, [])]
    shown = {
        *kind.text_fields,
        *CHANNEL_LISTS,
        "relationship",
        "tags",
        "birthday",
        "company_id",
        *(f"custom.{key}" for key in customfields.fields_for(kind.record_type)),
        *(["owner_id"] if visibility.may_assign(user) else []),
        *(name for row in rows for name in _row_error_keys(row)),
    }
    hidden = [m for name, ms in errors.items() if name and name not in shown for m in ms]
    if hidden:  # errors of fields this form does not show (a hand-made post) go on top
        errors = {**errors, "": [*errors.get("", []), *hidden]}
    context = {
        "kind": kind,
        "record": record,
        "values": values,
        "rows": rows,
        "errors": errors,
        "channel_errors": channel_errors,
        "conflict": conflict,
        "relationships": Relationship.choices,
        "channel_kinds": [(k, ChannelKind(k).label) for k in EDITABLE_KINDS],
        "custom_inputs": custom_inputs.inputs(
            customfields.fields_for(kind.record_type).values(), values.get("custom") or {}
        ),
        "may_assign": visibility.may_assign(user),
        "owners": [(u.pk, u.display_name) for u in users_for(user)]
        if visibility.may_assign(user)
        else [],
        "company_name": _company_name(user, record, values.get("company_id"))
        if kind is CONTACT
        else "",
        "field_names": {name: name for name in kind.text_fields},
    }
    return render_page(request, "customers/form.html", context, status=status)


def _form(request: HttpRequest, kind: Kind, record_id: int | None) -> HttpResponse:
    user = user_of(request)
    record = kind.get(user, record_id) if record_id is not None else None
    visibility.require(user, kind.record_type, "edit" if record else "create")
    if request.method == "GET":
        if record is None:
            return _render_form(request, kind, None, {"relationship": Relationship.PROSPECT}, [])
        values, rows = _values_of(kind, record)
        return _render_form(request, kind, record, values, rows)
    data, rows = form_data(request, kind, record)
    try:
        if any(row["key"] == "channel_kind" for row in rows):
            raise ValidationFailed.on("channel_kind", _("Choose a kind from the list."))
        if record is None:
            saved = kind.create(actor=actor_of(request), data=data)
        else:
            saved = kind.update(
                actor=actor_of(request),
                version=data.pop("version"),
                data=data,
                **{kind.id_arg: record.pk},
            )
    except (ValidationFailed, Conflict) as exc:
        conflict = exc.message if isinstance(exc, Conflict) else ""
        errors = field_errors(exc) if isinstance(exc, ValidationFailed) else {}
        return _render_form(
            request,
            kind,
            record,
            _posted_values(request, kind, record),
            rows,
            errors=errors,
            conflict=conflict,
            status=error_status(exc),
        )
    messages.success(request, _("Saved."))
    return redirect(kind.url("detail"), saved.pk)


@require_http_methods(["GET", "POST"])
@page
def contact_create(request: HttpRequest) -> HttpResponse:
    return _form(request, CONTACT, None)


@require_http_methods(["GET", "POST"])
@page
def contact_edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    return _form(request, CONTACT, contact_id)


@require_http_methods(["GET", "POST"])
@page
def company_create(request: HttpRequest) -> HttpResponse:
    return _form(request, COMPANY, None)


@require_http_methods(["GET", "POST"])
@page
def company_edit(request: HttpRequest, company_id: int) -> HttpResponse:
    return _form(request, COMPANY, company_id)


# --- delete -----------------------------------------------------------------------


def _delete(request: HttpRequest, kind: Kind, record_id: int) -> HttpResponse:
    kind.delete(actor=actor_of(request), **{kind.id_arg: record_id})
    messages.success(request, _("Archived. Its card can restore it."))
    return redirect(kind.url("list"))


@require_POST
@page
def contact_delete(request: HttpRequest, contact_id: int) -> HttpResponse:
    return _delete(request, CONTACT, contact_id)


@require_POST
@page
def company_delete(request: HttpRequest, company_id: int) -> HttpResponse:
    return _delete(request, COMPANY, company_id)


# --- the duplicate hint -------------------------------------------------------------


@require_GET
@page
def contact_duplicates(request: HttpRequest) -> HttpResponse:
    """Visible contacts that already have one of the typed e-mails or phones."""
    user = user_of(request)
    exclude = id_param(request.GET, "duplicates_exclude")
    kinds = request.GET.getlist("channel_kind")
    values = request.GET.getlist("channel_value")
    hits: list[dict[str, Any]] = []
    seen: set[int] = set()
    for kind, value in list(zip(kinds, values, strict=False))[:MAX_CHECKED_CHANNELS]:
        value = value.strip()
        if kind not in (ChannelKind.EMAIL, ChannelKind.PHONE) or not value or len(value) > 200:
            continue
        if kind == ChannelKind.EMAIL and "@" not in value:
            continue
        try:
            found = selectors.contact_list(user, q=value, limit=3).items
        except ValidationFailed:
            continue
        for contact in found:
            if contact.pk == exclude or contact.pk in seen:
                continue
            seen.add(contact.pk)
            hits.append({"contact": contact, "kind": kind, "value": value})
    return render_page(request, "customers/_duplicates.html", {"hits": hits})
