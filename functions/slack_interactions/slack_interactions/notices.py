"""Thin handler: StateTable's stream, filtered in the template to offers written in
pending_review, each posted once to the brand's Slack channel (goodword.slack.notices). A
notice that surely never reached Slack is reported failed alone and retried."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from goodword.aws import clients
from goodword.aws.codec import from_dynamodb
from goodword.aws.events_table import EventsTable
from goodword.aws.state_table import StateTable, work_from_item
from goodword.aws.webhook_secrets import SecretLoader
from goodword.observability import logger, tracer
from goodword.outbound.transport import send, send_to_public_address
from goodword.settings import slack_settings
from goodword.slack.notices import Notices


class NotPostedError(Exception):
    pass


@cache
def _notices() -> Notices:
    clients.use_budget(clients.WORKER)
    settings = slack_settings()
    return Notices(
        state=StateTable(settings.state_table_name),
        events=EventsTable(settings.events_table_name),
        credentials=SecretLoader(settings.credentials_secret_id, settings.secrets_cache_seconds, dict),
        web_api=send,
        public=lambda request: send_to_public_address(request, settings.notify_allow_private_networks),
    )


def reset() -> None:
    """Forget what this process built (tests that change the environment)."""
    _notices.cache_clear()


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    notices = _notices()

    def handle(record: DynamoDBRecord) -> None:
        image = (record.raw_event.get("dynamodb") or {}).get("NewImage") or {}
        offer = work_from_item(from_dynamodb(image))
        with logger.append_context_keys(work_id=offer.id):
            posted = notices.post(offer)
            logger.info("review notice", extra={"detail": posted.detail})
        if not posted.done:
            raise NotPostedError(posted.detail)

    processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)
    return dict(process_partial_response(event=event, record_handler=handle, processor=processor, context=context))
