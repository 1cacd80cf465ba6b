"""The offers and actions made for a person's identity, found the way that lasts.

Work records carry a pointer under the identity (``WORK#<key>``, written with the work), so
they are found after the events' decisions expired (``DecisionRetentionDays``); work made
before the pointers existed is still found through the decisions that remain. Both `people
show` and `people erase` read it here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from goodword.aws.state_table import StateTable
from goodword.work import WorkRecord, possible_keys


def work_for(state: StateTable, identities: list[str], decided: Mapping[str, Mapping[str, Any]]) -> list[WorkRecord]:
    """Every record made for these identities, once each, oldest first. ``decided``: the
    decisions records of their events, by event id."""
    keys = [
        key
        for event_id, record in decided.items()
        for d in record.get("decisions", [])
        if d.get("outcome") == "acted"
        for key in possible_keys(event_id, d["rule_id"])
    ]
    pointed = [record for identity in identities for record in state.work_of(identity)]
    found = {r.key: r for r in [*state.work_for_keys(keys), *pointed]}
    return sorted(found.values(), key=lambda w: w.created_at)
