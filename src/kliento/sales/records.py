"""How leads and deals describe themselves to the rest of Kliento (core.records)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kliento.core.choices import Role, Scope
from kliento.core.models import User
from kliento.core.records import GROUPED, STAMP, WRITTEN, Field, RecordSpec
from kliento.core.rights import Rights
from kliento.sales.models import Deal, DealParticipant, Lead

LEAD = "lead"
DEAL = "deal"

_OWN_WORK = Rights(Scope.OWN, can_create=True, can_edit=True)


def deal_participants(user: User) -> Q:
    """A deal is also visible to the users who take part in it.

    An IN list read from the (user, deal) index: a few rows, found at once.
    """
    return Q(pk__in=DealParticipant.objects.filter(user_id=user.pk).values("deal_id"))


LEAD_SPEC = RecordSpec(
    name=LEAD,
    model=Lead,
    label=_("Lead"),
    plural=_("Leads"),
    icon="target",
    api_resource="leads",
    detail_url="sales:lead-detail",
    default_rights={
        Role.MANAGER: _OWN_WORK,
        Role.MARKETER: Rights(Scope.ALL, can_create=True, can_edit=True, can_export=True),
    },
    declared_fields=(
        Field("title", WRITTEN, sort="index", index="lead_title_key"),
        Field("status", WRITTEN | GROUPED, sort="bounded", index="lead_status"),
        Field("channel", WRITTEN | GROUPED, sort="bounded", index="lead_channel"),
        Field("source", WRITTEN | GROUPED, sort="bounded", index="lead_source"),
        Field("first_name", WRITTEN, personal=True),
        Field("last_name", WRITTEN, personal=True),
        Field("company_name", WRITTEN),
        Field("email", WRITTEN, personal=True),
        Field("phone", WRITTEN, personal=True),
        Field("utm_source", WRITTEN),
        Field("utm_medium", WRITTEN),
        Field("utm_campaign", WRITTEN),
        Field("utm_term", WRITTEN),
        Field("utm_content", WRITTEN),
        Field("referrer", WRITTEN),
        Field("keyword", WRITTEN),
        Field("budget_amount", WRITTEN | {"sum"}, type="money"),
        Field("budget_currency", WRITTEN | {"group"}),
        Field("authority", WRITTEN),
        Field("need", WRITTEN),
        Field("timeline", WRITTEN),
        Field("owner", WRITTEN | GROUPED, sort="bounded", index="lead_owner"),
        Field("team", GROUPED, index="lead_team"),
        Field("contact", frozenset({"export", "rule"})),
        Field("company", frozenset({"export", "rule"})),
        Field("created_at", STAMP, sort="index", index="lead_created"),
        Field("converted_at", frozenset({"export", "rule"})),
    ),
    timeline=True,
    order=30,
)

DEAL_SPEC = RecordSpec(
    name=DEAL,
    model=Deal,
    label=_("Deal"),
    plural=_("Deals"),
    icon="handshake",
    api_resource="deals",
    detail_url="sales:deal-detail",
    default_rights={
        Role.MANAGER: _OWN_WORK,
        Role.SERVICE_AGENT: Rights(Scope.ALL),
    },
    declared_fields=(
        Field("title", WRITTEN, sort="index", index="deal_title_key"),
        Field("pipeline", GROUPED | {"imports"}, ref="pipeline", index="deal_pipeline"),
        Field("stage", GROUPED | {"imports"}, sort="bounded", ref="stage", index="deal_stage"),
        Field("status", GROUPED, index="deal_status_created"),
        Field(
            "amount", WRITTEN | {"filter", "sum"}, sort="index", type="money", index="deal_amount"
        ),
        Field("currency", WRITTEN | {"group"}),
        Field("company", WRITTEN | GROUPED, sort="bounded"),
        Field("contact", WRITTEN | GROUPED),
        Field("lead", frozenset({"export", "rule"})),
        Field("start_date", WRITTEN),
        Field("expected_close_date", WRITTEN | {"filter"}, sort="index", index="deal_close_date"),
        Field("closed_at", STAMP),
        Field("stage_entered_at", frozenset({"export", "rule"})),
        Field("won_reason", GROUPED, ref="reason"),
        Field("lost_reason", GROUPED, ref="reason"),
        Field("reason_text", frozenset({"export"})),
        Field("lost_at_stage", GROUPED, ref="stage"),
        Field("owner", WRITTEN | GROUPED, sort="bounded", index="deal_owner_created"),
        Field("team", GROUPED, index="deal_team_created"),
        Field("created_at", STAMP, sort="index", index="deal_created"),
    ),
    timeline=True,
    order=40,
    extra_visibility=deal_participants,
)
