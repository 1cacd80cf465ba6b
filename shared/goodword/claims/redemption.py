"""Redemption: the shop says a fulfilled sample was used. ``POST /claims/{claim_id}/redeemed``
on the webhook API, a Standard Webhooks request signed with the shop's own secret
(ShopWebhookSecret: ``{"secret": "whsec_..."}``, or a list of secrets while rotating), with
the body

    {"type": "claim.redeemed", "data": {"claim_id": "<the claim id>"}}

The signature covers the body, not the path: the body names the claim, and a request whose
body names another claim than its path is refused, so a captured request cannot be replayed
against another claim. Checked in this order, so nothing is learnt without the secret:

    too large -> 413; unsigned, forged or stale (5 min) -> 401; no shop secret -> 503;
    not JSON or not this shape -> 400; no such claim -> 404; not fulfilled -> 409 (says its
    state); fulfilled -> redeemed, 200; already redeemed -> 200 (the same answer: idempotent).

Each 200 publishes the move on the bus (``transition_detail``, ids only), the repeat too: the
detail's ``id`` is the same, so a consumer dedupes, and a publish that failed is retried by the
shop's retry (503 meanwhile). Pure: the stores, the bus and the secret come in as ports.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from goodword.claims.records import offer_key_of
from goodword.claims.states import ClaimState, transition_detail
from goodword.ports import EventBus
from goodword.validation import describe_validation_error
from goodword.webhooks.errors import (
    InvalidPayloadError,
    NotConfiguredError,
    PayloadTooLargeError,
    WebhookError,
)
from goodword.webhooks.request import WebhookRequest, WebhookResponse
from goodword.webhooks.secrets import StandardSecrets
from goodword.webhooks.standard import StandardAdapter
from goodword.work import WorkRecord

MAX_BODY_BYTES = 16 * 1024
EVENT_TYPE = "claim.redeemed"
_CLAIM_ID = re.compile(r"[0-9a-f]{32}")  # a claim's id is its offer's (work.work_id)


class UnknownClaimError(WebhookError):
    status, code = 404, "unknown_claim"


class NotRedeemableError(WebhookError):
    status, code = 409, "not_redeemable"


class BusUnavailableError(WebhookError):
    """Redeemed, but the bus did not take the event: the shop retries, the retry publishes."""

    status, code = 503, "event_bus_unavailable"


class _Data(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    claim_id: str = Field(min_length=1, max_length=64)


class RedeemedBody(BaseModel):
    """The shop's request body (Standard Webhooks' type + data; other fields are ignored)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    type: Literal["claim.redeemed"]
    data: _Data


class Offers(Protocol):
    def get_work(self, key: str) -> WorkRecord | None: ...


class ClaimMoves(Protocol):
    def move(self, claim_id: str, from_state: ClaimState, to: ClaimState, now: datetime, **fields: Any) -> bool: ...


@dataclass(frozen=True)
class Redemption:
    response: WebhookResponse
    outcome: str  # "redeemed", "already_redeemed" or an error code: for the log line and metrics
    claim_id: str | None = None  # only once the request is verified


def redeem(
    request: WebhookRequest,
    claim_id: str,
    secrets: Callable[[], StandardSecrets | None],
    offers: Offers,
    claims: ClaimMoves,
    bus: EventBus,
    now: datetime,
) -> Redemption:
    try:
        return _redeem(request, claim_id, secrets, offers, claims, bus, now)
    except WebhookError as error:
        verified = error.status not in (401, 413, 503) or isinstance(error, BusUnavailableError)
        body = {"error": error.code, "message": error.message}
        return Redemption(WebhookResponse.json(error.status, body, error.headers), error.code, claim_id if verified else None)


def _redeem(
    request: WebhookRequest,
    claim_id: str,
    secrets: Callable[[], StandardSecrets | None],
    offers: Offers,
    claims: ClaimMoves,
    bus: EventBus,
    now: datetime,
) -> Redemption:
    if len(request.body) > MAX_BODY_BYTES:
        raise PayloadTooLargeError(f"a redemption is at most {MAX_BODY_BYTES} bytes")
    shop = secrets()
    if shop is None:
        raise NotConfiguredError("no shop secret is configured (ShopWebhookSecret; docs/operations.md)")
    StandardAdapter().verify(request, shop, now)  # 401 unless signed with the shop's secret, within 5 minutes
    try:
        body = RedeemedBody.model_validate(request.json())
    except ValidationError as exc:
        raise InvalidPayloadError(
            f'expected {{"type": "{EVENT_TYPE}", "data": {{"claim_id": ...}}}}: {describe_validation_error(exc)}'
        ) from None
    if body.data.claim_id != claim_id:
        raise InvalidPayloadError("the body names another claim than the path")
    offer = offers.get_work(offer_key_of(claim_id)) if _CLAIM_ID.fullmatch(claim_id) else None
    state = _claim_state(offer)
    if offer is None or state is None:
        raise UnknownClaimError("no such claim")
    moved = state is ClaimState.FULFILLED and claims.move(
        claim_id, ClaimState.FULFILLED, ClaimState.REDEEMED, now, redeemed_at=now.isoformat()
    )
    if not moved:
        state = _claim_state(offers.get_work(offer.key)) if state is ClaimState.FULFILLED else state  # lost a race?
        if state is not ClaimState.REDEEMED:
            if state is ClaimState.FULFILLED or state is None:  # the claim itself is gone (erased)
                raise UnknownClaimError("no such claim")
            raise NotRedeemableError(
                f"the claim is {state.value}, not fulfilled: only a fulfilled claim can be redeemed"
                " (goodword claims show / mark-fulfilled)"
            )
    try:
        bus.publish(transition_detail(offer.id, offer.rule_id, ClaimState.REDEEMED, now, claim_id=claim_id))
    except Exception:
        raise BusUnavailableError("redeemed, but the event could not be published; retry") from None
    answer = {"claim_id": claim_id, "state": ClaimState.REDEEMED.value, "already_redeemed": not moved}
    return Redemption(WebhookResponse.json(200, answer), "redeemed" if moved else "already_redeemed", claim_id)


def _claim_state(offer: WorkRecord | None) -> ClaimState | None:
    """The claim's state as its offer mirrors it (the same write moves both); None: no claim."""
    if offer is None or offer.claim_state in (None, ClaimState.OFFERED.value, ClaimState.EXPIRED.value):
        return None
    return ClaimState(offer.claim_state)
