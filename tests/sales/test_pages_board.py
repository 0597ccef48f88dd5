"""The pipeline board: columns with totals per currency, cards loading as you scroll, moves."""

from __future__ import annotations

import decimal

import pytest
from django.test import Client
from django.urls import reverse

from kliento.core.choices import Role
from kliento.sales.models import Deal, DealParticipant, StageChange
from kliento.sales.selectors import DealFilters, stage_totals
from tests.factories import CompanyFactory, ContactFactory, deal_for, stage_of

HTMX = {"HX-Request": "true"}
D = decimal.Decimal


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _board(client: Client, pipeline, **params):
    return client.get(reverse("sales:board"), {"pipeline": pipeline.pk, **params})


def _move(client: Client, deal: Deal, stage, *, htmx: bool = True, **data):
    form = {"stage_id": stage.pk, "version": deal.version, **data}
    headers = HTMX if htmx else {}
    return client.post(reverse("sales:deal-move", args=[deal.pk]), form, headers=headers)


# --- the columns and their totals -------------------------------------------------------


def test_stage_totals_count_sum_and_weighted_sum_per_currency(admin, pipeline):
    # given deals in two currencies at "First call" (10 %) and one at "Measurement" (30 %)
    first, measurement = stage_of(pipeline, "First call"), stage_of(pipeline, "Measurement")
    deal_for(admin, pipeline, amount=D("1000.00"))
    deal_for(admin, pipeline, amount=D("500.50"))
    deal_for(admin, pipeline, amount=D("200.00"), currency="USD")
    deal_for(admin, pipeline, stage=measurement, amount=D("300.00"))

    # when the totals are read
    totals = stage_totals(admin, pipeline.pk, DealFilters())

    # then each stage has its count and, per currency, the sum and the weighted sum
    assert set(totals) == set(pipeline.stages.values_list("pk", flat=True))
    assert totals[first.pk].count == 3
    assert [(c.currency, c.count, c.amount, c.weighted) for c in totals[first.pk].currencies] == [
        ("EUR", 2, D("1500.50"), D("150.05")),
        ("USD", 1, D("200.00"), D("20.00")),
    ]
    assert [(c.currency, c.amount, c.weighted) for c in totals[measurement.pk].currencies] == [
        ("EUR", D("300.00"), D("90.00"))
    ]
    assert totals[stage_of(pipeline, "Won").pk].count == 0
    assert totals[stage_of(pipeline, "Won").pk].currencies == []


def test_stage_totals_count_only_what_the_user_sees(manager, colleague, pipeline):
    # given the manager's deal, a colleague's deal, and a colleague's deal he takes part in
    deal_for(manager, pipeline, amount=D("100"))
    deal_for(colleague, pipeline, amount=D("1000"))
    shared = deal_for(colleague, pipeline, amount=D("10"))
    DealParticipant.objects.create(deal=shared, user=manager, role="measurer")
    first = stage_of(pipeline, "First call")

    # when the manager (own deals only) reads the totals
    totals = stage_totals(manager, pipeline.pk, DealFilters())

    # then the colleague's other deal is not counted
    assert totals[first.pk].count == 2
    assert totals[first.pk].currencies[0].amount == D("110.00")


def test_stage_totals_of_a_team_scope_add_up_every_visible_part(
    manager, colleague, stranger, pipeline
):
    # given a role that sees its team's deals: the team's, one's own left in another
    # team, and a stranger's deal one takes part in (each part is grouped on its own)
    from kliento.core.models import RolePermission

    RolePermission.objects.create(role=Role.MANAGER, record_type="deal", scope="team")
    deal_for(colleague, pipeline, amount=D("1"))
    deal_for(manager, pipeline, amount=D("10"))
    elsewhere = deal_for(manager, pipeline, amount=D("100"))
    Deal.objects.filter(pk=elsewhere.pk).update(team=stranger.team)
    shared = deal_for(stranger, pipeline, amount=D("1000"))
    DealParticipant.objects.create(deal=shared, user=manager, role="installer")
    deal_for(stranger, pipeline, amount=D("10000"))  # not visible
    first = stage_of(pipeline, "First call")

    totals = stage_totals(manager, pipeline.pk, DealFilters())

    assert totals[first.pk].count == 4
    assert totals[first.pk].currencies[0].amount == D("1111.00")


def test_stage_totals_follow_the_owner_and_team_filters(head, manager, stranger, pipeline):
    deal_for(manager, pipeline, amount=D("100"))
    deal_for(stranger, pipeline, amount=D("7"))
    first = stage_of(pipeline, "First call")

    by_owner = stage_totals(head, pipeline.pk, DealFilters(owner=stranger.pk))
    by_team = stage_totals(head, pipeline.pk, DealFilters(team=manager.team_id))

    assert by_owner[first.pk].currencies[0].amount == D("7.00")
    assert by_team[first.pk].currencies[0].amount == D("100.00")


def _plan(queryset) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A tiny test table would be read whole; ask whether the index can serve it.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
    return queryset.explain()


def test_stage_totals_read_their_index_alone_without_sorting(admin, pipeline):
    from django.db import connection

    from kliento.sales.selectors import _stage_total_groups

    deal_for(admin, pipeline)
    stage_ids = list(pipeline.stages.values_list("pk", flat=True))

    (group,) = _stage_total_groups(admin, stage_ids, DealFilters())
    plan = _plan(group)

    if connection.vendor == "sqlite":
        # With no statistics SQLite's choice is fixed: the covering index, in its order.
        assert "COVERING INDEX deal_stage_totals" in plan
        assert "TEMP B-TREE" not in plan
    else:
        # PostgreSQL picks among indexes by statistics, which a table of one row does
        # not have (bench/ measures it at scale); the query's shape is what holds here:
        # one grouped read per stage, team and currency.
        assert "Group Key: stage_id, team_id, currency" in plan


def test_board_shows_a_column_per_stage_with_its_totals(admin, pipeline):
    deal_for(admin, pipeline, title="Oak windows", amount=D("1200.00"))
    deal_for(admin, pipeline, amount=D("300.00"), currency="USD")

    response = _board(_client(admin), pipeline)

    assert response.status_code == 200
    html = response.content.decode()
    for stage in pipeline.stages.all():
        assert f'data-stage="{stage.pk}"' in html
        assert f'id="col-head-{stage.pk}"' in html
    assert "1,200 EUR" in html and "120 EUR" in html  # the sum and the 10 % weighted sum
    assert "300 USD" in html and "30 USD" in html
    assert "Oak windows" in html
    assert 'id="reason-dialog"' in html
    assert "kliento/vendor/sortable.min.js" in html and "kliento/js/board.js" in html


def test_board_card_marks_a_past_expected_close_date(admin, pipeline):
    import datetime as dt

    late = deal_for(admin, pipeline, expected_close_date=dt.date(2020, 1, 2))

    html = _board(_client(admin), pipeline).content.decode()

    card = html[html.index(f'id="deal-card-{late.pk}"') :]
    card = card[: card.index("</li>")]
    assert "board-card-date overdue" in card
    assert f'data-version="{late.version}"' in card
    assert f'data-record="deal-{late.pk}"' in card


def test_board_hides_deals_the_user_may_not_see(manager, stranger, pipeline):
    mine = deal_for(manager, pipeline)
    theirs = deal_for(stranger, pipeline)

    html = _board(_client(manager), pipeline).content.decode()

    assert f'data-record="deal-{mine.pk}"' in html
    assert f'data-record="deal-{theirs.pk}"' not in html


def test_board_filters_by_owner_for_roles_that_see_more(head, manager, stranger, pipeline):
    mine = deal_for(manager, pipeline)
    theirs = deal_for(stranger, pipeline)

    html = _board(_client(head), pipeline, owner=stranger.pk).content.decode()

    assert f'data-record="deal-{theirs.pk}"' in html
    assert f'data-record="deal-{mine.pk}"' not in html
    assert 'id="board-owner"' in html and 'id="board-team"' in html


def test_a_manager_gets_no_owner_filter_and_it_is_ignored(manager, colleague, pipeline):
    mine = deal_for(manager, pipeline)

    html = _board(_client(manager), pipeline, owner=colleague.pk).content.decode()

    assert 'id="board-owner"' not in html
    assert f'data-record="deal-{mine.pk}"' in html


def test_board_switches_pipelines_an_unknown_one_is_404_and_junk_400(admin, pipeline):
    from tests.factories import make_pipeline

    other = make_pipeline("Doors")
    door = deal_for(admin, other, title="Front door")
    client = _client(admin)

    switched = _board(client, other).content.decode()
    missing = client.get(reverse("sales:board"), {"pipeline": 999999})
    hostile = client.get(reverse("sales:board"), {"pipeline": "1 OR 1=1"})

    assert f'data-record="deal-{door.pk}"' in switched
    assert missing.status_code == 404
    assert hostile.status_code == 400  # not an id at all


def test_board_without_pipelines_explains_what_to_do(admin):
    response = _client(admin).get(reverse("sales:board"))

    assert response.status_code == 200
    assert "There is no active pipeline yet." in response.content.decode()


def test_bad_owner_filter_is_an_error_not_a_crash(head, pipeline):
    response = _board(_client(head), pipeline, owner="<script>alert(1)</script>")

    assert response.status_code == 400
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "Must be an id (a positive whole number)." in html


# --- loading more cards ------------------------------------------------------------------


def test_a_column_shows_20_cards_and_loads_the_rest_when_scrolled(admin, pipeline):
    # given 25 deals in the first stage
    first = stage_of(pipeline, "First call")
    deals = [deal_for(admin, pipeline) for _ in range(25)]
    client = _client(admin)

    # when the board is opened
    html = _board(client, pipeline).content.decode()

    # then the column shows the newest 20 and a sentinel that loads the next ones
    shown = [d for d in deals if f'data-record="deal-{d.pk}"' in html]
    assert len(shown) == 20
    assert 'hx-trigger="revealed"' in html
    start = html.index('class="board-more"')
    url = html[html.index('hx-get="', start) + 8 :]
    url = url[: url.index('"')].replace("&amp;", "&")
    assert url.startswith(reverse("sales:board-column", args=[pipeline.pk, first.pk]))

    # and the sentinel's request brings the other five and no further sentinel
    more = client.get(url, headers=HTMX)
    assert more.status_code == 200
    rest = more.content.decode()
    assert sorted(d.pk for d in deals if f'data-record="deal-{d.pk}"' in rest) == sorted(
        d.pk for d in deals if d not in shown
    )
    assert "board-more" not in rest
    assert "<html" not in rest


def test_a_column_of_another_pipeline_is_404(admin, pipeline):
    from tests.factories import make_pipeline

    other = make_pipeline("Doors")
    url = reverse("sales:board-column", args=[pipeline.pk, other.stages.first().pk])

    assert _client(admin).get(url).status_code == 404


def test_a_tampered_column_cursor_is_a_clear_error(admin, pipeline):
    url = reverse("sales:board-column", args=[pipeline.pk, stage_of(pipeline, "First call").pk])

    response = _client(admin).get(url, {"cursor": "'; DROP TABLE sales_deal; --"}, headers=HTMX)

    assert response.status_code == 422
    assert "The cursor is not valid for this list." in response.content.decode()
    assert Deal.objects.model._meta.db_table  # the table is still there
    assert Deal.objects.count() == 0


# --- moves --------------------------------------------------------------------------------


def test_move_to_the_next_stage_returns_the_card_and_both_headers(admin, pipeline):
    deal = deal_for(admin, pipeline, amount=D("100"))
    first, measurement = stage_of(pipeline, "First call"), stage_of(pipeline, "Measurement")

    response = _move(_client(admin), deal, measurement)

    assert response.status_code == 200
    deal.refresh_from_db()
    assert deal.stage_id == measurement.pk and deal.version == 2
    html = response.content.decode()
    assert f'id="deal-card-{deal.pk}"' in html and 'data-version="2"' in html
    assert f'id="col-head-{first.pk}" hx-swap-oob="true"' in html
    assert f'id="col-head-{measurement.pk}" hx-swap-oob="true"' in html
    assert "30 EUR" in html  # the new weighted sum of "Measurement"
    assert StageChange.objects.filter(deal=deal, to_stage=measurement).count() == 1


def test_a_stale_move_is_a_409_and_changes_nothing(admin, pipeline):
    # given a deal someone else moved after the board was loaded
    deal = deal_for(admin, pipeline)
    stale_version = deal.version
    Deal.objects.filter(pk=deal.pk).update(version=stale_version + 1)
    changes = StageChange.objects.count()

    # when it is dropped on another stage with the version the board had
    deal.version = stale_version
    response = _move(_client(admin), deal, stage_of(pipeline, "Measurement"))

    # then the conflict is explained and nothing changed
    assert response.status_code == 409
    assert "Someone else changed this record" in response.content.decode()
    assert "data-error" in response.content.decode()
    fresh = Deal.objects.get(pk=deal.pk)
    assert fresh.stage_id == stage_of(pipeline, "First call").pk
    assert fresh.version == stale_version + 1
    assert StageChange.objects.count() == changes


def test_moving_to_a_lost_stage_without_a_reason_is_a_422(admin, pipeline, lost_reason):
    deal = deal_for(admin, pipeline)

    response = _move(_client(admin), deal, stage_of(pipeline, "Lost"))

    assert response.status_code == 422
    assert "Not an active reason of this kind." in response.content.decode()
    fresh = Deal.objects.get(pk=deal.pk)
    assert fresh.status == "open" and fresh.version == deal.version


def test_moving_to_a_lost_stage_with_a_reason_closes_the_deal(admin, pipeline, lost_reason):
    deal = deal_for(admin, pipeline)

    response = _move(
        _client(admin),
        deal,
        stage_of(pipeline, "Lost"),
        lost_reason_id=lost_reason.pk,
        reason_text="<script>alert(1)</script>",
    )

    assert response.status_code == 200
    fresh = Deal.objects.get(pk=deal.pk)
    assert fresh.status == "lost" and fresh.lost_reason_id == lost_reason.pk
    assert fresh.reason_text == "<script>alert(1)</script>"
    assert fresh.lost_at_stage_id == stage_of(pipeline, "First call").pk


def test_moving_to_a_won_stage_needs_a_won_reason(admin, pipeline, won_reason, lost_reason):
    deal = deal_for(admin, pipeline)
    client = _client(admin)

    wrong_kind = _move(client, deal, stage_of(pipeline, "Won"), won_reason_id=lost_reason.pk)
    right = _move(client, deal, stage_of(pipeline, "Won"), won_reason_id=won_reason.pk)

    assert wrong_kind.status_code == 422
    assert right.status_code == 200
    assert Deal.objects.get(pk=deal.pk).won_reason_id == won_reason.pk


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("stage_id", "abc"),
        ("stage_id", "'; DROP TABLE sales_deal; --"),
        ("stage_id", "99999999999999999999999"),
        ("version", '=HYPERLINK("http://evil")'),
        ("version", ""),
        ("lost_reason_id", "<script>alert(1)</script>"),
    ],
)
def test_hostile_move_input_is_refused_and_changes_nothing(admin, pipeline, field, value):
    deal = deal_for(admin, pipeline)
    form = {"stage_id": stage_of(pipeline, "Measurement").pk, "version": deal.version}
    form[field] = value

    response = _client(admin).post(reverse("sales:deal-move", args=[deal.pk]), form, headers=HTMX)

    assert response.status_code == 422
    assert "<script>alert(1)</script>" not in response.content.decode()
    fresh = Deal.objects.get(pk=deal.pk)
    assert fresh.stage_id == deal.stage_id and fresh.version == deal.version


def test_a_stage_of_another_pipeline_is_refused(admin, pipeline):
    from tests.factories import make_pipeline

    deal = deal_for(admin, pipeline)
    other = make_pipeline("Doors")

    response = _move(_client(admin), deal, other.stages.last())

    assert response.status_code == 422
    assert Deal.objects.get(pk=deal.pk).stage_id == deal.stage_id


def test_a_plain_form_move_goes_back_to_the_board(admin, pipeline):
    deal = deal_for(admin, pipeline)
    board = reverse("sales:board") + f"?pipeline={pipeline.pk}"

    response = _move(
        _client(admin), deal, stage_of(pipeline, "Measurement"), htmx=False, next=board
    )

    assert response.status_code == 302 and response["Location"] == board
    assert Deal.objects.get(pk=deal.pk).stage_id == stage_of(pipeline, "Measurement").pk


def test_a_plain_form_move_never_redirects_to_another_site(admin, pipeline):
    deal = deal_for(admin, pipeline)

    response = _move(
        _client(admin),
        deal,
        stage_of(pipeline, "Measurement"),
        htmx=False,
        next="https://evil.example/",
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("sales:deal-detail", args=[deal.pk])


def test_a_plain_form_move_to_a_lost_stage_asks_for_the_reason(admin, pipeline, lost_reason):
    deal = deal_for(admin, pipeline)
    client = _client(admin)
    lost = stage_of(pipeline, "Lost")

    asked = _move(client, deal, lost, htmx=False)
    answered = _move(client, deal, lost, htmx=False, lost_reason_id=lost_reason.pk)

    assert asked.status_code == 422
    html = asked.content.decode()
    assert 'name="lost_reason_id"' in html and lost_reason.name in html
    assert answered.status_code == 302
    assert Deal.objects.get(pk=deal.pk).lost_reason_id == lost_reason.pk


def test_a_role_without_the_edit_right_may_not_move(make_user, manager, pipeline):
    agent = make_user(Role.SERVICE_AGENT)
    deal = deal_for(manager, pipeline)

    response = _move(_client(agent), deal, stage_of(pipeline, "Measurement"))

    assert response.status_code == 403
    assert Deal.objects.get(pk=deal.pk).version == deal.version


def test_moving_a_deal_one_may_not_see_is_404(manager, stranger, pipeline):
    deal = deal_for(stranger, pipeline)

    response = _move(_client(manager), deal, stage_of(pipeline, "Measurement"))

    assert response.status_code == 404
    assert Deal.objects.get(pk=deal.pk).version == deal.version


# --- pinned query counts ---------------------------------------------------------------------


def _spread(owner, pipeline, n: int) -> None:
    """n deals over the open stages, each with its own company and contact."""
    stages = list(pipeline.stages.filter(kind="open"))
    for i in range(n):
        deal_for(
            owner,
            pipeline,
            stage=stages[i % len(stages)],
            company=CompanyFactory(owner=owner),
            contact=ContactFactory(owner=owner),
        )


def test_board_page_query_count(admin, pipeline, django_assert_num_queries):
    # given 30 deals over the three open stages (the count must not grow with the rows)
    _spread(admin, pipeline, 30)
    client = _client(admin)

    # session, user, pipelines, their stages, rights, the stages' probabilities, the
    # totals (one grouped query), one query per column (5), the linked companies,
    # contacts and owners (one each), the owner and team filters, the reasons
    with django_assert_num_queries(18):
        response = _board(client, pipeline)

    assert response.status_code == 200
    assert response.content.decode().count('class="board-card"') == 30


def test_board_page_query_count_for_a_manager(manager, pipeline, django_assert_num_queries):
    # given 30 of the manager's deals: own scope, so each column reads two parts (own deals,
    # and those the manager takes part in) and there are no owner or team filters
    _spread(manager, pipeline, 30)
    client = _client(manager)

    with django_assert_num_queries(21):
        response = _board(client, pipeline)

    assert response.status_code == 200
    assert response.content.decode().count('class="board-card"') == 30


def test_board_column_query_count(admin, pipeline, django_assert_num_queries):
    # given 30 deals in one stage: the first page of 20 and the next one of 10
    first = stage_of(pipeline, "First call")
    for _ in range(30):
        deal_for(admin, pipeline, company=CompanyFactory(owner=admin))
    client = _client(admin)
    html = _board(client, pipeline).content.decode()
    start = html.index('class="board-more"')
    url = html[html.index('hx-get="', start) + 8 :]
    url = url[: url.index('"')].replace("&amp;", "&")

    # session, user, pipeline, its stages, rights, the cards, companies, owners
    with django_assert_num_queries(8):
        response = client.get(url, headers=HTMX)

    assert response.status_code == 200
    assert response.content.decode().count('class="board-card"') == 10
    assert url.startswith(reverse("sales:board-column", args=[pipeline.pk, first.pk]))


def test_move_query_count(admin, pipeline, django_assert_num_queries):
    deal = deal_for(admin, pipeline, company=CompanyFactory(owner=admin))
    measurement = stage_of(pipeline, "Measurement")
    client = _client(admin)

    # session, user, the deal (and its participants), rights, then the service (locked
    # read, target stage, from stage, write, history, audit, in a savepoint), and the
    # answer: pipeline, stages, the two new column heads (probabilities, totals), names
    with django_assert_num_queries(19):
        response = _move(client, deal, measurement)

    assert response.status_code == 200
