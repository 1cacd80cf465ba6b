"""Message templates: documented {placeholders} only; an unknown one is a validation error,
never a blank in a sent message."""

from __future__ import annotations

import string
from typing import Any

PLACEHOLDERS: dict[str, str] = {
    "author_handle": "the person's handle with its @ (or their name where the platform has no handles)",
    "author_name": "the person's display name (or handle)",
    "product": "the offer's product",
    "claim_link": "the unique link to claim the offer (claim-link base URL + claim code)",
    "claim_code": "the offer's claim code",
    "brand_handle": "the brand account's handle",
    "platform": "the platform's name",
}
_OFFER_ONLY = {"product", "claim_link", "claim_code"}


def placeholders_in(template: str) -> list[str]:
    try:
        parts = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise ValueError(f"message template is malformed: {exc}") from None
    for name, spec, conversion in parts:
        if name == "" or not name.isidentifier():
            raise ValueError(f"message template has an empty or invalid placeholder {{{name}}}; write {{{{ and }}}} for braces")
        if spec or conversion:  # {author_handle:>500000} would pad a message to any length
            raise ValueError(f"placeholders take no format or conversion: write {{{name}}} alone")
    return [name for name, _, _ in parts]


def validate_template(template: str, *, offer: bool) -> str:
    allowed = PLACEHOLDERS if offer else {k: v for k, v in PLACEHOLDERS.items() if k not in _OFFER_ONLY}
    unknown = [n for n in placeholders_in(template) if n not in allowed]
    if unknown:
        raise ValueError(f"unknown placeholder {{{unknown[0]}}}; use {', '.join('{' + k + '}' for k in allowed)}")
    return template


_EMPTY = "\x00"  # where a placeholder had nothing to say


def render(template: str, values: dict[str, Any]) -> str:
    """The message, each placeholder filled; one with no value (a LinkedIn author has no
    handle or name) takes the space before it along: "Thank you {author_handle}!" reads
    "Thank you!", never "Thank you !"."""
    filled = template.format_map({k: (_EMPTY if v is None or v == "" else v) for k, v in values.items()})
    if filled.startswith(_EMPTY):
        filled = filled.lstrip(_EMPTY + " \t")
    # linear: each piece before an empty placeholder loses its trailing spaces (a regex like
    # [ \t]*\x00 would try every space of a long run again from each one: quadratic)
    *before, last = filled.split(_EMPTY)
    return "".join(piece.rstrip(" \t") for piece in before) + last
