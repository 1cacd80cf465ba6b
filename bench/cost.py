"""Cost per million events: every AWS request a delivery causes through the receiver and
the rules pipeline (with the example rules of rules/), counted in an end-to-end run against
moto, converted to dollars at public list prices.

Prices: us-east-1 list prices as last published on the AWS pricing pages known to us
(2025; this machine has no network to re-check them): API Gateway HTTP API $1.00 per
million requests; Lambda arm64 $0.20 per million requests and $0.0000133334 per GB-second;
DynamoDB on-demand $0.625 per million write request units and $0.125 per million read
request units (a transactional write costs 2 units per KB per item; stream reads by Lambda
are free); SQS standard $0.40 per million requests; Secrets Manager $0.05 per 10,000 calls;
CloudWatch Logs ingestion $0.50 per GB. Storage, data transfer, CloudWatch metrics and
free tiers are left out. Lambda durations are this machine's (x86_64, Python 3.11), used as
a stand-in for 512 MB arm64.
"""

from __future__ import annotations

import io
import json
import math
import os
import random
import statistics
import time
from collections import Counter
from contextlib import redirect_stdout
from dataclasses import dataclass
from typing import Any

from bench.report import save

PRICES = {
    "http_api_request": 1.00e-6,
    "lambda_request": 0.20e-6,
    "lambda_gb_second": 0.0000133334,
    "dynamodb_wru": 0.625e-6,
    "dynamodb_rru": 0.125e-6,
    "sqs_request": 0.40e-6,
    "secrets_call": 0.05 / 10_000,
    "logs_gb": 0.50,
}
MEMORY_GB = 0.5
TEXTS = [
    "@XDevelopers I love your coffee, wonderful and amazing, best beans ever, thank you!",
    "@XDevelopers the beans arrived stale and the bag was torn. Terrible.",
    "@XDevelopers what time do you open on Sundays?",
    "@XDevelopers nice roast, good crema",
    "@XDevelopers meh",
]


def _size(value: dict[str, Any]) -> int:
    return len(json.dumps(value))  # a close upper bound of DynamoDB's item size


class _Meter:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.wru = 0.0
        self.rru = 0.0

    def __call__(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        name = model.name
        self.calls[f"{model.service_model.service_name}.{name}"] += 1
        if name == "PutItem":
            self.wru += math.ceil(_size(params["Item"]) / 1024)
        elif name == "UpdateItem":
            self.wru += 1  # small items: profiles, counters, flags
        elif name == "TransactWriteItems":
            for item in params["TransactItems"]:
                body = item.get("Put", {}).get("Item") or {}
                self.wru += 2 * max(1, math.ceil(_size(body) / 1024))
        elif name in ("GetItem", "Query"):
            self.rru += 1  # strongly consistent, under 4 KB


def main(quick: bool = False) -> None:
    _environment()
    from moto import mock_aws

    deliveries = 200 if quick else 1000
    with mock_aws():
        tables = _create_aws()
        meter = _metered_handlers()
        run = _deliver_and_apply(deliveries, tables)
    figures = _figures(deliveries, meter, run)
    save("cost", figures)
    _print(figures, meter)


def _environment() -> None:
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_SERVICE_NAME": "goodword",
            "POWERTOOLS_METRICS_NAMESPACE": "Goodword",
        }
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)


def _create_aws() -> dict[str, str]:
    """The template's tables, the webhook secret and the queues in moto, the receiver's and
    the pipeline's environment, and RulesTable as the local stack starts it."""
    import boto3

    from bench.rules_table import put_development_rules
    from dev_support.platforms import SECRETS
    from dev_support.template import create_queues, create_secrets, create_tables, function_environment
    from goodword.aws import clients
    from goodword.settings import pipeline_settings, receiver_settings

    clients.reset()
    receiver_settings.cache_clear()
    pipeline_settings.cache_clear()
    tables = create_tables(boto3.client("dynamodb"))
    refs = {
        **tables,
        **create_secrets(boto3.client("secretsmanager"), {"WebhookSecret": SECRETS}),
        **create_queues(boto3.client("sqs")),
    }
    for function in ("ReceiveWebhookFunction", "ApplyRulesFunction"):
        os.environ.update({k: v for k, v in function_environment(function, refs).items() if not k.startswith("POWERTOOLS_")})
    put_development_rules(boto3.client("dynamodb"), tables["RulesTable"])
    return tables


def _metered_handlers() -> _Meter:
    """Both handlers, built afresh, with every request of their clients counted."""
    from apply_rules import handler as apply_rules

    from goodword.aws import clients
    from receive_webhook import handler as receive_webhook

    # Handlers keep their clients, tables and secret loader per process: an earlier bench's
    # (another moto, another secret) must not be measured here.
    receive_webhook.reset()
    apply_rules.reset()
    meter = _Meter()
    for budget in (clients.RECEIVER, clients.WORKER):  # each function's clients
        clients.use_budget(budget)
        for client in (clients.dynamodb(), clients.sqs(), clients.secretsmanager()):
            client.meta.events.register("before-parameter-build.*.*", meter)
    return meter


@dataclass
class _Run:
    receive_ms: list[float]
    apply_ms: list[float]
    logs: io.StringIO


def _deliver_and_apply(deliveries: int, tables: dict[str, str]) -> _Run:
    """Signed X mentions through the receiver, then every stored event through the pipeline
    in stream batches of 25, each timed; what they log is kept (for its size)."""
    import boto3
    from apply_rules import handler as apply_rules

    from dev_support.lambda_context import FakeLambdaContext
    from dev_support.lambda_events import stream_record
    from dev_support.platforms import http_api_event, load_fixture, signed_headers
    from goodword.aws.codec import scan_stored
    from goodword.observability import logger
    from receive_webhook import handler as receive_webhook

    rng = random.Random(7)
    context = FakeLambdaContext()
    logs = io.StringIO()
    logger.registered_handler.setStream(logs)  # type: ignore[attr-defined]
    receive_ms, apply_ms = [], []
    with redirect_stdout(logs):
        for n in range(deliveries):
            body_json = load_fixture("x/aaa_tweet_create_events_mention.constructed.json")
            tweet = body_json["tweet_create_events"][0]
            tweet.update({"id_str": f"7{n:017d}", "text": rng.choice(TEXTS)})
            tweet["user"]["id_str"] = f"{rng.randrange(deliveries // 2)}"
            body = json.dumps(body_json).encode()
            started = time.perf_counter()
            answer = receive_webhook.lambda_handler(http_api_event("x", body, headers=signed_headers("x", body)), context)
            assert answer["statusCode"] == 200, answer
            receive_ms.append((time.perf_counter() - started) * 1000)
        items = [i for i in scan_stored(tables["EventsTable"], client=boto3.client("dynamodb")) if i["sk"]["S"] == "EVENT"]
        assert len(items) == deliveries, f"{len(items)} events stored of {deliveries}"
        for start in range(0, len(items), 25):
            batch = items[start : start + 25]
            records = [stream_record(item, start + i) for i, item in enumerate(batch)]
            started = time.perf_counter()
            apply_rules.lambda_handler({"Records": records}, context)
            apply_ms.append((time.perf_counter() - started) * 1000)
    return _Run(receive_ms, apply_ms, logs)


def _figures(deliveries: int, meter: _Meter, run: _Run) -> dict[str, Any]:
    per_event = deliveries
    batches = len(run.apply_ms)
    lambda_gb_s = (sum(run.receive_ms) + sum(run.apply_ms)) / 1000 * MEMORY_GB
    dollars = {
        "http_api": deliveries * PRICES["http_api_request"],
        "lambda_requests": (deliveries + batches) * PRICES["lambda_request"],
        "lambda_duration": lambda_gb_s * PRICES["lambda_gb_second"],
        "dynamodb_writes": meter.wru * PRICES["dynamodb_wru"],
        "dynamodb_reads": meter.rru * PRICES["dynamodb_rru"],
        "sqs": sum(v for k, v in meter.calls.items() if k.startswith("sqs.")) * PRICES["sqs_request"],
        "secrets_manager": sum(v for k, v in meter.calls.items() if k.startswith("secretsmanager.")) * PRICES["secrets_call"],
        "cloudwatch_logs": len(run.logs.getvalue().encode()) / 1e9 * PRICES["logs_gb"],
    }
    per_million = {k: round(v / per_event * 1e6, 2) for k, v in dollars.items()}
    return {
        "deliveries": deliveries,
        "pipeline_batches": batches,
        "prices": PRICES,
        "requests_per_event": {k: round(v / per_event, 3) for k, v in sorted(meter.calls.items())},
        "write_units_per_event": round(meter.wru / per_event, 2),
        "read_units_per_event": round(meter.rru / per_event, 2),
        "receiver_median_ms": round(statistics.median(run.receive_ms), 1),
        "pipeline_median_ms_per_batch": round(statistics.median(run.apply_ms), 1),
        "dollars_per_million_events": per_million,
        "total_dollars_per_million_events": round(sum(per_million.values()), 2),
    }


def _print(figures: dict[str, Any], meter: _Meter) -> None:
    deliveries = figures["deliveries"]
    per_million = figures["dollars_per_million_events"]
    print(f"Cost per million events ({deliveries} X mentions through receiver and rules pipeline, example rules)")
    requests = {k: round(v / deliveries, 3) for k, v in sorted(meter.calls.items())}
    print("  requests per event: " + ", ".join(f"{k} {v}" for k, v in requests.items()))
    print(f"  DynamoDB units per event: {figures['write_units_per_event']} write, {figures['read_units_per_event']} read")
    print(
        "  $ per million events: "
        + ", ".join(f"{k} {v:.2f}" for k, v in per_million.items())
        + f"  => total ${figures['total_dollars_per_million_events']:.2f}"
    )
