"""template.yaml: lint-clean, valid, buildable offline for arm64, and shaped as the
product requires (no physical names, least privilege, durable tables)."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dev_support.paths import ROOT, TEMPLATE
from dev_support.template import resources_of_type, template

BIN = Path(sys.executable).parent
ENV = {
    **os.environ,
    "SAM_CLI_TELEMETRY": "0",
    "AWS_DEFAULT_REGION": "us-east-1",
    "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
}
PHYSICAL_NAME_KEYS = {
    "TableName",
    "FunctionName",
    "QueueName",
    "TopicName",
    "LayerName",
    "Name",
    "RoleName",
    "LogGroupName",
    "EventBusName",
    "StateMachineName",
    "BucketName",
}
EM_AARCH64 = 183


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=300, check=False)


def test_cfn_lint_is_clean() -> None:
    result = run(str(BIN / "cfn-lint"), str(TEMPLATE))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_sam_validate_lint_offline() -> None:
    result = run(str(BIN / "sam"), "validate", "--lint", "--template", str(TEMPLATE))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout + result.stderr


def elf_machine(path: Path) -> int | None:
    header = path.read_bytes()[:20]
    if header[:4] != b"\x7fELF":
        return None
    machine: int = struct.unpack("<H", header[18:20])[0]
    return machine


@pytest.mark.slow
def test_sam_build_offline_gives_arm64_layer_and_handler(tmp_path: Path) -> None:
    source = tmp_path / "src"  # a copy, so the build never sees .venv or caches
    shutil.copytree(
        ROOT, source, ignore=shutil.ignore_patterns(".venv", ".aws-sam", ".git", "*cache*", "__pycache__", ".hypothesis")
    )
    result = run(str(BIN / "sam"), "build", "--template", "template.yaml", "--build-dir", str(tmp_path / "build"), cwd=source)
    assert result.returncode == 0, result.stdout + result.stderr
    layer = tmp_path / "build" / "SharedLayer" / "python"
    assert (layer / "goodword" / "webhooks" / "receive.py").is_file()
    assert (tmp_path / "build" / "ReceiveWebhookFunction" / "receive_webhook" / "handler.py").is_file()
    binaries = [p for p in layer.rglob("*.so*") if p.is_file() and p.read_bytes()[:4] == b"\x7fELF"]
    assert binaries, "pydantic-core ships a compiled extension"
    assert {p.name: elf_machine(p) for p in binaries} == {p.name: EM_AARCH64 for p in binaries}
    assert not (layer / "boto3").exists() and not (layer / "botocore").exists(), "the runtime provides boto3"
    # google-re2 ships only manylinux_2_28 aarch64 wheels: the layer build must take that tag too.
    assert [p.name for p in binaries if p.name.startswith("_re2")], "the rules' regex engine is in the layer"
    # The judge: its model, and ONNX Runtime (also manylinux_2_28 only) and the tokenizer, for arm64.
    model = layer / "goodword" / "sentiment" / "judge" / "model"
    assert {p.name for p in model.iterdir()} >= {"judge.onnx", "tokenizer.json", "calibration.json", "praise_head.json"}
    words = layer / "goodword" / "sentiment" / "judge" / "words"
    assert {p.name for p in words.iterdir()} >= {"en.txt", "es.txt", "pt.txt", "de.txt", "fr.txt"}, "language.py's word lists"
    assert [p.name for p in binaries if p.name.startswith("libonnxruntime.so")], "ONNX Runtime is in the layer"
    assert [p.name for p in binaries if p.parent.name == "tokenizers"], "the tokenizer is in the layer"
    functions = [tmp_path / "build" / f for f in ("ReceiveWebhookFunction", "ApplyRulesFunction", "PerformActionsFunction")]
    size = sum(p.stat().st_size for folder in (layer, *functions) for p in folder.rglob("*") if p.is_file())
    assert size < 250 * 1024 * 1024, f"Lambda's unzipped limit (functions and layers together): {size:,} bytes"


def test_no_physical_names() -> None:
    for name, resource in template()["Resources"].items():
        props = resource.get("Properties", {})
        named = PHYSICAL_NAME_KEYS & set(props)
        # A log group named after its function (by reference) is how Lambda finds it.
        if resource["Type"] == "AWS::Logs::LogGroup" and "LogGroupName" in props:
            assert "Fn::Sub" in props["LogGroupName"], name
            named.discard("LogGroupName")
        if resource["Type"] == "AWS::Events::EventBus":  # Name is required: derived from the stack's
            assert "${AWS::StackName}" in props["Name"]["Fn::Sub"], name
            named.discard("Name")
        assert not named, f"{name} sets a physical name: {named}"


def test_the_api_access_log_holds_no_claim_code_nor_client_address() -> None:
    """A claim code in a URL is the key to a fan's gift: the access log records the route
    (``GET /claim/{code}``, the template), never the path, nor the client's address."""
    api = template()["Resources"]["WebhookApi"]["Properties"]
    log_format = api["AccessLogSettings"]["Format"]
    fields = json.loads(log_format)
    assert fields["route"] == "$context.routeKey"
    for leaky in ("$context.path", "$context.identity.sourceIp", "$context.requestOverride", "$context.domainPrefix"):
        assert leaky not in log_format


def test_logical_ids_and_durable_tables() -> None:
    tables = resources_of_type("AWS::DynamoDB::Table")
    assert {"EventsTable", "RulesTable"} <= set(tables)
    for props in tables.values():
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert props["SSESpecification"]["SSEEnabled"] is True
    events = tables["EventsTable"]
    assert events["StreamSpecification"]["StreamViewType"] in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES")
    assert events["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_receiver_routes_permissions_and_settings() -> None:
    tpl: dict[str, Any] = template()
    receiver = tpl["Resources"]["ReceiveWebhookFunction"]["Properties"]
    routes = {(e["Properties"]["Method"], e["Properties"]["Path"]) for e in receiver["Events"].values() if e["Type"] == "HttpApi"}
    assert {("GET", "/webhooks/{platform}"), ("POST", "/webhooks/{platform}")} <= routes
    ((policy,),) = [list(p.values()) for p in receiver["Policies"]]  # one explicit statement list
    assert [(s["Action"], s["Resource"]) for s in policy] == [
        ("dynamodb:PutItem", {"Fn::GetAtt": ["EventsTable", "Arn"]}),
        ("secretsmanager:GetSecretValue", {"Ref": "WebhookSecret"}),
    ], "the receiver only puts events and reads its secret (tests/functional/test_iam.py)"
    env = receiver["Environment"]["Variables"]
    assert env["EVENTS_TABLE_NAME"] == {"Ref": "EventsTable"}
    assert env["WEBHOOK_SECRET_ID"] == {"Ref": "WebhookSecret"}
    globals_fn = tpl["Globals"]["Function"]
    assert (globals_fn["Runtime"], globals_fn["Architectures"]) == ("python3.13", ["arm64"])
    assert {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_LOG_LEVEL"} <= set(
        globals_fn["Environment"]["Variables"]
    )
    layer = tpl["Resources"]["SharedLayer"]
    assert layer["Metadata"] == {"BuildMethod": "makefile", "BuildArchitecture": "arm64"}
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]


def test_layer_lock_matches_the_development_pins() -> None:
    """The layer and the development environment run the same versions."""

    def pins(path: Path) -> dict[str, str]:
        lines = [ln.split("#")[0].strip() for ln in path.read_text().splitlines()]
        return {n.split("[")[0].lower().replace("_", "-"): v for n, _, v in (ln.partition("==") for ln in lines if "==" in ln)}

    lock, dev = pins(ROOT / "shared" / "requirements.lock"), pins(ROOT / "constraints.txt")
    assert {name: dev.get(name) for name in lock} == lock
    assert set(pins(ROOT / "shared" / "requirements.txt")) <= set(lock)


def test_rules_pipeline_consumes_new_events_only_with_partial_failures_and_a_failure_queue() -> None:
    tpl: dict[str, Any] = template()
    function = tpl["Resources"]["ApplyRulesFunction"]["Properties"]
    (source,) = [e["Properties"] for e in function["Events"].values() if e["Type"] == "DynamoDB"]
    assert source["Stream"] == {"Fn::GetAtt": ["EventsTable", "StreamArn"]}
    assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert source["BisectBatchOnFunctionError"] is True
    assert 0 < source["MaximumRetryAttempts"] <= 10
    assert source["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["ApplyRulesFailureQueue", "Arn"]}
    pattern = json.loads(source["FilterCriteria"]["Filters"][0]["Pattern"])
    assert pattern == {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"sk": {"S": ["EVENT"]}}}}
    queue = tpl["Resources"]["ActionsQueue"]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["ActionsDeadLetterQueue", "Arn"]}
    assert {"STATE_TABLE_NAME", "RULES_TABLE_NAME", "ACTIONS_QUEUE_URL", "DECISION_RETENTION_DAYS"} <= set(
        function["Environment"]["Variables"]
    )


def test_actions_function_consumes_the_queue_with_partial_failures_and_starts_in_dry_run() -> None:
    tpl: dict[str, Any] = template()
    function = tpl["Resources"]["PerformActionsFunction"]["Properties"]
    (source,) = [e["Properties"] for e in function["Events"].values() if e["Type"] == "SQS"]
    assert source["Queue"] == {"Fn::GetAtt": ["ActionsQueue", "Arn"]}
    assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert tpl["Parameters"]["ActionsMode"]["Default"] == "dry_run"
    redrive = tpl["Resources"]["ActionsQueue"]["Properties"]["RedrivePolicy"]
    assert function["Environment"]["Variables"]["MAX_RECEIVES"] == str(redrive["maxReceiveCount"])


def test_fulfilment_consumes_its_queue_with_partial_failures_and_gives_up_when_the_queue_does() -> None:
    tpl: dict[str, Any] = template()
    function = tpl["Resources"]["FulfilClaimsFunction"]["Properties"]
    (source,) = [e["Properties"] for e in function["Events"].values() if e["Type"] == "SQS"]
    assert source["Queue"] == {"Fn::GetAtt": ["FulfilmentQueue", "Arn"]}
    assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    redrive = tpl["Resources"]["FulfilmentQueue"]["Properties"]["RedrivePolicy"]
    assert function["Environment"]["Variables"]["MAX_RECEIVES"] == str(redrive["maxReceiveCount"])
    # the alarm watches what Powertools emits: namespace Goodword, dimension service=goodword
    alarm = tpl["Resources"]["CodePoolEmptyAlarm"]["Properties"]
    env = tpl["Globals"]["Function"]["Environment"]["Variables"]
    assert (alarm["Namespace"], alarm["Dimensions"]) == (
        env["POWERTOOLS_METRICS_NAMESPACE"],
        [{"Name": "service", "Value": env["POWERTOOLS_SERVICE_NAME"]}],
    )


STATEFUL = (
    "EventsTable",
    "StateTable",
    "RulesTable",
    "ActionsQueue",
    "ActionsDeadLetterQueue",
    "ApplyRulesFailureQueue",
    "EnrichmentQueue",
    "EnrichmentDeadLetterQueue",
    "ClaimsTable",
    "FulfilmentQueue",
    "FulfilmentDeadLetterQueue",
)


def test_tables_queues_and_secrets_outlive_a_stack_deletion_or_replacement() -> None:
    resources = template()["Resources"]
    kept = [*STATEFUL, "WebhookSecret", "PlatformCredentials", "ClaimHashKey", "ClaimsKey", "ShopWebhookSecret"]
    for name in kept:
        assert (resources[name].get("DeletionPolicy"), resources[name].get("UpdateReplacePolicy")) == ("Retain", "Retain"), name
    stateful_types = {"AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::SecretsManager::Secret", "AWS::KMS::Key"}
    assert {n for n, r in resources.items() if r["Type"] in stateful_types} == set(kept)


@pytest.mark.parametrize(
    ("queue", "function"),
    [
        ("ActionsQueue", "PerformActionsFunction"),
        ("EnrichmentQueue", "ApplyRulesFunction"),
        ("FulfilmentQueue", "FulfilClaimsFunction"),
    ],
)
def test_a_queue_hides_a_message_for_six_timeouts_of_its_function(queue: str, function: str) -> None:
    tpl = template()
    timeout = tpl["Resources"][function]["Properties"].get("Timeout", tpl["Globals"]["Function"]["Timeout"])
    assert tpl["Resources"][queue]["Properties"]["VisibilityTimeout"] >= 6 * timeout


def test_alarms_watch_dead_letters_failures_5xx_and_function_errors_and_notify_the_topic() -> None:
    resources = template()["Resources"]
    alarms = {n: r["Properties"] for n, r in resources.items() if r["Type"] == "AWS::CloudWatch::Alarm"}

    def watched(props: dict[str, Any]) -> set[str]:
        stats = [props] + [m["MetricStat"]["Metric"] for m in props.get("Metrics", []) if "MetricStat" in m]
        names = set()
        for stat in stats:
            for dimension in stat.get("Dimensions", []):
                value = dimension["Value"]
                names.add(value.get("Ref") or value.get("Fn::GetAtt", [""])[0] if isinstance(value, dict) else value)
            if "MetricName" in stat:
                names.add(stat["MetricName"])
        return names

    seen = set().union(*(watched(p) for p in alarms.values()))
    for needed in (
        "ActionsDeadLetterQueue",
        "EnrichmentDeadLetterQueue",
        "FulfilmentDeadLetterQueue",
        "ApplyRulesFailureQueue",
        "WebhookApi",
        "5xx",
        "ApplyRulesFunction",
        "PerformActionsFunction",
        "FulfilClaimsFunction",
        "CodePoolEmpty",
    ):
        assert needed in seen, needed
    for name, props in alarms.items():
        assert props["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
    subscription = resources["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}


def test_claims_are_encrypted_with_a_rotated_key_and_their_hashes_keyed_with_a_generated_secret() -> None:
    resources = template()["Resources"]
    key = resources["ClaimsKey"]["Properties"]
    assert key["EnableKeyRotation"] is True
    (statement,) = key["KeyPolicy"]["Statement"]  # the account decides through IAM: no grant to anyone else
    assert statement["Principal"] == {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}
    assert resources["ClaimsKeyAlias"]["Properties"]["TargetKeyId"] == {"Ref": "ClaimsKey"}
    generated = resources["ClaimHashKey"]["Properties"]["GenerateSecretString"]
    assert "SecretString" not in resources["ClaimHashKey"]["Properties"], "generated at creation, never written in the template"
    assert generated["GenerateStringKey"] == "key" and generated["PasswordLength"] >= 32
    claims = resources["ClaimsTable"]["Properties"]
    assert claims["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}  # lookup counters


def test_an_offer_is_found_by_its_claim_code_through_a_sparse_index() -> None:
    state = resources_of_type("AWS::DynamoDB::Table")["StateTable"]
    (index,) = [i for i in state["GlobalSecondaryIndexes"] if i["IndexName"] == "ByClaimCode"]
    assert index["KeySchema"] == [{"AttributeName": "claim_code", "KeyType": "HASH"}]
    assert index["Projection"] == {"ProjectionType": "KEYS_ONLY"}  # the offer is then read by key, consistently


def test_fulfilment_is_retried_five_times_then_dead_lettered() -> None:
    queue = template()["Resources"]["FulfilmentQueue"]["Properties"]
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["FulfilmentDeadLetterQueue", "Arn"]},
        "maxReceiveCount": 5,
    }
    assert queue["SqsManagedSseEnabled"] is True
