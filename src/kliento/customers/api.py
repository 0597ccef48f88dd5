"""REST routes of this app (assembled in kliento/api.py)."""

from ninja import Router

routers: list[tuple[str, Router]] = []
