"""make soak: signed deliveries across platforms, with platform-style retries, duplicates and
injected storage faults, through the receiver, the rules pipeline and the actions function
(live, against a fake platform on 127.0.0.1); then every event, offer and send is counted.

Faults, each at --fault-rate of the DynamoDB writes (seeded, so a run repeats exactly):
  throttling                  ProvisionedThroughputExceededException before the write
  timeout                     the request never reaches DynamoDB (a read timeout)
  lost answer                 the write lands, then the answer is lost (a 500 after it)

Targets: 0 events lost, 0 duplicated offers or sends, 0 5xx for well-formed input except the
503s of deliveries that met a fault, and every one of those completed by a retry.

    make soak                  10,000 deliveries
    make soak SOAK_ARGS=--quick  1,000
    make soak SOAK_ARGS=--record   the committed figures (bench/results/soak.json); otherwise
                                   bench/results/latest/
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from typing import Any

from bench.report import record, save
from dev_support import moto_dynamodb
from dev_support.lambda_events import sqs_record, stream_record

PLATFORMS = ("x", "x", "meta", "standard", "linkedin", "twitch")  # X twice: most mentions arrive there
PRAISE = "@brand I love it, wonderful and amazing, best coffee ever, thank you!"
COMPLAINT = "@brand the beans arrived stale and the bag was torn. Terrible."
MAX_PLATFORM_RETRIES = 8
STREAM_RETRIES = 5  # MaximumRetryAttempts of the pipeline's event source


class Faults:
    """Injects the three storage faults into moto's DynamoDB at a seeded rate."""

    def __init__(self, rate: float, seed: int) -> None:
        self.rate, self.rng = rate, random.Random(seed)
        self.injected: Counter[str] = Counter()
        self.enabled = True
        self._lock = threading.Lock()

    def draw(self) -> str | None:
        with self._lock:
            if not self.enabled or self.rng.random() >= self.rate:
                return None
            kind = self.rng.choice(("throttling", "timeout", "lost answer"))
            self.injected[kind] += 1
            return kind

    @contextmanager
    def installed(self) -> Iterator[None]:
        from botocore.exceptions import ReadTimeoutError
        from moto.core.exceptions import JsonRESTError
        from moto.dynamodb.models import DynamoDBBackend

        class Throttled(JsonRESTError):
            code = 400

        class Lost(JsonRESTError):
            code = 500

        moto_dynamodb.install()  # the local stack's moto fixes: no whole-table copies, nothing kept forever
        originals = {name: getattr(DynamoDBBackend, name) for name in ("put_item", "update_item", "transact_write_items")}
        inside = threading.local()  # a transaction's own item writes are not separate requests

        def faulty(name: str) -> Callable[..., Any]:
            def write(backend: Any, *args: Any, **kwargs: Any) -> Any:
                if getattr(inside, "transaction", False):
                    return originals[name](backend, *args, **kwargs)
                if name == "transact_write_items":
                    return in_transaction(backend, *args, **kwargs)
                kind = self.draw()
                if kind == "throttling":
                    raise Throttled("ProvisionedThroughputExceededException", "injected throttling")
                if kind == "timeout":  # what botocore raises when DynamoDB does not answer in time
                    raise ReadTimeoutError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com")
                result = originals[name](backend, *args, **kwargs)
                if kind == "lost answer":
                    raise Lost("InternalServerError", "injected: the write landed, the answer was lost")
                return result

            return write

        def in_transaction(backend: Any, *args: Any, **kwargs: Any) -> Any:
            kind = self.draw()
            if kind == "throttling":
                raise Throttled("ProvisionedThroughputExceededException", "injected throttling")
            if kind == "timeout":
                raise ReadTimeoutError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com")
            inside.transaction = True
            try:
                result = originals["transact_write_items"](backend, *args, **kwargs)
            finally:
                inside.transaction = False
            if kind == "lost answer":
                raise Lost("InternalServerError", "injected: the write landed, the answer was lost")
            return result

        for name in originals:
            setattr(DynamoDBBackend, name, faulty(name))
        try:
            yield
        finally:
            for name, original in originals.items():
                setattr(DynamoDBBackend, name, original)


class FakePlatform:
    """Answers every send like the platform would (201 with an id) and keeps each body; answers
    the reads that complete ids-only events (Instagram, LinkedIn) as the local stack's fake
    platforms do."""

    def __init__(self) -> None:
        from local_stack.fake_platforms import ReadsHandler

        self.bodies: Counter[bytes] = Counter()
        bodies = self.bodies

        class Handler(ReadsHandler):
            def do_POST(self) -> None:
                bodies[self.path.encode() + b" " + self.rfile.read(int(self.headers.get("content-length") or 0))] += 1
                self.send_json(201, {"data": {"id": str(sum(bodies.values()))}, "id": "1"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def base_urls(self) -> dict[str, str]:
        """PlatformCredentials' api_base_urls: the fake platforms' read paths, one server."""
        return {"graph": f"{self.url}/graph/v26.0", "linkedin": f"{self.url}/linkedin", "x": f"{self.url}/x", "twitch": self.url}


def delivery(n: int, rng: random.Random) -> tuple[str, bytes, dict[str, Any]]:
    """Delivery n: its platform, body and signing options, with ids of its own."""
    from dev_support.platforms import load_fixture

    platform = PLATFORMS[n % len(PLATFORMS)]
    author = f"soak{rng.randrange(n // 3 + 1)}"  # some people mention more than once
    text = PRAISE if rng.random() < 0.6 else COMPLAINT
    options: dict[str, Any] = {}
    if platform == "x":
        body = load_fixture("x/aaa_tweet_create_events_mention.constructed.json")
        tweet = body["tweet_create_events"][0]
        tweet.update({"id_str": f"7{n:017d}", "text": text})
        tweet["user"].update({"id_str": author, "screen_name": author})
    elif platform == "meta":
        raw = json.dumps(load_fixture("meta/instagram_comments_fblogin.constructed.json"))
        body = json.loads(raw.replace("17894227972186120", f"8{n:016d}").replace("17918195224117851", f"6{n:016d}"))
        value = body["entry"][0]["changes"][0]["value"]
        value["text"] = text
        value.setdefault("from", {}).update({"id": author, "username": author})
    elif platform == "linkedin":
        body = load_fixture("linkedin/org_social_action_share_mention.constructed.json")
        body["notifications"][0]["notificationId"] = 5_000_000 + n
    elif platform == "twitch":
        body = load_fixture("twitch/channel_follow_v2_notification.json")
        body["event"].update({"user_id": author, "user_login": author, "user_name": author})
        options["message_id"] = f"soak-{n}"  # Twitch retries with the same message id
    else:
        body = {
            "platform": "mastodon",
            "kind": "mention",
            "natural_id": f"status:{n}",
            "brand_account": "roaster@mastodon.example",
            "occurred_at": datetime.now(UTC).isoformat(),
            "author": {"id": author, "handle": author},
            "text": text,
        }
        options["message_id"] = f"msg_{n}"
    return platform, json.dumps(body, separators=(",", ":")).encode(), options


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = _arguments(argv)
    if args.record:
        record()
    count = args.deliveries or (1_000 if args.quick else 10_000)
    _quiet_environment()

    from moto import mock_aws

    from dev_support.lambda_context import FakeLambdaContext

    os.environ.pop("AWS_ENDPOINT_URL", None)
    faults = Faults(args.fault_rate, args.seed + 1)
    platform_server = FakePlatform()
    started = time.perf_counter()
    import botocore.endpoint

    slept: list[float] = []
    endpoint_module = vars(botocore.endpoint)
    real_time, endpoint_module["time"] = endpoint_module["time"], _SimulatedSleep(slept)
    quiet = open(os.devnull, "w")  # noqa: SIM115 (Powertools prints metrics once it holds 100)
    with mock_aws(), faults.installed(), redirect_stdout(quiet):
        faults.enabled = False
        ddb, tables, refs = _create_aws(platform_server)
        stages = _run_stages(args, count, faults, FakeLambdaContext(), ddb, tables, refs, started)
        counts = _count(ddb, tables, refs["ActionsQueue"])
    endpoint_module["time"] = real_time
    figures = _figures(count, stages, counts, faults, platform_server, slept, started)
    print(json.dumps(figures, indent=2))
    save("soak-quick" if args.quick else "soak", figures)
    if not figures["ok"]:
        raise SystemExit("soak: targets missed (see the figures above)")
    return figures


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make soak", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1,000 deliveries")
    parser.add_argument("--deliveries", type=int, default=None)
    parser.add_argument("--fault-rate", type=float, default=0.03, help="share of DynamoDB writes that fail")
    parser.add_argument("--duplicate-rate", type=float, default=0.05, help="share of deliveries sent twice")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--record", action="store_true", help="write the committed figures (bench/results/)")
    return parser.parse_args(argv)


def _quiet_environment() -> None:
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ["POWERTOOLS_LOG_LEVEL"] = "CRITICAL"  # the figures, not thousands of log lines
    os.environ.update({"POWERTOOLS_METRICS_NAMESPACE": "Goodword", "POWERTOOLS_SERVICE_NAME": "goodword"})
    warnings.filterwarnings("ignore", module="aws_lambda_powertools")
    logging.getLogger("goodword").setLevel(logging.CRITICAL)


def _create_aws(platform_server: FakePlatform) -> tuple[Any, dict[str, str], dict[str, str]]:
    """The template's tables, secrets, queues and bus in moto, the three functions' environment
    (actions live, against the fake platform) and RulesTable as the local stack starts it."""
    import boto3

    from bench.rules_table import put_development_rules
    from dev_support.platforms import CREDENTIALS, SECRETS
    from dev_support.template import create_event_buses, create_queues, create_secrets, create_tables, function_environment
    from goodword.aws import clients
    from goodword.settings import actions_settings, pipeline_settings, receiver_settings

    clients.reset()
    for cached in (receiver_settings, pipeline_settings, actions_settings):
        cached.cache_clear()
    ddb = boto3.client("dynamodb")
    tables = create_tables(ddb)
    credentials = {**CREDENTIALS, "api_base_urls": platform_server.base_urls}
    secrets = create_secrets(boto3.client("secretsmanager"), {"WebhookSecret": SECRETS, "PlatformCredentials": credentials})
    refs = {**tables, **secrets, **create_queues(boto3.client("sqs")), **create_event_buses(boto3.client("events"))}
    for function in ("ReceiveWebhookFunction", "ApplyRulesFunction", "PerformActionsFunction"):
        os.environ.update({k: v for k, v in function_environment(function, refs).items() if not k.startswith("POWERTOOLS_")})
    os.environ.update({"ACTIONS_MODE": "live", "RULES_CACHE_SECONDS": "3600", "POWERTOOLS_METRICS_DISABLED": "true"})
    put_development_rules(ddb, tables["RulesTable"])
    return ddb, tables, refs


@dataclass
class _Stages:
    delivered: dict[str, Any]
    deliveries_seconds: float
    stored: set[str]
    stream_failures: int
    abandoned: int
    enrichment_retries: int
    performed_retries: int


def _run_stages(
    args: argparse.Namespace,
    count: int,
    faults: Faults,
    context: Any,
    ddb: Any,
    tables: dict[str, str],
    refs: dict[str, str],
    started: float,
) -> _Stages:
    """Deliveries, the stream, the enrichment queue and the actions queue, each through its
    function, with faults injected while each runs."""
    import boto3
    from apply_rules import handler as apply_rules
    from perform_actions import handler as perform_actions

    from goodword.aws import clients
    from receive_webhook import handler as receive_webhook

    # --- 1. deliveries, as the platforms send them -------------------------------------------
    clients.use_budget(clients.RECEIVER)
    receive_webhook.reset()
    faults.enabled = True
    rng = random.Random(args.seed)
    delivered = _deliver_all(receive_webhook.lambda_handler, context, count, rng, args.duplicate_rate, faults)
    deliveries_seconds = time.perf_counter() - started

    # --- 2. the stream, through the rules pipeline (checkpoint and retry on failure) ---------
    clients.use_budget(clients.WORKER)
    apply_rules.reset()
    faults.enabled = False
    items = _scan(ddb, tables["EventsTable"])
    stored = {i["event_id"]["S"] for i in items if i["sk"]["S"] == "EVENT"}
    events = sorted((i for i in items if i["sk"]["S"] == "EVENT"), key=lambda i: i["gsi1sk"]["S"])
    faults.enabled = True
    stream_failures, abandoned = _stream(apply_rules.lambda_handler, context, events)

    # --- 3. the enrichment queue: ids-only events read from the platform, then judged ------
    sqs = boto3.client("sqs")
    enrichment_retries = _drain(apply_rules.lambda_handler, context, sqs, refs["EnrichmentQueue"])

    # --- 4. the actions queue (redelivered until done, as SQS does) --------------------------
    perform_actions.reset()
    performed_retries = _drain(perform_actions.lambda_handler, context, sqs, refs["ActionsQueue"])
    faults.enabled = False
    return _Stages(delivered, deliveries_seconds, stored, stream_failures, abandoned, enrichment_retries, performed_retries)


@dataclass
class _Counts:
    events_table: list[dict[str, Any]]
    decided: set[str]
    work: list[dict[str, Any]]
    offers: list[dict[str, Any]]
    by_state: Counter[str]
    delayed: int


def _count(ddb: Any, tables: dict[str, str], queue: str) -> _Counts:
    """--- 5. counting: what the tables and the actions queue hold once every stage is done."""
    import boto3

    from goodword.aws.codec import from_dynamodb

    events_table = _scan(ddb, tables["EventsTable"])
    decided = {i["pk"]["S"].removeprefix("EVENT#") for i in events_table if i["sk"]["S"] == "DECISIONS"}
    state = [from_dynamodb(i) for i in _scan(ddb, tables["StateTable"])]
    work = [i for i in state if i.get("sk") == "WORK"]
    offers = [w for w in work if w["kind"] == "offer_sample"]
    waiting = boto3.client("sqs").get_queue_attributes(
        QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessagesDelayed", "ApproximateNumberOfMessages"]
    )["Attributes"]
    delayed = int(waiting["ApproximateNumberOfMessagesDelayed"]) + int(waiting["ApproximateNumberOfMessages"])
    return _Counts(events_table, decided, work, offers, Counter(w["state"] for w in work), delayed)


# A soak is ok when every one of these is 0 (and no delivery was answered 500).
_MUST_BE_ZERO = (
    "events_lost",
    "events_unexpected",
    "events_not_processed",
    "unexplained_5xx",
    "deliveries_given_up",
    "stream_records_abandoned",
    "offers_duplicated",
    "sends_duplicated",
    "work_stuck",
)


def _figures(
    count: int,
    stages: _Stages,
    counts: _Counts,
    faults: Faults,
    platform_server: FakePlatform,
    slept: list[float],
    started: float,
) -> dict[str, Any]:
    delivered, stored, by_state = stages.delivered, stages.stored, counts.by_state
    per_person_rule = Counter((w["person"], w["rule_id"]) for w in counts.offers)
    figures = {
        "deliveries": count,
        "answers": dict(sorted(delivered["answers"].items())),
        "faults_injected": dict(faults.injected),
        "events_expected": len(delivered["expected"]),
        "events_stored": len(stored & delivered["expected"]),
        "events_lost": len(delivered["expected"] - stored),
        "events_unexpected": len(stored - delivered["expected"]),
        "events_not_processed": len(stored - counts.decided),
        "unexplained_5xx": delivered.get("unexplained_5xx", 0),
        "deliveries_completed_by_a_retry": delivered.get("completed_after_retry", 0),
        "deliveries_given_up": delivered.get("gave_up", 0),
        "duplicates_answered_as_duplicates": delivered.get("duplicates_answered", 0),
        "stream_batch_retries": stages.stream_failures,
        "stream_records_abandoned": stages.abandoned,
        "offers": len(counts.offers),
        "offers_duplicated": sum(n - 1 for n in per_person_rule.values() if n > 1),
        "work_by_state": dict(sorted(by_state.items())),
        "work_waiting_in_the_queue_for_a_rate_limit": counts.delayed,
        "sends_to_the_platform": sum(platform_server.bodies.values()),
        "sends_duplicated": sum(n - 1 for n in platform_server.bodies.values() if n > 1),
        "enrichment_retries": stages.enrichment_retries,
        "enrichment_by_state": dict(
            Counter(
                i["enrichment"]["M"]["state"]["S"] for i in counts.events_table if i["sk"]["S"] == "EVENT" and "enrichment" in i
            )
        ),
        "action_retries": stages.performed_retries,
        "failed_work_reasons": dict(
            Counter(w.get("reason", "")[:60] for w in counts.work if w["state"] == "failed").most_common(6)
        ),
        "botocore_retry_backoff_seconds_simulated": round(sum(slept), 1),
        "deliveries_per_second": round(count / stages.deliveries_seconds, 1),
        "seconds": round(time.perf_counter() - started, 1),
    }
    figures["work_stuck"] = by_state.get("sending", 0) + max(0, by_state.get("approved", 0) - counts.delayed)
    figures["duplicated_send_examples"] = [b.decode(errors="replace")[:160] for b, n in platform_server.bodies.items() if n > 1][
        :3
    ]
    figures["ok"] = not any(figures[k] for k in _MUST_BE_ZERO) and delivered["answers"].get("500", 0) == 0
    return figures


def _deliver_all(
    handler: Callable[..., Any], context: Any, count: int, rng: random.Random, duplicate_rate: float, faults: Faults
) -> dict[str, Any]:
    """Every delivery, retried as a platform retries a 5xx, some sent twice (a duplicate)."""
    from dev_support.platforms import http_api_event, signed_headers
    from goodword.webhooks.receive import ADAPTERS
    from goodword.webhooks.request import WebhookRequest

    answers: Counter[str] = Counter()
    expected: set[str] = set()
    found = Counter[str]()
    for n in range(count):
        platform, body, options = delivery(n, rng)
        headers = {k.lower(): v for k, v in signed_headers(platform, body, **options).items()}
        request = WebhookRequest("POST", platform, headers, {}, body, datetime.now(UTC))
        expected |= {e.event_id for e in ADAPTERS[platform].read(request).events}
        for copy in range(2 if rng.random() < duplicate_rate else 1):
            for attempt in range(MAX_PLATFORM_RETRIES):
                before = sum(faults.injected.values())
                response = handler(http_api_event(platform, body, headers=signed_headers(platform, body, **options)), context)
                answers[str(response["statusCode"])] += 1
                if response["statusCode"] >= 500:
                    found["unexplained_5xx"] += sum(faults.injected.values()) == before
                    continue
                found["completed_after_retry"] += attempt > 0
                answer = json.loads(response["body"])
                found["duplicates_answered"] += copy > 0 and answer["duplicates"] == answer["received"]
                break
            else:
                found["gave_up"] += 1
    return {"answers": answers, "expected": expected, **found}


def _stream(handler: Callable[..., Any], context: Any, events: list[dict[str, Any]]) -> tuple[int, int]:
    """Batches of 25 stream records; on failures Lambda resumes from the first failed record."""
    retries = abandoned = 0
    for start in range(0, len(events), 25):
        batch = [stream_record(item, start + i) for i, item in enumerate(events[start : start + 25])]
        for _retry in range(STREAM_RETRIES + 1):
            failed = handler({"Records": batch}, context)["batchItemFailures"]
            if not failed:
                break
            retries += 1
            sequence = {r["dynamodb"]["SequenceNumber"]: i for i, r in enumerate(batch)}
            batch = batch[min(sequence[f["itemIdentifier"]] for f in failed) :]
        else:
            abandoned += len(batch)
    return retries, abandoned


def _drain(handler: Callable[..., Any], context: Any, sqs: Any, queue: str) -> int:
    """Every visible message, received again (count + 1) until done or 5 receives, as SQS does."""
    retries = 0
    while messages := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, AttributeNames=["All"]).get("Messages"):
        for message in messages:
            for receive in range(1, 6):
                if not handler({"Records": [sqs_record(message, receive)]}, context)["batchItemFailures"]:
                    break
                retries += 1
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    return retries


class _SimulatedSleep:
    """botocore's module ``time`` with its retry backoff counted instead of slept."""

    def __init__(self, slept: list[float]) -> None:
        self.slept = slept

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


def _scan(ddb: Any, table: str) -> list[dict[str, Any]]:
    from goodword.aws.codec import scan_stored

    return list(scan_stored(table, client=ddb, ConsistentRead=True))


if __name__ == "__main__":
    main()
