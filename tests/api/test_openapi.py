"""The published OpenAPI schema documents every route and its error responses."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.helpers import ok

# Section 2.1 of the contract (minus the unauthenticated debug routes, which are gone),
# plus the routes the Postman collection expects.
CONTRACT_ROUTES = [
    ("post", "/api/v1/register"),
    ("post", "/api/v1/login"),
    ("post", "/api/v1/refresh"),
    ("post", "/api/v1/logout"),
    ("get", "/api/v1/profile"),
    ("get", "/api/v1/users"),
    ("get", "/api/v1/users/{user_id}"),
    ("put", "/api/v1/users/{user_id}"),
    ("delete", "/api/v1/users/{user_id}"),
    ("put", "/api/v1/users/{user_id}/password"),
    ("get", "/api/v1/notebooks"),
    ("post", "/api/v1/notebooks"),
    ("get", "/api/v1/notebooks/{notebook_id}"),
    ("put", "/api/v1/notebooks/{notebook_id}"),
    ("delete", "/api/v1/notebooks/{notebook_id}"),
    ("get", "/api/v1/notes"),
    ("post", "/api/v1/notes"),
    ("get", "/api/v1/notes/{note_id}"),
    ("put", "/api/v1/notes/{note_id}"),
    ("delete", "/api/v1/notes/{note_id}"),
    ("get", "/api/v1/blocks"),
    ("post", "/api/v1/blocks"),
    ("get", "/api/v1/blocks/note/{note_id}"),
    ("get", "/api/v1/blocks/{block_id}"),
    ("put", "/api/v1/blocks/{block_id}"),
    ("delete", "/api/v1/blocks/{block_id}"),
    ("get", "/api/v1/tasks"),
    ("post", "/api/v1/tasks"),
    ("get", "/api/v1/tasks/{task_id}"),
    ("put", "/api/v1/tasks/{task_id}"),
    ("delete", "/api/v1/tasks/{task_id}"),
    ("get", "/api/v1/trash"),
    ("post", "/api/v1/trash/restore/{item_type}/{item_id}"),
    ("delete", "/api/v1/trash/{item_type}/{item_id}"),
    ("delete", "/api/v1/trash"),
    ("get", "/api/v1/roles"),
    ("post", "/api/v1/roles"),
    ("delete", "/api/v1/roles/{role_id}"),
    ("put", "/api/v1/notebooks/{notebook_id}/shares"),
    ("delete", "/api/v1/notebooks/{notebook_id}/shares/{user_id}"),
]
PUBLIC = {
    "/api/v1/register",
    "/api/v1/login",
    "/api/v1/refresh",
    "/api/v1/calendar/{token}.ics",  # the secret token in the URL is the credential
}


@pytest.fixture
async def spec(client: httpx.AsyncClient) -> dict[str, Any]:
    r = await client.get("/openapi.json")
    body: dict[str, Any] = ok(r)
    return body


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, ops in spec["paths"].items()
        if path.startswith("/api/v1/")
        for method, op in ops.items()
    ]


async def test_every_contract_route_is_documented(spec: dict[str, Any]) -> None:
    documented = {(m, p) for m, p, _ in operations(spec)}
    missing = [route for route in CONTRACT_ROUTES if route not in documented]
    assert missing == []
    assert not [p for p in spec["paths"] if "debug" in p]


async def test_error_responses_are_documented(spec: dict[str, Any]) -> None:
    assert "404" in spec["paths"]["/api/v1/notes/{note_id}"]["get"]["responses"]
    assert "409" in spec["paths"]["/api/v1/register"]["post"]["responses"]
    assert (
        "409" in spec["paths"]["/api/v1/trash/restore/{item_type}/{item_id}"]["post"]["responses"]
    )
    assert "401" in spec["paths"]["/api/v1/login"]["post"]["responses"]
    problems = []
    for method, path, op in operations(spec):
        codes = set(op["responses"])
        needed = set()
        if path not in PUBLIC:
            needed.add("401")
        if "{" in path:
            needed.add("422")
            if not path.endswith("/password"):  # self only: 403 for anyone else
                needed.add("404")
        if "requestBody" in op:
            needed.add("422")
        if (
            method in ("put", "delete")
            and "{" in path
            and path.startswith(
                ("/api/v1/notebooks", "/api/v1/notes", "/api/v1/blocks", "/api/v1/tasks")
            )
        ):
            needed.add("403")
        if not needed <= codes:
            problems.append((method, path, sorted(needed - codes)))
        for code, response in op["responses"].items():
            if code.startswith("4"):
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (method, path, code)
    assert problems == []
    error_body = spec["components"]["schemas"]["ErrorBody"]
    assert error_body["required"] == ["error"]


async def test_docs_page_is_html(client: httpx.AsyncClient) -> None:
    r = await client.get("/docs")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "/openapi.json" in r.text
