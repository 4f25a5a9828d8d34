"""Rules every request body follows, stated in the OpenAPI schema where the models cannot:
no string anywhere (free-form JSON included) may hold NUL (``InputSchema`` refuses it)."""

from __future__ import annotations

from typing import Any

NO_NUL = "^[^\\u0000]*$"
SAFE_JSON = "SafeJSON"
_SAFE_REF = {"$ref": f"#/components/schemas/{SAFE_JSON}"}


def _safe_json() -> dict[str, Any]:
    return {
        "description": "Any JSON value whose strings and keys hold no NUL character",
        "anyOf": [
            {"type": "string", "pattern": NO_NUL},
            {"type": "number"},
            {"type": "boolean"},
            {"type": "null"},
            {"type": "array", "items": _SAFE_REF},
            {
                "type": "object",
                "propertyNames": {"pattern": NO_NUL},
                "additionalProperties": _SAFE_REF,
            },
        ],
    }


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    pending = [node]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                found.add(ref.rsplit("/", 1)[1])
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return found


def _forbid_nul(node: Any) -> None:
    pending = [node]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(item)
            continue
        if not isinstance(item, dict):
            continue
        if item.get("type") == "string" and not {"pattern", "format", "enum"} & item.keys():
            item["pattern"] = NO_NUL
        if item.get("type") == "object" and item.get("additionalProperties") is True:
            item["additionalProperties"] = dict(_SAFE_REF)
            item["propertyNames"] = {"pattern": NO_NUL}
        pending.extend(v for k, v in item.items() if k != "additionalProperties")


def state_input_rules(schema: dict[str, Any]) -> None:
    components: dict[str, Any] = schema.setdefault("components", {}).setdefault("schemas", {})
    bodies = [
        operation["requestBody"]
        for path in schema.get("paths", {}).values()
        for operation in path.values()
        if isinstance(operation, dict) and "requestBody" in operation
    ]
    names = _refs(bodies)
    seen: set[str] = set()
    while names - seen:  # models used by the bodies' models, too
        name = (names - seen).pop()
        seen.add(name)
        names |= _refs(components.get(name, {}))
    for name in seen:
        _forbid_nul(components[name])
    _forbid_nul(bodies)
    components[SAFE_JSON] = _safe_json()
