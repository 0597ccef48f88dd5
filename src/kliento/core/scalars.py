"""Plain values read from untrusted text: whole numbers and well-formed Unicode.

`"²".isdigit()` is True while `int("²")` raises, and `int("٣")` is 3; a number beyond
64 bits reaches SQLite as an OverflowError. So a whole number from a URL, a form or a
cursor is ASCII digits only (an optional minus where negatives make sense), of bounded
length, inside the range a database column holds. A lone surrogate decodes from JSON
(`"\\ud800"`) and fails only when the database driver encodes it: text from a cursor is
checked to be well-formed before it reaches a query.
"""

from __future__ import annotations

import re

MAX_INT = 2**63 - 1  # a signed 64-bit column: every id and whole number the databases store
MIN_INT = -(2**63)
MAX_ID = MAX_INT
# 19 digits hold every 64-bit value; re.ASCII keeps \d from matching other scripts' digits.
_WHOLE = re.compile(r"-?\d{1,19}", re.ASCII)


def parse_int(text: str, *, minimum: int = MIN_INT, maximum: int = MAX_INT) -> int | None:
    """The whole number `text` spells in ASCII digits within [minimum, maximum], else None.

    No blanks, no "+", no underscores, no other scripts' digits: only what a form or a
    link of ours would send.
    """
    if not _WHOLE.fullmatch(text):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def parse_id(text: str) -> int | None:
    """A record's id (a positive 64-bit whole number) from text, else None."""
    return parse_int(text, minimum=1, maximum=MAX_ID)


def well_formed(text: str) -> bool:
    """Whether `text` can be stored: valid Unicode (no lone surrogates) without NUL."""
    if "\x00" in text:  # PostgreSQL refuses NUL in text
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
