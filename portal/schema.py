"""drf-spectacular post-processing: make /api/schema/ serve a generated client.

- One request encoding per operation: JSON for JSON bodies, multipart only for uploads (a client
  generator that sees two encodings with one schema sends both at once).
- Every 4xx answer carries the one error shape {code, detail, messages, fields}; every signed-in
  operation documents 403, every operation with a body 413 (RequestSizeLimitMiddleware).
- Writes on a versioned resource (portal.preconditions) take an optional If-Match header and
  document 412 and 428.
"""

from portal.preconditions import versioned_path

ERROR = {
    "type": "object",
    "description": "Every error: a code, the message in the request's language, the message in both "
                   "languages, and per-field messages for invalid input.",
    "properties": {
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "messages": {
            "type": "object",
            "properties": {"zh-hans": {"type": "string"}, "en": {"type": "string"}},
            "required": ["zh-hans", "en"],
        },
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    "required": ["code", "detail", "messages"],
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}
DEFAULTS = {
    400: "Invalid input; nothing changed",
    403: "Not signed in, or your role may not do this",
    404: "Not found, or not visible to you",
    412: "If-Match names a version that is no longer current",
    413: "The request body is too large",
    428: "Neither `version` in the body nor an If-Match header",
}
WRITES = {"post", "put", "patch", "delete"}


def _has_binary(schema, components, seen=()) -> bool:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return False
        return _has_binary(components.get(name, {}), components, (*seen, name))
    if schema.get("format") == "binary":
        return True
    parts = [*schema.get("properties", {}).values(), *schema.get("allOf", []), *schema.get("oneOf", [])]
    if "items" in schema:
        parts.append(schema["items"])
    return any(_has_binary(part, components, seen) for part in parts)


def _one_encoding(operation, components) -> None:
    content = operation.get("requestBody", {}).get("content")
    if not content or len(content) < 2:
        return
    multipart = content.get("multipart/form-data")
    if multipart and _has_binary(multipart.get("schema", {}), components):
        keep = "multipart/form-data"
    else:
        keep = "application/json" if "application/json" in content else next(iter(content))
    operation["requestBody"]["content"] = {keep: content[keep]}


def _error(status, description=None) -> dict:
    return {"description": description or DEFAULTS.get(status, "Refused"),
            "content": {"application/json": {"schema": ERROR_REF}}}


def postprocess(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            _one_encoding(operation, components)
            responses = operation["responses"]
            if {} not in operation.get("security", []):  # {} marks an operation open to anyone
                responses.setdefault("403", _error(403))
            if "requestBody" in operation:
                responses.setdefault("413", _error(413))
            if any(p.get("in") == "query" for p in operation.get("parameters", [])):
                # portal.middleware refuses a null character in any query parameter.
                responses.setdefault("400", _error(400, "Malformed query (e.g. a null character)"))
            if any(p.get("in") == "query" and p.get("name") == "page" for p in operation.get("parameters", [])):
                responses.setdefault("404", _error(404, "No such page of the list"))
            if method in WRITES and versioned_path(path):
                responses.setdefault("412", _error(412))
                responses.setdefault("428", _error(428))
                params = operation.setdefault("parameters", [])
                if not any(p.get("name") == "If-Match" for p in params):
                    params.append({"in": "header", "name": "If-Match", "required": False,
                                   "schema": {"type": "string"},
                                   "description": "The ETag you read (instead of `version` in the body); `*` for any version"})
            for status, response in responses.items():
                if str(status).startswith("4"):
                    response.setdefault("description", DEFAULTS.get(int(status), "Refused"))
                    response["content"] = {"application/json": {"schema": ERROR_REF}}
    return result
