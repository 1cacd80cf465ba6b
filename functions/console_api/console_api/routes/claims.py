"""/api routes of the console's claims page, over goodword.services.claims: the claims fans
made (ids, states, rule, product, the person's handle; never the claimant's name, email or
address: this function cannot decrypt them), and an editor marking a claim fulfilled or
refusing it, recorded as theirs and published on the bus as the command does."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from console_api.auth import caller, editor
from goodword.claims.states import ClaimState
from goodword.services import claims
from goodword.services.claims import Moved
from goodword.services.stores import Stores

router = Router()  # type: ignore[no-untyped-call]

State = Literal["claimed", "held", "fulfilled", "failed", "refused", "redeemed"]  # claims.LISTABLE
LIMIT = 200


def _stores() -> Stores:
    from console_api.handler import stores  # noqa: PLC0415 (the handler includes this router: imported late, no cycle)

    return stores()


@router.get("/api/claims")
def list_claims(
    state: Annotated[State | None, Query(description="one state, e.g. held; all when left out")] = None,
    rule: Annotated[str | None, Query(max_length=200, description="one rule's id; all when left out")] = None,
) -> dict[str, Any]:
    """Claims, newest first (at most 200): ids, states, rule, product, the person's handle,
    times, why one is held and the earlier claims a repeat claimer resembles. Nothing personal."""
    caller(router.current_event.raw_event)
    stores = _stores()
    found = claims.list_claims(stores, ClaimState(state) if state else None, rule or None, LIMIT)
    return {"claims": [c.as_json() for c in claims.with_offers(stores, found)]}


def _answer(stores: Stores, claim_id: str, moved: Moved) -> dict[str, Any]:
    return {"claim": claims.one(stores, claim_id).as_json(), "changed": moved.done, "message": moved.message}


@router.post("/api/claims/<claim_id>/mark-fulfilled")
def mark_fulfilled(claim_id: str) -> dict[str, Any]:
    """A person sent the sample: a claimed, held or failed claim becomes fulfilled (by the
    caller). 404 no such claim, 409 when it cannot be fulfilled any more or changed meanwhile."""
    who = editor(router.current_event.raw_event)
    stores = _stores()
    return _answer(stores, claim_id, claims.mark_fulfilled(stores, claim_id, who.name, datetime.now(UTC)))


@router.post("/api/claims/<claim_id>/refuse")
def refuse(claim_id: str) -> dict[str, Any]:
    """A held or failed claim is not to be sent (a repeat claimer, say): it becomes refused (by
    the caller); nothing is sent to the fan. 404 no such claim, 409 when it is not held or failed."""
    who = editor(router.current_event.raw_event)
    stores = _stores()
    return _answer(stores, claim_id, claims.refuse(stores, claim_id, who.name, datetime.now(UTC)))
