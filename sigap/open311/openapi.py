"""An OpenAPI 3 description of the Open311 JSON endpoints (for clients and schemathesis)."""

from __future__ import annotations

NULLABLE_STRING = {"type": "string", "nullable": True}
STRING = {"type": "string"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = _json({"type": "array", "items": _ref("Error")}, "Error list")


def _query(name: str, description: str, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": {"type": "string"}}


def _path(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string",
                                                                      "pattern": r"^[^/.]+$"}}


JURISDICTION = _query("jurisdiction_id", "The city code (optional: one city per server).")

SCHEMAS = {
    "Error": {"type": "object", "required": ["code", "description"], "properties": {
        "code": {"type": "integer"}, "description": STRING}},
    "Service": {"type": "object", "additionalProperties": False, "required": [
        "service_code", "service_name", "metadata", "type", "group"], "properties": {
        "service_code": STRING, "service_name": STRING, "description": NULLABLE_STRING,
        "metadata": {"type": "boolean"},
        "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
        "keywords": NULLABLE_STRING, "group": STRING}},
    "ServiceDefinition": {"type": "object", "required": ["service_code", "attributes"],
                          "properties": {
        "service_code": STRING,
        "attributes": {"type": "array", "items": {
            "type": "object", "required": ["variable", "code", "datatype", "required", "order",
                                           "description"],
            "properties": {
                "variable": {"type": "boolean"}, "code": STRING,
                "datatype": {"type": "string", "enum": [
                    "string", "number", "datetime", "text", "singlevaluelist",
                    "multivaluelist"]},
                "required": {"type": "boolean"}, "datatype_description": NULLABLE_STRING,
                "order": {"type": "integer", "minimum": 1}, "description": STRING,
                "values": {"type": "array", "items": {"type": "object", "required": [
                    "key", "name"], "properties": {"key": STRING, "name": STRING}}}}}}}},
    "Request": {"type": "object", "required": [
        "service_request_id", "status", "service_code", "requested_datetime", "lat", "long"],
        "properties": {
            "service_request_id": STRING,
            "status": {"type": "string", "enum": ["open", "closed"]},
            "status_notes": NULLABLE_STRING, "service_name": STRING, "service_code": STRING,
            "description": NULLABLE_STRING, "agency_responsible": NULLABLE_STRING,
            "service_notice": NULLABLE_STRING,
            "requested_datetime": {"type": "string", "format": "date-time"},
            "updated_datetime": {"type": "string", "format": "date-time", "nullable": True},
            "expected_datetime": {"type": "string", "format": "date-time", "nullable": True},
            "address": NULLABLE_STRING, "address_id": NULLABLE_STRING,
            "zipcode": NULLABLE_STRING, "lat": {"type": "number"}, "long": {"type": "number"},
            "media_url": NULLABLE_STRING,
            "extended_attributes": {"type": "object"},
            "notes": {"type": "array", "items": {"type": "object", "required": [
                "datetime", "type"], "properties": {
                "datetime": {"type": "string", "format": "date-time"},
                "type": {"type": "string", "enum": ["status_change", "note"]},
                "status": {"type": "string", "enum": ["open", "closed"], "nullable": True},
                "sigap_status": NULLABLE_STRING, "description": NULLABLE_STRING}}}}},
    "Created": {"type": "object", "required": ["service_request_id"], "additionalProperties":
                False, "properties": {"service_request_id": STRING,
                                      "service_notice": NULLABLE_STRING,
                                      "account_id": NULLABLE_STRING}},
    "Discovery": {"type": "object", "required": ["changeset", "contact", "key_service",
                                                 "endpoints"], "properties": {
        "changeset": {"type": "string", "format": "date-time"}, "contact": STRING,
        "key_service": STRING,
        "endpoints": {"type": "array", "minItems": 1, "items": {"type": "object", "required": [
            "specification", "url", "changeset", "type", "formats"], "properties": {
            "specification": STRING, "url": STRING, "changeset": STRING,
            "type": {"type": "string", "enum": ["production", "test"]},
            "formats": {"type": "array", "items": STRING}}}}}},
}

REQUEST_FILTERS = [
    _query("service_request_id", "Comma-separated ticket ids; overrides every other filter."),
    _query("service_code", "Comma-separated service codes."),
    _query("start_date", "W3C date-time; requested on or after."),
    _query("end_date", "W3C date-time; requested on or before (at most 90 days after start)."),
    _query("status", "open, closed or open,closed."),
    _query("lat", "Latitude of the centre of a circle (WGS84)."),
    _query("long", "Longitude of the centre of a circle (WGS84)."),
    _query("radius", "Radius in metres (default 1000, at most 20000)."),
    _query("bbox", "west,south,east,north in degrees (lng,lat,lng,lat)."),
    _query("updated_after", "W3C date-time."),
    _query("updated_before", "W3C date-time."),
    _query("page", "Page number from 1 (at most 1000)."),
    _query("page_size", "Items per page (default 100, capped at 500)."),
    _query("extensions", "true adds extended_attributes and notes (public history)."),
    JURISDICTION,
]

POST_FIELDS = ["api_key", "service_code", "jurisdiction_id", "lat", "long", "address_string",
               "address_id", "email", "device_id", "account_id", "first_name", "last_name",
               "phone", "description", "media_url"]


def openapi_document(base_url: str) -> dict:
    """Return the OpenAPI 3.0 document of the Open311 JSON endpoints under `base_url`."""
    # Every operation: 400 (a control character or over-long path anywhere, a bad value),
    # 404, and 429 (reads are throttled per address, writes per API key).
    common = {"400": ERRORS, "404": ERRORS, "429": ERRORS}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Sigap Open311 GeoReport v2", "version": "2",
                 "description": "JSON side of Sigap's GeoReport v2 endpoint; every path also "
                                "answers in XML with the .xml suffix."},
        "servers": [{"url": base_url.rstrip("/")}],
        "paths": {
            "/discovery.json": {"get": {"operationId": "discovery", "parameters": [],
                                        "responses": {"200": _json(_ref("Discovery"), "OK"),
                                                      **common}}},
            "/services.json": {"get": {
                "operationId": "services", "parameters": [JURISDICTION],
                "responses": {"200": _json({"type": "array", "items": _ref("Service")}, "OK"),
                              **common}}},
            "/services/{service_code}.json": {"get": {
                "operationId": "service_definition",
                "parameters": [_path("service_code"), JURISDICTION],
                "responses": {"200": _json(_ref("ServiceDefinition"), "OK"), **common}}},
            "/requests.json": {
                "get": {"operationId": "requests", "parameters": REQUEST_FILTERS, "responses": {
                    "200": _json({"type": "array", "items": _ref("Request")}, "OK"),
                    **common}},
                "post": {
                    "operationId": "create_request",
                    "requestBody": {"required": True, "content": {
                        "application/x-www-form-urlencoded": {"schema": {
                            "type": "object", "required": ["api_key", "service_code"],
                            "properties": {name: {"type": "string"} for name in POST_FIELDS},
                        }}}},
                    "responses": {
                        "200": _json({"type": "array", "minItems": 1, "maxItems": 1,
                                      "items": _ref("Created")}, "Created"),
                        "403": ERRORS, **common}},
            },
            "/requests/{service_request_id}.json": {"get": {
                "operationId": "request",
                "parameters": [_path("service_request_id"), JURISDICTION,
                               _query("extensions", "true adds the public history.")],
                "responses": {"200": _json({"type": "array", "minItems": 1, "maxItems": 1,
                                            "items": _ref("Request")}, "OK"), **common}}},
            "/tokens/{token}.json": {"get": {
                "operationId": "token", "parameters": [_path("token"), JURISDICTION],
                "responses": {"200": _json({"type": "array", "items": {"type": "object"}},
                                           "OK"), **common}}},
        },
        "components": {"schemas": SCHEMAS},
    }
