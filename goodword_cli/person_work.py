"""The offers and actions made for a person's identities, found the way that lasts.

The events' decisions name the work their rules made, but they expire
(``DecisionRetentionDays``); the work records themselves say whose they are (``person``), so
a scan of them finds the rest. Both `people show` and `people erase` read it here."""

from __future__ import annotations

from collections.abc import Mapping

from goodword.aws.state_table import StateTable
from goodword.decisions import Decisions, each_acted
from goodword.work import WorkRecord, possible_keys


def work_for(state: StateTable, identities: list[str], decided: Mapping[str, Decisions]) -> list[WorkRecord]:
    """Every record made for these identities, once each, oldest first. ``decided``: the
    decisions records of their events, by event id."""
    keys = [key for event_id, rule_id in each_acted(decided) for key in possible_keys(event_id, rule_id)]
    found = {r.key: r for r in [*state.work_for_keys(keys), *state.work_of(identities)]}
    return sorted(found.values(), key=lambda w: w.created_at)
