"""The marketers' reference names every field, operator and placeholder the code accepts."""

from __future__ import annotations

from dev_support.paths import ROOT
from goodword.rules.conditions import OPERATORS
from goodword.rules.fields import FIELDS
from goodword.rules.templates import PLACEHOLDERS

REFERENCE = (ROOT / "docs" / "rules.md").read_text()


def test_every_field_operator_and_placeholder_is_documented() -> None:
    missing = [f"`{name}`" for name in FIELDS if f"`{name}`" not in REFERENCE]
    missing += [f"`{op}`" for op in OPERATORS if f"`{op}`" not in REFERENCE]
    missing += ["`{" + name + "}`" for name in PLACEHOLDERS if "`{" + name + "}`" not in REFERENCE]
    assert missing == []
