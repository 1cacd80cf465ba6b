"""Rules: the operators and combinators (edge cases included), templates, validation with
clear reasons, windows, and the evaluation's explanation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from goodword.rules.conditions import Condition, compile_condition, compile_matcher
from goodword.rules.engine import Outcome, compile_rules, evaluate, in_window
from goodword.rules.model import Rule, Settings, Window
from goodword.rules.templates import render, validate_template

CONDITION: TypeAdapter[Any] = TypeAdapter(Condition)


def holds(condition: dict[str, Any], facts: dict[str, Any]) -> bool:
    """Both compiled forms must agree: the fast matcher and the explaining checker."""
    parsed = CONDITION.validate_python(condition)
    explained = compile_condition(parsed)(dict(facts)) is None
    assert compile_matcher(parsed)(dict(facts)) is explained
    return explained


TEXT = {"event.text": "I LOVE the Ethiopian roast ☕, best café in town! #coffee"}


@pytest.mark.parametrize(
    ("condition", "facts", "expected"),
    [
        ({"field": "event.text", "contains_any": ["love"]}, TEXT, True),
        ({"field": "event.text", "contains_any": ["lov"]}, TEXT, False),  # whole words only
        ({"field": "event.text", "contains_any": ["ethiopian  roast"]}, TEXT, True),  # phrases, any spacing and case
        ({"field": "event.text", "contains_all": ["love", "café"]}, TEXT, True),  # Unicode
        ({"field": "event.text", "contains_all": ["love", "cafe"]}, TEXT, False),
        ({"field": "event.text", "contains_any": ["coffee"]}, TEXT, True),  # in a hashtag
        ({"field": "event.text", "contains_any": ["love"]}, {}, False),  # missing field
        ({"field": "event.text", "matches": r"best\s+caf[eé]"}, TEXT, True),
        ({"field": "event.text", "matches": r"^worst"}, TEXT, False),
        ({"field": "sentiment.label", "equals": "Positive"}, {"sentiment.label": "positive"}, True),  # case-insensitive
        ({"field": "sentiment.label", "not_equals": "negative"}, {"sentiment.label": "positive"}, True),
        ({"field": "sentiment.label", "equals": "negative"}, {"sentiment.label": "Negative"}, False),  # canonical: exact
        ({"field": "author.handle", "equals": "ana"}, {"author.handle": "Ana"}, True),  # free strings: any case
        ({"field": "sentiment.label", "not_equals": "negative"}, {}, False),  # missing is not "not equal"
        ({"field": "author.followers_count", "at_least": 10}, {"author.followers_count": 10}, True),
        ({"field": "author.followers_count", "greater_than": 10}, {"author.followers_count": 10}, False),
        ({"field": "author.followers_count", "at_most": 10}, {}, False),  # unknown count fails a comparison
        ({"field": "profile.is_first_mention", "equals": True}, {"profile.is_first_mention": True}, True),
        ({"field": "profile.mention_count", "equals": 1}, {"profile.mention_count": True}, False),  # bool is not 1
        ({"field": "event.platform", "one_of": ["x", "instagram"]}, {"event.platform": "x"}, True),
        ({"field": "event.platform", "not_one_of": ["x"]}, {"event.platform": "x"}, False),
        ({"field": "profile.tags", "one_of": ["vip"]}, {"profile.tags": ["fan", "VIP"]}, True),
        ({"field": "profile.tags", "contains_all": ["vip", "fan"]}, {"profile.tags": ["fan", "vip"]}, True),
        ({"field": "author.followers_count", "exists": False}, {}, True),
        (
            {
                "all": [
                    {"field": "sentiment.label", "equals": "positive"},
                    {"not": {"field": "event.text", "contains_any": ["refund"]}},
                ]
            },
            {"sentiment.label": "positive", "event.text": "love it"},
            True,
        ),
        (
            {"any": [{"field": "event.kind", "equals": "mention"}, {"field": "event.kind", "equals": "reply"}]},
            {"event.kind": "quote"},
            False,
        ),
        ({"not": {"any": [{"field": "event.kind", "equals": "mention"}]}}, {"event.kind": "quote"}, True),
    ],
)
def test_operators_and_combinators(condition: dict[str, Any], facts: dict[str, Any], expected: bool) -> None:
    assert holds(condition, facts) is expected


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        ({"field": "event.colour", "equals": "red"}, "unknown field 'event.colour'"),
        ({"field": "event.text", "equals": "x", "contains_any": ["y"]}, "exactly one operator"),
        ({"field": "event.text", "at_least": 3}, "at_least does not apply to event.text"),
        ({"field": "event.text", "matches": r"(a)\1"}, "back-references"),
        ({"field": "event.text", "matches": r"(?<!not )good"}, "look-arounds"),
        ({"field": "event.text", "matches": "[unclosed"}, "invalid regular expression"),
        ({"all": []}, "at least 1 item"),
    ],
)
def test_invalid_conditions_say_why(condition: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValidationError, match=reason.replace("(", r"\(").replace("[", r"\[")):
        CONDITION.validate_python(condition)


def test_failure_explains_the_first_condition_and_the_value_seen() -> None:
    check = compile_condition(
        CONDITION.validate_python(
            {"all": [{"field": "sentiment.label", "equals": "positive"}, {"field": "author.followers_count", "at_least": 100}]}
        )
    )
    failure = check({"sentiment.label": "positive", "author.followers_count": 12})
    assert failure is not None
    assert failure.path == "conditions.all[1]"
    assert failure.explain() == "author.followers_count at_least 100 was false (saw 12)"


def test_templates_know_their_placeholders() -> None:
    assert (
        render(
            validate_template("Thanks {author_handle}! {claim_link}", offer=True),
            {"author_handle": "@ana", "claim_link": "https://x/c/1"},
        )
        == "Thanks @ana! https://x/c/1"
    )
    with pytest.raises(ValueError, match=r"unknown placeholder \{first_name\}"):
        validate_template("Hi {first_name}", offer=True)
    with pytest.raises(ValueError, match=r"unknown placeholder \{claim_link\}"):
        validate_template("Hi {claim_link}", offer=False)  # only offers have claim links
    with pytest.raises(ValueError, match="empty or invalid placeholder"):
        validate_template("Hi {}", offer=True)
    assert validate_template("Braces: {{literal}}", offer=False)


def test_a_placeholder_with_nothing_to_say_leaves_no_stray_space() -> None:
    # a LinkedIn author is a URN only: no handle, no name
    assert render("Thank you {author_handle}! A bag is yours: {claim_link}", {"author_handle": "", "claim_link": "l"}) == (
        "Thank you! A bag is yours: l"
    )
    assert render("Hi {author_name}, thanks", {"author_name": None}) == "Hi, thanks"
    assert render("{author_handle} thanks!", {"author_handle": ""}) == "thanks!"
    assert render("Hi {author_name}!", {"author_name": "Ana"}) == "Hi Ana!"


FLAGSHIP: dict[str, Any] = {
    "id": "first-positive-mention-sample",
    "name": "Free sample for a first positive mention",
    "triggers": {"kinds": ["mention", "reply", "quote", "comment"]},
    "conditions": {
        "all": [{"field": "profile.is_first_mention", "equals": True}, {"field": "sentiment.label", "equals": "positive"}]
    },
    "actions": [
        {
            "offer_sample": {
                "product": "Ethiopia Guji 250 g",
                "message": "Thank you {author_handle}! {claim_link}",
                "review": {"automatic_above_confidence": 0.95},
            }
        }
    ],
    "limits": {"once_per_person": "forever", "per_day": 20, "total": 500},
}


def test_rule_validation_names_the_field() -> None:
    broken = {**FLAGSHIP, "actions": [{"offer_sample": {"product": "x", "message": "Hi {nam}"}}]}
    with pytest.raises(ValidationError) as error:
        Rule.model_validate(broken)
    assert error.value.errors()[0]["loc"][:3] == ("actions", 0, "offer_sample")
    with pytest.raises(ValidationError, match="exactly one of"):
        Rule.model_validate({**FLAGSHIP, "actions": [{}]})
    with pytest.raises(ValidationError, match="a rule id is lower-case letters, digits and dashes"):
        Rule.model_validate({**FLAGSHIP, "id": "Has Spaces"})
    with pytest.raises(ValidationError, match="unknown time zone"):
        Settings.model_validate({"time_zone": "Mars/Olympus"})


def test_windows_in_the_brand_time_zone() -> None:
    window = Window.model_validate({"days": ["mon", "tue", "wed", "thu", "fri"], "hours": {"from": "09:00", "to": "17:00"}})
    monday_8_utc = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)  # 09:30 in Berlin
    assert in_window(window, monday_8_utc, "Europe/Berlin") is None
    assert in_window(window, monday_8_utc, "UTC") == "active 09:00-17:00 UTC, it is 08:30"
    assert in_window(window, datetime(2026, 11, 22, 10, tzinfo=UTC), "UTC") == "not active on sun"
    overnight = Window.model_validate({"hours": {"from": "22:00", "to": "06:00"}})
    assert in_window(overnight, datetime(2026, 11, 23, 23, tzinfo=UTC), "UTC") is None
    assert in_window(Window.model_validate({"to_date": "2026-01-01"}), monday_8_utc, "UTC") == "ended 2026-01-01"


def facts(**overrides: Any) -> dict[str, Any]:
    return {
        "event.platform": "x",
        "event.kind": "mention",
        "event.brand_account": "b",
        "profile.is_first_mention": True,
        "sentiment.label": "positive",
        **overrides,
    }


def test_evaluation_is_indexed_by_trigger_ordered_and_explained() -> None:
    follow_rule = {**FLAGSHIP, "id": "welcome", "priority": 5, "triggers": {"kinds": ["follow"], "platforms": ["twitch"]}}
    late = {**FLAGSHIP, "id": "zz-late", "priority": 200, "enabled": False}
    book = compile_rules(Settings(), [(Rule.model_validate(r), 1) for r in (late, FLAGSHIP, follow_rule)])
    decisions = [d for _, d in evaluate(book, facts(), datetime.now(UTC))]
    assert [(d.rule_id, d.outcome) for d in decisions] == [
        ("first-positive-mention-sample", Outcome.MATCHED),
        ("zz-late", Outcome.DISABLED),
    ]
    assert decisions[0].facts == {"profile.is_first_mention": True, "sentiment.label": "positive"}
    failed = evaluate(book, facts(**{"sentiment.label": "negative"}), datetime.now(UTC))[0][1]
    assert failed.outcome is Outcome.CONDITION_FAILED
    assert failed.detail == "conditions.all[1]: sentiment.label equals 'positive' was false (saw 'negative')"
    assert evaluate(book, facts(**{"author.has_blocked_brand": True}), datetime.now(UTC))[0][1].outcome is Outcome.BLOCKED
    paused = compile_rules(Settings(paused=True), [(Rule.model_validate(FLAGSHIP), 1)])
    assert evaluate(paused, facts(), datetime.now(UTC))[0][1].outcome is Outcome.PAUSED
    assert [c.rule.id for c in book.candidates("twitch", "follow", "b")] == ["welcome"]


FACT_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 500),
    st.floats(-1, 1, allow_nan=False),
    st.sampled_from(["positive", "Negative", "mention", "x", "love it", "LOVE", "café au lait", "refund please"]),
    st.lists(st.sampled_from(["vip", "FAN", "sampled"]), max_size=3),
)
LEAVES = st.one_of(
    st.builds(lambda v: {"field": "sentiment.label", "equals": v}, st.sampled_from(["positive", "negative"])),
    st.builds(lambda v: {"field": "author.handle", "not_equals": v}, st.sampled_from(["ana", "LOVE"])),
    st.builds(lambda v: {"field": "author.followers_count", "at_least": v}, st.integers(0, 400)),
    st.builds(lambda v: {"field": "sentiment.score", "less_than": v}, st.floats(-1, 1, allow_nan=False)),
    st.builds(
        lambda v: {"field": "event.kind", "one_of": v}, st.lists(st.sampled_from(["mention", "reply", "quote"]), min_size=1)
    ),
    st.builds(lambda v: {"field": "profile.tags", "not_one_of": v}, st.lists(st.sampled_from(["vip", "fan"]), min_size=1)),
    st.builds(
        lambda v: {"field": "event.text", "contains_any": v}, st.lists(st.sampled_from(["love", "refund", "café"]), min_size=1)
    ),
    st.builds(lambda v: {"field": "event.text", "contains_all": v}, st.lists(st.sampled_from(["love", "it"]), min_size=1)),
    st.builds(lambda v: {"field": "profile.tags", "contains_any": v}, st.lists(st.sampled_from(["vip", "fan"]), min_size=1)),
    st.builds(lambda v: {"field": "event.text", "matches": v}, st.sampled_from([r"^lo", r"\d+", "é"])),
    st.builds(lambda v: {"field": "profile.is_first_mention", "equals": v}, st.booleans()),
    st.builds(lambda v: {"field": "author.followers_count", "exists": v}, st.booleans()),
)
CONDITIONS = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.builds(lambda c: {"all": c}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda c: {"any": c}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda c: {"not": c}, inner),
    ),
    max_leaves=6,
)
FIELDS_USED = [
    "sentiment.label",
    "author.handle",
    "author.followers_count",
    "sentiment.score",
    "event.kind",
    "profile.tags",
    "event.text",
    "profile.is_first_mention",
]


@settings(max_examples=400, deadline=None)
@given(condition=CONDITIONS, facts=st.dictionaries(st.sampled_from(FIELDS_USED), FACT_VALUES))
def test_the_fast_matcher_agrees_with_the_explaining_checker(condition: dict[str, Any], facts: dict[str, Any]) -> None:
    holds(condition, facts)


# Patterns that take seconds to minutes on a backtracking engine (measured on Python's re:
# (a|a)*c 14.5 s on 26 characters, \w*\w*\w*\w*z 39.7 s on 200). On RE2 they are ordinary
# rules: valid, and evaluated over the full 5,000 characters read, by both evaluators. A
# backtracking engine would not finish this test at all (pytest's timeout would fail it).
@pytest.mark.parametrize(
    ("pattern", "on_long_text", "on_short_text"),
    [
        (r"(a|a)*c", False, True),
        (r"\w*\w*\w*\w*z", False, False),
        (r"(a+)+$", False, False),
        (r"(x+x+)+y", False, False),
        (r"(.*a){12}", True, True),
    ],
)
def test_catastrophic_backtracking_patterns_run_in_linear_time(pattern: str, on_long_text: bool, on_short_text: bool) -> None:
    parsed = CONDITION.validate_python({"field": "event.text", "matches": pattern})
    for text, expected in (("a" * 4999 + "!", on_long_text), ("a" * 30 + "c!", on_short_text)):
        assert (compile_condition(parsed)({"event.text": text}) is None) is expected
        assert compile_matcher(parsed)({"event.text": text}) is expected
