"""A fresh install can work at once: its first administrator comes with a pipeline and reasons."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from kliento.cli import main
from kliento.core.actors import Actor
from kliento.core.choices import Role
from kliento.core.models import User
from kliento.sales.models import DealReason, Pipeline
from kliento.sales.services import pipeline_update

FORM = {
    "username": "boss",
    "email": "boss@example.com",
    "password": "long-enough-pass-1",
    "password2": "long-enough-pass-1",
}


def _stages(pipeline):
    return [(s.name, s.probability, s.kind) for s in pipeline.stages.order_by("position")]


def test_the_first_administrator_finds_a_pipeline_and_can_make_a_deal_at_once(db, api):
    # given a new install: no administrator, no pipeline
    assert not Pipeline.objects.exists()

    # when the first visitor creates the administrator
    assert Client().post(reverse("core:welcome"), FORM).status_code == 302

    # then a pipeline from the first contact to won or lost is there, with reasons
    [pipeline] = Pipeline.objects.all()
    assert pipeline.name == "Sales" and pipeline.active
    assert _stages(pipeline) == [
        ("New", 10, "open"),
        ("Qualified", 25, "open"),
        ("Proposal", 50, "open"),
        ("Negotiation", 75, "open"),
        ("Won", 100, "won"),
        ("Lost", 0, "lost"),
    ]
    assert set(DealReason.objects.values_list("kind", flat=True)) == {"won", "lost"}
    assert DealReason.objects.filter(kind="lost", name="Chose a competitor").exists()
    boss = User.objects.get(username="boss")
    created = api(boss).post("/deals", {"title": "First windows", "pipeline_id": pipeline.pk})
    assert created.status_code == 201
    assert created.json()["stage_id"] == pipeline.stages.get(position=0).pk


def test_its_names_are_in_the_language_the_administrator_set_up_in(db):
    Client().post(reverse("core:welcome"), FORM, HTTP_ACCEPT_LANGUAGE="ru")

    pipeline = Pipeline.objects.get()
    assert pipeline.name == "Продажи"
    assert _stages(pipeline)[0][0] == "Новый"
    assert DealReason.objects.filter(name="Выбрали конкурента").exists()


def test_the_default_pipeline_is_ordinary_configuration_an_administrator_edits(db):
    Client().post(reverse("core:welcome"), FORM)
    boss = User.objects.get(username="boss")
    pipeline = Pipeline.objects.get()
    kept = [{"id": s.pk, "name": s.name, "probability": s.probability, "kind": s.kind}
            for s in pipeline.stages.order_by("position")]  # fmt: skip
    kept[0]["name"] = "Request"

    pipeline_update(actor=Actor.of_user(boss), pipeline_id=pipeline.pk,
                    data={"name": "Windows", "stages": kept})  # fmt: skip

    pipeline.refresh_from_db()
    assert pipeline.name == "Windows"
    assert _stages(pipeline)[0][0] == "Request"


def test_an_install_that_has_a_pipeline_keeps_its_own(db, pipeline):
    reasons = list(DealReason.objects.values_list("name", flat=True))

    assert Client().post(reverse("core:welcome"), FORM).status_code == 302

    assert list(Pipeline.objects.all()) == [pipeline]
    assert list(DealReason.objects.values_list("name", flat=True)) == reasons


def test_the_first_administrator_made_on_the_command_line_gets_it_too(db, capsys):
    args = ["createuser", "--role", "admin", "--password", "Long-enough-pass-42"]

    assert main([*args, "--username", "root"]) == 0
    assert Pipeline.objects.count() == 1
    # a second administrator changes nothing more
    Pipeline.objects.update(name="Ours")
    assert main([*args, "--username", "deputy"]) == 0
    assert list(Pipeline.objects.values_list("name", flat=True)) == ["Ours"]


def test_a_refused_first_administrator_leaves_no_pipeline_behind(db):
    response = Client().post(reverse("core:welcome"), {**FORM, "password2": "something else"})

    assert response.status_code == 422
    assert not Pipeline.objects.exists()
    assert not User.objects.filter(role=Role.ADMIN).exists()
