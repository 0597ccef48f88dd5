"""Signing in with a password: throttled per account and per address, session rotated.

Recent failures are rows of SignInFailure. When an account (or an address) has
had the allowed number of failures within the lock window, further attempts are
refused without checking the password until the oldest counted failure leaves
the window. Refused attempts count too: whoever keeps guessing stays locked.

Anyone who knows a username could thereby keep its owner locked out, so the
owner has two ways back that a stranger cannot block:
- an address the user has signed in from before (SignInAddress) has a limit of
  its own (KLIENTO_LOGIN_MAX_FAILURES_KNOWN) and counts only its own failures,
  so a stranger's guesses elsewhere do not lock it;
- an administrator can unlock the account (settings page, audited).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kliento.core.errors import DomainError
from kliento.core.models import SignInAddress, SignInFailure, User


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


def _wait_for(failures: QuerySet[SignInFailure], limit: int, window: int) -> int:
    now = timezone.now()
    since = now - dt.timedelta(seconds=window)
    times = list(failures.filter(at__gt=since).order_by("-at").values_list("at", flat=True)[:limit])
    return _seconds_until_unlocked(times, limit, window, now)


def _is_known(username: str, address: str | None) -> bool:
    if not address:
        return False
    return SignInAddress.objects.filter(user__username=username, address=address).exists()


def check_lock(username: str, address: str | None) -> int:
    """Seconds the caller must wait before trying again (0: may try now)."""
    window = settings.KLIENTO_LOGIN_LOCK_SECONDS
    failures = SignInFailure.objects.filter(username=username)
    if _is_known(username, address):
        wait = _wait_for(
            failures.filter(address=address), settings.KLIENTO_LOGIN_MAX_FAILURES_KNOWN, window
        )
    else:
        wait = _wait_for(failures, settings.KLIENTO_LOGIN_MAX_FAILURES_ACCOUNT, window)
    if address:
        wait = max(
            wait,
            _wait_for(
                SignInFailure.objects.filter(address=address),
                settings.KLIENTO_LOGIN_MAX_FAILURES_ADDRESS,
                window,
            ),
        )
    return wait


def account_locked(username: str) -> int:
    """Seconds a stranger must wait to try this account (what an administrator may lift)."""
    return check_lock(username, None)


def sign_in(request: HttpRequest, username: str, password: str) -> User:
    """Check the password, sign the user in on this request's session (new session key).

    Raises SignInLocked (429) while the account or address is locked and
    SignInFailed (401) for a wrong username or password.
    """
    username = username[:150]
    address = client_address(request)
    wait = check_lock(username, address)
    if wait:
        # Counted, so that guessing on through a lock keeps it shut.
        SignInFailure.objects.create(username=username, address=address)
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
    if address:
        SignInAddress.objects.update_or_create(
            user=user, address=address, defaults={"last_at": timezone.now()}
        )
    login(request, user)  # cycles the session key: no session fixation
    return user


def clear_failures(username: str) -> int:
    """Forget an account's failures (an administrator's unlock); how many were forgotten."""
    deleted, _detail = SignInFailure.objects.filter(username=username).delete()
    return deleted


def purge_expired(now: dt.datetime | None = None) -> int:
    """Forget failures past the lock window and addresses unused for the known-address period."""
    now = now or timezone.now()
    failures, _detail = SignInFailure.objects.filter(
        at__lt=now - dt.timedelta(seconds=settings.KLIENTO_LOGIN_LOCK_SECONDS)
    ).delete()
    addresses, _detail = SignInAddress.objects.filter(
        last_at__lt=now - dt.timedelta(days=settings.KLIENTO_LOGIN_KNOWN_ADDRESS_DAYS)
    ).delete()
    return failures + addresses


def sign_out(request: HttpRequest) -> None:
    logout(request)
