from django.db import models
from django.utils.translation import gettext_lazy as _


class Relationship(models.TextChoices):
    COLD = "cold", _("Cold contact")
    PROSPECT = "prospect", _("Prospect")
    CUSTOMER = "customer", _("Customer")
    FORMER = "former", _("Former customer")
    PARTNER = "partner", _("Partner")


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    MESSENGER = "messenger", _("Messenger")
    ADDRESS = "address", _("Address")
    WEBSITE = "website", _("Web site")
