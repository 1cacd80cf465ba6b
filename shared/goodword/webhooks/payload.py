"""Strict, path-aware readers for a delivery's required fields: a missing or mistyped field
becomes an ``InvalidPayloadError`` that names where it was, never a KeyError or a 5xx. The
lenient readers of optional fields are goodword.platform_json."""

from __future__ import annotations

import re
from typing import Any

from goodword.platform_json import Json
from goodword.webhooks.errors import InvalidPayloadError


def obj(value: Any, path: str) -> Json:
    if not isinstance(value, dict):
        raise InvalidPayloadError(f"{path} must be a JSON object")
    return value


def array(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidPayloadError(f"{path} must be a JSON array")
    return value


def text(parent: Json, key: str, path: str) -> str:
    """A required id-like string. Numbers are refused: platforms' numeric ids lose
    precision in JSON (X documents `id` 1924465506158879000 for `id_str` ...978979)."""
    value = parent.get(key)
    if not isinstance(value, str) or not value or len(value) > 256 or re.search(r"[\s#]", value):
        raise InvalidPayloadError(f"{path}.{key} must be a non-empty id string")
    return value


def id_text(parent: Json, key: str, path: str) -> str:
    """A required id that some platforms send as a JSON integer (LinkedIn notificationId)."""
    value = parent.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return text(parent, key, path)
