"""The EventBridge adapter of ``ports.EventBus``: completed offers and actions, and the moves
of offers' claims, for other systems (shop, CRM, fulfilment)."""

from __future__ import annotations

import json
from typing import Any

from goodword.aws import clients


class EventBus:
    def __init__(self, bus_name: str) -> None:
        self.bus_name = bus_name

    def publish(self, detail: dict[str, Any]) -> None:
        kind = "Offer sent" if detail.get("kind") == "offer_sample" else "Action sent"
        if detail.get("kind") == "offer_claim":  # claims.states.transition_detail: "Offer claimed", "Offer fulfilled"...
            kind = f"Offer {detail.get('state')}"
        answer = clients.events().put_events(
            Entries=[
                {
                    "Source": "goodword",
                    "DetailType": kind,
                    "EventBusName": self.bus_name,
                    "Detail": json.dumps(detail, default=str),
                }
            ]
        )
        if answer.get("FailedEntryCount"):
            raise RuntimeError(f"EventBridge refused the event: {answer['Entries'][0].get('ErrorCode')}")
