"""Work records: the offers and actions a rule makes, with their states and the only moves
between them, their ids and claim codes, and the message that queues them for sending.

    pending_review -> approved | rejected | expired     (a person decides, or nobody does)
                                                        (a flag: approved reads "done", rejected
                                                        "dismissed"; a flag is never sent)
    approved       -> sending                           (the actions function claims it)
    sending        -> sent | failed | approved          (approved again: retry or pacing)

``failed`` covers "outcome unknown" too (an attempt that stopped after calling the platform):
its ``reason`` says so, and nothing is sent again.
"""

from __future__ import annotations

import hashlib
import secrets
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict


class WorkState(StrEnum):
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    SENDING = "sending"  # claimed by the actions function, the platform call under way
    SENT = "sent"
    REJECTED = "rejected"
    FAILED = "failed"
    EXPIRED = "expired"

    @property
    def final(self) -> bool:
        return self in FINAL


FINAL = frozenset({WorkState.SENT, WorkState.FAILED, WorkState.REJECTED, WorkState.EXPIRED})
TRANSITIONS: dict[WorkState, frozenset[WorkState]] = {
    WorkState.PENDING_REVIEW: frozenset({WorkState.APPROVED, WorkState.REJECTED, WorkState.EXPIRED}),
    WorkState.APPROVED: frozenset({WorkState.SENDING}),
    WorkState.SENDING: frozenset({WorkState.SENT, WorkState.FAILED, WorkState.APPROVED}),
    **{state: frozenset() for state in FINAL},
}


class TransitionError(ValueError):
    pass


def check_transition(current: WorkState, to: WorkState) -> None:
    if to not in TRANSITIONS[current]:
        raise TransitionError(f"a work record cannot go from {current.value} to {to.value}")


ERASED_PERSON = "(erased)"  # a work record's person after `people erase`


class WorkKind(StrEnum):
    OFFER_SAMPLE = "offer_sample"
    REPLY = "reply"
    DIRECT_MESSAGE = "direct_message"
    NOTIFY = "notify"
    FLAG = "flag"  # a post put in the review queue for a person to answer; nothing is sent


REVIEWED = frozenset({WorkKind.OFFER_SAMPLE, WorkKind.FLAG})  # the kinds the review queue lists


class RejectReason(StrEnum):
    """Why a person rejected an offer; only ``not-praise`` teaches the judge."""

    NOT_PRAISE = "not-praise"  # the judge was wrong: the post does not praise the brand
    NOT_ELIGIBLE = "not-eligible"  # praise, but not someone to reward (staff, a reseller, a minor...)
    DUPLICATE = "duplicate"  # the person was already thanked another way
    OTHER = "other"


def work_id(event_id: str, rule_id: str, action_index: int) -> str:
    """Deterministic: the same event, rule and action always give the same id, so a
    retried event finds the record it already made instead of making another."""
    digest = hashlib.sha256(f"{event_id}|{rule_id}|{action_index}".encode()).hexdigest()
    return digest[:32]


MAX_ACTIONS = 5  # actions a rule may have (rules.model.Rule.actions)
MAX_QUEUED_TEXT = 1000  # characters of the post a queue message carries; the performer reads the record


def possible_keys(event_id: str, rule_id: str, offers: bool = True, actions: bool = True) -> list[str]:
    """The keys of every record a rule can have made for an event: found by key, without a
    scan (actions are in no index)."""
    kinds = [k for k, wanted in ((WorkKind.OFFER_SAMPLE, offers), (WorkKind.REPLY, actions)) if wanted]
    return [work_key(kind, work_id(event_id, rule_id, index)) for index in range(MAX_ACTIONS) for kind in kinds]


def claim_code() -> str:
    """128 random bits (22 characters). Codes made before were 96 bits (16 characters): they
    keep working until their offers expire."""
    return secrets.token_urlsafe(16)


def work_key(kind: WorkKind | str, identifier: str) -> str:
    """A record's key: offers and actions live apart (``OFFER#<id>``, ``ACTION#<id>``)."""
    return f"{'OFFER' if kind == WorkKind.OFFER_SAMPLE else 'ACTION'}#{identifier}"


_FLAG_LABELS = {WorkState.APPROVED: "done", WorkState.REJECTED: "dismissed"}


class WorkRecord(BaseModel):
    """One offer or action, as stored."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    kind: WorkKind
    state: WorkState
    event_id: str
    event_kind: str
    event_time: str
    rule_id: str
    rule_version: int
    person: str
    platform: str
    brand_account: str
    author_id: str | None = None
    author_handle: str | None = None
    refs: dict[str, str] = {}
    created_at: str
    idempotency_key: str
    channel: str | None = None
    message: str | None = None
    # notify
    url: str | None = None
    text: str | None = None
    notify_format: str | None = None  # goodword.outbound.notify.NotifyFormat; None: standard
    # offer_sample
    claim_code: str | None = None
    claim_link: str | None = None
    product: str | None = None
    product_cost: float | None = None
    delivery: str | None = None
    deliver_link: str | None = None  # goodword.policy.DeliverLink: where the claim link went
    link_message: str | None = None  # ask_to_dm: the message with the link, for the answer to the person's DM
    claim_within_days: int | None = None  # the rule's window to claim, from when the offer is sent
    fulfilment: dict[str, Any] | None = None  # the rule's fulfilment when the offer was made (rules.model.Fulfilment)
    claim_state: str | None = None  # goodword.claims.states.ClaimState; None: not claimed yet
    claimed_at: str | None = None  # when the fan claimed it (kept when `people erase` deletes the claim)
    held_because: str | None = None  # the eligibility policy sent it to review
    # flag
    flag_reason: str | None = None  # why the rule put the post in the review queue
    # what happened to it
    queued_at: str | None = None
    reviewed_by: str | None = None
    reviewed_at: str | None = None
    attempt_id: str | None = None
    attempt_started_at: str | None = None
    finished_at: str | None = None
    reason: str | None = None
    rejected_as: RejectReason | None = None
    dry_run: bool = False
    platform_message_id: str | None = None
    announced_at: str | None = None

    @property
    def key(self) -> str:
        return work_key(self.kind, self.id)

    @property
    def is_offer(self) -> bool:
        return self.kind is WorkKind.OFFER_SAMPLE

    @property
    def is_flag(self) -> bool:
        return self.kind is WorkKind.FLAG

    @property
    def state_label(self) -> str:
        """The state as people read it: "sent (dry run)" when nothing really went out; a flag
        is "done" or "dismissed"."""
        if self.is_flag and self.state in _FLAG_LABELS:
            return _FLAG_LABELS[self.state]
        return f"{self.state.value} (dry run)" if self.dry_run and self.state is WorkState.SENT else self.state.value

    @property
    def waiting_to_queue(self) -> bool:
        return self.state is WorkState.APPROVED and self.queued_at is None and not self.is_flag

    def fields(self) -> dict[str, Any]:
        """The record as JSON values, without empty fields."""
        return self.model_dump(mode="json", exclude_none=True)

    def queue_message(self) -> dict[str, Any]:
        """What the actions queue carries: the record's key and what a reader of the queue
        needs to recognise it (the performer reads the record itself)."""
        wanted = (
            "idempotency_key",
            "kind",
            "id",
            "rule_id",
            "event_id",
            "event_kind",
            "event_time",
            "platform",
            "brand_account",
            "author_id",
            "author_handle",
            "refs",
            "message",
            "delivery",
            "channel",
            "url",
            "text",
            "product",
            "claim_link",
        )
        values = self.fields()
        message = {"pk": self.key, **{k: values[k] for k in wanted if k in values}}
        text = message.get("text")
        if isinstance(text, str) and len(text) > MAX_QUEUED_TEXT:  # a long post: SQS takes 256 KiB a batch
            message["text"] = text[: MAX_QUEUED_TEXT - 1] + "…"
        return message
