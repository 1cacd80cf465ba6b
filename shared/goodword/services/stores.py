"""The stores a service reaches. Built by the command's ``Target.stores()`` (from a stack's
outputs) and by ``goodword.aws.stores.from_environment()`` (in the console's API function),
so the services themselves never know where they run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from goodword.aws.actions_queue import ActionsQueue
    from goodword.aws.claims_table import ClaimsTable
    from goodword.aws.event_bus import EventBus
    from goodword.aws.events_table import EventsTable
    from goodword.aws.fulfilment_queue import FulfilmentQueue
    from goodword.aws.rules_store import RulesStore, SettingsStore
    from goodword.aws.rules_table import RulesLoader
    from goodword.aws.state_table import StateTable


@dataclass(frozen=True)
class Stores:
    events: EventsTable
    state: StateTable
    rules: RulesStore  # the rules as stored, with versions and history
    settings: SettingsStore  # the brand's settings and accounts as stored
    rules_loader: RulesLoader  # settings and rules as the pipeline compiles them, read afresh
    queue: ActionsQueue  # approved offers go here to be sent
    claims: ClaimsTable | None = None  # None: a stack made before claims
    bus: EventBus | None = None
    fulfilment_queue: FulfilmentQueue | None = None
