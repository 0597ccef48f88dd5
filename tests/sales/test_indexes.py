"""One stage's deals (the kanban column) is a range scan of an index, not a scan and sort."""

from __future__ import annotations

from django.db import connection

from kliento.core.pagination import union_page
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

    def capture(queryset, parts, **kwargs):
        captured["qs"] = queryset.order_by("-created_at", "-pk")[:51]
        return union_page(queryset, parts, **kwargs)

    monkeypatch.setattr(selectors, "union_page", capture)
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


def test_a_managers_stage_page_reads_each_part_from_an_index_in_order(
    manager, colleague, pipeline, monkeypatch
):
    # given deals of the manager's own, and deals the manager takes part in
    stage = pipeline.stages.first()
    for i in range(4):
        deal_for(manager if i % 2 else colleague, pipeline)
    captured = {}

    def capture(queryset, parts, **kwargs):
        captured["parts"] = [queryset.filter(p).order_by("-created_at", "-pk")[:51] for p in parts]
        return union_page(queryset, parts, **kwargs)

    monkeypatch.setattr(selectors, "union_page", capture)
    selectors.deals_list(
        manager,
        filters=selectors.DealFilters(stage=stage.pk),
        params={},
        ordering=None,
        cursor=None,
        limit=50,
    )

    # then one's own deals of the stage are one index range, newest first, with no sort
    own = _plan(captured["parts"][0])
    assert "deal_stage_owner_at" in own, own
    assert "TEMP B-TREE" not in own.upper(), own
    assert "Sort" not in own or "Incremental" in own, own
    assert len(captured["parts"]) == 2  # and the deals one takes part in, on their own
