"""The EventBridge adapter of ``ports.EventBus``: completed offers and actions, for other
systems (shop, CRM, fulfilment)."""

from __future__ import annotations

import json
from typing import Any

from goodword.aws import clients

# What each detail's ``kind`` is published as (EventBridge's detail-type, for rules to match). Every
# move of an offer's claim (claims.states.transition_detail) is one "Offer claim"; its ``state``
# says which (a rule matches {"detail-type": ["Offer claim"], "detail": {"state": ["redeemed"]}}).
DETAIL_TYPES = {"offer_sample": "Offer sent", "offer_claim": "Offer claim"}


class EventBus:
    def __init__(self, bus_name: str) -> None:
        self.bus_name = bus_name

    def publish(self, detail: dict[str, Any]) -> None:
        kind = DETAIL_TYPES.get(str(detail.get("kind")), "Action sent")
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
