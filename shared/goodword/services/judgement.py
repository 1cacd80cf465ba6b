"""What the judge learns from the brand's marketers: a labelled example per review decision
(approve = praise, reject as not praise = not praise) and per `goodword judgement feedback`.
One place, so a decision in the console, in Slack or at the command teaches the judge alike."""

from __future__ import annotations

from datetime import UTC, datetime

from goodword.sentiment.examples import Example, ExampleSource
from goodword.services.errors import Invalid, NotFound, Problem
from goodword.services.stores import Stores


def record_example(stores: Stores, event_id: str, praise: bool, source: ExampleSource, by: str) -> Example:
    """Keep the event's post as a labelled example (replacing an earlier label of it).
    NotFound when the event is gone (retention, erasure); Invalid when it has no text."""
    found = stores.events.get(event_id)
    if found is None:
        raise NotFound(f"no event {event_id} (see `goodword events list`)")
    text = str(found.event.get("text") or "")
    if not text.strip():
        raise Invalid(
            [Problem("event_id", f"event {event_id} has no text to learn from")], f"event {event_id} has no text to learn from"
        )
    example = Example(event_id=event_id, text=text, praise=praise, source=source, by=by, at=datetime.now(UTC))
    stores.state.put_example(example)
    return example
