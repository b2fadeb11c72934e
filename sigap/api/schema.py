"""OpenAPI post-processing: document the generic error answers every operation can give."""

GENERIC = {
    "400": "Invalid input",
    "401": "Authentication required",
    "403": "Not allowed",
    "404": "Not found",
    "405": "Method not allowed",
    "409": "Not possible in the report's current status",
    "415": "Unsupported media type",
    "429": "Too many requests (throttled)",
}


def add_error_responses(result, generator, request, public):
    """Add the error statuses DRF may answer with to every operation that lacks them."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, text in GENERIC.items():
                operation["responses"].setdefault(code, {"description": text})
    return result
