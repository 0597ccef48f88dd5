"""Search keys: how names are stored for prefix search and compared."""

from __future__ import annotations

import unicodedata

MAX_CHAR = "\U0010ffff"


def search_key(*parts: str) -> str:
    """The lower-cased, space-normalised form a name is searched and sorted by."""
    text = " ".join(p for p in parts if p)
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(text.split())


def prefix_range(prefix: str) -> tuple[str, str]:
    """[low, high) bounds that match every key starting with `prefix`.

    A range on a plain index is what both SQLite and PostgreSQL serve fast;
    LIKE 'x%' is a scan on SQLite and on non-C collations (FACTS.md).
    """
    low = search_key(prefix)
    return low, low + MAX_CHAR
