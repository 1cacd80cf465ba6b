"""The repeat-claimer HMAC key (the template's ClaimHashKey secret, generated at creation:
{"key": "<64 random letters and digits>"}), read through the cached secret loader. Its value
is never logged."""

from __future__ import annotations

from typing import Any

from goodword.aws.webhook_secrets import SecretLoader

MIN_KEY_LENGTH = 32


def parse_claim_hash_key(document: Any) -> bytes:
    value = document.get("key") if isinstance(document, dict) else None
    if not isinstance(value, str) or len(value) < MIN_KEY_LENGTH:
        raise ValueError(f"the claim hash key secret needs a 'key' of at least {MIN_KEY_LENGTH} characters")
    return value.encode()


def claim_hash_key(secret_id: str, max_age_seconds: int = 3600) -> SecretLoader[bytes]:
    """Call the loader for the key (raises SecretsUnavailable when it cannot be read)."""
    return SecretLoader(secret_id, max_age_seconds, parse_claim_hash_key)
