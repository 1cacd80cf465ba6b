"""A single-use Shopify discount code per claim (pure): the documented Admin GraphQL request
``discountCodeBasicCreate`` and what its answer means (tests/fixtures/PROVENANCE.md gives the
documentation the shapes come from).

Idempotent on retry: the code is derived from the claim's id with a keyed HMAC (the claim id
is no secret: without the key nobody can work out another fan's code). An attempt whose
answer was lost is tried again with the same code; Shopify then answers that the code is
taken (``TAKEN`` on ``code``), which means the discount exists: the claim is fulfilled with it,
and no second code is ever made.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from goodword.outbound.platform_requests import HttpRequest
from goodword.outbound.transport import HttpResponse
from goodword.rules.model import ShopifyFulfilment
from goodword.signing import hmac_sha256

API_VERSION = "2025-10"  # a stable Admin API version (Shopify supports each for a year); credentials may say another
CODE_PREFIX = "GW-"
MUTATION = (
    "mutation discountCodeBasicCreate($basicCodeDiscount: DiscountCodeBasicInput!) {"
    " discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {"
    " codeDiscountNode { id }"
    " userErrors { field code message } } }"
)


def discount_code(key: bytes, claim_id: str) -> str:
    """The claim's code: 80 bits of a keyed HMAC of its id, in capitals and digits (easy to
    type at checkout), the same on every attempt."""
    digest = hmac_sha256(key, f"shopify-discount|{claim_id}".encode())
    return CODE_PREFIX + base64.b32encode(digest[:10]).decode()


def discount_input(settings: ShopifyFulfilment, code: str, now: datetime) -> dict[str, Any]:
    """``DiscountCodeBasicInput``: the code, usable once, by anyone who has it, on the whole order."""
    if settings.percentage is not None:
        value: dict[str, Any] = {"percentage": round(settings.percentage / 100, 4)}
    else:
        value = {"discountAmount": {"amount": settings.amount, "appliesOnEachItem": False}}
    discount: dict[str, Any] = {
        "title": settings.title,
        "code": code,
        "startsAt": now.isoformat(timespec="seconds"),
        "customerSelection": {"all": True},
        "customerGets": {"value": value, "items": {"all": True}},
        "appliesOncePerCustomer": True,
        "usageLimit": 1,
    }
    if settings.valid_days is not None:
        discount["endsAt"] = (now + timedelta(days=settings.valid_days)).isoformat(timespec="seconds")
    return discount


def discount_request(
    settings: ShopifyFulfilment, code: str, token: str, now: datetime, base_url: str | None = None, api_version: str | None = None
) -> HttpRequest:
    """POST https://{shop}/admin/api/{version}/graphql.json with the access token header;
    ``base_url`` (the local stack's fake) stands in for ``https://``."""
    root = f"{base_url.rstrip('/')}/{settings.shop}" if base_url else f"https://{settings.shop}"
    body = {"query": MUTATION, "variables": {"basicCodeDiscount": discount_input(settings, code, now)}}
    return HttpRequest(
        "POST",
        f"{root}/admin/api/{api_version or API_VERSION}/graphql.json",
        {"content-type": "application/json", "x-shopify-access-token": token},
        json.dumps(body, separators=(",", ":")).encode(),
    )


@dataclass(frozen=True)
class Answer:
    outcome: str  # "created" (or made by an earlier attempt), "retry", "failed"
    detail: str = ""


def discount_answer(response: HttpResponse) -> Answer:  # noqa: PLR0911 (one return per answer)
    """What Shopify's answer means. GraphQL answers 200 even when the mutation failed: its
    ``userErrors`` and top-level ``errors`` say so."""
    if response.status in (401, 403):
        return Answer("failed", f"Shopify refused the access token ({response.status}): it needs the write_discounts scope")
    if response.status == 429 or response.status >= 500:
        return Answer("retry", f"Shopify answered {response.status}")
    if not 200 <= response.status < 300:
        return Answer("failed", f"Shopify answered {response.status}")
    body = response.json()
    if not isinstance(body, dict):
        return Answer("retry", "Shopify's answer was not JSON")
    errors = body.get("errors")
    if isinstance(errors, list) and errors:
        codes = {str((e.get("extensions") or {}).get("code")) for e in errors if isinstance(e, dict)}
        if "THROTTLED" in codes or "INTERNAL_SERVER_ERROR" in codes:
            return Answer("retry", f"Shopify: {', '.join(sorted(codes))}")
        return Answer("failed", f"Shopify: {_messages(errors)}")
    created = (body.get("data") or {}).get("discountCodeBasicCreate") or {}
    user_errors = created.get("userErrors") or []
    if user_errors:
        if any(_taken_code(e) for e in user_errors):
            return Answer("created", "the code was made by an earlier attempt")
        return Answer("failed", f"Shopify refused the discount: {_messages(user_errors)}")
    if not (created.get("codeDiscountNode") or {}).get("id"):
        return Answer("failed", "Shopify made no discount and said nothing why")
    return Answer("created")


def _taken_code(error: Any) -> bool:
    return isinstance(error, dict) and error.get("code") == "TAKEN" and (error.get("field") or [None])[-1] == "code"


def _messages(errors: list[Any]) -> str:
    return "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors)[:300]
