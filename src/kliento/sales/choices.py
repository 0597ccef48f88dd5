from django.db import models
from django.utils.translation import gettext_lazy as _


class StageKind(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class ReasonKind(models.TextChoices):
    WON = "won", _("Won reason")
    LOST = "lost", _("Lost reason")


class LeadChannel(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    CALL = "call", _("Call")
    EMAIL = "email", _("E-mail")
    WALK_IN = "walk_in", _("Walk-in")
    OTHER = "other", _("Other")


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    WORKING = "working", _("Working")
    QUALIFIED = "qualified", _("Qualified")
    DISQUALIFIED = "disqualified", _("Disqualified")
    CONVERTED = "converted", _("Converted")
