"""Validation messages in the words of the person who wrote the rule or setting: no union
tags, no class names, no "Extra inputs are not permitted" without what is allowed."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from goodword.rules.model import Rule, Settings
from goodword.validation import describe_validation_error

RULE = {"id": "r1", "name": "n", "triggers": {"kinds": ["mention"]}, "actions": [{"tag": {"label": "x"}}]}
JARGON = ("instance of", "str-enum", "literal[", "Extra inputs", "Input should", "Leaf", "AutomaticAbove", "OncePerPerson")


def message(model: Any, data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return describe_validation_error(caught.value, limit=10)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {**RULE, "conditions": {"field": "sentiment.label", "equal": "positive"}},
            "conditions.equal: unknown field 'equal' (allowed here: at_least, at_most, contains_all, contains_any, equals,",
        ),
        (
            {**RULE, "actions": [{"offer_sample": {"product": "p", "message": "{claim_link}", "review": "sometimes"}}]},
            "actions[0].offer_sample.review: should be 'automatic', 'manual' or 'by_band' "
            "or should be a mapping with automatic_above_confidence",
        ),
        (
            {**RULE, "limits": {"once_per_person": "always"}},
            "limits.once_per_person: should be 'forever' or should be a mapping with days",
        ),
        ({**RULE, "colour": "red"}, "colour: unknown field 'colour' (allowed here: actions, conditions, description, enabled,"),
        (
            {**RULE, "conditions": {"all": [{"field": "event.text", "contains": "x"}]}},
            "conditions.all[0].contains: unknown field",
        ),
        ({"id": "r1", "triggers": {"kinds": ["mention"]}, "actions": [{"tag": {"label": "x"}}]}, "name: is required"),
    ],
)
def test_rule_problems_are_said_without_library_jargon(data: dict[str, Any], expected: str) -> None:
    said = message(Rule, data)
    assert expected in said
    assert not [word for word in JARGON if word in said], said


def test_settings_problems_name_the_settings_there_are() -> None:
    said = message(Settings, {"cooldown": 3})
    allowed = ", ".join(sorted(Settings.model_fields))  # every setting, sorted (branches add settings)
    assert "brand_names, claim_address_retention_days, claim_link_base_url, cooldown_days" in allowed
    assert said == f"cooldown: unknown field 'cooldown' (allowed here: {allowed})"


def test_platform_names_are_case_insensitive_in_rules() -> None:
    rule = Rule.model_validate({**RULE, "triggers": {"kinds": ["mention"], "platforms": ["X", "Instagram"]}})
    assert [p.value for p in rule.triggers.platforms or []] == ["x", "instagram"]
    assert "should be 'x', 'instagram'" in message(Rule, {**RULE, "triggers": {"kinds": ["mention"], "platforms": ["myspace"]}})
