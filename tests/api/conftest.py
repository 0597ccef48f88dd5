"""API contract tests run against the real production server (`kliento serve`).

The server fixtures are the browser tests' own: one server per test session on the
test database; each test's rows are committed (`transactional_db`) so it sees them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from kliento.core.choices import Role
from kliento.core.models import CustomField, FieldType
from kliento.core.tokens import token_issue
from kliento.customers.records import CONTACT
from tests.authz import MAKERS, PDF, World, make_world
from tests.browser.conftest import (  # noqa: F401 - fixtures
    _kliento_server,
    _live_server_helper,
    live_server,
)
from tests.factories import DealReasonFactory


@dataclass
class ApiWorld:
    """An administrator with a token, and one record of each kind that the API serves."""

    url: str
    token: str
    world: World
    records: dict[str, Any]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def api_world(live_server: Any) -> ApiWorld:  # noqa: F811 - the imported fixture
    world = make_world(Role.ADMIN)
    records = {name: make(world, "own") for name, make in MAKERS.items() if name != "attachment"}
    records["reason"] = DealReasonFactory(kind="lost", name="Too expensive")
    records["field"] = CustomField.objects.create(
        record_type=CONTACT, key="size", label="Size", field_type=FieldType.TEXT
    )
    _, token = token_issue(user=world.actor, name="contract")
    # Through the server, so that the file is where the server keeps its files.
    uploaded = httpx.post(
        f"{live_server.url}/api/v1/attachments",
        headers={"Authorization": f"Bearer {token}"},
        data={"record_type": "deal", "record_id": str(records["deal"].pk)},
        files={"file": ("plan.pdf", PDF, "application/pdf")},
    )
    assert uploaded.status_code == 201, uploaded.text
    records["attachment"] = uploaded.json()
    return ApiWorld(url=live_server.url, token=token, world=world, records=records)
