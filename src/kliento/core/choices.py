"""Enumerations shared by every domain app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    HEAD_OF_SALES = "head_of_sales", _("Head of sales")
    MANAGER = "manager", _("Manager")
    MARKETER = "marketer", _("Marketer")
    SERVICE_AGENT = "service_agent", _("Service agent")
    READ_ONLY = "read_only", _("Read-only")


class Scope(models.TextChoices):
    NONE = "none", _("Nothing")
    OWN = "own", _("Own records")
    TEAM = "team", _("Own team's records")
    ALL = "all", _("All records")


class ActorKind(models.TextChoices):
    USER = "user", _("User")
    TOKEN = "token", _("API token")
    IMPORT = "import", _("Import")
    RULE = "rule", _("Automation rule")
    SYSTEM = "system", _("System")


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    ARCHIVE = "archive", _("Archived")
    RESTORE = "restore", _("Restored")
