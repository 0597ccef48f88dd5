"""Typed domain errors; the API and the pages turn them into 404/409/422 in one place."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FieldError:
    field: str
    message: str


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    status = 400

    def __init__(self, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors: list[FieldError] = errors or []


class ValidationFailed(DomainError):
    """Input that breaks a rule; nothing was written."""

    status = 422

    @classmethod
    def on(cls, field_name: str, message: str) -> ValidationFailed:
        return cls(message, [FieldError(field_name, message)])


class NotFound(DomainError):
    """The record does not exist or the caller may not see it (never a 403)."""

    status = 404


class Conflict(DomainError):
    """Someone else saved first: the caller's version is stale."""

    status = 409


class PermissionDenied(DomainError):
    """The caller sees the record but may not do this to it."""

    status = 403


@dataclass
class ErrorCollector:
    """Gathers field errors so a service can report them all at once."""

    errors: list[FieldError] = field(default_factory=list)

    def add(self, field_name: str, message: str) -> None:
        self.errors.append(FieldError(field_name, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors[0].message, list(self.errors))
