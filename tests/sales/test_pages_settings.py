"""Settings pages of sales: pipelines with their stages, won and lost reasons (admins only)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from kliento.core.choices import Role
from kliento.sales.choices import ReasonKind, StageKind
from kliento.sales.models import DealReason, Pipeline, Stage
from tests.factories import DealFactory, DealReasonFactory, UserFactory, make_pipeline

HOSTILE = "<script>alert(1)</script>"
NOT_ADMIN = [r for r in Role.values if r != Role.ADMIN]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client(db) -> Client:
    return _client(UserFactory(role=Role.ADMIN))


def _stage_form(stages: list[dict[str, object]]) -> dict[str, str]:
    data = {"stage_count": str(len(stages))}
    for i, stage in enumerate(stages):
        for key, value in stage.items():
            if value is True:
                value = "on"
            data[f"stages-{i}-{key}"] = str(value)
    return data


def _form_of(pipeline: Pipeline, **changes: object) -> dict[str, str]:
    stages = [
        {"id": s.pk, "name": s.name, "probability": s.probability, "kind": s.kind}
        for s in pipeline.stages.order_by("position")
    ]
    data = {"name": pipeline.name, "default_currency": "EUR", "active": "on"}
    data.update(_stage_form(stages))
    data.update({k: str(v) for k, v in changes.items()})
    return data


def _new_form(name: str = "Service", **changes: object) -> dict[str, str]:
    data = {"name": name, "default_currency": "EUR"}
    data.update(
        _stage_form(
            [
                {"name": "Request", "probability": 20, "kind": "open", "order": 1},
                {"name": "Done", "probability": 100, "kind": "won", "order": 2},
                {"name": "Lost", "probability": 0, "kind": "lost", "order": 3},
            ]
        )
    )
    data.update({k: str(v) for k, v in changes.items()})
    return data


def _snapshot() -> tuple:
    return (
        list(Pipeline.objects.order_by("pk").values_list("name", "active", "default_currency")),
        list(Stage.objects.order_by("pk").values_list("pipeline_id", "name", "position", "kind")),
        list(DealReason.objects.order_by("pk").values_list("kind", "name")),
    )


@pytest.mark.parametrize("role", NOT_ADMIN)
def test_every_page_and_post_is_refused_to_other_roles(pipeline, role):
    client = _client(UserFactory(role=role))
    before = _snapshot()
    requests = [
        ("get", reverse("sales:settings-pipelines"), {}),
        ("get", reverse("sales:settings-pipeline-create"), {}),
        ("post", reverse("sales:settings-pipeline-create"), _new_form()),
        ("get", reverse("sales:settings-pipeline-edit", args=[pipeline.pk]), {}),
        (
            "post",
            reverse("sales:settings-pipeline-edit", args=[pipeline.pk]),
            _form_of(pipeline, name="Renamed"),
        ),
        ("get", reverse("sales:settings-reasons"), {}),
        ("post", reverse("sales:settings-reasons"), {"kind": "lost", "name": "Sneaky"}),
    ]
    for method, url, data in requests:
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, (method, url)
    assert _snapshot() == before


def test_pipelines_list_with_a_pinned_query_count(admin_client, django_assert_num_queries):
    # given 30 pipelines of five stages
    for n in range(30):
        make_pipeline(f"Pipeline {n}")
    # when the admin opens the list, the queries do not grow with the pipelines
    with django_assert_num_queries(4):
        response = admin_client.get(reverse("sales:settings-pipelines"))
    html = response.content.decode()
    # then each pipeline is listed with its stages
    assert len(re.findall(r'data-record="pipeline-\d+"', html)) == 30
    assert html.count("Measurement") == 30


def test_admin_creates_a_pipeline_with_its_stages(admin_client, db):
    form = _new_form(HOSTILE)
    form["stages-0-responsible_role"] = Role.MANAGER
    form["stages-0-expected_result"] = "A signed order"
    # two stages given in reverse order numbers: the order column decides
    form["stages-0-order"], form["stages-1-order"] = "2", "1"
    response = admin_client.post(reverse("sales:settings-pipeline-create"), form)
    assert response.status_code == 302
    pipeline = Pipeline.objects.get(name=HOSTILE)
    stages = list(pipeline.stages.order_by("position"))
    assert [(s.name, s.probability, s.kind) for s in stages] == [
        ("Done", 100, StageKind.WON),
        ("Request", 20, StageKind.OPEN),
        ("Lost", 0, StageKind.LOST),
    ]
    assert (stages[1].responsible_role, stages[1].expected_result) == (
        Role.MANAGER,
        "A signed order",
    )
    html = admin_client.get(reverse("sales:settings-pipelines")).content.decode()
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_create_form_offers_a_starting_set_of_stages(admin_client):
    html = admin_client.get(reverse("sales:settings-pipeline-create")).content.decode()
    assert 'name="stage_count" value="6"' in html  # three stages and three empty rows
    assert 'name="stages-2-kind"' in html


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"stages-1-probability": "150"}, "stages-1-probability"),
        ({"stages-1-probability": "'; DROP TABLE"}, "stages-1-probability"),
        ({"stages-0-name": "x" * 121}, "stages-0-name"),
        ({"stages-2-name": "Request"}, "stages-2-name"),
        ({"stages-0-kind": "maybe"}, "stages-0-kind"),
        ({"stages-0-responsible_role": "king"}, "stages-0-responsible_role"),
        ({"stages-2-kind": "open"}, "stages"),
        ({"name": ""}, "name"),
        ({"default_currency": "XX"}, "default_currency"),
    ],
)
def test_bad_pipelines_are_refused_by_field(admin_client, changes, where):
    before = _snapshot()
    response = admin_client.post(reverse("sales:settings-pipeline-create"), _new_form(**changes))
    html = response.content.decode()
    assert response.status_code == 422
    assert 'class="error"' in html or "alert-error" in html
    if where.startswith("stages-"):
        row, field = where.split("-")[1], where.split("-", 2)[2]
        # the message is in the cell of that row, and the posted values are kept
        cell = re.search(rf'name="stages-{row}-{field}".*?</td>', html, flags=re.DOTALL)
        assert cell is not None and 'class="error"' in cell[0], where
    assert _snapshot() == before


def test_admin_edits_stages_adds_and_removes_one(admin_client, pipeline):
    # given the window pipeline; rename a stage, add one, remove the approval stage
    form = _form_of(pipeline, name="Windows and doors")
    form["stages-0-name"] = "First contact"
    form["stages-2-remove"] = "on"  # Approval
    form.update(
        {
            "stage_count": "6",
            "stages-5-name": "Installation",
            "stages-5-probability": "90",
            "stages-5-kind": "open",
            "stages-5-order": "3",
        }
    )
    for i in range(5):
        form[f"stages-{i}-order"] = str([1, 2, 9, 4, 5][i])
    url = reverse("sales:settings-pipeline-edit", args=[pipeline.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, form)
    assert response.status_code == 302
    pipeline.refresh_from_db()
    assert pipeline.name == "Windows and doors"
    assert [s.name for s in pipeline.stages.order_by("position")] == [
        "First contact",
        "Measurement",
        "Installation",
        "Won",
        "Lost",
    ]


def test_a_stage_with_deals_cannot_be_removed(admin_client, pipeline):
    stage = pipeline.stages.get(name="Measurement")
    DealFactory(pipeline=pipeline, stage=stage)
    before = _snapshot()
    form = _form_of(pipeline)
    form["stages-1-remove"] = "on"
    response = admin_client.post(reverse("sales:settings-pipeline-edit", args=[pipeline.pk]), form)
    assert response.status_code == 422
    assert "cannot be removed" in response.content.decode()
    assert _snapshot() == before


def test_a_pipeline_can_be_deactivated(admin_client, pipeline):
    form = _form_of(pipeline)
    del form["active"]
    url = reverse("sales:settings-pipeline-edit", args=[pipeline.pk])
    assert admin_client.post(url, form).status_code == 302
    pipeline.refresh_from_db()
    assert pipeline.active is False


def test_an_unknown_pipeline_is_a_404(admin_client):
    url = reverse("sales:settings-pipeline-edit", args=[999999])
    assert admin_client.get(url).status_code == 404


def test_reasons_are_listed_and_added(admin_client, django_assert_num_queries):
    DealReasonFactory.create_batch(15, kind=ReasonKind.WON)
    DealReasonFactory.create_batch(15, kind=ReasonKind.LOST)
    url = reverse("sales:settings-reasons")
    with django_assert_num_queries(3):
        html = admin_client.get(url).content.decode()
    assert len(re.findall(r'data-record="deal_reason-\d+"', html)) == 30
    response = admin_client.post(url, {"kind": "lost", "name": HOSTILE})
    assert response.status_code == 302
    assert DealReason.objects.filter(kind="lost", name=HOSTILE).exists()
    html = admin_client.get(url).content.decode()
    assert HOSTILE not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "maybe", "name": "x"}, "kind"),
        ({"kind": "lost", "name": ""}, "name"),
        ({"kind": "lost", "name": "x" * 201}, "name"),
        ({"kind": "lost", "name": "Too expensive"}, "name"),
    ],
)
def test_bad_reasons_are_refused(admin_client, lost_reason, data, field):
    before = _snapshot()
    response = admin_client.post(reverse("sales:settings-reasons"), data)
    assert response.status_code == 422
    assert f'id="err-{field}"' in response.content.decode()
    assert _snapshot() == before


def test_the_pipeline_form_has_a_pinned_query_count(admin_client, django_assert_num_queries):
    pipeline = make_pipeline("Long", stages=[(f"Step {n}", StageKind.OPEN, n) for n in range(30)])
    url = reverse("sales:settings-pipeline-edit", args=[pipeline.pk])
    with django_assert_num_queries(4):
        html = admin_client.get(url).content.decode()
    assert len(re.findall(r'data-record="stage-\d+"', html)) == 30
