"""Every test of a rule's conditions with the value it saw and its outcome (the pipeline
only needs the first failure; people testing a rule want the whole tree). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from goodword.rules.conditions import All, Any_, Condition, Leaf, Not, compile_condition, shown


@dataclass(frozen=True)
class Step:
    depth: int
    path: str
    text: str
    holds: bool
    seen: Any = None

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "test": self.text, "holds": self.holds, "seen": self.seen}


def explain(condition: Condition | None, facts: dict[str, Any], path: str = "conditions", depth: int = 0) -> list[Step]:
    """Depth-first: each group before its members."""
    if condition is None:
        return [Step(depth, path, "no conditions: every triggering event", True)]
    if isinstance(condition, Leaf):
        expected = getattr(condition, condition.operator)
        holds = compile_condition(condition, path)(facts) is None
        seen = facts.get(condition.field)
        return [Step(depth, path, f"{condition.field} {condition.operator} {shown(expected)}", holds, seen)]
    if isinstance(condition, Not):
        inner = explain(condition.not_, facts, f"{path}.not", depth + 1)
        return [Step(depth, path, "not", not inner[0].holds), *inner]
    members = condition.all if isinstance(condition, All) else condition.any
    word = "all" if isinstance(condition, All) else "any"
    steps: list[Step] = []
    for index, member in enumerate(members):
        steps.extend(explain(member, facts, f"{path}.{word}[{index}]", depth + 1))
    tops = [s.holds for s in steps if s.depth == depth + 1]
    holds = all(tops) if isinstance(condition, All) else any(tops)
    assert isinstance(condition, All | Any_)  # noqa: S101 (the four kinds are exhaustive)
    return [Step(depth, path, f"{word} of", holds), *steps]
