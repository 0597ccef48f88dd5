"""Factories of the sales tests: pipelines with stages, reasons, leads and deals."""

from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone

from kliento.core.models import User
from kliento.core.text import search_key
from kliento.sales.choices import ReasonKind, StageKind
from kliento.sales.models import Deal, DealReason, Lead, Pipeline, Stage

WINDOW_STAGES = [
    ("First call", StageKind.OPEN, 10),
    ("Measurement", StageKind.OPEN, 30),
    ("Approval", StageKind.OPEN, 60),
    ("Won", StageKind.WON, 100),
    ("Lost", StageKind.LOST, 0),
]


class PipelineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pipeline

    name = factory.Sequence(lambda n: f"Pipeline {n}")


def make_pipeline(name: str | None = None, stages: list[tuple[str, str, int]] | None = None):
    pipeline = PipelineFactory(**({"name": name} if name else {}))
    for position, (stage_name, kind, probability) in enumerate(stages or WINDOW_STAGES):
        Stage.objects.create(
            pipeline=pipeline,
            name=stage_name,
            position=position,
            kind=kind,
            probability=probability,
        )
    return pipeline


def stage_of(pipeline: Pipeline, name: str) -> Stage:
    return Stage.objects.get(pipeline=pipeline, name=name)


class DealReasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DealReason

    kind = ReasonKind.WON
    name = factory.Sequence(lambda n: f"Reason {n}")


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    title = factory.Sequence(lambda n: f"Lead {n}")
    title_key = factory.LazyAttribute(lambda o: search_key(o.title))
    first_name = "Anna"
    last_name = "Bērziņa"
    company_name = "Logi SIA"
    email = factory.Sequence(lambda n: f"lead{n}@example.com")
    team = factory.LazyAttribute(lambda o: o.owner.team)


class DealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deal

    title = factory.Sequence(lambda n: f"Deal {n}")
    title_key = factory.LazyAttribute(lambda o: search_key(o.title))
    stage = factory.LazyAttribute(
        lambda o: o.pipeline.stages.filter(kind=StageKind.OPEN).order_by("position").first()
    )
    status = factory.LazyAttribute(lambda o: o.stage.kind)
    team = factory.LazyAttribute(lambda o: o.owner.team)
    currency = "EUR"
    stage_entered_at = factory.LazyFunction(timezone.now)


def deal_for(owner: User, pipeline: Pipeline, **kwargs: Any) -> Deal:
    return DealFactory(owner=owner, pipeline=pipeline, **kwargs)
