"""Request bookkeeping: idempotent retries and sign-in failures."""

from django.conf import settings
from django.db import models


class IdempotencyKey(models.Model):
    """A POST carrying `Idempotency-Key`: reserved before it runs, its 2xx response kept.

    The row is written first (status_code still null) so that a concurrent
    duplicate collides on the unique constraint instead of creating twice.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    endpoint = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="uniq_idempotency_key"),
        ]


class SignInFailure(models.Model):
    """A failed sign-in; recent rows per account and per address decide a lock."""

    username = models.CharField(max_length=150)
    address = models.GenericIPAddressField(null=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["username", "at"], name="signin_failure_user"),
            models.Index(fields=["address", "at"], name="signin_failure_address"),
        ]


class SignInAddress(models.Model):
    """An address a user has signed in from: their way back in while strangers are locked out."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    address = models.GenericIPAddressField()
    last_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "address"], name="uniq_signin_address"),
        ]
        indexes = [models.Index(fields=["last_at"], name="signin_address_last")]
