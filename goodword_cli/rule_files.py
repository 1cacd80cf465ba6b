"""Rules as files: one rule per YAML file, checked exactly as the pipeline checks it when it
loads rules (schema, placeholders, regular expressions, windows, platform policy). Pure: no
AWS access.

A file written by `goodword rules pull` starts with a header naming the version it was
pulled at; `rules push` uses it to refuse overwriting a change made since."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from goodword.rules.documents import definition_of, parse_yaml, rule_problems, same_rule
from goodword.rules.model import Rule

__all__ = ["Problem", "RuleFile", "check_definition", "dump", "expand", "load", "load_all", "parse_yaml", "same_rule"]


_HEADER = re.compile(r"^# goodword: pulled version (\d+) of ", re.MULTILINE)


@dataclass(frozen=True)
class Problem:
    file: str
    rule_id: str | None
    field: str
    message: str

    def __str__(self) -> str:
        rule = f"rule {self.rule_id}" if self.rule_id else "(no rule id)"
        return f"{self.file}: {rule}: {self.field}: {self.message}"

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "rule_id": self.rule_id, "field": self.field, "message": self.message}


@dataclass
class RuleFile:
    path: Path
    definition: dict[str, Any] | None = None  # as written (JSON values), what gets stored
    rule: Rule | None = None  # None when it has problems
    base_version: int | None = None  # from the pull header
    problems: list[Problem] = field(default_factory=list)

    @property
    def rule_id(self) -> str | None:
        value = (self.definition or {}).get("id")
        return value if isinstance(value, str) else None


def check_definition(definition: dict[str, Any], file: str) -> tuple[Rule | None, list[Problem]]:
    """The rule, or every problem with it (schema first; policy once the schema holds)."""
    rule_id = definition.get("id") if isinstance(definition.get("id"), str) else None
    rule, problems = rule_problems(definition)
    return rule, [Problem(file, rule.id if rule else rule_id, where, message) for where, message in problems]


def load(path: Path) -> RuleFile:
    result = RuleFile(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        result.problems.append(Problem(name, None, "file", f"cannot read: {exc.strerror}"))
        return result
    result.definition, broken = definition_of(text)
    if result.definition is None:
        result.problems.extend(Problem(name, None, where or "file", message) for where, message in broken)
        return result
    if header := _HEADER.search(text):
        result.base_version = int(header.group(1))
    result.rule, result.problems = check_definition(result.definition, name)
    return result


def load_all(paths: list[Path]) -> list[RuleFile]:
    """Every file, plus a problem for a rule id given by two files."""
    files = [load(p) for p in paths]
    seen: dict[str, Path] = {}
    for rule_file in files:
        rule_id = rule_file.rule_id
        if rule_id is None:
            continue
        if rule_id in seen:
            rule_file.problems.append(Problem(str(rule_file.path), rule_id, "id", f"the same rule id is also in {seen[rule_id]}"))
            rule_file.rule = None
        seen.setdefault(rule_id, rule_file.path)
    return files


def expand(paths: list[Path]) -> list[Path]:
    """Directories stand for the *.yaml and *.yml files in them."""
    found: list[Path] = []
    for path in paths:
        found.extend(sorted([*path.glob("*.yaml"), *path.glob("*.yml")]) if path.is_dir() else [path])
    return found


def dump(definition: dict[str, Any], version: int, source: str) -> str:
    """The text `rules pull` writes: a header with the version, then the rule."""
    header = (
        f"# goodword: pulled version {version} of {definition.get('id')} from {source}.\n"
        "# Edit, then `goodword rules push` this file; the push is refused if someone changed the rule since.\n"
    )
    return header + yaml.safe_dump(definition, sort_keys=False, allow_unicode=True, width=100)
