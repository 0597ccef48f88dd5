"""A client generated from the OpenAPI document reads every declared answer as a typed object.

openapi-python-client writes a Python package from the document (offline, into a
temporary folder); each test drives it against the running server through a
success and the declared errors of a few operations of one resource. With
`raise_on_unexpected_status` an undeclared status raises, and a declared error
must come back as `ErrorOut` (never None, never "unexpected status").
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from kliento.api import api as ninja_api
from kliento.core.choices import Role
from kliento.core.models import Notification
from kliento.core.tokens import token_issue
from tests.api.conftest import ApiWorld
from tests.factories import UserFactory

GENERATOR = str(Path(sys.executable).parent / "openapi-python-client")
PACKAGE = "kliento_generated_client"


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The generated package, imported; its modules are forgotten afterwards."""
    root = tmp_path_factory.mktemp("client")
    document = root / "openapi.json"
    document.write_text(json.dumps(ninja_api.get_openapi_schema(), default=str))
    (root / "config.yaml").write_text("post_hooks: []\n")
    result = subprocess.run(
        [
            GENERATOR,
            "generate",
            "--path",
            str(document),
            "--output-path",
            str(root / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(root / "config.yaml"),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout, result.stdout  # every operation was generated
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[name]


class Client:
    """The generated package bound to the server and a token: `c.call(module, fn, ...)`."""

    def __init__(self, package: ModuleType, url: str, token: str | None) -> None:
        self.package = package
        client_module = importlib.import_module(f"{PACKAGE}.client")
        if token is None:
            self.client = client_module.Client(base_url=url, raise_on_unexpected_status=True)
        else:
            self.client = client_module.AuthenticatedClient(
                base_url=url, token=token, raise_on_unexpected_status=True
            )

    def model(self, name: str) -> Any:
        return getattr(importlib.import_module(f"{PACKAGE}.models"), name)

    def call(self, tag: str, operation: str, *args: Any, **kwargs: Any) -> Any:
        module = importlib.import_module(f"{PACKAGE}.api.{tag}.{operation}")
        return module.sync_detailed(*args, client=self.client, **kwargs)


def expect(response: Any, status: int, model: Any) -> Any:
    assert response.status_code == status, response.content
    assert isinstance(response.parsed, model), (status, response.parsed)
    return response.parsed


@pytest.fixture
def admin_client(generated: ModuleType, api_world: ApiWorld) -> Client:
    return Client(generated, api_world.url, api_world.token)


def test_contacts_through_the_generated_client(admin_client: Client, api_world: ApiWorld) -> None:
    c, m = admin_client, admin_client.model
    tag, prefix = "contacts", "kliento_customers_api_contact_"
    made = expect(
        c.call(tag, prefix + "create", body=m("ContactIn")(first_name="Nina")), 201, m("ContactOut")
    )
    expect(c.call(tag, prefix + "detail", made.id), 200, m("ContactOut"))
    expect(c.call(tag, prefix + "detail", 10**9), 404, m("ErrorOut"))
    stale = m("ContactPatch")(version=made.version + 1, job_title="CEO")
    expect(c.call(tag, prefix + "update", made.id, body=stale), 409, m("ErrorOut"))
    unknown_owner = m("ContactIn")(first_name="Nina", owner_id=10**9)
    error = expect(c.call(tag, prefix + "create", body=unknown_owner), 422, m("ErrorOut"))
    assert [e.field for e in error.errors] == ["owner_id"]
    rows = expect(c.call(tag, prefix + "list", limit=10), 200, m("ListOutContactRow"))
    assert made.id in [row.id for row in rows.items]
    anonymous = Client(c.package, api_world.url, None)
    expect(anonymous.call(tag, prefix + "list"), 401, m("ErrorOut"))


def test_companies_through_the_generated_client(admin_client: Client) -> None:
    c, m = admin_client, admin_client.model
    tag, prefix = "companies", "kliento_customers_api_company_"
    made = expect(
        c.call(tag, prefix + "create", body=m("CompanyIn")(name="Ozols Glass")),
        201,
        m("CompanyOut"),
    )
    expect(c.call(tag, prefix + "delete", made.id), 204, type(None))
    archived = expect(c.call(tag, prefix + "detail", made.id), 200, m("CompanyOut"))
    assert archived.archived_at is not None
    expect(c.call(tag, prefix + "list", owner=2**64), 422, m("ErrorOut"))


def test_deals_through_the_generated_client(admin_client: Client, api_world: ApiWorld) -> None:
    c, m = admin_client, admin_client.model
    tag, prefix = "deals", "kliento_sales_api_deals_deal_"
    pipeline, stages = api_world.world.pipeline, api_world.world.stages
    made = expect(
        c.call(tag, prefix + "create", body=m("DealIn")(title="Roof", pipeline_id=pipeline.pk)),
        201,
        m("DealOut"),
    )
    moved = expect(
        c.call(
            tag,
            prefix + "move",
            made.id,
            body=m("DealMoveIn")(stage_id=stages[1].pk, version=made.version),
        ),
        200,
        m("DealOut"),
    )
    assert moved.stage_id == stages[1].pk
    stale_move = m("DealMoveIn")(stage_id=stages[0].pk, version=made.version)
    error = expect(c.call(tag, prefix + "move", made.id, body=stale_move), 409, m("ErrorOut"))
    assert error.detail
    no_pipeline = m("DealIn")(title="Roof", pipeline_id=10**9)
    expect(c.call(tag, prefix + "create", body=no_pipeline), 422, m("ErrorOut"))
    expect(c.call(tag, prefix + "detail", 10**9), 404, m("ErrorOut"))


def test_leads_through_the_generated_client(admin_client: Client) -> None:
    c, m = admin_client, admin_client.model
    tag, prefix = "leads", "kliento_sales_api_leads_lead_"
    made = expect(
        c.call(tag, prefix + "create", body=m("LeadIn")(title="Six windows")), 201, m("LeadOut")
    )
    stale = m("LeadPatch")(version=made.version + 1, need="Six windows")
    expect(c.call(tag, prefix + "update", made.id, body=stale), 409, m("ErrorOut"))
    expect(c.call(tag, prefix + "delete", 10**9), 404, m("ErrorOut"))
    # The fuzzer's first finding: an integer filter beyond 64 bits is a 422, not a 500.
    too_big = 38850647456395232930191682568192
    expect(c.call(tag, "kliento_sales_api_leads_leads_list", team=too_big), 422, m("ErrorOut"))


def test_activities_through_the_generated_client(admin_client: Client, api_world: ApiWorld) -> None:
    c, m = admin_client, admin_client.model
    tag, prefix = "activities", "kliento_activities_api_activity_"
    body = m("ActivityIn")(kind=m("ActivityInKind")("note"), subject="Called back")
    made = expect(c.call(tag, prefix + "create", body=body), 201, m("ActivityOut"))
    rows = expect(c.call(tag, prefix + "list"), 200, m("ListOutActivityRow"))
    assert made.id in [row.id for row in rows.items]
    too_small = -18806123588809070021989446291816448
    expect(c.call(tag, prefix + "list", owner=too_small), 422, m("ErrorOut"))
    expect(c.call(tag, prefix + "detail", 10**9), 404, m("ErrorOut"))


def test_pipelines_through_the_generated_client(
    admin_client: Client, api_world: ApiWorld, generated: ModuleType
) -> None:
    c, m = admin_client, admin_client.model
    tag, prefix = "pipelines", "kliento_sales_api_pipelines_pipeline"
    listed = c.call(tag, prefix + "s_list")
    assert listed.status_code == 200
    assert all(isinstance(p, m("PipelineOut")) for p in listed.parsed)
    expect(c.call(tag, prefix + "_detail", 10**9), 404, m("ErrorOut"))
    kind = m("StageInKind")
    stages = [m("StageIn")(name=name, kind=kind(name.lower())) for name in ("Open", "Won", "Lost")]
    body = m("PipelineIn")(name="Service", stages=stages)
    manager = UserFactory(role=Role.MANAGER, team=api_world.world.actor.team)
    _, token = token_issue(user=manager, name="contract")
    as_manager = Client(generated, api_world.url, token)
    expect(as_manager.call(tag, prefix + "_create", body=body), 403, m("ErrorOut"))
    expect(c.call(tag, prefix + "_create", body=body), 201, m("PipelineOut"))


def test_notifications_through_the_generated_client(
    admin_client: Client, api_world: ApiWorld
) -> None:
    c, m = admin_client, admin_client.model
    tag, prefix = "notifications", "kliento_core_api_notifications_notification_"
    mine = api_world.records["notification"]
    someone_elses = Notification.objects.create(
        user=api_world.world.outsider, key="other", kind="reminder", title="Call"
    )
    expect(c.call(tag, prefix + "unread_count"), 200, m("CountOut"))
    read = expect(c.call(tag, prefix + "read", mine.pk), 200, m("NotificationOut"))
    assert read.read_at is not None
    expect(c.call(tag, prefix + "read", someone_elses.pk), 404, m("ErrorOut"))
    expect(c.call(tag, prefix + "list", limit=0), 422, m("ErrorOut"))
