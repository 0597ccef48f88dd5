"""The `kliento` command."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kliento.settings.dev")
    if args and args[0] == "manage":
        from django.core.management import execute_from_command_line

        execute_from_command_line(["kliento manage", *args[1:]])
        return 0
    print("usage: kliento manage ...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
