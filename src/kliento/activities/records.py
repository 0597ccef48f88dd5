"""How activities describe themselves to the rest of Kliento (core.records)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kliento.activities.choices import ActivityKind, Outcome
from kliento.activities.models import Activity
from kliento.core.choices import Role, Scope
from kliento.core.records import GROUPED, STAMP, WRITTEN, Field, RecordSpec
from kliento.core.rights import Rights
from kliento.core.timeline import Entry, Look

ACTIVITY = "activity"

# Everyone who works with customers plans and logs their own calls, meetings and tasks.
_OWN_DIARY = Rights(Scope.OWN, can_create=True, can_edit=True, can_delete=True)

ACTIVITY_SPEC = RecordSpec(
    name=ACTIVITY,
    model=Activity,
    label=_("Activity"),
    plural=_("Activities"),
    icon="list-todo",
    api_resource="activities",
    default_rights={
        Role.MANAGER: _OWN_DIARY,
        Role.MARKETER: _OWN_DIARY,
        Role.SERVICE_AGENT: Rights(Scope.OWN, can_create=True, can_edit=True),
    },
    declared_fields=(
        Field("kind", WRITTEN | GROUPED, sort="bounded", index="activity_owner_kind"),
        Field("subject", WRITTEN, sort="index", index="activity_subject_key"),
        Field("body", frozenset({"export", "imports", "write"})),
        Field("due_at", WRITTEN),
        Field("start_at", WRITTEN),
        Field("end_at", WRITTEN),
        Field("when", STAMP, sort="index", index="activity_when"),
        Field("done", GROUPED, sort="bounded"),
        Field("done_at", frozenset({"export", "rule"})),
        Field("outcome", WRITTEN | GROUPED, sort="bounded", index="activity_kind_outcome"),
        Field("outcome_text", WRITTEN),
        Field("next_step", WRITTEN),
        Field("contact", WRITTEN | GROUPED, index="activity_contact"),
        Field("company", WRITTEN | GROUPED, index="activity_company"),
        Field("deal", WRITTEN | GROUPED, index="activity_deal"),
        Field("lead", WRITTEN | GROUPED, index="activity_lead"),
        Field("deal_stage", GROUPED, ref="stage"),
        Field("owner", WRITTEN | GROUPED, sort="bounded", index="activity_owner_when"),
        Field("team", GROUPED, index="activity_team_when"),
        Field("created_at", frozenset({"export", "rule"}), sort="index", index="activity_created"),
    ),
    order=50,
)


_ICONS: dict[str, str] = {
    ActivityKind.CALL: "phone",
    ActivityKind.TASK: "square-check",
    ActivityKind.MEETING: "calendar",
    ActivityKind.NOTE: "sticky-note",
    ActivityKind.EMAIL: "mail",
}
# Labels stay lazy here: each entry is shown in the language of its request.
_KINDS: dict[str, str | Promise] = dict(ActivityKind.choices)
_OUTCOMES: dict[str, str | Promise] = {value: label for value, label in Outcome.choices if value}


def timeline_look(entry: Entry) -> Look:
    """An activity on a card's timeline: the icon and name of its kind, and its outcome."""
    kind = str(entry.data.get("activity_kind", ""))
    outcome = str(entry.data.get("outcome") or "")
    return Look(
        icon=_ICONS.get(kind, "history"),
        label=str(_KINDS.get(kind, kind)),
        detail=str(_OUTCOMES.get(outcome, outcome)),
    )
