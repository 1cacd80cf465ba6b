"""The brand's settings, as a marketer changes them: show (the settings the pipeline uses now,
defaults filled in), validate, save as the next version (refused when someone saved since),
history. Validated exactly as the pipeline reads them (goodword.rules.model.Settings), each
problem at its dotted path. The command (`goodword settings ...`) and the console's API both
call these."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import ValidationError

from goodword.rule_versions import GLOBAL_SK, ConflictError, StoredSetting
from goodword.rules.model import Settings
from goodword.services.errors import Conflict, Invalid, Problem, Validation
from goodword.services.stores import Stores
from goodword.validation import describe_validation_error, error_messages

# The sentiment settings each judge ignores: the classifier has its own calibrated bands; the
# older providers have no review band to ask a second opinion about.
_UNUSED_BY = {
    "classifier": ("positive_threshold", "negative_threshold", "guards"),
    "vader": ("second_opinion",),
    "comprehend": ("second_opinion",),
}


def applicable(effective: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The settings without those the chosen sentiment provider does not use, and their keys."""
    sentiment = dict(effective.get("sentiment") or {})
    unused = [k for k in _UNUSED_BY.get(str(sentiment.get("provider")), ()) if k in sentiment]
    shown = {**effective, "sentiment": {k: v for k, v in sentiment.items() if k not in unused}}
    return shown, [f"sentiment.{k}" for k in unused]


def effective(definition: dict[str, Any]) -> dict[str, Any]:
    """The settings a definition makes, defaults filled in (brand_terms left out: they are
    made from brand_names and the accounts' handles). ValidationError when it is not valid."""
    return Settings.model_validate(definition).model_dump(mode="json", exclude={"sentiment": {"brand_terms"}})


def _as_yaml(definition: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(definition), sort_keys=False, allow_unicode=True) if definition else ""


@dataclass(frozen=True)
class SettingsView:
    """The stored settings (as written) and the settings they make; ``problems`` when the
    stored ones are not valid (then ``settings`` is None)."""

    stored: dict[str, Any]
    live: StoredSetting | None
    settings: dict[str, Any] | None
    problems: list[Problem] = field(default_factory=list)
    described: str = ""  # the problems on one line

    @property
    def version(self) -> int:
        return self.live.version if self.live else 0

    def as_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "yaml": _as_yaml(self.stored),
            "settings": self.settings,
            "stored": self.stored,
            "updated_by": self.live.updated_by if self.live else None,
            "updated_at": self.live.updated_at if self.live else None,
            **({"problems": [p.as_json() for p in self.problems]} if self.problems else {}),
        }


@dataclass(frozen=True)
class SavedSettings:
    version: int
    changed: bool = True  # False: the settings already said so, nothing written

    def as_json(self) -> dict[str, Any]:
        return {"version": self.version}


@dataclass(frozen=True)
class SettingsVersion:
    stored: StoredSetting

    def as_json(self) -> dict[str, Any]:
        return {**self.stored.as_json(), "yaml": _as_yaml(self.stored.values), "settings": self.stored.values}


def _stored(stores: Stores) -> tuple[dict[str, Any], StoredSetting | None]:
    live = stores.settings.get(GLOBAL_SK)
    return (dict(live.values) if live else {}), live


def show(stores: Stores) -> SettingsView:
    definition, live = _stored(stores)
    try:
        return SettingsView(definition, live, effective(definition))
    except ValidationError as exc:
        problems = [Problem(where, message) for where, message in error_messages(exc)]
        return SettingsView(definition, live, None, problems, describe_validation_error(exc))


def check(definition: Any) -> Validation:
    """Settings as the pipeline reads them; warnings name settings the chosen judge ignores."""
    if not isinstance(definition, dict):
        return Validation([Problem("", "the settings are a mapping: time_zone, brand_names, sentiment...")])
    try:
        made = effective(definition)
    except ValidationError as exc:
        return Validation([Problem(where, message) for where, message in error_messages(exc)], definition=definition)
    ignored = [k for k in applicable(made)[1] if k.split(".")[1] in (definition.get("sentiment") or {})]
    provider = made["sentiment"]["provider"]
    return Validation([], [f"{k}: provider {provider} does not use it" for k in ignored], definition)


def validate(text: str) -> Validation:
    """Settings written as YAML, checked."""
    try:
        definition = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return Validation([Problem(f"line {mark.line + 1}" if mark else "", f"not valid YAML: {getattr(exc, 'problem', exc)}")])
    return check(json_values(definition))


def json_values(value: Any) -> Any:
    """YAML dates and times as the strings they are stored as."""
    if isinstance(value, dict):
        return {str(k): json_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_values(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _write(stores: Stores, definition: dict[str, Any], expected_version: int | None, change: str, who: str) -> SavedSettings:
    try:
        written = stores.settings.write(GLOBAL_SK, definition, expected_version or None, change, who)
    except ConflictError as exc:
        raise Conflict(str(exc)) from None
    return SavedSettings(written.version)


def save(stores: Stores, text: str, expected_version: int | None, who: str, change: str = "edit") -> SavedSettings:
    """The settings written as YAML, as the next version; Invalid with each problem, Conflict
    when the stored version is not ``expected_version`` (None or 0: none stored yet)."""
    checked = validate(text)
    if not checked.ok or checked.definition is None:
        raise Invalid(checked.problems)
    definition, live = _stored(stores)
    found = live.version if live else 0
    if found != (expected_version or 0):
        by = f" (changed by {live.updated_by} at {live.updated_at})" if live and live.updated_by else ""
        raise Conflict(f"the settings are at version {found}{by}, not version {expected_version or 0}: read them again")
    if checked.definition == definition:
        return SavedSettings(found, changed=False)
    return _write(stores, checked.definition, found, change, who)


def update(stores: Stores, changes: Sequence[tuple[Sequence[str], Any]], change: str, who: str) -> SavedSettings:
    """Change some settings, each named by its path (``("sentiment", "provider")``); a value
    None puts the default back. Validated first: nothing is written when any is wrong."""
    definition, live = _stored(stores)
    changed = dict(definition)
    for path, value in changes:
        node = changed
        for part in path[:-1]:
            node[part] = dict(node.get(part) or {})
            node = node[part]
        if value is None:
            node.pop(path[-1], None)
        else:
            node[path[-1]] = value
    try:
        Settings.model_validate(changed)
    except ValidationError as exc:
        problems = [Problem(where, message) for where, message in error_messages(exc)]
        raise Invalid(problems, describe_validation_error(exc, limit=5)) from None
    if changed == definition:
        return SavedSettings(live.version if live else 0, changed=False)
    return _write(stores, changed, (live.version or None) if live else None, change, who)


def history(stores: Stores) -> list[SettingsVersion]:
    """Every version of the settings, oldest first."""
    return [SettingsVersion(s) for s in stores.settings.history(GLOBAL_SK)]
