"""Core tables: people and rights, audit, tokens, and what every record shares."""

from .attachments import Attachment
from .audit import AuditEvent
from .base import Archivable, Owned, TimeStamped, Versioned, WithCustomFields, archive_indexes
from .customfields import CustomField, FieldType
from .events import EventConsumer, EventFailure
from .notifications import Notification, OutboxMessage, OutboxStatus
from .permissions import RolePermission
from .requests import IdempotencyKey, SignInAddress, SignInFailure
from .saved_filters import SavedFilter
from .tokens import ApiToken
from .users import Team, User

__all__ = [
    "ApiToken",
    "Archivable",
    "Attachment",
    "AuditEvent",
    "CustomField",
    "EventConsumer",
    "EventFailure",
    "FieldType",
    "IdempotencyKey",
    "Notification",
    "OutboxMessage",
    "OutboxStatus",
    "Owned",
    "RolePermission",
    "SavedFilter",
    "SignInAddress",
    "SignInFailure",
    "Team",
    "TimeStamped",
    "User",
    "Versioned",
    "WithCustomFields",
    "archive_indexes",
]
