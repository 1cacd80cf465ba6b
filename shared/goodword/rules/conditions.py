"""Conditions: all / any / not over documented fields, with comparison, membership,
word-boundary keyword and regular-expression operators. No code, bounded time: rule regexes
run on RE2, whose matching time is linear in the text (no backtracking), on at most
MAX_TEXT characters. Keywords compare words as a reader sees them (rules/words.py).

    all:
      - {field: sentiment.label, equals: positive}
      - {field: author.followers_count, at_least: 10}
      - not: {field: event.text, contains_any: [refund, broken]}
"""

from __future__ import annotations

import difflib
import operator as operator_module
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Union

import re2
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from goodword.rules.fields import FIELDS, FieldSpec, FieldType
from goodword.rules.words import first_stem, normalize, phrase_pattern, words_of

MAX_TEXT = 5000  # characters a keyword or regex operator reads
MAX_PATTERN = 200  # characters of a regular expression, a keyword or a listed value
MAX_PHRASES = 1000  # keywords or values in one list
MAX_LEAVES = 50
_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=")
_LOOKAROUND = re.compile(r"\(\?<?[=!]")
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.case_sensitive = False
_RE2_OPTIONS.log_errors = False


def compile_pattern(pattern: str) -> Any:
    """A rule's regular expression on RE2 (linear time), any case. Raises re2.error."""
    return re2.compile(pattern, _RE2_OPTIONS)


OPERATORS: dict[str, tuple[FieldType, ...]] = {
    "equals": (FieldType.STRING, FieldType.NUMBER, FieldType.BOOLEAN, FieldType.TEXT),
    "not_equals": (FieldType.STRING, FieldType.NUMBER, FieldType.BOOLEAN, FieldType.TEXT),
    "at_least": (FieldType.NUMBER,),
    "at_most": (FieldType.NUMBER,),
    "greater_than": (FieldType.NUMBER,),
    "less_than": (FieldType.NUMBER,),
    "one_of": (FieldType.STRING, FieldType.NUMBER, FieldType.TAGS),
    "not_one_of": (FieldType.STRING, FieldType.NUMBER, FieldType.TAGS),
    "contains_any": (FieldType.TEXT, FieldType.TAGS),
    "contains_all": (FieldType.TEXT, FieldType.TAGS),
    "matches": (FieldType.TEXT, FieldType.STRING),
    "exists": tuple(FieldType),
}


class Leaf(BaseModel):
    """One test of one field. Exactly one operator."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    field: str = Field(description="a documented field, e.g. sentiment.label")
    equals: str | float | bool | None = None
    not_equals: str | float | bool | None = None
    at_least: float | None = None
    at_most: float | None = None
    greater_than: float | None = None
    less_than: float | None = None
    one_of: list[Annotated[str, Field(max_length=MAX_PATTERN)] | float] | None = Field(
        default=None, min_length=1, max_length=MAX_PHRASES
    )
    not_one_of: list[Annotated[str, Field(max_length=MAX_PATTERN)] | float] | None = Field(
        default=None, min_length=1, max_length=MAX_PHRASES
    )
    contains_any: list[Annotated[str, Field(max_length=MAX_PATTERN)]] | None = Field(
        default=None, min_length=1, max_length=MAX_PHRASES, description="whole words or phrases, any case"
    )
    contains_all: list[Annotated[str, Field(max_length=MAX_PATTERN)]] | None = Field(
        default=None, min_length=1, max_length=MAX_PHRASES, description="whole words or phrases, any case"
    )
    matches: str | None = Field(default=None, max_length=MAX_PATTERN, description="a regular expression, any case")
    exists: bool | None = None

    @property
    def operator(self) -> str:
        return next(op for op in OPERATORS if getattr(self, op) is not None)

    @model_validator(mode="after")
    def _valid(self) -> Leaf:
        spec = FIELDS.get(self.field)
        if spec is None:
            raise ValueError(f"unknown field {self.field!r}; documented fields: {', '.join(FIELDS)}")
        given = [op for op in OPERATORS if getattr(self, op) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one operator for {self.field} (found {len(given)}): {', '.join(OPERATORS)}")
        operator = given[0]
        if spec.type not in OPERATORS[operator]:
            raise ValueError(f"{operator} does not apply to {self.field} ({spec.type.value})")
        if operator == "matches":
            _check_pattern(str(self.matches))
        if operator in ("contains_any", "contains_all"):
            for phrase in getattr(self, operator):
                if not words_of(phrase):
                    raise ValueError(f"{operator} phrase {phrase!r} has no word in it; write a word or phrase, or leave it out")
        if operator in ("equals", "not_equals", "one_of", "not_one_of", "contains_any", "contains_all"):
            given_values = getattr(self, operator)
            for value in given_values if isinstance(given_values, list) else [given_values]:
                _check_value(self.field, spec, value)
        return self


def _check_value(field: str, spec: FieldSpec, value: Any) -> None:
    """A value the field can have: one of its closed set, or of its shape (any case)."""
    if spec.values:
        if isinstance(value, str) and value.lower() in spec.values:
            return
        close = difflib.get_close_matches(str(value).lower(), spec.values, n=1, cutoff=0.6) if isinstance(value, str) else []
        hint = f": did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"{value!r} is not a value of {field}{hint} (allowed: {', '.join(spec.values)})")
    if spec.shape is not None:
        pattern, meaning = spec.shape
        if not (isinstance(value, str) and pattern.fullmatch(value)):
            raise ValueError(f"{value!r} is not a value of {field}: write {meaning}")


def _check_pattern(pattern: str) -> None:
    if _BACKREFERENCE.search(pattern) or _LOOKAROUND.search(pattern):
        raise ValueError(
            "regular expression uses back-references or look-arounds, which the linear-time engine (RE2) does not support"
        )
    try:
        compile_pattern(pattern)
    except re2.error as exc:
        detail = exc.args[0].decode(errors="replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise ValueError(f"invalid regular expression: {detail}") from None


class All(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    all: list[Condition] = Field(min_length=1)


class Any_(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True, title="Any")
    any: list[Condition] = Field(min_length=1)


class Not(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    not_: Condition = Field(alias="not")


def _condition_kind(value: Any) -> str:
    """Which member of the union a condition is, from its key, so that a mistake is reported
    once, against the kind of condition the marketer wrote (not against all four)."""
    if isinstance(value, dict):
        return next((tag for key, tag in (("all", "All"), ("any", "Any"), ("not", "Not")) if key in value), "Leaf")
    kinds: dict[type[BaseModel], str] = {All: "All", Any_: "Any", Not: "Not"}
    return kinds.get(type(value), "Leaf")


UNION_TAGS = frozenset({"All", "Any", "Not", "Leaf"})  # appear in validation error paths; dropped when shown
Condition = Annotated[  # a forward-referenced recursive union
    Union[  # noqa: UP007
        Annotated[All, Tag("All")], Annotated[Any_, Tag("Any")], Annotated[Not, Tag("Not")], Annotated[Leaf, Tag("Leaf")]
    ],
    Discriminator(_condition_kind),
]
for _model in (All, Any_, Not):
    _model.model_rebuild()


def count_leaves(condition: Condition) -> int:
    if isinstance(condition, Leaf):
        return 1
    if isinstance(condition, Not):
        return count_leaves(condition.not_)
    children = condition.all if isinstance(condition, All) else condition.any
    return sum(count_leaves(c) for c in children)


# --- compiled form -------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """The first condition that did not hold, with the value it saw."""

    path: str
    field: str
    operator: str
    expected: Any
    seen: Any

    def explain(self) -> str:
        return f"{self.field} {self.operator} {shown(self.expected)} was false (saw {shown(self.seen)})"


_SHOWN_ITEMS = 5  # of a list, in an explanation
_SHOWN_CHARS = 100  # of a text, in an explanation


def shown(value: Any) -> str:
    """A value as an explanation shows it: short, whatever the rule or the post holds."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and len(value) > _SHOWN_CHARS:
        return f"{value[:_SHOWN_CHARS]!r}… ({len(value):,} characters)"
    if isinstance(value, list | tuple) and len(value) > _SHOWN_ITEMS:
        first = ", ".join(shown(v) for v in value[:_SHOWN_ITEMS])
        return f"[{first}, … ({len(value) - _SHOWN_ITEMS:,} more)]"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    return repr(value)


Check = Callable[[dict[str, Any]], Failure | None]


def compile_condition(condition: Condition, path: str = "conditions") -> Check:
    """Closures, built once per rules load; None means the condition held."""
    if isinstance(condition, Leaf):
        return _compile_leaf(condition, path)
    if isinstance(condition, Not):
        inner = compile_condition(condition.not_, f"{path}.not")
        leaf = condition.not_ if isinstance(condition.not_, Leaf) else None

        def negated(facts: dict[str, Any]) -> Failure | None:
            if inner(facts) is not None:
                return None
            if leaf is not None:
                return Failure(path, leaf.field, f"not {leaf.operator}", getattr(leaf, leaf.operator), facts.get(leaf.field))
            return Failure(path, "(group)", "not", "false", "true")

        return negated
    if isinstance(condition, All):
        parts = [compile_condition(c, f"{path}.all[{i}]") for i, c in enumerate(condition.all)]

        def every(facts: dict[str, Any]) -> Failure | None:
            for part in parts:
                failure = part(facts)
                if failure is not None:
                    return failure
            return None

        return every
    options = [compile_condition(c, f"{path}.any[{i}]") for i, c in enumerate(condition.any)]

    def some(facts: dict[str, Any]) -> Failure | None:
        first: Failure | None = None
        for option in options:
            failure = option(facts)
            if failure is None:
                return None
            first = first or failure
        return first

    return some


def _words(phrases: list[str]) -> list[re.Pattern[str]]:
    """Whole words or phrases, after normalizing (rules/words.py): search normalize(text)."""
    return [re.compile(phrase_pattern(p)) for p in phrases]


def _compile_leaf(leaf: Leaf, path: str) -> Check:
    field, operator = leaf.field, leaf.operator
    expected = getattr(leaf, operator)
    canonical = FIELDS[field].canonical  # always lower-case: compared exactly, as the fast path does
    test: Callable[[Any], bool]
    if operator == "exists":
        test = (lambda v: v is not None) if expected else (lambda v: v is None)
    elif operator in ("equals", "not_equals"):
        want = expected.lower() if isinstance(expected, str) else expected
        same: Callable[[Any], bool] = (
            (lambda v: isinstance(v, str) and (v if canonical else v.lower()) == want)
            if isinstance(want, str)
            else (
                lambda v: v is not None and not isinstance(v, str) and v == want and isinstance(v, bool) == isinstance(want, bool)
            )
        )
        test = same if operator == "equals" else (lambda v: v is not None and not same(v))
    elif operator in ("at_least", "at_most", "greater_than", "less_than"):
        compare: Callable[[float, float], bool] = {
            "at_least": operator_module.ge,
            "at_most": operator_module.le,
            "greater_than": operator_module.gt,
            "less_than": operator_module.lt,
        }[operator]
        test = lambda v: isinstance(v, int | float) and not isinstance(v, bool) and compare(v, expected)  # noqa: E731
    elif operator in ("one_of", "not_one_of"):
        options = {o.lower() if isinstance(o, str) else o for o in expected}

        def member(v: Any) -> bool:
            values = v if isinstance(v, list | tuple | set | frozenset) else [v]
            return any((x.lower() if isinstance(x, str) and not canonical else x) in options for x in values if x is not None)

        test = member if operator == "one_of" else (lambda v: v is not None and not member(v))
    elif operator in ("contains_any", "contains_all"):
        patterns = _words(list(expected))
        combine = any if operator == "contains_any" else all

        def contains(v: Any) -> bool:
            if isinstance(v, list | tuple | set | frozenset):
                labels = {str(x).lower() for x in v}
                return combine(p.lower() in labels for p in expected)
            if not isinstance(v, str):
                return False
            text = normalize(v[:MAX_TEXT])
            return combine(p.search(text) is not None for p in patterns)

        test = contains
    else:  # matches
        pattern = compile_pattern(str(expected))
        test = lambda v: isinstance(v, str) and pattern.search(v[:MAX_TEXT]) is not None  # noqa: E731

    def check(facts: dict[str, Any]) -> Failure | None:
        value = facts.get(field)
        return None if test(value) else Failure(path, field, operator, expected, value)

    return check


# --- the fast path --------------------------------------------------------------------------
# Most rules do not match most events, so the pipeline first asks a yes/no question of a
# function generated once per rules load, and only builds an explanation (the closures
# above) when the answer is no. The generated source holds no user data: every field name
# and value reaches it as a bound constant.


def _member(value: Any, options: frozenset[Any]) -> bool:
    values = value if isinstance(value, list | tuple | set | frozenset) else (value,)
    return any((x.lower() if isinstance(x, str) else x) in options for x in values if x is not None)


def _normalized(facts: dict[str, Any], key: str, text: str) -> str:
    """The text as keywords compare it, normalized once per event (cached in the facts)."""
    cache_key = f"__normal__:{key}"  # not a documented field name, so no rule can read it
    normal = facts.get(cache_key)
    if normal is None:
        normal = facts[cache_key] = normalize(text[:MAX_TEXT])
    return str(normal)


def _contains_any(facts: dict[str, Any], key: str, text: str, first_words: tuple[str, ...], pattern: re.Pattern[str]) -> bool:
    """Word-boundary search, after a cheap substring test: most texts contain none of the words."""
    normal = _normalized(facts, key, text)
    return any(w in normal for w in first_words) and pattern.search(normal) is not None


def _contains_all(facts: dict[str, Any], key: str, text: str, patterns: tuple[re.Pattern[str], ...]) -> bool:
    normal = _normalized(facts, key, text)
    return all(p.search(normal) is not None for p in patterns)


def _tags_contain(value: Any, wanted: tuple[str, ...], every: bool) -> bool:
    if not isinstance(value, list | tuple | set | frozenset):
        return False
    labels = {str(x).lower() for x in value}
    return (all if every else any)(w in labels for w in wanted)


class _Generator:
    def __init__(self) -> None:
        self.constants: list[Any] = []

    def const(self, value: Any) -> str:
        self.constants.append(value)
        return f"c{len(self.constants) - 1}"

    def expression(self, condition: Condition) -> str:
        if isinstance(condition, All):
            return "(" + " and ".join(self.expression(c) for c in condition.all) + ")"
        if isinstance(condition, Any_):
            return "(" + " or ".join(self.expression(c) for c in condition.any) + ")"
        if isinstance(condition, Not):
            return f"(not {self.expression(condition.not_)})"
        return self.leaf(condition)

    def leaf(self, leaf: Leaf) -> str:
        key, operator = self.const(leaf.field), leaf.operator
        expected = getattr(leaf, operator)
        get = f"(v := get({key}))"
        canonical = FIELDS[leaf.field].canonical
        if operator == "exists":
            return f"(get({key}) is {'not ' if expected else ''}None)"
        if operator in ("equals", "not_equals"):
            if isinstance(expected, bool):
                same = f"({get} is {self.const(expected)})"
            elif isinstance(expected, str) and canonical:
                same = f"({get} == {self.const(expected.lower())})"
            elif isinstance(expected, str):
                same = f"(isinstance({get}, str) and v.lower() == {self.const(expected.lower())})"
            else:
                same = f"({get} is not None and not isinstance(v, (str, bool)) and v == {self.const(expected)})"
            return same if operator == "equals" else f"({get} is not None and not {same.replace(get, 'v', 1)})"
        if operator in ("at_least", "at_most", "greater_than", "less_than"):
            symbol = {"at_least": ">=", "at_most": "<=", "greater_than": ">", "less_than": "<"}[operator]
            return f"({get}.__class__ in {self.const(frozenset({int, float}))} and v {symbol} {self.const(expected)})"
        if operator in ("one_of", "not_one_of"):
            options = self.const(frozenset(o.lower() if isinstance(o, str) else o for o in expected))
            member = f"(v.__class__ is str and v in {options})" if canonical else f"member(v, {options})"
            return f"({get} is not None and {'' if operator == 'one_of' else 'not '}{member})"
        if operator in ("contains_any", "contains_all"):
            every = operator == "contains_all"
            tags = self.const(tuple(str(w).lower() for w in expected))
            if every:
                patterns = self.const(tuple(_words(list(expected))))
                text = f"contains_all(facts, {key}, v, {patterns})"
            else:
                pattern = self.const(re.compile("|".join(f"(?:{phrase_pattern(phrase)})" for phrase in expected)))
                first_words = self.const(tuple(first_stem(phrase) for phrase in expected))
                text = f"contains_any(facts, {key}, v, {first_words}, {pattern})"
            return f"((isinstance({get}, str) and {text}) or tags(v, {tags}, {every}))"
        pattern = self.const(compile_pattern(str(expected)))
        return f"(isinstance({get}, str) and {pattern}.search(v[:{MAX_TEXT}]) is not None)"


def compile_matcher(condition: Condition) -> Callable[[dict[str, Any]], bool]:
    """One generated function: True when the condition holds. Agrees with
    compile_condition (property-tested); much faster, without the explanation."""
    generator = _Generator()
    body = generator.expression(condition)
    names = ", ".join(f"c{i}" for i in range(len(generator.constants)))
    source = (
        f"def factory({names}):\n    def matches(facts):\n        get = facts.get\n"
        f"        return bool({body})\n    return matches\n"
    )
    namespace: dict[str, Any] = {
        "member": _member,
        "tags": _tags_contain,
        "contains_any": _contains_any,
        "contains_all": _contains_all,
    }
    exec(compile(source, "<goodword rule>", "exec"), namespace)  # noqa: S102 (generated from validated models)
    matcher: Callable[[dict[str, Any]], bool] = namespace["factory"](*generator.constants)
    return matcher
