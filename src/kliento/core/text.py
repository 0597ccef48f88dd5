"""Search keys (how names are stored for prefix search and compared) and unsafe characters."""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

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


# C0 and C1 controls (U+0000–U+001F, U+007F–U+009F), the bidirectional embeddings,
# overrides and isolates (U+202A–U+202E, U+2066–U+2069) and lone surrogates, which no
# database can store as UTF-8. Tab, line feed and carriage return are allowed only
# where a text may have several lines.
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BIDI = "\u202a-\u202e\u2066-\u2069"
_SURROGATES = "\ud800-\udfff"
_UNSAFE_IN_LINE = re.compile(f"[{_CONTROLS}\t\n\r{_BIDI}{_SURROGATES}]")
_UNSAFE_IN_TEXT = re.compile(f"[{_CONTROLS}{_BIDI}{_SURROGATES}]")


def _unsafe(multiline: bool) -> re.Pattern[str]:
    return _UNSAFE_IN_TEXT if multiline else _UNSAFE_IN_LINE


def first_unsafe_char(text: str, *, multiline: bool = False) -> str | None:
    """The first control or text-direction character in `text`, or None if it has none."""
    found = _unsafe(multiline).search(text)
    return found.group() if found else None


def strip_unsafe_chars(text: str, *, multiline: bool = False) -> str:
    """`text` without its control and text-direction characters."""
    return _unsafe(multiline).sub("", text)


def unsafe_text_problem(text: str, *, multiline: bool = False) -> str | None:
    """Why `text` cannot be stored as typed text (a message for the user), or None if it can.

    Such characters have no place in names and titles: an escape sequence or a
    right-to-left override shown in a list, an export or a terminal disguises what
    the text says. Tabs and line breaks are allowed where a text has several lines.
    """
    found = first_unsafe_char(text, multiline=multiline)
    if found is None:
        return None
    if found == "\x00":
        return _("Must not contain NUL characters.")
    return _("Must not contain control or text-direction characters (found U+%(code)04X).") % {
        "code": ord(found)
    }
