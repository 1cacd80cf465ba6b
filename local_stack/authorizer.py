"""The HTTP API's JWT authorizer, played locally: a route the template protects with one
(the console's /api/*) is reached only with a valid token, and its function gets the token's
claims exactly where API Gateway puts them (``requestContext.authorizer.jwt.claims``).

API Gateway's checks, as documented for JWT authorizers: the identity source (the
Authorization header, with or without "Bearer ") must be there; the token must be a JWT signed
with one of the issuer's published keys (JWKS), by RS256; ``iss`` must be the configured
issuer; ``aud`` (or, for an access token, ``client_id``) one of the configured audiences;
``exp`` in the future and ``nbf`` past. Anything else is 401 ``{"message":"Unauthorized"}``."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

LEEWAY_SECONDS = 0  # API Gateway allows no clock skew beyond its own
UNAUTHORIZED = (401, [("content-type", "application/json"), ("www-authenticate", "Bearer")], b'{"message":"Unauthorized"}')


@dataclass(frozen=True)
class JwtAuthorizer:
    name: str
    issuer: str
    audience: tuple[str, ...]
    identity_source: str = "$request.header.Authorization"

    @property
    def header(self) -> str:
        """The request header the token comes in (lower-case)."""
        return self.identity_source.removeprefix("$request.header.").lower()


def authorizers_of(body: dict[str, Any]) -> dict[str, JwtAuthorizer]:
    """The JWT authorizers an HTTP API's OpenAPI body declares (SAM writes them as security
    schemes with x-amazon-apigateway-authorizer), by name."""
    found = {}
    for name, scheme in ((body.get("components") or {}).get("securitySchemes") or {}).items():
        config = scheme.get("x-amazon-apigateway-authorizer") if isinstance(scheme, dict) else None
        if not isinstance(config, dict) or config.get("type") != "jwt":
            continue
        jwt_config = config.get("jwtConfiguration") or {}
        issuer, audience = jwt_config.get("issuer"), jwt_config.get("audience") or []
        if not isinstance(issuer, str) or not all(isinstance(a, str) for a in audience):
            raise ValueError(f"authorizer {name}: its issuer or audience did not resolve ({jwt_config})")
        found[name] = JwtAuthorizer(
            name, issuer, tuple(audience), str(config.get("identitySource") or "$request.header.Authorization")
        )
    return found


def authorizer_for(
    operation: dict[str, Any], body: dict[str, Any], authorizers: dict[str, JwtAuthorizer]
) -> JwtAuthorizer | None:
    """The authorizer a route's operation requires (its own ``security``, else the API's)."""
    security = operation.get("security", body.get("security")) or []
    for requirement in security:
        for name in requirement if isinstance(requirement, dict) else ():
            if name in authorizers:
                return authorizers[name]
    return None


def claims(authorizer: JwtAuthorizer, headers: dict[str, str], keys: KeySet, now: float | None = None) -> dict[str, str] | None:
    """The token's claims as API Gateway passes them (every value a string), or None: 401."""
    token = headers.get(authorizer.header, "").strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    if not token:
        return None
    try:
        decoded = jwt.decode(token, keys, algorithms=["RS256"])
    except (JoseError, ValueError, TypeError, KeyError):
        return None
    found = decoded.claims
    moment = time.time() if now is None else now
    audience = found.get("aud") or found.get("client_id")
    audiences = audience if isinstance(audience, list) else [audience]
    exp, nbf = found.get("exp"), found.get("nbf")
    if (
        found.get("iss") != authorizer.issuer
        or not any(a in authorizer.audience for a in audiences if isinstance(a, str))
        or not isinstance(exp, int | float)
        or exp + LEEWAY_SECONDS <= moment
        or (isinstance(nbf, int | float) and nbf - LEEWAY_SECONDS > moment)
    ):
        return None
    return {str(k): as_claim(v) for k, v in found.items()}


def as_claim(value: Any) -> str:
    """API Gateway's form of a claim: a list is "[a b]", true is "true", a number its digits."""
    if isinstance(value, list):
        return "[" + " ".join(as_claim(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


class IssuerKeys:
    """Each issuer's published keys, fetched on first use and kept (``fetch`` gets the JWKS
    document of an issuer: locally, the moto server's copy)."""

    def __init__(self, fetch: Callable[[str], dict[str, Any]]) -> None:
        self._fetch = fetch
        self._keys: dict[str, KeySet] = {}

    def __call__(self, issuer: str) -> KeySet:
        if issuer not in self._keys:
            self._keys[issuer] = KeySet.import_key_set(self._fetch(issuer))  # type: ignore[arg-type]
        return self._keys[issuer]
