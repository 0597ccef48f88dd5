"""Users and teams: the first administrator of a new install, and user management."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kliento.core.choices import Role
from kliento.core.errors import ErrorCollector, ValidationFailed
from kliento.core.models import User


def admin_exists() -> bool:
    return User.objects.filter(role=Role.ADMIN, is_active=True).exists()


def _check_password(password: str, user: User | None, errors: ErrorCollector) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        for message in exc.messages:
            errors.add("password", message)


def first_admin_create(*, username: str, password: str, email: str = "") -> User:
    """The first administrator of a new install; refused once any administrator exists."""
    errors = ErrorCollector()
    username = username.strip()
    if not username:
        errors.add("username", _("Enter a username."))
    elif len(username) > 150:
        errors.add("username", _("At most 150 characters."))
    if len(email) > 254:
        errors.add("email", _("At most 254 characters."))
    _check_password(password, None, errors)
    errors.raise_if_any()
    with transaction.atomic():
        if admin_exists():
            raise ValidationFailed(_("Kliento already has an administrator; sign in instead."))
        if User.objects.filter(username=username).exists():
            raise ValidationFailed.on("username", _("This username is taken."))
        return User.objects.create_user(
            username=username, password=password, email=email.strip(), role=Role.ADMIN
        )
