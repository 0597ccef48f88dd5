"""`Idempotency-Key` on API POSTs: a retry returns the first response and creates nothing.

The key is reserved (a row with no response yet) before the view runs, in its
own committed statement, so a concurrent duplicate collides on the unique
constraint: if the first request has finished its response is replayed,
otherwise the duplicate gets 409 and may retry. Only 2xx JSON responses are
kept; any other outcome frees the key so that a corrected retry can run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.translation import gettext as _

from kliento.core.apikit import REQUEST_LIMITS, request_too_large
from kliento.core.models import IdempotencyKey, User
from kliento.core.tokens import token_authenticate

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
API_PREFIX = "/api/v1/"
# A key is remembered this long; an unfinished reservation this long (a crashed request).
KEEP_SECONDS = 24 * 3600
STALE_RESERVATION_SECONDS = 300


def _error(status: int, detail: str, field: str | None = None) -> JsonResponse:
    errors = [{"field": field, "message": detail}] if field else []
    return JsonResponse({"detail": detail, "errors": errors}, status=status)


def _user_of(request: HttpRequest) -> User | None:
    user = getattr(request, "user", None)
    if isinstance(user, User) and user.is_authenticated:
        return user
    header = request.headers.get("Authorization", "")
    scheme, _sep, key = header.partition(" ")
    if scheme.lower() == "bearer" and key.strip():
        token = token_authenticate(key.strip())
        if token is not None:
            return token.user
    return None


def _request_hash(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update((request.method or "").encode() + b" " + request.get_full_path().encode() + b"\n")
    if request.content_type == "multipart/form-data":
        # Hash the parsed form instead of the raw body: uploads stream to disk and
        # reading `body` would pull a large file into memory.
        for name in sorted(request.POST):
            for value in request.POST.getlist(name):
                digest.update(json.dumps([name, value]).encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest.update(json.dumps([name, upload.name, upload.size]).encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _replay(row: IdempotencyKey) -> HttpResponse:
    response = JsonResponse(row.response, status=row.status_code or 200, safe=False)
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            return _error(
                422,
                _("Idempotency-Key must be 1 to %(max)d characters.") % {"max": MAX_KEY_LENGTH},
                HEADER,
            )
        user = _user_of(request)
        if user is None:
            return self.get_response(request)  # the view answers 401
        try:
            request_hash = _request_hash(request)
        except REQUEST_LIMITS as exc:
            # The view could not read the request again (a half-read multipart stream).
            status, body = request_too_large(exc)
            return JsonResponse(body, status=status)
        except (MultiPartParserError, ValueError):
            return _error(422, _("The multipart body is malformed."), "body")
        row, replay = self._reserve(user, key, request.path, request_hash)
        if replay is not None:
            return replay
        assert row is not None
        try:
            response = self.get_response(request)
        except Exception:
            IdempotencyKey.objects.filter(pk=row.pk).delete()
            raise
        self._finish(row, response)
        return response

    def _reserve(
        self, user: User, key: str, path: str, request_hash: str
    ) -> tuple[IdempotencyKey | None, HttpResponse | None]:
        now = timezone.now()
        for _attempt in range(2):
            try:
                with transaction.atomic():
                    row = IdempotencyKey.objects.create(
                        user=user, key=key, endpoint=path[:300], request_hash=request_hash
                    )
                return row, None
            except IntegrityError:
                pass
            existing = IdempotencyKey.objects.filter(user=user, key=key).first()
            if existing is None:
                continue  # freed meanwhile: try to reserve again
            age = (now - existing.created_at).total_seconds()
            unfinished = existing.status_code is None
            if age > KEEP_SECONDS or (unfinished and age > STALE_RESERVATION_SECONDS):
                IdempotencyKey.objects.filter(
                    pk=existing.pk, created_at=existing.created_at
                ).delete()
                continue
            if existing.request_hash != request_hash:
                return None, _error(
                    422,
                    _("This Idempotency-Key was used with a different request."),
                    HEADER,
                )
            if unfinished:
                response = _error(
                    409, _("A request with this Idempotency-Key is still in progress.")
                )
                response["Retry-After"] = "1"
                return None, response
            return None, _replay(existing)
        return None, _error(409, _("A request with this Idempotency-Key is still in progress."))

    def _finish(self, row: IdempotencyKey, response: HttpResponse) -> None:
        body = self._json_body(response)
        if 200 <= response.status_code < 300 and body is not _NOT_JSON:
            IdempotencyKey.objects.filter(pk=row.pk).update(
                status_code=response.status_code, response=body, completed_at=timezone.now()
            )
        else:
            IdempotencyKey.objects.filter(pk=row.pk).delete()

    @staticmethod
    def _json_body(response: HttpResponse) -> Any:
        if getattr(response, "streaming", False):
            return _NOT_JSON
        if response.status_code == 204:
            return None
        if not response.get("Content-Type", "").startswith("application/json"):
            return _NOT_JSON
        try:
            return json.loads(response.content)
        except ValueError:
            return _NOT_JSON


_NOT_JSON = object()


def purge_expired(now: dt.datetime | None = None) -> int:
    """Forget keys older than KEEP_SECONDS (for a periodic task)."""
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=KEEP_SECONDS)
    deleted, _detail = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
