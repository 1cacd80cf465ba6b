"""One claim from FulfilmentQueue to fulfilled, held or failed, on ports only.

The claim must still be ``claimed`` (or ``held`` because its code pool was empty: uploading
codes sends it back; or ``failed`` after giving up on an answer that never came: a message
redriven from the dead-letter queue tries again). Every move is ``ClaimStore.move``, checked
and conditional on the state read, so two copies of one message never fulfil twice; each move
that happened is published on the bus (``transition_detail``: ids only).

What goes to the log, a metric or the bus is ids, states and reasons; reasons never hold a
claimant's field (a notify answer is recorded as its status; Shopify's messages are about the
discount).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from pydantic import TypeAdapter, ValidationError

from goodword.claims.fulfilment.notify import claimed_request
from goodword.claims.fulfilment.shopify import discount_answer, discount_code, discount_request
from goodword.claims.records import ClaimRecord
from goodword.claims.states import ClaimState, transition_detail
from goodword.observability import logger
from goodword.outbound.destinations import UnsafeDestinationError
from goodword.outbound.platform_requests import HttpRequest
from goodword.outbound.transport import HttpResponse, TransportError, judge
from goodword.ports import ClaimStore, EventBus, WorkStore
from goodword.rules.model import CodePoolFulfilment, Fulfilment, NotifyFulfilment, ShopifyFulfilment
from goodword.work import WorkRecord

CODE_POOL_EMPTY = "code_pool_empty"  # held_because
GAVE_UP = "gave up after"  # a failure's reason that a redriven message may try again

_FULFILMENT: TypeAdapter[Any] = TypeAdapter(Fulfilment)


@dataclass(frozen=True)
class Outcome:
    done: bool  # False: leave the message for a retry (backoff by visibility; then the dead-letter queue)
    detail: str  # ids, states, reasons: nothing personal
    state: ClaimState | None = None  # where the claim went (None: nowhere)
    pool_empty: bool = False


def fulfilment_of(offer: WorkRecord | None) -> NotifyFulfilment | CodePoolFulfilment | ShopifyFulfilment:
    """The fulfilment the offer's rule named when it was made (an offer made before rules had
    one, or an unreadable one: notify with no URL, a person fulfils it)."""
    if offer is None or not offer.fulfilment:
        return NotifyFulfilment()
    try:
        found: NotifyFulfilment | CodePoolFulfilment | ShopifyFulfilment = _FULFILMENT.validate_python(offer.fulfilment)
    except ValidationError:
        logger.warning("an offer's fulfilment is not valid; a person fulfils it", extra={"offer_key": offer.key})
        return NotifyFulfilment()
    return found


class Fulfiller:
    def __init__(
        self,
        claims: ClaimStore,
        offers: WorkStore,
        bus: EventBus,
        credentials: Callable[[], dict[str, Any]],
        code_key: Callable[[], bytes],
        notify_http: Callable[[HttpRequest], HttpResponse],
        shopify_http: Callable[[HttpRequest], HttpResponse],
        clock: Callable[[], datetime],
        max_receives: int,
    ) -> None:
        self.claims, self.offers, self.bus = claims, offers, bus
        self.credentials, self.code_key = credentials, code_key
        self.notify_http, self.shopify_http = notify_http, shopify_http
        self.clock, self.max_receives = clock, max_receives

    def fulfil(self, claim_id: str, receive_count: int = 1) -> Outcome:
        claim = self.claims.get(claim_id)
        if claim is None:
            return Outcome(True, "no such claim")
        if not _waiting(claim):
            return Outcome(True, f"already {claim.state.value}")
        offer = self.offers.get_work(claim.offer_key)
        fulfilment = fulfilment_of(offer)
        attempt = _Attempt(claim, receive_count)
        if isinstance(fulfilment, CodePoolFulfilment):
            return self._from_pool(attempt)
        if isinstance(fulfilment, ShopifyFulfilment):
            return self._shopify(attempt, fulfilment)
        if fulfilment.url is None:
            return Outcome(True, "waits for a person: the rule names no fulfilment URL")
        return self._notify(attempt, offer, str(fulfilment.url))

    # --- the three fulfilments ---------------------------------------------------------------

    def _from_pool(self, attempt: _Attempt) -> Outcome:
        claim = attempt.claim
        code = self.claims.take_code(claim.rule_id, claim.id)
        if code is None:
            if claim.state is ClaimState.HELD:
                return Outcome(True, "the code pool is still empty: held", ClaimState.HELD, pool_empty=True)
            moved = self._move(attempt, ClaimState.HELD, held_because=CODE_POOL_EMPTY)
            return Outcome(True, "the code pool is empty: held", moved, pool_empty=moved is ClaimState.HELD)
        return self._fulfilled(attempt, reward_code=code)

    def _notify(self, attempt: _Attempt, offer: WorkRecord | None, url: str) -> Outcome:
        claim = attempt.claim
        secret = (self.credentials().get("notify") or {}).get("secret")
        if not secret:
            return self._failed(attempt, "PlatformCredentials has no notify.secret to sign the fulfilment request")
        try:
            response = self.notify_http(claimed_request(claim, offer, url, str(secret), self.clock()))
        except UnsafeDestinationError as exc:
            return self._failed(attempt, f"fulfilment URL refused: {exc}")
        except TransportError as exc:  # at least once: the brand's receiver dedupes on webhook-id
            return self._retry(attempt, f"no answer from the fulfilment URL ({exc})")
        verdict = judge(response, self.clock())
        if verdict.outcome == "sent":
            return self._fulfilled(attempt)
        if verdict.outcome == "retry":
            return self._retry(attempt, f"the fulfilment URL answered {response.status}")
        redirect = " (a redirect: not followed)" if 300 <= response.status < 400 else ""
        return self._failed(attempt, f"the fulfilment URL answered {response.status}{redirect}")

    def _shopify(self, attempt: _Attempt, settings: ShopifyFulfilment) -> Outcome:
        claim = attempt.claim
        credentials = self.credentials()
        store = (credentials.get("shopify") or {}).get(settings.shop) or {}
        token = store.get("access_token")
        if not token:
            return self._failed(attempt, f"PlatformCredentials has no shopify access_token for {settings.shop}")
        code = discount_code(self.code_key(), claim.id)
        base_url = (credentials.get("api_base_urls") or {}).get("shopify")
        if base_url is not None and not shopify_base_allowed(str(base_url)):
            return self._failed(attempt, "api_base_urls.shopify must be https, or http://127.0.0.1 (a local fake)")
        request = discount_request(settings, code, str(token), self.clock(), base_url, store.get("api_version"))
        try:
            answer = discount_answer(self.shopify_http(request))
        except TransportError as exc:  # safe to repeat: the same code, and Shopify says TAKEN if it was made
            return self._retry(attempt, f"no answer from Shopify ({exc})")
        if answer.outcome == "created":
            return self._fulfilled(attempt, reward_code=code)
        if answer.outcome == "retry":
            return self._retry(attempt, answer.detail)
        return self._failed(attempt, answer.detail)

    # --- moves -------------------------------------------------------------------------------

    def _fulfilled(self, attempt: _Attempt, **fields: Any) -> Outcome:
        moved = self._move(attempt, ClaimState.FULFILLED, fulfilled_at=self.clock().isoformat(), **fields)
        return Outcome(True, "fulfilled" if moved else "moved elsewhere meanwhile", moved)

    def _failed(self, attempt: _Attempt, reason: str) -> Outcome:
        failed_before = attempt.claim.state is ClaimState.FAILED
        moved = None if failed_before else self._move(attempt, ClaimState.FAILED, reason=reason)
        return Outcome(True, f"failed: {reason}", moved)

    def _retry(self, attempt: _Attempt, detail: str) -> Outcome:
        """Try again later; after the queue's receives, failed (and the message goes on to the
        dead-letter queue, which alarms: a redrive tries again)."""
        if attempt.receive_count < self.max_receives:
            return Outcome(False, f"will retry: {detail}")
        reason = f"{GAVE_UP} {attempt.receive_count} attempts: {detail}"
        failed_before = attempt.claim.state is ClaimState.FAILED
        moved = None if failed_before else self._move(attempt, ClaimState.FAILED, reason=reason)
        return Outcome(False, f"failed: {reason}", moved)

    def _move(self, attempt: _Attempt, to: ClaimState, **fields: Any) -> ClaimState | None:
        claim, now = attempt.claim, self.clock()
        if not self.claims.move(claim.id, claim.state, to, now, fulfilment_attempts=attempt.attempts, **fields):
            logger.warning("the claim moved elsewhere meanwhile", extra={"claim_id": claim.id, "to": to.value})
            return None
        try:
            self.bus.publish(transition_detail(claim.id, claim.rule_id, to, now, claim_id=claim.id))
        except Exception:  # the move happened: never undo it for a notification
            logger.exception("could not publish the claim's move to the event bus", extra={"claim_id": claim.id})
        return to


@dataclass(frozen=True)
class _Attempt:
    claim: ClaimRecord
    receive_count: int

    @property
    def attempts(self) -> int:
        """Fulfilment attempts in all: before this message (a redriven one), and its receives."""
        return self.claim.fulfilment_attempts + self.receive_count


def _waiting(claim: ClaimRecord) -> bool:
    """Whether fulfilment may act on the claim now."""
    if claim.state is ClaimState.CLAIMED:
        return True
    if claim.state is ClaimState.HELD:
        return claim.held_because == CODE_POOL_EMPTY
    return claim.state is ClaimState.FAILED and (claim.reason or "").startswith(GAVE_UP)


def shopify_base_allowed(base_url: str) -> bool:
    """``api_base_urls.shopify`` stands in for ``https://`` (the local stack's fake): the access
    token goes there, so only https, or plain http to this machine's loopback."""
    try:
        parts = urlsplit(base_url)
        host = parts.hostname
    except ValueError:
        return False
    return bool(host) and (parts.scheme == "https" or (parts.scheme == "http" and host == "127.0.0.1"))
