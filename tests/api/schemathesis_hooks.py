"""Hooks of the schemathesis run (SCHEMATHESIS_HOOKS=tests.api.schemathesis_hooks).

A well-behaved client sends a fresh `Idempotency-Key` with each new request; the
generator would reuse one value ("0") across different bodies, which the API
rightly refuses (422). A valid key is made unique; a malformed one is kept, so
that the refusal of a bad key is still tested.
"""

from __future__ import annotations

import uuid
from typing import Any

import schemathesis

HEADER = "Idempotency-Key"


@schemathesis.hook
def before_call(ctx: Any, case: Any, **kwargs: Any) -> None:
    key = (case.headers or {}).get(HEADER)
    if isinstance(key, str) and key.strip() and len(key.strip()) <= 200:
        case.headers[HEADER] = uuid.uuid4().hex
