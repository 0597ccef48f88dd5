"""What a new install gets when its first administrator is created.

Each app registers its own step in `ready()` (the sales app: a default pipeline and
reasons), so that a fresh install can work at once; core names none of them. Each step
leaves an install that already has what it would create as it is.
"""

from __future__ import annotations

from collections.abc import Callable

from kliento.core.actors import Actor

Step = Callable[[Actor], object]  # what a step returns is its own business
_steps: list[Step] = []


def register(step: Step) -> None:
    if step not in _steps:
        _steps.append(step)


def run(actor: Actor) -> None:
    """Run every step as the first administrator, inside the caller's transaction."""
    for step in _steps:
        step(actor)
