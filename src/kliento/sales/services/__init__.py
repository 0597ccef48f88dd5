"""Writes of the sales app; each service is one transaction with its audit rows."""

from kliento.sales.services.deals import (
    deal_create,
    deal_delete,
    deal_move,
    deal_set_participants,
    deal_update,
)
from kliento.sales.services.leads import lead_convert, lead_create, lead_delete, lead_update
from kliento.sales.services.pipelines import (
    deal_reason_create,
    deal_reason_update,
    pipeline_create,
    pipeline_update,
)

__all__ = [
    "deal_create",
    "deal_delete",
    "deal_move",
    "deal_reason_create",
    "deal_reason_update",
    "deal_set_participants",
    "deal_update",
    "lead_convert",
    "lead_create",
    "lead_delete",
    "lead_update",
    "pipeline_create",
    "pipeline_update",
]
