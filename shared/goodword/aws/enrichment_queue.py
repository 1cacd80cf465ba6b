"""EnrichmentQueue: events waiting for a platform read, one message per event id. A read
that must be retried keeps its message hidden until the platform's retry time (or the
back-off), so nothing waiting is ever dropped; after maxReceiveCount it goes to the
dead-letter queue (alarmed; docs/operations.md)."""

from __future__ import annotations

from goodword.aws.actions_queue import ActionsQueue


class EnrichmentQueue(ActionsQueue):
    """The same SQS calls as the actions queue: send, and retry_later by visibility."""
