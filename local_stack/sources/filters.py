"""Lambda event filtering (FilterCriteria): a record is delivered if any pattern matches.
https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html"""

from __future__ import annotations

import json
from typing import Any

_MISSING = object()


def compile_filters(filter_criteria: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [json.loads(f["Pattern"]) for f in (filter_criteria or {}).get("Filters", [])]


def passes(record: dict[str, Any], patterns: list[dict[str, Any]]) -> bool:
    return not patterns or any(_matches(record, pattern) for pattern in patterns)


def _matches(data: Any, pattern: dict[str, Any]) -> bool:
    for key, rule in pattern.items():
        value = data.get(key, _MISSING) if isinstance(data, dict) else _MISSING
        if isinstance(rule, dict):
            if value is _MISSING or not _matches(value, rule):
                return False
        elif isinstance(rule, list):
            values = value if isinstance(value, list) else [value]
            if not any(_rule_matches(v, r) for r in rule for v in values):
                return False
        else:
            raise ValueError(f"filter rule for {key!r} must be an object or an array")
    return True


def _rule_matches(value: Any, rule: Any) -> bool:  # noqa: PLR0911 (one return per operator)
    if not isinstance(rule, dict):
        return value is not _MISSING and bool(value == rule)
    ((op, arg),) = rule.items()
    if op == "exists":
        return (value is not _MISSING) == bool(arg)
    if value is _MISSING:
        return bool(op == "anything-but")
    if op == "prefix":
        return isinstance(value, str) and value.startswith(str(arg))
    if op == "suffix":
        return isinstance(value, str) and value.endswith(str(arg))
    if op == "equals-ignore-case":
        return isinstance(value, str) and value.lower() == str(arg).lower()
    if op == "anything-but":
        excluded = arg if isinstance(arg, list) else [arg]
        return bool(value not in excluded)
    if op == "numeric":
        return isinstance(value, int | float) and _numeric(value, arg)
    raise ValueError(f"unsupported filter operator {op!r}")


def _numeric(value: float, conditions: list[Any]) -> bool:
    checks = {
        "=": lambda a, b: a == b,
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }
    return all(checks[conditions[i]](value, conditions[i + 1]) for i in range(0, len(conditions), 2))
