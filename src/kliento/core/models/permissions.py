"""Rights per role and record type; admins may change them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kliento.core.choices import Role, Scope


class RolePermission(models.Model):
    """What a role sees (none/own/team/all) of one record type and what it may do there."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    record_type = models.CharField(_("record type"), max_length=20)  # a name in core.records
    scope = models.CharField(_("sees"), max_length=8, choices=Scope.choices, default=Scope.OWN)
    can_create = models.BooleanField(_("may create"), default=False)
    can_edit = models.BooleanField(_("may edit"), default=False)
    can_delete = models.BooleanField(_("may delete"), default=False)
    can_export = models.BooleanField(_("may export"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["role", "record_type"], name="uniq_role_record_type"),
        ]
        verbose_name = _("role permission")
        verbose_name_plural = _("role permissions")
