"""The API schema says every answer an operation gives, errors included, so a client (and
schemathesis's status-code and schema checks) knows each one: the exception handler's 400
naming each field, 401, 403 naming the roles that may, 404, 409 for a stale version, and
503 while the database is busy with another writer."""

from __future__ import annotations

from typing import Any

# A 400 names each field sent (whatever it is called, `detail` included) with its messages.
ERROR = {
    "type": "object",
    "description": "`detail` says what went wrong (a 409 adds `code` and `current_version`); "
    "a 400 names each field instead, with its messages (`non_field_errors` for the whole "
    "request).",
    "additionalProperties": True,
}
ANSWERS = {
    "400": "Invalid input: each field named with what is wrong.",
    "401": "Not signed in: send `Authorization: Token <key>`.",
    "403": "Signed in, but no role that may do this; the detail names the roles that may.",
    "404": "No such record among those you may see, or no such page of a list.",
    "503": "The database is busy with another writer (a large import, say): try again.",
}
WRITES = {"post", "put", "patch", "delete"}


def document_errors(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every operation's error answers."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            answers = operation.setdefault("responses", {})
            errors = dict(ANSWERS)
            if method in WRITES:
                errors["409"] = "The record changed since the `version` you sent: reload it."
            for status, description in errors.items():
                answers.setdefault(status, {"description": description, "content": reference})
    return result
