"""The OpenAPI document is a contract: a change to it must be deliberate.

Regenerate after an intended change with
    KLIENTO_UPDATE_SNAPSHOT=1 python3 dev.py test tests/test_openapi_snapshot.py
"""

import json
import os
from pathlib import Path

SNAPSHOT = Path(__file__).parent / "snapshots" / "openapi.json"


def _current(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_openapi_document_matches_the_snapshot(client, db):
    current = _current(client)
    text = json.dumps(current, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("KLIENTO_UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.write_text(text, encoding="utf-8")
    expected = SNAPSHOT.read_text(encoding="utf-8")
    assert text == expected, (
        "The API changed: review it and regenerate the snapshot (see docstring)."
    )


def test_openapi_document_declares_bearer_and_session_auth(client, db):
    schemes = _current(client)["components"]["securitySchemes"]
    kinds = {(s["type"], s.get("scheme"), s.get("in")) for s in schemes.values()}
    assert ("http", "bearer", None) in kinds
    assert ("apiKey", None, "cookie") in kinds


def test_interactive_docs_are_served(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content
