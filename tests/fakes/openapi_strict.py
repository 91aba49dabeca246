"""Check requests (and answers) against a platform's own OpenAPI description.

Used by the fake servers in this folder: every request the bot sends is validated with
openapi-core against the spec in ``shared/specs/``; a request the spec rejects is a test
failure. Generic on purpose: nothing here knows about X or WhatsApp.

Two choices differ from openapi-core's defaults, both to be stricter:
- a security scheme openapi-core cannot check (oauth2, openIdConnect) counts as *not*
  satisfied instead of passing with a warning, so an operation is reached only through a
  scheme that was really checked (an ``Authorization`` header of the right type);
- ``reject_unknown_query=True`` reports query parameters the operation does not declare,
  as real APIs do (X answers 400 to an unknown parameter).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl

import yaml
from jsonschema_path import SchemaPath
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.security.exceptions import SecurityProviderError
from openapi_core.security.factories import SecurityProviderFactory
from openapi_core.security.providers import BaseProvider
from openapi_core.templating.paths.finders import APICallPathFinder
from werkzeug.datastructures import Headers, ImmutableMultiDict


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
    PROVIDERS: ClassVar[dict[str, type[BaseProvider]]] = {
        **SecurityProviderFactory.PROVIDERS,
        "http": _Http,
        "oauth2": _Unchecked,
        "openIdConnect": _Unchecked,
    }


@functools.cache
def load_spec(path: Path) -> OpenAPI:
    """The spec at ``path``, parsed once per process (the X spec takes about half a second)."""
    config = Config(
        spec_validator_cls=None,
        security_provider_factory=_StrictSecurity(),
        # problem+json is JSON; openapi-core only knows application/json by name
        extra_media_type_deserializers={"application/problem+json": json.loads},
    )
    if path.suffix in (".yaml", ".yml"):
        with path.open(encoding="utf-8") as handle:
            return OpenAPI.from_dict(yaml.safe_load(handle), config=config)
    with path.open(encoding="utf-8") as handle:
        return OpenAPI.from_dict(json.load(handle), config=config)


def spec_host(spec: OpenAPI) -> str:
    """The first server URL of the spec: requests are validated as if sent there."""
    servers = spec.spec / "servers"
    return str((servers / 0 / "url").read_str()).rstrip("/") if "servers" in spec.spec else ""


class _Request:
    """The shape openapi-core reads (its ``Request`` protocol), from plain values."""

    def __init__(
        self,
        host_url: str,
        method: str,
        path: str,
        query: Iterable[tuple[str, str]],
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
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(query)), header=header_map, cookie=cookies, path={}
        )


class _Response:
    def __init__(self, status: int, headers: Mapping[str, str], body: bytes | None) -> None:
        self.status_code = status
        self.headers = Headers(list(headers.items()))
        self.content_type = (self.headers.get("Content-Type") or "").lower()
        self.data = body


def _cookies(header: str) -> list[tuple[str, str]]:
    pairs = []
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            pairs.append((name, value))
    return pairs


def _query(query: str | Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    if isinstance(query, str):
        return parse_qsl(query, keep_blank_values=True)
    return list(query)


def _describe(error: Exception) -> str:
    causes = getattr(error.__cause__, "schema_errors", None) or []
    details = "; ".join(str(getattr(cause, "message", cause)) for cause in causes)
    return f"{error}: {details}" if details else str(error)


def _declared_query(spec: OpenAPI, method: str, full_url: str) -> set[str] | None:
    try:
        found = APICallPathFinder(spec.spec).find(method.lower(), full_url)
    except Exception:
        return None
    names: set[str] = set()
    for holder in (found.path, found.operation):
        if "parameters" not in holder:
            continue
        for parameter in holder / "parameters":
            with parameter.resolve() as resolved:
                value = resolved.contents
            if value.get("in") == "query":
                names.add(value["name"])
    return names


def request_errors(
    spec_path: Path,
    *,
    method: str,
    path: str,
    query: str | Iterable[tuple[str, str]] = (),
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    reject_unknown_query: bool = False,
) -> list[str]:
    """Everything the spec finds wrong with this request; an empty list when it is valid."""
    spec = load_spec(spec_path)
    pairs = _query(query)
    request = _Request(spec_host(spec), method, path, pairs, headers or {}, body)
    errors = [_describe(error) for error in spec.iter_request_errors(request)]
    if reject_unknown_query and not errors:
        declared = _declared_query(spec, method, request.full_url_pattern)
        unknown = sorted({name for name, _ in pairs} - (declared or set()))
        if declared is not None and unknown:
            errors.append(f"query parameters not in the spec: {', '.join(unknown)}")
    return errors


def response_errors(
    spec_path: Path,
    *,
    method: str,
    path: str,
    status: int,
    headers: Mapping[str, str],
    body: bytes | None,
    query: str | Iterable[tuple[str, str]] = (),
    request_headers: Mapping[str, str] | None = None,
) -> list[str]:
    """Everything the spec finds wrong with an answer to the given request."""
    spec = load_spec(spec_path)
    request = _Request(spec_host(spec), method, path, _query(query), request_headers or {}, None)
    response = _Response(status, headers, body)
    return [_describe(error) for error in spec.iter_response_errors(request, response)]


def spec_schema(spec_path: Path) -> SchemaPath:
    """The parsed spec, for fakes that read examples or enums from it."""
    return load_spec(spec_path).spec
