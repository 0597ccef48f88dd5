"""`kliento manage qcluster`, plus a line per task execution in $KLIENTO_TEST_EXEC_LOG.

Each line is "<task id> <process group>"; every cluster runs in its own group.

The tests count these lines to prove that no task ran twice across workers.
"""

from __future__ import annotations

import os
from typing import Any

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kliento.settings.test")
    django.setup()
    from django_q.signals import pre_execute

    path = os.environ["KLIENTO_TEST_EXEC_LOG"]

    def log_execution(sender: Any, func: Any, task: dict[str, Any], **kwargs: Any) -> None:
        # One short O_APPEND write per line: lines from several processes never interleave.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, f"{task['id']} {os.getpgid(0)}\n".encode())
        finally:
            os.close(fd)

    pre_execute.connect(log_execution, weak=False)
    from kliento.cli import main as kliento

    kliento(["manage", "qcluster"])


if __name__ == "__main__":
    main()
