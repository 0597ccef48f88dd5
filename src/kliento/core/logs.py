"""Logging set-up: no credential reaches a log, whoever writes the line.

Credentials arrive in places the code does not control: with DEBUG on, ninja
logs a whole `Authorization: Token kl_…` header it does not understand, a
traceback may quote a header, a URL may carry a `?token=`. Rather than trust
every library, each log record is cleaned when it is created (a record factory),
before any handler, filter or test capture sees it: API tokens, the value after
an authorization scheme, and secret-looking query or form parameters are
replaced by "[redacted]".
"""

from __future__ import annotations

import logging
import logging.config
import re
from typing import Any

REDACTED = "[redacted]"

_PATTERNS = (
    # Kliento's own API tokens, wherever they appear.
    (re.compile(r"\bkl_[A-Za-z0-9_\-]{6,}"), "kl_" + REDACTED),
    # The credential after an authorization scheme (a header quoted in a message).
    (
        re.compile(r"\b(Bearer|Token|Basic|Digest)\s+[^\s'\",;]{8,}", re.IGNORECASE),
        r"\1 " + REDACTED,
    ),
    # key=value pairs of query strings, form bodies and cookies.
    (
        re.compile(
            r"\b(password\d?|passwd|secret|token|api_key|apikey|key|sessionid|csrftoken)"
            r"=[^&\s'\";]+",
            re.IGNORECASE,
        ),
        r"\1=" + REDACTED,
    ),
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a malformed call: leave it for the handler to report
        return
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, ()
    if record.exc_info and not record.exc_text:
        # Formatters reuse exc_text, so the traceback is cleaned once, here.
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


def _install_factory() -> None:
    current = logging.getLogRecordFactory()
    if getattr(current, "redacts", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        redact_record(record)
        return record

    factory.redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def configure(config: dict[str, Any]) -> None:
    """LOGGING_CONFIG: Django's dictConfig, with every record cleaned of credentials."""
    _install_factory()
    logging.config.dictConfig(config)
