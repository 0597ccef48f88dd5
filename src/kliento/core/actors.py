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
    # Whose rights apply: the user, the token's user, or the user a rule or an import
    # acts for.
    user: User | None = None
    label: str = ""
    # The event that led to this write (a rule's trigger); its events name it as cause.
    cause: int | None = None

    @classmethod
    def of_user(cls, user: User) -> Actor:
        return cls(kind=ActorKind.USER, user=user, label=user.username)

    @classmethod
    def of_token(cls, user: User, token_name: str) -> Actor:
        return cls(kind=ActorKind.TOKEN, user=user, label=f"{user.username} ({token_name})")

    @classmethod
    def of_rule(cls, owner: User, rule_name: str, *, cause: int | None = None) -> Actor:
        """An automation rule acting on behalf of its owner, with the owner's rights."""
        return cls(kind=ActorKind.RULE, user=owner, label=rule_name, cause=cause)

    @classmethod
    def of_import(cls, user: User, import_name: str) -> Actor:
        """An import run by a user, with that user's rights."""
        return cls(kind=ActorKind.IMPORT, user=user, label=import_name)

    @classmethod
    def system(cls, label: str = "system", *, cause: int | None = None) -> Actor:
        return cls(kind=ActorKind.SYSTEM, label=label, cause=cause)
