"""The pipeline as a kanban board: a column per stage, cards that load as you scroll, moves."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kliento.core import visibility
from kliento.core.choices import Scope
from kliento.core.errors import Conflict, ErrorCollector, NotFound, ValidationFailed
from kliento.core.models import User
from kliento.core.pagination import Page
from kliento.core.selectors import teams_for, users_for
from kliento.core.web.pages import (
    actor_of,
    error_status,
    field_errors,
    page,
    render_page,
    user_of,
)
from kliento.core.web.params import id_field, id_param, safe_next
from kliento.sales import selectors, services
from kliento.sales.models import Deal, Pipeline, Stage
from kliento.sales.records import DEAL
from kliento.sales.views.cards import CardContext, CardRenderer
from kliento.sales.views.deals import LinkNames, link_names, reasons_by_kind

COLUMN_SIZE = 20
TEMPLATE = "sales/board.html"


def _sees_more(user: User) -> bool:
    """Whether the role sees more than its own deals (and so may filter by owner or team)."""
    return visibility.rights(user, DEAL).scope in (Scope.TEAM, Scope.ALL)


def _filters(params: QueryDict, user: User) -> selectors.DealFilters:
    """The board's owner and team filters (for roles that see more than their own deals)."""
    if not _sees_more(user):
        return selectors.DealFilters()
    return selectors.DealFilters(owner=id_param(params, "owner"), team=id_param(params, "team"))


def _column(
    user: User, stage: Stage, filters: selectors.DealFilters, cursor: str | None
) -> Page[Deal]:
    return selectors.deals_list(
        user,
        filters=selectors.DealFilters(stage=stage.pk, owner=filters.owner, team=filters.team),
        params={},
        ordering=None,
        cursor=cursor,
        limit=COLUMN_SIZE,
    )


def _card_context(
    request: HttpRequest,
    user: User,
    names: LinkNames,
    stages: list[Stage],
    filters: selectors.DealFilters,
    pipeline: Pipeline,
    *,
    may_edit: bool | None = None,
) -> CardContext:
    query = _filter_query(filters)
    return CardContext(
        names=names,
        stages=stages,
        today=timezone.localdate(),
        may_edit=visibility.rights(user, DEAL).can_edit if may_edit is None else may_edit,
        csrf_token=get_token(request),
        back_url=f"{reverse('sales:board')}?pipeline={pipeline.pk}"
        + (f"&{query}" if query else ""),
    )


def _pipeline(pipelines: list[Pipeline], params: QueryDict) -> Pipeline | None:
    """The pipeline asked for (404 if there is none such), else the first one."""
    pk = id_param(params, "pipeline")
    if pk is not None:
        for pipeline in pipelines:
            if pipeline.pk == pk:
                return pipeline
        raise NotFound(_("Not found."))
    return pipelines[0] if pipelines else None


def _filter_query(filters: selectors.DealFilters) -> str:
    parts = [f"{k}={v}" for k, v in (("owner", filters.owner), ("team", filters.team)) if v]
    return "&".join(parts)


@require_GET
@page
def board(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    pipelines = list(selectors.pipelines_list(user, active=True))
    status = 200
    try:
        filters = _filters(request.GET, user)
    except ValidationFailed as exc:
        filters, errors, status = selectors.DealFilters(), field_errors(exc), error_status(exc)
    else:
        errors = {}
    pipeline = _pipeline(pipelines, request.GET)
    columns = []
    names = LinkNames()
    if pipeline is not None:
        stages = list(pipeline.stages.all())
        totals = selectors.stage_totals(user, pipeline.pk, filters)
        pages = [_column(user, stage, filters, None) for stage in stages]
        names = link_names(user, [deal for p in pages for deal in p.items])
        render = CardRenderer(_card_context(request, user, names, stages, filters, pipeline))
        columns = [
            {
                "stage": stage,
                "totals": totals[stage.pk],
                "page": found,
                "cards": render.cards(found.items),
            }
            for stage, found in zip(stages, pages, strict=True)
        ]
    wide = _sees_more(user)
    context = {
        "pipelines": pipelines,
        "pipeline": pipeline,
        "columns": columns,
        "names": names,
        "filters": filters,
        "filter_query": _filter_query(filters),
        "owners": list(users_for(user)) if wide else [],
        "teams": list(teams_for(user)) if wide else [],
        "errors": errors,
        "today": timezone.localdate(),
        "reasons": reasons_by_kind(user) if pipeline is not None else {},
        "may_edit": visibility.rights(user, DEAL).can_edit,
        "may_create": visibility.rights(user, DEAL).can_create,
    }
    return render_page(request, TEMPLATE, context, status=status)


@require_GET
@page
def board_column(request: HttpRequest, pipeline_id: int, stage_id: int) -> HttpResponse:
    """The next cards of one column (after `cursor`), with the sentinel that loads the rest."""
    user = user_of(request)
    pipeline = selectors.pipeline_get(user, pipeline_id)
    stage = next((s for s in pipeline.stages.all() if s.pk == stage_id), None)
    if stage is None:
        raise NotFound(_("Not found."))
    try:
        filters = _filters(request.GET, user)
        found = _column(user, stage, filters, request.GET.get("cursor") or None)
    except ValidationFailed as exc:
        return render_page(
            request,
            TEMPLATE,
            {"errors": field_errors(exc)},
            partial="column-error",
            status=error_status(exc),
        )
    names = link_names(user, found.items)
    stages = list(pipeline.stages.all())
    render = CardRenderer(_card_context(request, user, names, stages, filters, pipeline))
    context = {
        "pipeline": pipeline,
        "stage": stage,
        "page": found,
        "cards": render.cards(found.items),
        "filter_query": _filter_query(filters),
    }
    return render_page(request, TEMPLATE, context, partial="cards")


@require_POST
@page
def deal_move(request: HttpRequest, deal_id: int) -> HttpResponse:
    """Move a deal to another stage (a drop on the board, or the "Move to" form).

    htmx/fetch callers get the moved card and both column heads (out of band) or, on a
    409/422, the message; a plain form is redirected back, or shown the form again with
    the reason fields when the target stage needs a reason.
    """
    user = user_of(request)
    deal = selectors.deal_get(user, deal_id)  # 404 before anything else
    errors = ErrorCollector()
    post = request.POST
    stage_id = id_field(post.get("stage_id"), "stage_id", errors, required=True)
    version = id_field(post.get("version"), "version", errors, required=True)
    won = id_field(post.get("won_reason_id"), "won_reason_id", errors)
    lost = id_field(post.get("lost_reason_id"), "lost_reason_id", errors)
    htmx = bool(getattr(request, "htmx", False))
    try:
        errors.raise_if_any()
        assert stage_id is not None and version is not None
        moved = services.deal_move(
            actor=actor_of(request),
            deal_id=deal.pk,
            stage_id=stage_id,
            version=version,
            won_reason_id=won,
            lost_reason_id=lost,
            reason_text=post.get("reason_text", ""),
        )
    except (ValidationFailed, Conflict) as exc:
        return _move_failed(request, deal, exc, htmx)
    if not htmx:
        return redirect(safe_next(request, reverse("sales:deal-detail", args=[deal.pk])))
    return _move_done(request, deal, moved)


def _move_failed(
    request: HttpRequest, deal: Deal, exc: ValidationFailed | Conflict, htmx: bool
) -> HttpResponse:
    status = error_status(exc)
    errors = field_errors(exc) if isinstance(exc, ValidationFailed) else {"": [exc.message]}
    if htmx:
        answer = {"message": exc.message, "errors": errors}
        return render_page(request, TEMPLATE, answer, partial="move-error", status=status)
    user = user_of(request)
    pipeline = selectors.pipeline_get(user, deal.pipeline_id)
    post = request.POST
    target = next((s for s in pipeline.stages.all() if str(s.pk) == post.get("stage_id")), None)
    context: dict[str, object] = {
        "deal": deal,
        "pipeline": pipeline,
        "target": target,
        "errors": errors,
        "conflict": isinstance(exc, Conflict),
        "values": {k: post.get(k, "") for k in ("stage_id", "version", "reason_text", "next")},
        "reason_value": post.get("won_reason_id") or post.get("lost_reason_id") or "",
        "reasons": reasons_by_kind(user),
    }
    return render_page(request, "sales/deal_move.html", context, status=status)


def _move_done(request: HttpRequest, before: Deal, moved: Deal) -> HttpResponse:
    user = user_of(request)
    pipeline = selectors.pipeline_get(user, moved.pipeline_id)
    try:
        filters = _filters(request.POST, user)
    except ValidationFailed:
        filters = selectors.DealFilters()
    totals = selectors.stage_totals(user, pipeline.pk, filters)
    stages = {s.pk: s for s in pipeline.stages.all()}
    heads = [
        {"stage": stages[pk], "totals": totals[pk]}
        for pk in (before.stage_id, moved.stage_id)
        if pk in stages
    ]
    names = link_names(user, [moved])
    render = CardRenderer(
        _card_context(request, user, names, list(stages.values()), filters, pipeline, may_edit=True)
    )
    context = {"card": render.card(moved), "heads": heads}
    return render_page(request, TEMPLATE, context, partial="moved")
