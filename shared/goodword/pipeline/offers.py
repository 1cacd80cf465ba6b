"""Offers and actions: records with a state, an idempotency key, and for offers an
unguessable claim code."""

from __future__ import annotations

import hashlib
import secrets
from enum import StrEnum


class OfferState(StrEnum):
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    SENDING = "sending"  # claimed by the actions function, the platform call under way
    SENT = "sent"
    REJECTED = "rejected"
    FAILED = "failed"
    EXPIRED = "expired"


def work_id(event_id: str, rule_id: str, action_index: int) -> str:
    """Deterministic: the same event, rule and action always give the same id, so a
    retried event finds the record it already made instead of making another."""
    digest = hashlib.sha256(f"{event_id}|{rule_id}|{action_index}".encode()).hexdigest()
    return digest[:32]


def claim_code() -> str:
    return secrets.token_urlsafe(12)  # 96 random bits
