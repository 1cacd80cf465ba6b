"""Readable, input-free summaries of pydantic validation errors."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

# Segments pydantic adds to error paths for union members (the condition kinds' tags and
# validator wrappers); they mean nothing to the person who wrote the rule.
_UNION_SEGMENTS = frozenset({"All", "Any", "Not", "Leaf"})


def field_path(loc: tuple[Any, ...]) -> str:
    """('actions', 0, 'offer_sample', 'message') -> 'actions[0].offer_sample.message'."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part not in _UNION_SEGMENTS and not str(part).startswith("function-"):
            path += f".{part}" if path else str(part)
    return path or "value"


def error_messages(exc: ValidationError) -> list[tuple[str, str]]:
    """(field path, what is wrong) for each error, never the offending values (they may be
    secrets or personal data)."""
    return [
        (field_path(tuple(error["loc"])), error["msg"].removeprefix("Value error, "))
        for error in exc.errors(include_input=False, include_url=False, include_context=False)
    ]


def describe_validation_error(exc: ValidationError, limit: int = 3) -> str:
    """Field paths and what is wrong with them, on one line."""
    messages = error_messages(exc)
    parts = [f"{where}: {message}" for where, message in messages[:limit]]
    more = len(messages) - limit
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")
