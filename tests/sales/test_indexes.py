"""One stage's deals (the kanban column) is a range scan of an index, not a scan and sort."""

from __future__ import annotations

from django.db import connection

from kliento.core.pagination import keyset_page
from kliento.sales import selectors
from tests.factories import deal_for


def _plan(queryset) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A tiny test table would be read whole; ask whether an index can serve it at all.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
    return queryset.explain()


def test_one_stage_page_uses_the_stage_index_without_sorting(admin, pipeline, monkeypatch):
    stage = pipeline.stages.first()
    for _ in range(5):
        deal_for(admin, pipeline)
    captured = {}

    def capture(queryset, **kwargs):
        captured["qs"] = queryset.order_by("-created_at", "-pk")[:51]
        return keyset_page(queryset, **kwargs)

    monkeypatch.setattr(selectors, "keyset_page", capture)
    selectors.deals_list(
        admin,
        filters=selectors.DealFilters(stage=stage.pk),
        params={},
        ordering=None,
        cursor=None,
        limit=50,
    )

    plan = _plan(captured["qs"])

    assert "deal_stage" in plan, plan
    assert "TEMP B-TREE" not in plan.upper(), plan
    assert "Sort" not in plan or "Incremental" in plan, plan
