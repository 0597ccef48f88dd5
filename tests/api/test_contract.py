"""The OpenAPI document's promises, checked on the document itself (no server needed)."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from kliento.api import api as ninja_api
from kliento.core.apicontract import INT64_MAX, INT64_MIN
from kliento.core.limits import URI_LIMIT

ERROR_REF = "#/components/schemas/ErrorOut"
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return ninja_api.get_openapi_schema()


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


def _input_schemas(document: dict[str, Any], operation: dict[str, Any]) -> Iterator[Any]:
    """Every schema node a request may carry: parameters and the body, $refs followed."""
    components = document["components"]["schemas"]
    todo: list[Any] = [p["schema"] for p in operation.get("parameters", [])]
    todo.extend(c["schema"] for c in operation.get("requestBody", {}).get("content", {}).values())
    seen: set[str] = set()
    while todo:
        node = todo.pop()
        if isinstance(node, list):
            todo.extend(node)
        elif isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                name = ref.rsplit("/", 1)[-1]
                if name not in seen:
                    seen.add(name)
                    todo.append(components[name])
                continue
            yield node
            todo.extend(node.values())


def test_every_integer_a_request_may_carry_is_bounded_to_64_bits(document):
    unbounded = [
        (name, node)
        for name, operation in _operations(document)
        for node in _input_schemas(document, operation)
        if node.get("type") == "integer"
        and not (
            INT64_MIN <= node.get("minimum", INT64_MIN - 1) <= node.get("maximum", INT64_MAX + 1)
            and node["maximum"] <= INT64_MAX
        )
    ]
    assert unbounded == []


def test_every_error_response_has_the_one_error_shape(document):
    for name, operation in _operations(document):
        errors = {int(s): r for s, r in operation["responses"].items() if int(s) >= 400}
        assert errors, name
        # The web server's own refusal of an over-long address, before Kliento reads it.
        assert set(errors.pop(414)["content"]) == {"text/html"}, name
        for status, response in errors.items():
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": ERROR_REF}, (name, status)


def test_an_address_over_the_limit_is_the_declared_414(api_world):
    url = f"{api_world.url}/api/v1/contacts?search=" + "a" * URI_LIMIT
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(url, timeout=30)  # noqa: S310 - the test server
    assert caught.value.code == 414
    assert caught.value.headers.get_content_type() == "text/html"


def test_signed_in_operations_declare_401_403_and_their_input_422(document):
    for name, operation in _operations(document):
        declared = {int(s) for s in operation["responses"]}
        if operation.get("security"):
            assert {401, 403} <= declared, name
        if operation.get("parameters") or operation.get("requestBody"):
            assert 422 in declared, name
        if "{" in name:
            assert 404 in declared, name


def test_every_post_declares_the_idempotency_key_header(document):
    for name, operation in _operations(document):
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        assert ("Idempotency-Key" in headers) == name.startswith("POST "), name


def test_lists_with_custom_field_filters_declare_them(document):
    for path in ("/companies", "/contacts", "/leads", "/deals", "/activities"):
        parameters = document["paths"][f"/api/v1{path}"]["get"]["parameters"]
        custom = [p for p in parameters if p["name"] == "custom"]
        assert len(custom) == 1, path
        assert custom[0]["explode"] is True
        assert list(custom[0]["schema"]["patternProperties"]) == ["^custom\\.[a-z][a-z0-9_]{0,49}$"]


# --- what the bounds do (the fuzzer's two server errors) -------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/leads?team=38850647456395232930191682568192",
        "/activities?owner=-18806123588809070021989446291816448",
        f"/contacts/{2**63}",
        "/deals?limit=0",
    ],
)
def test_an_integer_out_of_range_is_a_422(api, admin, path):
    response = api(admin).get(path)
    assert response.status_code == 422, response.content
    assert response.json()["errors"]


def test_a_body_integer_beyond_64_bits_is_a_422_and_creates_nothing(api, admin):
    from kliento.customers.models import Contact

    response = api(admin).post("/contacts", {"first_name": "Nina", "owner_id": 2**64})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["owner_id"]
    assert not Contact.objects.exists()


def test_a_date_given_as_a_number_is_a_422(api, admin):
    response = api(admin).get("/deals", {"expected_close_before": "0"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["expected_close_before"]
