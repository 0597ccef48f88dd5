"""A worker process that runs only the event dispatcher (core.events.run_dispatcher)."""

from __future__ import annotations

import os
import threading

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    django.setup()
    from kliento.core.events import run_dispatcher

    run_dispatcher(threading.Event(), interval=0.05)


if __name__ == "__main__":
    main()
