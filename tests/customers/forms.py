"""What the contact and company forms post: no channel rows filled, `fields` on top."""

from __future__ import annotations

from typing import Any

_CHANNELS = {"channel_kind": ["email"], "channel_label": [""], "channel_value": [""]}


def contact_form(**fields: Any) -> dict[str, Any]:
    base = {"first_name": "", "last_name": "", "relationship": "prospect", "tags": ""}
    return {**base, **_CHANNELS, **fields}


def company_form(**fields: Any) -> dict[str, Any]:
    base = {"name": "", "website": "", "relationship": "prospect", "tags": ""}
    return {**base, **_CHANNELS, **fields}
