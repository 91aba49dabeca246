"""Check requests (and a fake's own answers) against a platform's own OpenAPI description.

The fakes in this folder validate every request they receive with openapi-core against the
spec in ``tests/data/specs/`` and refuse any that the real API would not accept, so a test
passes only if the bot speaks the real API. ``response_errors`` lets a fake check that what
it answers is a documented, valid response too. Generic on purpose: nothing here knows
about X or WhatsApp. Specs load once per process (the Meta one is 1 MB).

Three choices differ from openapi-core's defaults, all to be stricter:
- a security scheme openapi-core cannot check (oauth2, openIdConnect) counts as *not*
  satisfied instead of passing with a warning, so an operation is reached only through a
  scheme that was really checked (an ``Authorization`` header of the right type);
- the HTTP auth scheme is compared case-insensitively on both sides, as RFC 9110 says
  (X's scheme is "OAuth"), and empty credentials do not count;
- ``reject_unknown_query=True`` reports query parameters the operation does not declare,
  as real APIs do (X answers 400 to an unknown parameter).
``application/problem+json`` bodies are read as the JSON they are.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import yaml
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.security.exceptions import SecurityProviderError
from openapi_core.security.factories import SecurityProviderFactory
from openapi_core.security.providers import BaseProvider
from openapi_core.templating.paths.finders import APICallPathFinder
from openapi_schema_validator import OAS31Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from werkzeug.datastructures import Headers, ImmutableMultiDict

Query = str | Iterable[tuple[str, str]] | Mapping[str, str]


class _Unchecked(BaseProvider):
    def __call__(self, parameters: RequestParameters) -> Any:
        raise SecurityProviderError("this security scheme is not checked by the fake")


class _Http(BaseProvider):
    """openapi-core's check, but case-insensitive as RFC 9110 says (X's scheme is "OAuth")."""

    def __call__(self, parameters: RequestParameters) -> Any:
        header = parameters.header.get("Authorization")
        if not header:
            raise SecurityProviderError("Missing authorization header.")
        auth_type, _, credentials = str(header).partition(" ")
        if auth_type.lower() != str(self.scheme["scheme"]).lower() or not credentials.strip():
            raise SecurityProviderError(f"Unknown authorization method {auth_type}")
        return credentials


class _StrictSecurity(SecurityProviderFactory):
    PROVIDERS: dict[str, type[BaseProvider]] = {  # noqa: RUF012 (the base class declares it so)
        **SecurityProviderFactory.PROVIDERS,
        "http": _Http,
        "oauth2": _Unchecked,
        "openIdConnect": _Unchecked,
    }


@functools.cache
def _load(path: Path) -> tuple[OpenAPI, str, dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        spec: dict[str, Any] = json.loads(text)
    else:
        spec = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    servers = spec.get("servers") or [{"url": "http://localhost"}]
    config = Config(
        # NestJS-generated specs (WAHA) put ``required: true`` on properties, which the spec
        # validator rejects; the schemas themselves are fine, so skip validating the spec.
        spec_validator_cls=None,
        security_provider_factory=_StrictSecurity(),
        # problem+json is JSON; openapi-core only knows application/json by name
        extra_media_type_deserializers={"application/problem+json": json.loads},
    )
    return OpenAPI.from_dict(spec, config=config), servers[0]["url"].rstrip("/"), spec


class _Request:
    """The shape openapi-core reads (its ``Request`` protocol), from plain values."""

    def __init__(
        self,
        host_url: str,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes | None,
    ) -> None:
        self.host_url = host_url
        self.path = path
        self.full_url_pattern = host_url + path
        self.method = method.lower()
        self.body = body or None
        header_map = Headers(list(headers.items()))
        self.content_type = (header_map.get("Content-Type") or "").lower()
        cookies = ImmutableMultiDict(_cookies(header_map.get("Cookie", "")))
        # repeated query keys (a=1&a=2) must survive, hence a multidict
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(query), header=header_map, cookie=cookies, path={}
        )


class _Response:
    def __init__(self, status: int, headers: Mapping[str, str], body: bytes | None) -> None:
        self.status_code = status
        self.headers = Headers(list(headers.items()))
        self.content_type = (self.headers.get("Content-Type") or "application/json").lower()
        self.data = body


def _cookies(header: str) -> list[tuple[str, str]]:
    pairs = []
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            pairs.append((name, value))
    return pairs


def _pairs(query: Query) -> list[tuple[str, str]]:
    if isinstance(query, str):
        return parse_qsl(query, keep_blank_values=True)
    if isinstance(query, Mapping):
        return list(query.items())
    return list(query)


def _explain(error: BaseException) -> str:
    """One validation error and its causes, on one line a test failure can show."""
    parts = [f"{type(error).__name__}: {error}"]
    cause = error.__cause__
    while cause is not None:
        schema_errors = getattr(cause, "schema_errors", None) or ()
        for schema_error in schema_errors:
            path = "/".join(str(p) for p in schema_error.absolute_path)
            parts.append(f"at /{path}: {schema_error.message}")
        if not schema_errors:
            parts.append(f"because {type(cause).__name__}: {cause}")
        cause = cause.__cause__
    return "; ".join(parts)


class SpecValidator:
    """One OpenAPI description; validates requests and responses given as plain values.

    Each method returns one line per error, and an empty list when all is valid.
    """

    def __init__(self, spec_path: Path | str, *, reject_unknown_query: bool = False) -> None:
        self.spec_path = Path(spec_path)
        self.reject_unknown_query = reject_unknown_query
        self._api, self._server, self.spec = _load(self.spec_path.resolve())

    def _request(
        self,
        method: str,
        path: str,
        query: Query,
        headers: Mapping[str, str] | None,
        body: bytes | None,
    ) -> _Request:
        return _Request(self._server, method, path, _pairs(query), headers or {}, body)

    def request_errors(
        self,
        method: str,
        path: str,
        query: Query = (),
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> list[str]:
        """Why the API would refuse this request."""
        request = self._request(method, path, query, headers, body)
        errors = [_explain(error) for error in self._api.iter_request_errors(request)]
        if self.reject_unknown_query and not errors:
            errors.extend(self._unknown_query(request))
        return errors

    def response_errors(
        self,
        method: str,
        path: str,
        status: int,
        body: bytes,
        *,
        query: Query = (),
        headers: Mapping[str, str] | None = None,
        response_headers: Mapping[str, str] | None = None,
    ) -> list[str]:
        """Why an answer (JSON unless ``response_headers`` say otherwise) does not match the
        description of that operation's response; ``headers`` are the request's."""
        request = self._request(method, path, query, headers, None)
        response = _Response(status, response_headers or {}, body)
        return [_explain(error) for error in self._api.iter_response_errors(request, response)]

    def schema_errors(
        self, name: str, instance: Any, overrides: Mapping[str, Any] | None = None
    ) -> list[str]:
        """Why ``instance`` is not a valid ``components/schemas/<name>`` (webhook payloads).

        ``overrides`` replaces or adds component schemas, for parts of a description that
        are known to be wrong (say why where you pass them).
        """
        spec = self.spec
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

    def _unknown_query(self, request: _Request) -> Iterator[str]:
        try:
            found = APICallPathFinder(self._api.spec).find(request.method, request.full_url_pattern)
        except Exception:
            return  # no such operation: the spec check has said so already
        declared: set[str] = set()
        for holder in (found.path, found.operation):
            if "parameters" not in holder:
                continue
            for parameter in holder / "parameters":
                with parameter.resolve() as resolved:
                    value = resolved.contents
                if value.get("in") == "query":
                    declared.add(value["name"])
        unknown = sorted(set(request.parameters.query) - declared)
        if unknown:
            yield f"query parameters not in the spec: {', '.join(unknown)}"
