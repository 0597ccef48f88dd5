"""Template helpers every page uses: icons, money, initials, query strings."""

from __future__ import annotations

import decimal
import functools
import re
from pathlib import Path
from typing import Any

from django import template
from django.http import QueryDict
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_NAME = re.compile(r"^[a-z0-9-]+$")


# Not among the static files: the icons are inlined, never requested (dev.py unpacks them).
ICONS = Path(__file__).resolve().parent.parent / "icons"


def icon_path(name: str) -> Path:
    return ICONS / f"{name}.svg"


@functools.cache
def _svg(name: str) -> str:
    if not _NAME.match(name):
        raise template.TemplateSyntaxError(f"bad icon name {name!r}")
    path = icon_path(name)
    if not path.exists():
        raise template.TemplateSyntaxError(f"no icon {name!r}; run `python3 dev.py setup`")
    svg = _COMMENT.sub("", path.read_text(encoding="utf-8")).strip()
    svg = re.sub(r">\s+<", "><", re.sub(r"\s+", " ", svg))
    # The icon is decoration: the text beside it (or an aria-label) says what it is.
    return svg.replace("<svg", '<svg aria-hidden="true" focusable="false"', 1)


@register.simple_tag
def icon(name: str) -> SafeString:
    """An icon from the lucide set, inlined so it takes no request and obeys CSS colour."""
    return mark_safe(_svg(name))  # noqa: S308 - a file of the installed icon set, never user input


@register.filter
def money(amount: Any, currency: str = "") -> str:
    """An amount in the active locale's digits and separators, with its currency code."""
    if amount is None or amount == "":
        return ""
    value = decimal.Decimal(str(amount))
    places = 0 if value == value.to_integral_value() else 2
    text = number_format(value, places, use_l10n=True, force_grouping=True)
    return f"{text} {currency}".strip()


@register.filter
def initials(name: str) -> str:
    parts = [p for p in str(name or "").split() if p]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


@register.simple_tag(takes_context=True)
def query(context: template.Context, **changes: Any) -> str:
    """The current query string with `changes` applied (None drops a key); for links."""
    request = context.get("request")
    params = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for key, value in changes.items():
        params.pop(key, None)
        if value not in (None, ""):
            params[key] = str(value)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag
def sort_link(current: str, column: str) -> str:
    """The ordering a column header asks for: ascending first, then descending."""
    return f"-{column}" if current == column else column


@register.inclusion_tag("core/_sort_header.html", takes_context=True)
def sort_header(
    context: template.Context, column: str, label: str, css: str = "", keep_q: bool = True
) -> dict[str, Any]:
    """A sortable column header: a link to sort by it (ascending first, then descending),
    its aria-sort and arrow. `keep_q=False` drops the search (one sorted only by name)."""
    current = str(context.get("ordering") or "")
    state = {column: "ascending", f"-{column}": "descending"}.get(current, "")
    changes: dict[str, Any] = {"ordering": sort_link(current, column), "cursor": None}
    if not keep_q:
        changes["q"] = None
    return {"href": query(context, **changes), "label": label, "css": css, "state": state}


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    if hasattr(mapping, "get"):
        return mapping.get(key)
    return None


@register.simple_tag
def field_error_id(name: str) -> str:
    return format_html("err-{}", re.sub(r"[^a-zA-Z0-9_-]", "-", name))
