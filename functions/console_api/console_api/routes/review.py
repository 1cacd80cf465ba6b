"""/api routes of the console's review page, over goodword.services.review: the queue with
what a reviewer needs beside each offer or flag, a decision on one, and the offers made."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, Field

from console_api.auth import caller, editor
from goodword.services import review
from goodword.services.stores import Stores

router = Router()  # type: ignore[no-untyped-call]


def _stores() -> Stores:
    from console_api.handler import stores  # noqa: PLC0415 (the handler includes this router: imported late, no cycle)

    return stores()


class ApproveBody(BaseModel):
    """An approval; ``message`` replaces the offer's message (the rule's placeholders, checked)."""

    message: str | None = Field(default=None, max_length=5000)


class RejectBody(BaseModel):
    """A rejection: why (only not-praise teaches the judge; needed for an offer) and a note."""

    because: Literal["not-praise", "not-eligible", "duplicate", "other"] | None = None
    reason: str | None = Field(default=None, max_length=1000)


@router.get("/api/review")
def queue() -> dict[str, Any]:
    """Offers and flags waiting for a person, newest first, each with the post, the person,
    the judgement in words, why it waits and what an edit may hold."""
    caller(router.current_event.raw_event)
    return review.pending(_stores()).as_json()


@router.post("/api/review/<offer_id>/approve")
def approve(offer_id: str, body: ApproveBody) -> dict[str, Any]:
    """Approve an offer (queued to be sent once) or mark a flag done. 409 when it is no longer
    waiting or the person opted out; 422 when the edited message does not fit."""
    who = editor(router.current_event.raw_event)
    return review.decide(_stores(), offer_id, "approve", who.name, message=body.message).as_json()


@router.post("/api/review/<offer_id>/reject")
def reject(offer_id: str, body: RejectBody) -> dict[str, Any]:
    """Reject an offer (nothing is sent, no contact) or dismiss a flag."""
    who = editor(router.current_event.raw_event)
    decided = review.decide(_stores(), offer_id, "reject", who.name, because=body.because, reason=body.reason)
    return {"id": decided.id, "state": decided.record.state.value}


@router.get("/api/offers")
def offers(
    state: Annotated[str | None, Query(description="one state, e.g. sent; all when left out")] = None,
    since: Annotated[str, Query(description="how far back: 30m, 24h, 7d, 2w, or a date")] = "7d",
) -> dict[str, Any]:
    """Offers made since then, newest first."""
    caller(router.current_event.raw_event)
    return {"offers": [o.fields() for o in review.list_offers(_stores(), state, since)]}
