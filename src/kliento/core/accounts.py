"""Users and teams: the first administrator of a new install, and user management."""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from kliento.core import audit, first_run, inputs, signin
from kliento.core.actors import Actor
from kliento.core.choices import AuditAction, Role
from kliento.core.errors import ErrorCollector, NotFound, ValidationFailed
from kliento.core.models import ApiToken, Team, User
from kliento.core.pagination import Page, keyset_page
from kliento.core.rights import require_admin
from kliento.core.tokens import token_issue, token_revoke
from kliento.core.visibility import forget_rights


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
        admin = User.objects.create_user(
            username=username, password=password, email=email.strip(), role=Role.ADMIN
        )
        first_run.run(Actor.of_user(admin))
        return admin


# --- user and team management (administrators only) ----------------------------------

USER_FIELDS = ("first_name", "last_name", "email", "role", "team_id", "language", "time_zone")
USER_CHANGES = (*USER_FIELDS, "is_active")


def _audit(
    actor: Actor, action: str, record_type: str, pk: int, changes: Mapping[str, Any]
) -> None:
    # Users, teams, rights and tokens are not customer records (no entry in core.records):
    # their audit rows carry a record type of their own.
    if action == AuditAction.UPDATE and not changes:
        return
    audit.record_of(actor, action, record_type, pk, changes)


def users_admin_list(
    user: User, *, active: bool | None = None, cursor: str | None = None, limit: int = 50
) -> Page[User]:
    """Every user, inactive ones too, by username (the unique username index pages it)."""
    require_admin(user)
    queryset = User.objects.select_related("team")
    if active is not None:
        queryset = queryset.filter(is_active=active)
    return keyset_page(
        queryset,
        ordering="username",
        allowed={"username": "username"},
        default="username",
        cursor=cursor,
        limit=limit,
    )


def user_admin_get(user: User, user_id: int) -> User:
    require_admin(user)
    found = User.objects.select_related("team").filter(pk=user_id).first()
    if found is None:
        raise NotFound(_("Not found."))
    return found


def _clean_user(
    data: Mapping[str, Any], errors: ErrorCollector, *, creating: bool
) -> dict[str, Any]:
    """The valid user fields of `data`; `creating` also fills the absent ones that need a value."""
    # One helper a field, each adding its value to `out` when it is valid; the order of the
    # calls is the order in which errors are reported.
    out: dict[str, Any] = {}
    _clean_names(data, errors, out, creating=creating)
    _clean_email(data, errors, out, creating=creating)
    _clean_role(data, errors, out, creating=creating)
    _clean_team(data, errors, out)
    _clean_language(data, errors, out, creating=creating)
    _clean_time_zone(data, errors, out, creating=creating)
    _clean_is_active(data, errors, out)
    return out


def _clean_names(
    data: Mapping[str, Any], errors: ErrorCollector, out: dict[str, Any], *, creating: bool
) -> None:
    for name in ("first_name", "last_name"):
        if name in data or creating:
            value = inputs.text(data.get(name), name, 150, errors)
            if value is not None:
                out[name] = value


def _clean_email(
    data: Mapping[str, Any], errors: ErrorCollector, out: dict[str, Any], *, creating: bool
) -> None:
    if "email" not in data and not creating:
        return
    email = inputs.text(data.get("email"), "email", 254, errors)
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            errors.add("email", _("Enter a valid e-mail address."))
        else:
            out["email"] = email
    elif email is not None:
        out["email"] = ""


def _clean_role(
    data: Mapping[str, Any], errors: ErrorCollector, out: dict[str, Any], *, creating: bool
) -> None:
    if "role" not in data and not creating:
        return
    role = data.get("role") or Role.MANAGER
    if role not in Role.values:
        errors.add("role", _("Not a known role."))
    else:
        out["role"] = role


def _clean_team(data: Mapping[str, Any], errors: ErrorCollector, out: dict[str, Any]) -> None:
    # Checked only when given, creating too: user_create always passes it, None is no team.
    if "team_id" not in data:
        return
    team_id = data.get("team_id")
    if team_id is not None and (
        not inputs.is_int(team_id) or not Team.objects.filter(pk=team_id).exists()
    ):
        errors.add("team_id", _("Not a known team."))
    else:
        out["team_id"] = team_id


def _clean_language(
    data: Mapping[str, Any], errors: ErrorCollector, out: dict[str, Any], *, creating: bool
) -> None:
    if "language" not in data and not creating:
        return
    language = data.get("language") or "en"
    if language not in dict(settings.LANGUAGES):
        errors.add("language", _("Not a language Kliento speaks."))
    else:
        out["language"] = language


def _clean_time_zone(
    data: Mapping[str, Any], errors: ErrorCollector, out: dict[str, Any], *, creating: bool
) -> None:
    if "time_zone" not in data and not creating:
        return
    zone = data.get("time_zone") or "UTC"
    if not isinstance(zone, str) or zone not in zoneinfo.available_timezones():
        errors.add("time_zone", _("Not a known time zone (e.g. Europe/Riga)."))
    else:
        out["time_zone"] = zone


def _clean_is_active(data: Mapping[str, Any], errors: ErrorCollector, out: dict[str, Any]) -> None:
    if "is_active" not in data:
        return
    if not isinstance(data["is_active"], bool):
        errors.add("is_active", _("Must be true or false."))
    else:
        out["is_active"] = data["is_active"]


def _keeps_an_admin(user: User, values: Mapping[str, Any], errors: ErrorCollector) -> None:
    """Refuse to demote or deactivate the last active administrator."""
    was_admin = user.is_active and user.role == Role.ADMIN
    stays_admin = values.get("is_active", user.is_active) and (
        values.get("role", user.role) == Role.ADMIN
    )
    if not was_admin or stays_admin:
        return
    others = (
        User.objects.select_for_update().filter(role=Role.ADMIN, is_active=True).exclude(pk=user.pk)
    )
    if not list(others.values_list("pk", flat=True)[:1]):
        field = "is_active" if not values.get("is_active", True) else "role"
        errors.add(field, _("Kliento needs at least one active administrator; this is the last."))


def user_create(
    *,
    actor: Actor,
    username: str,
    password: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    role: str = Role.MANAGER,
    team_id: int | None = None,
    language: str = "en",
    time_zone: str = "UTC",
) -> User:
    """A new user who signs in with `username` and `password`."""
    require_admin(actor.user)
    errors = ErrorCollector()
    name = inputs.text(username, "username", 150, errors, required=True)
    if name:
        try:
            User.username_validator(name)
        except DjangoValidationError:
            errors.add(
                "username", _("Use letters, digits and @/./+/-/_ only (no spaces or quotes).")
            )
    values = _clean_user(
        {
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "role": role,
            "team_id": team_id,
            "language": language,
            "time_zone": time_zone,
        },
        errors,
        creating=True,
    )
    if not isinstance(password, str):
        errors.add("password", _("Must be text."))
    else:
        _check_password(password, User(username=name or "", **values), errors)
    errors.raise_if_any()
    with transaction.atomic():
        if User.objects.filter(username=name).exists():
            raise ValidationFailed.on("username", _("This username is taken."))
        user = User.objects.create_user(username=name or "", password=password, **values)
        _audit(actor, AuditAction.CREATE, "user", user.pk, {"username": name, **values})
    return user


def user_update(*, actor: Actor, user_id: int, changes: Mapping[str, Any]) -> User:
    """Change a user's name, e-mail, role, team, language, time zone or active flag.

    The last active administrator can be neither demoted nor deactivated. The
    new role's rights apply from the user's next request.
    """
    require_admin(actor.user)
    errors = ErrorCollector()
    for key in changes:
        if key not in USER_CHANGES:
            errors.add(key, _("Unknown field."))
    values = _clean_user(changes, errors, creating=False)
    errors.raise_if_any()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            raise NotFound(_("Not found."))
        _keeps_an_admin(user, values, errors)
        errors.raise_if_any()
        before = {k: getattr(user, k) for k in values}
        for key, value in values.items():
            setattr(user, key, value)
        if values:
            user.save(update_fields=[k.removesuffix("_id") for k in values])
        _audit(
            actor,
            AuditAction.UPDATE,
            "user",
            user.pk,
            {k: [before[k], v] for k, v in values.items() if before[k] != v},
        )
    forget_rights(user)
    if actor.user is not None and actor.user.pk == user.pk:
        for key, value in values.items():
            setattr(actor.user, key, value)
        forget_rights(actor.user)
    return user


def user_set_password(*, actor: Actor, user_id: int, password: str) -> User:
    """Give a user a new password (their other sessions end at their next request)."""
    require_admin(actor.user)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            raise NotFound(_("Not found."))
        errors = ErrorCollector()
        if not isinstance(password, str) or not password:
            errors.add("password", _("Enter a password."))
        else:
            _check_password(password, user, errors)
        errors.raise_if_any()
        user.set_password(password)
        user.save(update_fields=["password"])
        _audit(actor, AuditAction.UPDATE, "user", user.pk, {"password": ["***", "***"]})
    return user


def user_signin_unlock(*, actor: Actor, user_id: int) -> int:
    """Lift a sign-in lock on a user's account; how many failures were forgotten (audited)."""
    require_admin(actor.user)
    with transaction.atomic():
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            raise NotFound(_("Not found."))
        forgotten = signin.clear_failures(user.username)
        if forgotten:
            _audit(actor, AuditAction.UPDATE, "user", user.pk, {"failed_sign_ins": [forgotten, 0]})
    return forgotten


def teams_admin_list(user: User) -> list[tuple[Team, int]]:
    """Every team with its number of active members (a few rows: teams are few)."""
    require_admin(user)
    rows = Team.objects.annotate(
        members_count=Count("members", filter=Q(members__is_active=True))
    ).order_by("name", "id")
    return [(team, team.members_count) for team in rows]


def team_admin_get(user: User, team_id: int) -> Team:
    require_admin(user)
    found = Team.objects.filter(pk=team_id).first()
    if found is None:
        raise NotFound(_("Not found."))
    return found


def _clean_team_name(name: object, errors: ErrorCollector, team: Team | None) -> str | None:
    cleaned = inputs.text(name, "name", 120, errors, required=True)
    if cleaned:
        taken = Team.objects.filter(name=cleaned)
        if team is not None:
            taken = taken.exclude(pk=team.pk)
        if taken.exists():
            errors.add("name", _("Another team has this name."))
            return None
    return cleaned


def team_create(*, actor: Actor, name: str) -> Team:
    require_admin(actor.user)
    errors = ErrorCollector()
    cleaned = _clean_team_name(name, errors, None)
    errors.raise_if_any()
    try:
        with transaction.atomic():
            team = Team.objects.create(name=cleaned or "")
            _audit(actor, AuditAction.CREATE, "team", team.pk, {"name": cleaned})
    except IntegrityError:  # created at the same moment by someone else
        raise ValidationFailed.on("name", _("Another team has this name.")) from None
    return team


def team_update(*, actor: Actor, team_id: int, name: str) -> Team:
    """Rename a team."""
    require_admin(actor.user)
    try:
        with transaction.atomic():
            team = Team.objects.select_for_update().filter(pk=team_id).first()
            if team is None:
                raise NotFound(_("Not found."))
            errors = ErrorCollector()
            cleaned = _clean_team_name(name, errors, team)
            errors.raise_if_any()
            before = team.name
            team.name = cleaned or ""
            team.save(update_fields=["name"])
            _audit(actor, AuditAction.UPDATE, "team", team.pk, {"name": [before, team.name]})
    except IntegrityError:
        raise ValidationFailed.on("name", _("Another team has this name.")) from None
    return team


# --- API tokens of every user (administrators only) ------------------------------------


def tokens_admin_list(user: User) -> list[ApiToken]:
    """The tokens still valid, of every user, newest first (revoked ones stay for the audit)."""
    require_admin(user)
    return list(
        ApiToken.objects.select_related("user")
        .filter(revoked_at__isnull=True)
        .order_by("-created_at", "-id")[:500]
    )


def token_create(*, actor: Actor, name: str) -> tuple[ApiToken, str]:
    """A token of the administrator; its key is returned once and never stored."""
    user = require_admin(actor.user)
    errors = ErrorCollector()
    cleaned = inputs.text(name, "name", 100, errors, required=True)
    errors.raise_if_any()
    with transaction.atomic():
        token, key = token_issue(user=user, name=cleaned or "")
        _audit(actor, AuditAction.CREATE, "api_token", token.pk, {"name": token.name})
    return token, key


def token_revoke_any(*, actor: Actor, token_id: int) -> ApiToken:
    """Revoke any user's token; it stops working at once."""
    require_admin(actor.user)
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
        if token is None:
            raise NotFound(_("Not found."))
        if token.revoked_at is None:
            token_revoke(token=token)
            _audit(actor, AuditAction.DELETE, "api_token", token.pk, {"name": token.name})
    return token
