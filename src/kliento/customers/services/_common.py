"""Input cleaning and child-row writing shared by the company and contact services.

Services take plain dicts (from the API, lead conversion, imports), so every
value is checked here again: type, length, normal form. All problems are
collected and reported together as field errors; nothing is written before
the whole input is clean.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from kliento.core import inputs
from kliento.core.errors import ErrorCollector
from kliento.core.models import User
from kliento.customers.choices import ChannelKind, Relationship
from kliento.customers.models import Channel, Company, Contact, ImportantDate, Tag
from kliento.customers.normalize import normalize_email, normalize_phone

MAX_LIST_ITEMS = 50
CHANNEL_LISTS: dict[str, str] = {
    "emails": ChannelKind.EMAIL,
    "phones": ChannelKind.PHONE,
    "messengers": ChannelKind.MESSENGER,
    "addresses": ChannelKind.ADDRESS,
}
SHARED_TEXT = (
    "region",
    "industry",
    "segment",
    "source",
    "source_campaign",
    "source_ad",
    "source_keyword",
    "notes",
    "impressions",
)
SHARED_KEYS = frozenset(
    {*SHARED_TEXT, "relationship", "tags", "important_dates", "custom", "owner_id", *CHANNEL_LISTS}
)

Customer = Company | Contact


@dataclass
class ChannelIn:
    kind: str
    value: str
    normalized: str
    label: str
    is_primary: bool


@dataclass
class Cleaned:
    """What a create or update will write; None for parts the input did not mention."""

    fields: dict[str, Any] = field(default_factory=dict)
    channels: dict[str, list[ChannelIn]] = field(default_factory=dict)
    tags: list[str] | None = None
    dates: list[dict[str, Any]] | None = None
    owner: User | None = None


def clean_texts(
    data: Mapping[str, Any],
    names: Iterable[str],
    model: type[Company] | type[Contact],
    errors: ErrorCollector,
    out: Cleaned,
) -> None:
    """The optional text fields `data` names, each within its column's length."""
    for name in names:
        if name in data:
            text = inputs.column_text(model, name, data[name], errors)
            if text is not None:
                out.fields[name] = text


def clean_shared(
    data: Mapping[str, Any],
    model: type[Company] | type[Contact],
    record_type: str,
    current: Customer | None,
    user: User,
    errors: ErrorCollector,
    out: Cleaned,
) -> None:
    """Classification, source, notes, channels, tags, dates, custom values and owner."""
    clean_texts(data, SHARED_TEXT, model, errors, out)
    if "relationship" in data:
        value = data["relationship"]
        if value not in Relationship.values:
            errors.add(
                "relationship",
                _("Must be one of: %(choices)s.") % {"choices": ", ".join(Relationship.values)},
            )
        else:
            out.fields["relationship"] = value
    for key, kind in CHANNEL_LISTS.items():
        if key in data:
            channels = clean_channels(data[key], key, kind, errors)
            if channels is not None:
                out.channels[kind] = channels
    if "tags" in data:
        out.tags = clean_tags(data["tags"], errors)
    if "important_dates" in data:
        out.dates = clean_dates(data["important_dates"], errors)
    if "custom" in data or current is None:
        # A new record must still satisfy required custom fields.
        values = inputs.custom(
            record_type, data.get("custom"), errors, current=current.custom if current else None
        )
        if values is not None:
            out.fields["custom"] = values
    out.owner = inputs.owner(
        user, data, errors, current=current.owner_id if current is not None else None
    )


def _is_short_list(value: Any, key: str, errors: ErrorCollector) -> bool:
    if not isinstance(value, list):
        errors.add(key, _("Must be a list."))
        return False
    if len(value) > MAX_LIST_ITEMS:
        errors.add(key, _("At most %(max)d entries.") % {"max": MAX_LIST_ITEMS})
        return False
    return True


def clean_channels(
    value: Any, key: str, kind: str, errors: ErrorCollector
) -> list[ChannelIn] | None:
    if not _is_short_list(value, key, errors):
        return None
    before = len(errors.errors)
    items: list[ChannelIn] = []
    seen: set[str] = set()
    for i, item in enumerate(value):
        where = f"{key}.{i}"
        if not isinstance(item, Mapping):
            errors.add(where, _("Must be an object with value, label and is_primary."))
            continue
        for extra in set(item) - {"value", "label", "is_primary"}:
            errors.add(f"{where}.{extra}", _("Unknown field."))
        raw = inputs.column_text(
            Channel, "value", item.get("value"), errors, where=f"{where}.value", required=True
        )
        label = inputs.column_text(
            Channel, "label", item.get("label"), errors, where=f"{where}.label"
        )
        primary = inputs.boolean(item.get("is_primary", False), f"{where}.is_primary", errors)
        if raw is None or label is None or primary is None:
            continue
        try:
            normalized = normal_form(kind, raw)
        except ValueError as exc:
            errors.add(f"{where}.value", str(exc))
            continue
        if normalized in seen:
            errors.add(f"{where}.value", _("Listed twice."))
            continue
        seen.add(normalized)
        # E-mails and phones are kept in their normal form; other kinds as typed.
        stored = normalized if kind in (ChannelKind.EMAIL, ChannelKind.PHONE) else raw
        items.append(ChannelIn(kind, stored, normalized, label, primary))
    if len(errors.errors) > before:
        return None
    primaries = [c for c in items if c.is_primary]
    if len(primaries) > 1:
        errors.add(key, _("Only one entry can be primary."))
        return None
    if items and not primaries:
        items[0].is_primary = True
    return items


def normal_form(kind: str, value: str) -> str:
    if kind == ChannelKind.EMAIL:
        return normalize_email(value)
    if kind == ChannelKind.PHONE:
        return normalize_phone(value)
    return " ".join(value.casefold().split())[:300]


def clean_tags(value: Any, errors: ErrorCollector) -> list[str] | None:
    if not isinstance(value, list):
        errors.add("tags", _("Must be a list of tag names."))
        return None
    if len(value) > MAX_LIST_ITEMS:
        errors.add("tags", _("At most %(max)d tags.") % {"max": MAX_LIST_ITEMS})
        return None
    before = len(errors.errors)
    names: list[str] = []
    for i, raw in enumerate(value):
        name = inputs.column_text(Tag, "name", raw, errors, where=f"tags.{i}", required=True)
        if name is not None and name not in names:
            names.append(name)
    return names if len(errors.errors) == before else None


def clean_dates(value: Any, errors: ErrorCollector) -> list[dict[str, Any]] | None:
    if not _is_short_list(value, "important_dates", errors):
        return None
    out: list[dict[str, Any]] = []
    for i, item in enumerate(value):
        where = f"important_dates.{i}"
        if not isinstance(item, Mapping):
            errors.add(where, _("Must be an object with label, date and recurring."))
            continue
        for extra in set(item) - {"label", "date", "recurring"}:
            errors.add(f"{where}.{extra}", _("Unknown field."))
        label = inputs.column_text(
            ImportantDate, "label", item.get("label"), errors, where=f"{where}.label", required=True
        )
        date = inputs.date(item.get("date"), f"{where}.date", errors)
        recurring = inputs.boolean(item.get("recurring", True), f"{where}.recurring", errors)
        if label is not None and date is not None and recurring is not None:
            out.append({"label": label, "date": date, "recurring": recurring})
    return out


# --- writing ---------------------------------------------------------------------------


def owner_link(instance: Customer) -> dict[str, Any]:
    return {"contact": instance} if isinstance(instance, Contact) else {"company": instance}


def write_children(instance: Customer, cleaned: Cleaned) -> None:
    """Replace each child list the input named; untouched lists stay as they were."""
    link = owner_link(instance)
    for kind, channels in cleaned.channels.items():
        Channel.objects.filter(kind=kind, **link).delete()
        Channel.objects.bulk_create(
            Channel(
                kind=kind,
                value=c.value,
                normalized=c.normalized,
                label=c.label,
                is_primary=c.is_primary,
                **link,
            )
            for c in channels
        )
    if cleaned.tags is not None:
        existing = {t.name: t for t in Tag.objects.filter(name__in=cleaned.tags)}
        missing = [Tag(name=n) for n in cleaned.tags if n not in existing]
        if missing:
            Tag.objects.bulk_create(missing, ignore_conflicts=True)
            existing = {t.name: t for t in Tag.objects.filter(name__in=cleaned.tags)}
        instance.tags.set([existing[n] for n in cleaned.tags])
    if cleaned.dates is not None:
        ImportantDate.objects.filter(**link).delete()
        ImportantDate.objects.bulk_create(ImportantDate(**d, **link) for d in cleaned.dates)


def primary_of(channels: list[ChannelIn]) -> str:
    return next((c.value for c in channels if c.is_primary), "")


# --- audit -----------------------------------------------------------------------------


def children_snapshot(instance: Customer) -> dict[str, Any]:
    """Channels, tags and dates as plain lists, for before -> after audit rows."""
    link = owner_link(instance)
    out: dict[str, Any] = {key: [] for key in CHANNEL_LISTS}
    by_kind = {kind: key for key, kind in CHANNEL_LISTS.items()}
    for c in Channel.objects.filter(**link).order_by("id"):
        if c.kind in by_kind:
            out[by_kind[c.kind]].append(
                {"value": c.value, "label": c.label, "is_primary": c.is_primary}
            )
    out["tags"] = sorted(instance.tags.values_list("name", flat=True))
    out["important_dates"] = [
        {"label": d.label, "date": d.date.isoformat(), "recurring": d.recurring}
        for d in ImportantDate.objects.filter(**link).order_by("id")
    ]
    return out
