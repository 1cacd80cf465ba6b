"""Rules that can never run: a rule earlier in the order (lower priority number, then id)
with ``stop_after``, no conditions and no window matches every event the later rule's
triggers select, so whenever it acts the later rule is stopped."""

from __future__ import annotations

from collections.abc import Sequence

from goodword.rules.model import Rule, Triggers


def _covers(wide: list[str] | None, narrow: list[str] | None) -> bool:
    """Every value ``narrow`` selects is selected by ``wide`` (None: every value)."""
    return wide is None or (narrow is not None and set(narrow) <= set(wide))


def covers(first: Triggers, later: Triggers) -> bool:
    kinds = {k.value for k in first.kinds} >= {k.value for k in later.kinds}
    platforms = _covers(
        [p.value for p in first.platforms] if first.platforms is not None else None,
        [p.value for p in later.platforms] if later.platforms is not None else None,
    )
    return kinds and platforms and _covers(first.brand_accounts, later.brand_accounts)


def _limited(rule: Rule) -> bool:
    limits = rule.limits
    return limits.once_per_person is not None or any((limits.per_day, limits.per_week, limits.total))


def shadowing_warnings(rules: Sequence[Rule]) -> dict[str, str]:
    """Rule id -> why it can never run, for every rule shadowed by an earlier one."""
    ordered = sorted((r for r in rules if r.enabled), key=lambda r: (r.priority, r.id))
    warnings: dict[str, str] = {}
    for index, later in enumerate(ordered):
        for first in ordered[:index]:
            if first.stop_after and first.conditions is None and first.window is None and covers(first.triggers, later.triggers):
                capped = (
                    first.limits.once_per_person is not None
                    or first.limits.per_day
                    or first.limits.per_week
                    or first.limits.total
                )
                limits = " (unless one of its limits stops it)" if capped else ""
                warnings[later.id] = (
                    f"never runs: {first.id} comes first (priority {first.priority}), has stop_after, no conditions and "
                    f"covers its triggers, so it acts on every such event{limits} and stops {later.id}"
                )
                break
    return warnings
