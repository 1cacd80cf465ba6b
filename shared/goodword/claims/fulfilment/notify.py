"""The ``offer.claimed`` request (pure): a Standard Webhooks message to the brand's fulfilment
URL, signed like every notify (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``).

It carries the claimant's name, email and address: the brand ships the sample from it. That
is the one place personal data leaves Goodword, to the URL the brand's own rule names; it is
never logged (requests are not logged at all, and a failed answer is recorded as its status).
``webhook-id`` is the same on every retry, so the brand's receiver dedupes on it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from goodword.claims.records import ClaimRecord
from goodword.outbound.platform_requests import HttpRequest
from goodword.signing import standard_signature
from goodword.work import WorkRecord

EVENT_TYPE = "offer.claimed"


def message_id(claim_id: str) -> str:
    """The Standard Webhooks ``webhook-id``: one per claim, the same on every attempt."""
    return f"claim_{claim_id}"


def claimed_body(claim: ClaimRecord, offer: WorkRecord | None) -> bytes:
    """The payload: ``{type, timestamp, data}`` as Standard Webhooks recommends."""
    claimant: dict[str, Any] = claim.claimant.model_dump(exclude_none=True) if claim.claimant else {}
    data: dict[str, Any] = {
        "claim_id": claim.id,
        "offer_id": claim.id,
        "rule_id": claim.rule_id,
        "rule_version": claim.rule_version,
        "platform": claim.platform,
        "claimed_at": claim.created_at,
        "consent_at": claim.consent_at,
        "claimant": claimant,
    }
    if offer is not None:
        data |= {
            "product": offer.product,
            "product_cost": offer.product_cost,
            "author_handle": offer.author_handle,
            "event_id": offer.event_id,
        }
    body = {"type": EVENT_TYPE, "timestamp": claim.created_at, "data": {k: v for k, v in data.items() if v is not None}}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def claimed_request(claim: ClaimRecord, offer: WorkRecord | None, url: str, secret: str, now: datetime) -> HttpRequest:
    body = claimed_body(claim, offer)
    timestamp = str(int(now.timestamp()))
    identifier = message_id(claim.id)
    return HttpRequest(
        "POST",
        url,
        {
            "content-type": "application/json",
            "webhook-id": identifier,
            "webhook-timestamp": timestamp,
            "webhook-signature": standard_signature(secret, identifier, timestamp, body),
        },
        body,
    )
