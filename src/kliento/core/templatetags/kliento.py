"""Template helpers every page uses: icons, money, initials, query strings."""

from __future__ import annotations

import decimal
import functools
import re
from typing import Any

from django import template
from django.contrib.staticfiles import finders
from django.http import QueryDict
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_NAME = re.compile(r"^[a-z0-9-]+$")


@functools.cache
def _svg(name: str) -> str:
    if not _NAME.match(name):
        raise template.TemplateSyntaxError(f"bad icon name {name!r}")
    path = finders.find(f"kliento/vendor/icons/{name}.svg")
    if not path:
        raise template.TemplateSyntaxError(f"no icon {name!r}; run `python3 dev.py setup`")
    with open(str(path), encoding="utf-8") as fh:
        svg = _COMMENT.sub("", fh.read()).strip()
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


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    if hasattr(mapping, "get"):
        return mapping.get(key)
    return None


@register.simple_tag
def field_error_id(name: str) -> str:
    return format_html("err-{}", re.sub(r"[^a-zA-Z0-9_-]", "-", name))
