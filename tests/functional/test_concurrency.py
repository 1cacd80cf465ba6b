"""The same delivery sent 20 times at once is stored exactly once."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from dev_support.platforms import fixture_bytes, http_api_event, signed_headers
from tests.conftest import Aws


def test_twenty_concurrent_copies_of_one_delivery_store_one_event(receiver: Any, lambda_context: Any, aws: Aws) -> None:
    body = fixture_bytes("x/aaa_tweet_create_events_mention.constructed.json")
    event = http_api_event("x", body, headers=signed_headers("x", body))
    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(lambda _: receiver.lambda_handler(event, lambda_context), range(20)))
    answers = [json.loads(r["body"]) for r in responses]
    assert {r["statusCode"] for r in responses} == {200}
    assert sum(a["stored"] for a in answers) == 1
    assert sum(a["duplicates"] for a in answers) == 19
    assert len(aws.event_items()) == 1
