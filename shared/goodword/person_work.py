"""The offers and actions made for a person's identities, found the way that lasts.

The events' decisions name the work their rules made, but they expire
(``DecisionRetentionDays``); the work records themselves say whose they are (``person``), so
a scan of them finds the rest. Both `people show` and `people erase` read it here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from goodword.decisions import Decisions, each_acted
from goodword.work import WorkRecord, possible_keys


class PersonsWork(Protocol):
    """StateTable (``Target.state``), as finding a person's work needs it."""

    def work_for_keys(self, keys: Iterable[str]) -> list[WorkRecord]: ...

    def work_of(self, identities: Sequence[str]) -> list[WorkRecord]: ...


def work_for(state: PersonsWork, identities: list[str], decided: Mapping[str, Decisions]) -> list[WorkRecord]:
    """Every record made for these identities, once each, oldest first. ``decided``: the
    decisions records of their events, by event id."""
    keys = [key for event_id, rule_id in each_acted(decided) for key in possible_keys(event_id, rule_id)]
    found = {r.key: r for r in [*state.work_for_keys(keys), *state.work_of(identities)]}
    return sorted(found.values(), key=lambda w: w.created_at)
