"""The pipeline and reasons a new install starts with, so that a first deal can be made at once.

They are ordinary configuration, written through the same services an administrator
uses (and so audited), in the language active when the first administrator is created;
an administrator renames, reorders or removes them in Settings.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kliento.core.actors import Actor
from kliento.sales.choices import ReasonKind, StageKind
from kliento.sales.models import DealReason, Pipeline
from kliento.sales.services.pipelines import deal_reason_create, pipeline_create


def _stages() -> list[dict[str, object]]:
    open_stages = [
        (_("New"), 10, _("The need is understood")),
        (_("Qualified"), 25, _("Budget, decision maker and timing are known")),
        (_("Proposal"), 50, _("The customer has the offer")),
        (_("Negotiation"), 75, _("The terms are agreed")),
    ]
    return [
        *(
            {"name": name, "probability": probability, "expected_result": result}
            for name, probability, result in open_stages
        ),
        {"name": _("Won"), "probability": 100, "kind": StageKind.WON},
        {"name": _("Lost"), "probability": 0, "kind": StageKind.LOST},
    ]


def _reasons() -> list[tuple[str, str]]:
    return [
        (ReasonKind.WON, _("Price")),
        (ReasonKind.WON, _("Quality")),
        (ReasonKind.WON, _("Recommendation")),
        (ReasonKind.LOST, _("Price too high")),
        (ReasonKind.LOST, _("Chose a competitor")),
        (ReasonKind.LOST, _("No budget")),
        (ReasonKind.LOST, _("Stopped answering")),
    ]


def pipeline_install_default(actor: Actor) -> Pipeline | None:
    """A first pipeline "Sales" with its stages, and won and lost reasons; nothing when the
    install already has a pipeline (it was set up before: its configuration is its own)."""
    if Pipeline.objects.exists():
        return None
    pipeline = pipeline_create(actor=actor, data={"name": _("Sales"), "stages": _stages()})
    known = set(DealReason.objects.values_list("kind", "name"))
    for kind, name in _reasons():
        if (kind, name) not in known:
            deal_reason_create(actor=actor, kind=kind, name=name)
    return pipeline
