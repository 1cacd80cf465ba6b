"""FulfilmentQueue: claims waiting to be fulfilled, one message per claim carrying only its
id ({"claim_id": ...}: nothing personal in a queue). The fulfilment function reads the claim
itself; a failed attempt keeps its message hidden until the next try, and after five
receives it goes to FulfilmentDeadLetterQueue (alarmed; docs/operations.md)."""

from __future__ import annotations

from goodword.aws.actions_queue import ActionsQueue


def fulfilment_message(claim_id: str) -> dict[str, str]:
    return {"claim_id": claim_id}


class FulfilmentQueue(ActionsQueue):
    """The same SQS calls as the actions queue (send, retry_later), and one claim at a time."""

    def send_claim(self, claim_id: str) -> None:
        """Raises if SQS did not accept it."""
        self.send([fulfilment_message(claim_id)])
