"""HMAC-SHA256 signatures in the encodings the platforms use, compared in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable


def hmac_sha256(key: bytes | str, message: bytes | str) -> bytes:
    if isinstance(key, str):
        key = key.encode()
    if isinstance(message, str):
        message = message.encode()
    return hmac.new(key, message, hashlib.sha256).digest()


def b64_hmac(key: bytes | str, message: bytes | str) -> str:
    return base64.b64encode(hmac_sha256(key, message)).decode()


def hex_hmac(key: bytes | str, message: bytes | str) -> str:
    return hmac_sha256(key, message).hex()


def matches_any(presented: str, candidates: Iterable[str]) -> bool:
    """True if ``presented`` equals one candidate. Every candidate is compared, in
    constant time, so timing does not reveal which secret (if any) matched."""
    presented_bytes = presented.encode()
    found = False
    for candidate in candidates:
        found |= hmac.compare_digest(presented_bytes, candidate.encode())
    return found
