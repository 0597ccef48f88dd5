from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    TASK = "task", _("Task")
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    NOTE = "note", _("Note")
    EMAIL = "email", _("E-mail")


class Outcome(models.TextChoices):
    NONE = "", _("Not recorded")
    SUCCESSFUL = "successful", _("Successful")
    FAILED = "failed", _("Failed")
    NO_ANSWER = "no_answer", _("No answer")
    RESCHEDULED = "rescheduled", _("Rescheduled")
