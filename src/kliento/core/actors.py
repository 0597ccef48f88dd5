"""Who is acting: a user (in the browser or with a token), an import, a rule, the system."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kliento.core.choices import ActorKind

if TYPE_CHECKING:
    from kliento.core.models import User


@dataclass(frozen=True)
class Actor:
    kind: str
    user: User | None = None
    label: str = ""

    @classmethod
    def of_user(cls, user: User) -> Actor:
        return cls(kind=ActorKind.USER, user=user, label=user.username)

    @classmethod
    def of_token(cls, user: User, token_name: str) -> Actor:
        return cls(kind=ActorKind.TOKEN, user=user, label=f"{user.username} ({token_name})")

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(kind=ActorKind.SYSTEM, label=label)
