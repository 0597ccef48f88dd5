"""In-process domain events: a lower app publishes, a higher app subscribes in ready()."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

Handler = Callable[..., None]
_handlers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(name: str, handler: Handler) -> None:
    if handler not in _handlers[name]:
        _handlers[name].append(handler)


def publish(name: str, **payload: Any) -> None:
    """Call every handler now, inside the publisher's transaction."""
    for handler in list(_handlers[name]):
        handler(**payload)
