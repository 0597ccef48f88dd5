"""The query plans of the paged reads a piece of code issues, on either database."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def page_plans(
    run: Callable[[], object], table: str | None = None, *, bitmaps: bool = False
) -> list[str]:
    """The plans of the `LIMIT`ed SELECTs `run` issues (only those from `table`, if given).

    On PostgreSQL a tiny test table makes a scan cheapest, so scans, sorts and (unless
    `bitmaps`: how it joins two indexes for an OR) bitmap scans are priced out: the
    plan shows which index would serve the query at scale.
    """
    with CaptureQueriesContext(connection) as ctx:
        run()
    plans = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute(f"SET LOCAL enable_bitmapscan = {'on' if bitmaps else 'off'}")
        for query in ctx.captured_queries:
            sql = query["sql"]
            if not sql.startswith("SELECT") or "LIMIT" not in sql:
                continue
            if table is not None and f'FROM "{table}"' not in sql:
                continue
            prefix = "EXPLAIN " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
            cursor.execute(prefix + sql)
            plans.append("\n".join(str(row[-1]) for row in cursor.fetchall()))
    return plans
