"""Tokens as moto's Cognito signs them (its fixed key pair, published as every pool's JWKS), and
tokens made to be refused: expired, for another audience, signed with another key."""

from __future__ import annotations

import time
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from moto.utilities.utils import load_resource

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"


def moto_public_keys() -> KeySet:
    return KeySet.import_key_set(load_resource("cognitoidp/resources/jwks-public.json"))


def moto_private_key() -> RSAKey:
    return RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))


def id_token(pool_id: str, audience: str, key: RSAKey | None = None, **claims: Any) -> str:
    """An ID token of the pool for the client (an editor's unless ``claims`` say otherwise),
    signed with moto's key unless ``key`` is given; ``exp`` an hour from now by default."""
    now = int(time.time())
    payload: dict[str, Any] = {
        "iss": ISSUER.format(pool_id=pool_id),
        "aud": audience,
        "token_use": "id",
        "sub": "00000000-0000-0000-0000-000000000001",
        "email": "editor@goodword.local",
        "cognito:groups": ["editors"],
        "iat": now,
        "exp": now + 3600,
        **claims,
    }
    payload = {k: v for k, v in payload.items() if v is not None}  # a claim given as None: left out
    return jwt.encode({"alg": "RS256", "kid": "dummy"}, payload, key or moto_private_key())


def other_key() -> RSAKey:
    """A key nobody published: what a forger signs with."""
    return RSAKey.generate_key(2048)
