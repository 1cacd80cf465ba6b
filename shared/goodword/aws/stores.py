"""The services' stores in a function (the console's API, Slack's interactions), named by its
environment as the template sets it."""

from __future__ import annotations

import os

from goodword.aws.actions_queue import ActionsQueue
from goodword.aws.claims_table import ClaimsTable
from goodword.aws.event_bus import EventBus
from goodword.aws.events_table import EventsTable
from goodword.aws.fulfilment_queue import FulfilmentQueue
from goodword.aws.rules_store import RulesStore, SettingsStore
from goodword.aws.rules_table import RulesLoader
from goodword.aws.state_table import StateTable
from goodword.services.stores import Stores


def from_environment() -> Stores:
    """EVENTS_TABLE_NAME, STATE_TABLE_NAME, RULES_TABLE_NAME, ACTIONS_QUEUE_URL (required);
    CLAIMS_TABLE_NAME, CLAIMS_KEY_ARN, EVENT_BUS_NAME, FULFILMENT_QUEUE_URL (optional)."""
    env = os.environ
    missing = [n for n in ("EVENTS_TABLE_NAME", "STATE_TABLE_NAME", "RULES_TABLE_NAME", "ACTIONS_QUEUE_URL") if not env.get(n)]
    if missing:
        raise RuntimeError(f"the function's environment lacks {', '.join(missing)} (see template.yaml)")
    state_table, rules_table = env["STATE_TABLE_NAME"], env["RULES_TABLE_NAME"]
    claims_table = env.get("CLAIMS_TABLE_NAME", "")
    return Stores(
        events=EventsTable(env["EVENTS_TABLE_NAME"]),
        state=StateTable(state_table),
        rules=RulesStore(rules_table),
        settings=SettingsStore(rules_table),
        rules_loader=RulesLoader(rules_table, 0),
        queue=ActionsQueue(env["ACTIONS_QUEUE_URL"]),
        claims=ClaimsTable(claims_table, state_table, env.get("CLAIMS_KEY_ARN", "")) if claims_table else None,
        bus=EventBus(env["EVENT_BUS_NAME"]) if env.get("EVENT_BUS_NAME") else None,
        fulfilment_queue=FulfilmentQueue(env["FULFILMENT_QUEUE_URL"]) if env.get("FULFILMENT_QUEUE_URL") else None,
    )
