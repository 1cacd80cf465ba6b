"""A rule as a YAML document, checked exactly as the pipeline checks it when it loads rules
(schema, placeholders, regular expressions, windows, platform policy), each problem named by
its dotted field path (``actions[0].offer_sample.message``). Pure: the command's rule files
and the console's rule editor both read rules through here."""

from __future__ import annotations

import difflib
import json
from typing import Any

import yaml
from pydantic import ValidationError

from goodword.rules.model import Rule
from goodword.rules.policy_check import policy_problems
from goodword.validation import error_messages

WHOLE = ""  # the path of a problem with the whole document (not YAML, not a mapping)


class _RuleLoader(yaml.SafeLoader):
    """YAML 1.1 reads `10:30` as the base-60 number 630, which would make `hours: {from: 10:30}`
    mean 00:10:30. In rules a clock time is always a time: such scalars stay strings."""


def _number_or_clock(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    value = loader.construct_scalar(node)
    if isinstance(value, str) and ":" in value:
        return value
    if node.tag.endswith(":int"):
        return loader.construct_yaml_int(node)
    return loader.construct_yaml_float(node)


_RuleLoader.add_constructor("tag:yaml.org,2002:int", _number_or_clock)
_RuleLoader.add_constructor("tag:yaml.org,2002:float", _number_or_clock)


def parse_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_RuleLoader)  # noqa: S506 (a SafeLoader subclass)


def definition_of(text: str) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
    """The definition a YAML text writes down (dates and times as strings, as they are
    stored: JSON), or why there is none: (path, message), the path a line ("line 3") for
    broken YAML."""
    try:
        document = parse_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else WHOLE
        return None, [(where, f"not valid YAML: {getattr(exc, 'problem', exc)}")]
    if not isinstance(document, dict):
        return None, [(WHOLE, "a rule file holds one rule: a mapping with id, name, triggers...")]
    return json.loads(json.dumps(document, default=str)), []


def rule_problems(definition: dict[str, Any]) -> tuple[Rule | None, list[tuple[str, str]]]:
    """The rule, or every problem with it as (field path, message): schema first, platform
    policy once the schema holds."""
    try:
        rule = Rule.model_validate(definition)
    except ValidationError as exc:
        return None, error_messages(exc)
    problems = []
    for problem in policy_problems(rule):
        where, _, message = problem.partition(": ")
        problems.append((where, f"platform policy: {message}"))
    return (None, problems) if problems else (rule, [])


def same_rule(first: dict[str, Any], second: dict[str, Any]) -> bool:
    """Whether two definitions are the same rule (defaults written out or left out, key
    order, YAML layout and comments aside); plain equality when either is not valid."""
    try:
        return Rule.model_validate(first).model_dump(mode="json") == Rule.model_validate(second).model_dump(mode="json")
    except ValidationError:
        return first == second


def as_yaml(definition: dict[str, Any] | None) -> str:
    """A definition as people read and edit it: the keys in the order written."""
    if definition is None:
        return ""
    return yaml.safe_dump(definition, sort_keys=False, allow_unicode=True, width=100)


def unified_diff(before: dict[str, Any] | None, after: dict[str, Any] | None, before_label: str, after_label: str) -> str:
    """What changes between two definitions, as a unified diff of their YAML."""
    return "".join(
        difflib.unified_diff(
            as_yaml(before).splitlines(keepends=True), as_yaml(after).splitlines(keepends=True), before_label, after_label
        )
    )
