"""Why an offer waits for a person (`pending_review`), in words: the eligibility hold, or the
review its rule's offer asks for, with the judgement it saw. Pure."""

from __future__ import annotations

from typing import Any

from goodword.sentiment.model import Sentiment
from goodword.work import WorkRecord, work_id


def offer_review(definition: dict[str, Any], record: WorkRecord) -> Any:
    """The ``review`` of the rule action that made ``record`` (``manual`` when left out)."""
    for index, action in enumerate(definition.get("actions") or []):
        offer = action.get("offer_sample") if isinstance(action, dict) else None
        if offer is not None and work_id(record.event_id, record.rule_id, index) == record.id:
            return offer.get("review", "manual")
    return None


def why_pending(record: WorkRecord, review: Any, sentiment: Sentiment | None) -> str:
    """Why ``record`` waits for review; ``review`` is its rule's (None: the rule is gone)."""
    if record.held_because:
        return f"held: {record.held_because}"
    if isinstance(review, dict) and "automatic_above_confidence" in review:
        return _below_confidence(float(review["automatic_above_confidence"]), sentiment)
    band = sentiment.band.value if sentiment else "no"
    words = {
        None: "its rule version is no longer stored: see `goodword review list`",
        "manual": "its rule has review: manual (a person approves every offer)",
        "automatic": "review: automatic, but the offer was held (see `goodword review list`)",
        "by_band": f"review: by_band, and the judge put the post in the {band} band (only auto goes out alone)",
    }
    return words.get(review, f"review: {review}")


def _below_confidence(needed: float, judged: Sentiment | None) -> str:
    if judged is not None and judged.vetoes:
        return f"the judge kept it from automatic ({', '.join(v.value for v in judged.vetoes)})"
    if judged is None:
        return "no judgement was recorded, so no confidence to go out alone"
    return f"confidence {judged.confidence:.2f} is below the rule's automatic_above_confidence {needed:.2f}"
