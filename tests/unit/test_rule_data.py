"""Rules are data, and bad data never stops the pipeline (product invariant 4): what a rule
may say is checked where it is written, a rule that still cannot be compiled is skipped
alone, and nothing a valid rule says can make an event too big to record or a message too
slow to write."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from goodword.rules.conditions import MAX_PHRASES, Condition, Leaf, compile_condition, compile_matcher
from goodword.rules.engine import MAX_DETAIL, MAX_FACT_CHARS, Outcome, compile_rules, evaluate
from goodword.rules.explain import explain
from goodword.rules.fields import FIELDS
from goodword.rules.model import MAX_RULE_CHARS, Rule, Settings
from goodword.rules.templates import render, validate_template
from goodword_cli.rule_files import check_definition, parse_yaml

CONDITION: TypeAdapter[Any] = TypeAdapter(Condition)
NOW = datetime(2026, 3, 4, 12, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def rule(rule_id: str, conditions: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "id": rule_id,
        "name": rule_id,
        "triggers": {"kinds": ["mention"]},
        **({"conditions": conditions} if conditions is not None else {}),
        "actions": [{"tag": {"label": "seen"}}],
        **extra,
    }


def facts(text: str = "I love it", **more: Any) -> dict[str, Any]:
    return {
        "event.kind": "mention",
        "event.platform": "x",
        "event.brand_account": "b1",
        "event.text": text,
        **more,
    }


def holds(condition: dict[str, Any], seen: dict[str, Any]) -> bool:
    parsed = CONDITION.validate_python(condition)
    explained = compile_condition(parsed)(dict(seen)) is None
    assert compile_matcher(parsed)(dict(seen)) is explained
    return explained


# --- one valid rule never stops every event ------------------------------------------------


@pytest.mark.parametrize("phrase", [" ", "", "\t\n", "\u200b", "-", "\u200b - \u00ad"])
def test_a_phrase_with_no_word_in_it_is_refused(phrase: str) -> None:
    for operator in ("contains_any", "contains_all"):
        with pytest.raises(ValidationError, match="has no word in it"):
            Rule.model_validate(rule("spaces", {"field": "event.text", operator: ["refund", phrase]}))


def _uncompilable(rule_id: str, *, enabled: bool = True) -> Rule:
    """A stored rule that got past an older validation: a phrase that is only a space."""
    valid = Rule.model_validate(rule(rule_id, {"field": "event.text", "contains_any": ["x"]}, enabled=enabled))
    return valid.model_copy(update={"conditions": Leaf.model_construct(field="event.text", contains_any=[" "])})


def test_a_rule_that_cannot_compile_is_invalid_with_its_reason_and_the_others_decide() -> None:
    good = Rule.model_validate(rule("tag-love", {"field": "event.text", "contains_any": ["love"]}))
    book = compile_rules(Settings(), [(_uncompilable("spaces"), 1), (good, 1)])
    assert [rule_id for rule_id, _ in book.invalid] == ["spaces"]
    assert "could not be compiled" in book.invalid[0][1]
    decisions = {d.rule_id: d.outcome for _, d in evaluate(book, facts(), NOW)}
    assert decisions == {"tag-love": Outcome.MATCHED}


def test_a_disabled_rule_is_not_compiled_and_is_decided_disabled() -> None:
    book = compile_rules(Settings(), [(_uncompilable("spaces", enabled=False), 1)])
    assert book.invalid == []
    assert [(d.rule_id, d.outcome) for _, d in evaluate(book, facts(), NOW)] == [("spaces", Outcome.DISABLED)]


WORDY = st.text(
    alphabet=st.sampled_from([" ", "\t", "\u200b", "\u00ad", "-", "_", "a", "é", "s", "!", "'", "\u2014"]), max_size=6
)
VALUES = st.one_of(st.text(max_size=8), st.floats(allow_nan=True), st.integers(), st.booleans(), st.none())
LEAVES = st.one_of(
    st.builds(
        lambda f, o, v: {"field": f, o: v},
        st.sampled_from(["event.text", "profile.tags", "sentiment.vetoes", "author.handle"]),
        st.sampled_from(["contains_any", "contains_all"]),
        st.lists(st.one_of(WORDY, st.sampled_from([" ", "\u200b", "-", "sarcasm", "love"])), min_size=1, max_size=3),
    ),
    st.builds(
        lambda f, o, v: {"field": f, o: v},
        st.sampled_from(sorted(FIELDS)),
        st.sampled_from(["equals", "not_equals", "at_least", "less_than", "exists"]),
        VALUES,
    ),
    st.builds(
        lambda f, o, v: {"field": f, o: v},
        st.sampled_from(sorted(FIELDS)),
        st.sampled_from(["one_of", "not_one_of"]),
        st.lists(st.one_of(st.text(max_size=6), st.floats(allow_nan=True)), min_size=1, max_size=3),
    ),
    st.builds(lambda v: {"field": "event.text", "matches": v}, st.text(max_size=8)),
)
CONDITIONS = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.builds(lambda c: {"all": c}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda c: {"any": c}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda c: {"not": c}, inner),
    ),
    max_leaves=5,
)
SEEN = st.fixed_dictionaries(
    {},
    optional={
        "event.text": st.text(max_size=40),
        "sentiment.vetoes": st.lists(st.text(max_size=5), max_size=2),
        "author.followers_count": st.one_of(st.integers(), st.floats(allow_nan=True), st.none()),
        "sentiment.band": st.sampled_from(["auto", "review", "none"]),
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(conditions=CONDITIONS, seen=SEEN, enabled=st.booleans())
def test_no_rule_that_validates_can_make_a_load_or_an_evaluation_fail_and_an_uncompilable_one_is_skipped_alone(
    conditions: dict[str, Any], seen: dict[str, Any], enabled: bool
) -> None:
    try:
        fuzzed = Rule.model_validate(rule("fuzzed", conditions, enabled=enabled))
    except ValidationError:
        return
    flagship = Rule.model_validate(rule("flagship", {"field": "event.text", "contains_any": ["love"]}, priority=200))
    stored_before = _uncompilable("stored-before")  # validated by an older release, cannot compile
    book = compile_rules(Settings(), [(fuzzed, 1), (stored_before, 1), (flagship, 1)])
    assert [rule_id for rule_id, _ in book.invalid] == ["stored-before"]
    decided = {d.rule_id for _, d in evaluate(book, {**facts(), **seen}, NOW)}
    assert decided == {"fuzzed", "flagship"}


# --- condition values -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("leaf", "said"),
    [
        ({"field": "sentiment.band", "equals": "atuo"}, "did you mean 'auto'?"),
        ({"field": "event.platform", "equals": "instgram"}, "did you mean 'instagram'?"),
        ({"field": "event.platform", "one_of": ["x", "facebok"]}, "did you mean 'facebook'?"),
        ({"field": "event.kind", "not_equals": "mentions"}, "did you mean 'mention'?"),
        ({"field": "sentiment.label", "one_of": ["positve"]}, "did you mean 'positive'?"),
        ({"field": "sentiment.vetoes", "contains_any": ["sarcasme"]}, "did you mean 'sarcasm'?"),
        ({"field": "sentiment.band", "equals": True}, "allowed: auto, review, none"),
        ({"field": "event.lang", "equals": "english"}, "language code"),
    ],
)
def test_a_value_a_field_never_has_is_refused_with_the_allowed_values(leaf: dict[str, Any], said: str) -> None:
    problems = check_definition(rule("typo", leaf), "typo.yaml")[1]
    assert len(problems) == 1
    assert problems[0].field == "conditions"
    assert said in problems[0].message
    with pytest.raises(ValidationError, match=r"is not a value of"):  # the loader validates the same model
        Rule.model_validate(rule("typo", leaf))


@pytest.mark.parametrize(
    "leaf",
    [
        {"field": "sentiment.band", "one_of": ["AUTO", "review"]},
        {"field": "event.platform", "equals": "Instagram"},
        {"field": "event.lang", "one_of": ["en", "pt-BR", "und"]},
        {"field": "sentiment.vetoes", "contains_any": ["sarcasm", "not_praise"]},
        {"field": "author.handle", "equals": "anything_goes"},
    ],
)
def test_known_values_in_any_case_still_validate(leaf: dict[str, Any]) -> None:
    assert check_definition(rule("fine", leaf), "fine.yaml")[1] == []


@pytest.mark.parametrize("rule_id", ["My Rule", "-leading-dash", "a" * 64, "ünicode"])
def test_a_bad_rule_id_is_explained_in_plain_words(rule_id: str) -> None:
    problems = check_definition(rule(rule_id), "bad.yaml")[1]
    assert [p.field for p in problems] == ["id"]
    assert "lower-case letters, digits and dashes" in problems[0].message
    assert "pattern" not in problems[0].message and "^[" not in problems[0].message


# --- bounded sizes ---------------------------------------------------------------------------


def test_a_rule_with_too_many_keywords_is_refused() -> None:
    many = [f"word{i}" for i in range(20_001)]
    problems = check_definition(rule("many", {"field": "event.text", "contains_any": many}), "many.yaml")[1]
    assert any(f"at most {MAX_PHRASES}" in p.message for p in problems)


def test_a_rule_too_big_to_store_is_refused() -> None:
    huge = {"any": [{"field": "event.text", "contains_any": ["x" * 190] * MAX_PHRASES} for _ in range(3)]}
    problems = check_definition(rule("huge", huge), "huge.yaml")[1]
    assert any(f"{MAX_RULE_CHARS:,} characters" in p.message for p in problems)


def test_every_explanation_and_every_fact_recorded_is_bounded() -> None:
    keywords = [f"keyword{i}" for i in range(MAX_PHRASES)]
    longest = Rule.model_validate(rule("long", {"field": "event.text", "contains_any": keywords}))
    book = compile_rules(Settings(), [(longest, 1)])
    post = "nothing to see " * 14_000  # a 210,000 character post
    [(_, decision)] = evaluate(book, facts(post), NOW)
    assert decision.outcome is Outcome.CONDITION_FAILED
    assert len(decision.detail) <= MAX_DETAIL
    assert decision.detail.startswith("conditions: event.text contains_any ['keyword0', 'keyword1'")
    assert "more)" in decision.detail
    assert len(decision.facts["event.text"]) <= MAX_FACT_CHARS
    assert decision.facts["event.text"].startswith("nothing to see")
    [step] = explain(longest.conditions, facts(post))  # `rules test` shows the same, as short
    assert len(step.text) <= MAX_DETAIL and step.text.endswith("(995 more)]")


# --- message templates ----------------------------------------------------------------------


@pytest.mark.parametrize("template", ["{author_handle:>500000}", "{author_handle!r}", "{author_name:.3}", "{product!s:10}"])
def test_a_placeholder_with_a_format_or_conversion_is_refused(template: str) -> None:
    with pytest.raises(ValueError, match="no format"):
        validate_template(f"Hi {template}", offer=True)


@pytest.mark.timeout(20)  # a quadratic clean-up needs minutes here; a linear one, milliseconds
def test_cleaning_up_a_message_is_linear_in_its_length() -> None:
    name = " " * 300_000 + "Ana"
    assert render("Hi {author_name}!", {"author_name": name}) == f"Hi {name}!"
    assert render("Hi {author_name}{author_handle}!", {"author_name": "Ana" + " " * 300_000, "author_handle": ""}) == "Hi Ana!"


# --- keywords after normalizing -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "excluded"),
    [
        ("Loving the free samples you sent!", True),
        ("Is there a free-sample for me?", True),
        ("fr\u200bee sam\u200cple please", True),  # zero-width characters inside the words
        ("FREE SAMPLES!!", True),
        ("free sam\u00adples", True),  # a soft hyphen (invisible) inside a word
        ("Ｆｒｅｅ ｓａｍｐｌｅ", True),  # full-width letters
        ("refunds are slow but love the beans", True),
        ("giveaways everywhere", True),
        ("a freely sampled roast", False),
        ("I love your coffee", False),
    ],
)
def test_the_flagship_exclusion_list_matches_words_after_normalizing(text: str, excluded: bool) -> None:
    flagship = parse_yaml((ROOT / "rules" / "first-positive-mention-sample.yaml").read_text())
    [exclusion] = [c["not"] for c in flagship["conditions"]["all"] if "not" in c]
    assert holds(exclusion, {"event.text": text}) is excluded


def test_a_decisions_item_always_fits_in_dynamodb() -> None:
    from datetime import timedelta

    from goodword.decisions import Decisions
    from goodword.event_items import MAX_DECISIONS_BYTES, decisions_item, item_bytes
    from goodword.events import Event

    mention = Event.model_validate(
        {
            "platform": "x",
            "kind": "mention",
            "natural_id": "tweet:1",
            "brand_account": "b1",
            "occurred_at": NOW,
            "received_at": NOW,
            "source": "x",
            "text": "love",
        }
    )
    many = [  # 600 rules, each explained at length with its facts: about 1 MB as recorded before
        {
            "rule_id": f"r{i}",
            "version": 1,
            "outcome": "condition_failed",
            "detail": "d" * MAX_DETAIL,
            "facts": {"event.text": "t" * 500},
        }
        for i in range(600)
    ]
    item = decisions_item(mention, Decisions.model_validate({"decided_at": NOW, "decisions": many}), timedelta(days=30))
    assert item_bytes(item) <= MAX_DECISIONS_BYTES < 400_000
    assert [(d["rule_id"], d["outcome"]) for d in item["decisions"]] == [(d["rule_id"], d["outcome"]) for d in many]
    assert "facts" in item["left_out"]
    small = decisions_item(mention, Decisions.model_validate({"decided_at": NOW, "decisions": many[:3]}), timedelta(days=30))
    assert small["decisions"] == many[:3] and "left_out" not in small
