"""The example rules in rules/ are valid, and the exported JSON Schema is current."""

from __future__ import annotations

import json

import pytest
import yaml

from dev_support.paths import ROOT
from goodword.rules.model import Rule
from scripts.export_rules_schema import schema

EXAMPLES = sorted((ROOT / "rules").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_rule_is_valid_and_named_after_its_id(path: object) -> None:
    definition = yaml.safe_load(path.read_text())  # type: ignore[attr-defined]
    rule = Rule.model_validate(definition)
    assert path.name == f"{rule.id}.yaml"  # type: ignore[attr-defined]


def test_the_four_documented_examples_exist() -> None:
    assert {p.stem for p in EXAMPLES} >= {
        "first-positive-mention-sample",
        "thank-positive-repeat-mentioners",
        "negative-mentions-to-support",
        "welcome-twitch-followers",
    }


def test_exported_schema_is_current() -> None:
    committed = json.loads((ROOT / "docs" / "rules.schema.json").read_text())
    assert committed == schema(), "run: .venv/bin/python -m scripts.export_rules_schema"
