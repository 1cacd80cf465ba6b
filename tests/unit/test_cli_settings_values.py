"""`goodword settings set KEY=VALUE`: values read as YAML, except what YAML would drop."""

from __future__ import annotations

import pytest

from goodword_cli.commands.settings import _parse


@pytest.mark.parametrize(
    ("assignment", "expected"),
    [
        ("brand_colour=#6b3a1f", "#6b3a1f"),  # YAML reads '#...' as a comment: None
        ("disclosure_wording=#gifted", "#gifted"),
        ("cooldown_days=14", 14),
        ("brand_names=[North Roast]", ["North Roast"]),
        ("privacy_notice_url=https://shop.example/privacy", "https://shop.example/privacy"),
        ("claim_link_base_url=", None),  # back to the default: the stack's own claim page
    ],
)
def test_values_are_read_as_a_person_means_them(assignment: str, expected: object) -> None:
    assert _parse(assignment)[1] == expected
