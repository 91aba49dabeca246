"""Check HTTP requests (and a fake's own answers) against an OpenAPI description.

The fakes in this folder call ``request_errors`` on every request they receive and refuse
any that the real API description would not accept, so a test passes only if the bot
speaks the real API. ``response_errors`` lets a fake check that what it answers is a
documented, valid response too. Specs load once per process (the Meta one is 1 MB).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from openapi_core import Config, OpenAPI
from openapi_core.exceptions import OpenAPIError
from openapi_core.testing import MockRequest, MockResponse
from openapi_schema_validator import OAS31Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from werkzeug.datastructures import Headers, ImmutableMultiDict


@functools.cache
def _load(path: Path) -> tuple[OpenAPI, str, dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        spec: dict[str, Any] = json.loads(text)
    else:
        spec = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    servers = spec.get("servers") or [{"url": "http://localhost"}]
    # NestJS-generated specs (WAHA) put ``required: true`` on properties, which the spec
    # validator rejects; the schemas themselves are fine, so skip validating the spec.
    api = OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))
    return api, servers[0]["url"], spec


def _explain(exc: BaseException) -> list[str]:
    """The validation error and its causes, as short lines a test failure can show."""
    lines = [f"{type(exc).__name__}: {exc}"]
    cause = exc.__cause__
    while cause is not None:
        schema_errors = getattr(cause, "schema_errors", None) or ()
        for schema_error in schema_errors:
            path = "/".join(str(p) for p in schema_error.absolute_path)
            lines.append(f"  at /{path}: {schema_error.message}")
        if not schema_errors:
            lines.append(f"  because {type(cause).__name__}: {cause}")
        cause = cause.__cause__
    return lines


class SpecValidator:
    """One OpenAPI description; validates requests and responses given as plain values."""

    def __init__(self, spec_path: Path | str) -> None:
        self.spec_path = Path(spec_path)
        self._api, self._server, self._spec = _load(self.spec_path.resolve())

    def _request(
        self,
        method: str,
        path: str,
        query: Iterable[tuple[str, str]] | Mapping[str, str] = (),
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> MockRequest:
        pairs = list(query.items()) if isinstance(query, Mapping) else list(query)
        header_map = dict(headers or {})
        content_type = next(
            (v for k, v in header_map.items() if k.lower() == "content-type"), "application/json"
        )
        request = MockRequest(
            self._server.rstrip("/"),
            method,
            path,
            headers=header_map,
            data=body,
            content_type=content_type.split(";")[0].strip().lower(),
        )
        # repeated query keys (a=1&a=2) must survive, so build the multidict ourselves
        request.parameters.query = ImmutableMultiDict(pairs)
        request.parameters.header = Headers(header_map)
        return request

    def request_errors(
        self,
        method: str,
        path: str,
        query: Iterable[tuple[str, str]] | Mapping[str, str] = (),
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> list[str]:
        """Why the API would refuse this request; empty when the request is valid."""
        request = self._request(method, path, query, headers, body)
        try:
            self._api.validate_request(request)
        except OpenAPIError as exc:
            return _explain(exc)
        return []

    def response_errors(
        self,
        method: str,
        path: str,
        status: int,
        body: bytes,
        *,
        query: Iterable[tuple[str, str]] | Mapping[str, str] = (),
        headers: Mapping[str, str] | None = None,
        response_headers: Mapping[str, str] | None = None,
        content_type: str = "application/json",
    ) -> list[str]:
        """Why an answer does not match the description of that operation's response."""
        request = self._request(method, path, query, headers, None)
        response = MockResponse(
            body,
            status_code=status,
            headers=dict(response_headers or {}),
            content_type=content_type,
        )
        try:
            self._api.validate_response(request, response)
        except OpenAPIError as exc:
            return _explain(exc)
        return []

    def schema_errors(
        self, name: str, instance: Any, overrides: Mapping[str, Any] | None = None
    ) -> list[str]:
        """Why ``instance`` is not a valid ``components/schemas/<name>`` (webhook payloads).

        ``overrides`` replaces or adds component schemas, for parts of a description that
        are known to be wrong (say why where you pass them).
        """
        spec = self._spec
        if overrides:
            schemas = {**spec["components"]["schemas"], **overrides}
            spec = {**spec, "components": {**spec["components"], "schemas": schemas}}
        registry: Registry[Any] = Registry().with_resource(
            "urn:spec", Resource.from_contents(spec, default_specification=DRAFT202012)
        )
        validator = OAS31Validator(
            {"$ref": f"urn:spec#/components/schemas/{name}"}, registry=registry
        )
        lines = []
        for error in validator.iter_errors(instance):
            path = "/".join(str(p) for p in error.absolute_path)
            lines.append(f"at /{path}: {error.message[:300]}")
            for sub in (error.context or [])[:5]:
                sub_path = "/".join(str(p) for p in sub.absolute_path)
                lines.append(f"  (one option) at /{sub_path}: {sub.message[:200]}")
        return lines

    def documents(self, method: str, path: str, status: int) -> bool:
        """Whether the description says anything about this answer (errors often are not)."""
        request = self._request(method, path)
        try:
            self._api.validate_response(
                request, MockResponse(b"", status_code=status, content_type="application/x-probe")
            )
        except OpenAPIError as exc:
            return type(exc).__name__ != "ResponseNotFound"
        return True
