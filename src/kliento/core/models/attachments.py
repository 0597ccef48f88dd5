"""Files attached to any record type, stored through Django's storage API."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name never uses the uploaded name: no path tricks, no collisions.
    return f"attachments/{instance.record_type}/{instance.record_id}/{instance.sha256[:16]}"


class Attachment(models.Model):
    """A file on a contact, company, lead, deal or activity."""

    record_type = models.CharField(max_length=20)
    record_id = models.BigIntegerField()
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["record_type", "record_id", "-created_at"], name="attachment_record"
            ),
        ]
