"""Signing in with a password: throttled per account and per address, session rotated.

Recent failures are rows of SignInFailure. When an account (or an address) has
had the allowed number of failures within the lock window, further attempts are
refused without checking the password until the oldest counted failure leaves
the window. Refused attempts are not counted, so a lock ends on its own.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kliento.core.errors import DomainError
from kliento.core.models import SignInFailure, User


class SignInFailed(DomainError):
    """Wrong username or password (never says which)."""

    status = 401


class SignInLocked(DomainError):
    """Too many recent failures: the caller must wait `retry_after` seconds."""

    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def client_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or X-Forwarded-For behind trusted proxies.

    A forwarded-for header is written by whoever sends the request, so only the
    entries appended by our own proxies count: with N proxies in front
    (KLIENTO_TRUSTED_PROXIES), the N-th entry from the right is the client.
    """
    proxies = settings.KLIENTO_TRUSTED_PROXIES
    if proxies > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            try:
                return str(ipaddress.ip_address(hops[-proxies]))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR") or None


def _seconds_until_unlocked(
    failures: list[dt.datetime], limit: int, window: int, now: dt.datetime
) -> int:
    """0 when fewer than `limit` failures lie in the window, else the wait in seconds.

    `failures` are the times in the window, newest first; the lock lifts when the
    limit-th newest leaves the window.
    """
    if limit <= 0 or len(failures) < limit:
        return 0
    expires = failures[limit - 1] + dt.timedelta(seconds=window)
    return max(1, math.ceil((expires - now).total_seconds()))


def _lock_message(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
        "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def check_lock(username: str, address: str | None) -> int:
    """Seconds the caller must wait before trying again (0: may try now)."""
    window = settings.KLIENTO_LOGIN_LOCK_SECONDS
    now = timezone.now()
    since = now - dt.timedelta(seconds=window)
    account_limit = settings.KLIENTO_LOGIN_MAX_FAILURES_ACCOUNT
    wait = _seconds_until_unlocked(
        list(
            SignInFailure.objects.filter(username=username, at__gt=since)
            .order_by("-at")
            .values_list("at", flat=True)[:account_limit]
        ),
        account_limit,
        window,
        now,
    )
    if address:
        address_limit = settings.KLIENTO_LOGIN_MAX_FAILURES_ADDRESS
        wait = max(
            wait,
            _seconds_until_unlocked(
                list(
                    SignInFailure.objects.filter(address=address, at__gt=since)
                    .order_by("-at")
                    .values_list("at", flat=True)[:address_limit]
                ),
                address_limit,
                window,
                now,
            ),
        )
    return wait


def sign_in(request: HttpRequest, username: str, password: str) -> User:
    """Check the password, sign the user in on this request's session (new session key).

    Raises SignInLocked (429) while the account or address is locked and
    SignInFailed (401) for a wrong username or password.
    """
    username = username[:150]
    address = client_address(request)
    wait = check_lock(username, address)
    if wait:
        raise SignInLocked(_lock_message(wait), retry_after=wait)
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User):
        SignInFailure.objects.create(username=username, address=address)
        wait = check_lock(username, address)
        if wait:
            raise SignInLocked(_lock_message(wait), retry_after=wait)
        raise SignInFailed(_("Wrong username or password."))
    # A success clears the account's failures; the address keeps its count so that
    # one valid account cannot be used to reset guessing at others from the same place.
    SignInFailure.objects.filter(username=username).delete()
    login(request, user)  # cycles the session key: no session fixation
    return user


def sign_out(request: HttpRequest) -> None:
    logout(request)
