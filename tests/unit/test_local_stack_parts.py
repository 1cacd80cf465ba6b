"""The local stack's pure parts: event filtering, schedules, route selection, template
splitting."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dev_support.paths import TEMPLATE
from local_stack.functions import Invocation
from local_stack.http_front import Route, select_route, to_event, to_http
from local_stack.sources.filters import compile_filters, passes
from local_stack.sources.schedules import ScheduleError, next_fire
from local_stack.template import deployable, translate

RECORD = {"eventName": "INSERT", "dynamodb": {"NewImage": {"sk": {"S": "EVENT"}, "n": {"N": "5"}, "tags": {"L": []}}}}


def patterns(*pattern: dict[str, object]) -> list[dict[str, object]]:
    return compile_filters({"Filters": [{"Pattern": json.dumps(p)} for p in pattern]})


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"eventName": ["INSERT"]}, True),
        ({"eventName": ["MODIFY", "REMOVE"]}, False),
        ({"dynamodb": {"NewImage": {"sk": {"S": ["EVENT"]}}}}, True),
        ({"dynamodb": {"NewImage": {"sk": {"S": [{"prefix": "EV"}]}}}}, True),
        ({"dynamodb": {"NewImage": {"sk": {"S": [{"anything-but": ["EVENT"]}]}}}}, False),
        ({"dynamodb": {"NewImage": {"missing": [{"exists": False}]}}}, True),
        ({"dynamodb": {"NewImage": {"missing": [{"exists": True}]}}}, False),
        ({"dynamodb": {"NewImage": {"missing": {"S": ["x"]}}}}, False),
        ({"dynamodb": {"NewImage": {"sk": {"S": [{"equals-ignore-case": "event"}]}}}}, True),
    ],
)
def test_filter_patterns(pattern: dict[str, object], expected: bool) -> None:
    assert passes(RECORD, patterns(pattern)) is expected


def test_several_filters_are_or_and_none_passes_everything() -> None:
    assert passes(RECORD, patterns({"eventName": ["REMOVE"]}, {"eventName": ["INSERT"]}))
    assert passes(RECORD, [])


def test_numeric_filter() -> None:
    record = {"size": 5}
    assert passes(record, patterns({"size": [{"numeric": [">", 1, "<=", 5]}]}))
    assert not passes(record, patterns({"size": [{"numeric": [">", 5]}]}))


NOW = datetime(2026, 11, 21, 21, 30, 15, tzinfo=UTC)  # a Saturday


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("rate(5 minutes)", datetime(2026, 11, 21, 21, 35, 15, tzinfo=UTC)),
        ("rate(1 hour)", datetime(2026, 11, 21, 22, 30, 15, tzinfo=UTC)),
        ("cron(0 9 * * ? *)", datetime(2026, 11, 22, 9, 0, tzinfo=UTC)),
        ("cron(0/15 * * * ? *)", datetime(2026, 11, 21, 21, 45, tzinfo=UTC)),
        ("cron(0 8 ? * MON-FRI *)", datetime(2026, 11, 23, 8, 0, tzinfo=UTC)),
        ("cron(30 21 ? * SAT *)", datetime(2026, 11, 28, 21, 30, tzinfo=UTC)),
        ("cron(0 0 1 JAN ? 2027)", datetime(2027, 1, 1, 0, 0, tzinfo=UTC)),
    ],
)
def test_schedule_expressions(expression: str, expected: datetime) -> None:
    assert next_fire(expression, NOW) == expected


@pytest.mark.parametrize("expression", ["rate(0 minutes)", "every 5 minutes", "cron(61 * * * ? *)", "cron(* * *)"])
def test_bad_schedule_expressions_are_refused(expression: str) -> None:
    with pytest.raises(ScheduleError):
        next_fire(expression, NOW)


ROUTES = [
    Route("GET", "/webhooks/{platform}", "A"),
    Route("POST", "/webhooks/{platform}", "B"),
    Route("ANY", "/webhooks/{platform}", "C"),
    Route("ANY", "/{proxy+}", "D"),
]


@pytest.mark.parametrize(
    ("method", "path", "function", "params"),
    [
        ("GET", "/webhooks/x", "A", {"platform": "x"}),
        ("POST", "/webhooks/meta", "B", {"platform": "meta"}),
        ("PUT", "/webhooks/x", "C", {"platform": "x"}),
        ("GET", "/webhooks/x/extra", "D", {"proxy": "webhooks/x/extra"}),
    ],
)
def test_route_selection_follows_api_gateway_precedence(method: str, path: str, function: str, params: dict[str, str]) -> None:
    selected = select_route(ROUTES, method, path)
    assert selected is not None
    assert (selected[0].function, selected[1]) == (function, params)


def test_payload_2_event_and_response_mapping() -> None:
    event = to_event(
        ROUTES[1],
        {"platform": "x"},
        "POST",
        "/webhooks/x",
        "a=1&a=2",
        [("Content-Type", "application/json"), ("X-A", "1"), ("x-a", "2"), ("Cookie", "k=v; j=w")],
        b'{"ok": true}',
        "127.0.0.1",
        "rid",
    )
    assert event["headers"]["x-a"] == "1,2"
    assert event["cookies"] == ["k=v", "j=w"]
    assert (event["body"], event["isBase64Encoded"]) == ('{"ok": true}', False)
    assert event["queryStringParameters"] == {"a": "1,2"}
    binary = to_event(ROUTES[1], {}, "POST", "/webhooks/x", "", [], b"\xff\xfe", "127.0.0.1", "rid")
    assert (binary["body"], binary["isBase64Encoded"]) == ("//4=", True)
    assert to_http(Invocation(True, {"statusCode": 204, "cookies": ["a=b"]}))[:2] == (204, [("set-cookie", "a=b")])
    assert to_http(Invocation(True, ["inferred"]))[0] == 200
    assert to_http(Invocation(False, error_type="X"))[0] == 500


def test_template_split_keeps_what_moto_deploys_and_resolves_secret_references() -> None:
    translated = translate(TEMPLATE)
    body = deployable(translated.cfn, {"WebhookSecret": "arn:aws:secretsmanager:us-east-1:123456789012:secret:s"})
    types = {r["Type"] for r in body["Resources"].values()}
    assert not any(t.startswith("AWS::ApiGatewayV2") for t in types)
    assert "AWS::Lambda::Permission" not in types and "AWS::SecretsManager::Secret" not in types
    environment = body["Resources"]["ReceiveWebhookFunction"]["Properties"]["Environment"]["Variables"]
    assert environment["WEBHOOK_SECRET_ID"] == "arn:aws:secretsmanager:us-east-1:123456789012:secret:s"
    assert "WebhookBaseUrl" not in body["Outputs"], "outputs of emulated resources are left out"


def test_a_generated_secret_is_random_and_shaped_as_the_template_asks() -> None:
    from local_stack.deploy import _generated

    spec = {"SecretStringTemplate": "{}", "GenerateStringKey": "key", "PasswordLength": 64, "ExcludePunctuation": True}
    first, second = json.loads(_generated(spec)), json.loads(_generated(spec))
    assert set(first) == {"key"} and len(first["key"]) == 64 and first["key"].isalnum()
    assert first != second
    assert len(_generated({"PasswordLength": 40})) == 40


def test_each_stack_gets_a_log_folder_of_its_own_and_old_ones_go(tmp_path: Path) -> None:
    from local_stack.stack import LOG_FOLDERS_KEPT, new_log_dir

    first, second = new_log_dir(tmp_path), new_log_dir(tmp_path)
    assert first != second and first.parent == second.parent == tmp_path / "logs"
    stopped = 999_999_999  # no such process
    for n in range(LOG_FOLDERS_KEPT + 5):
        (tmp_path / "logs" / f"20260101-0000{n:02d}-pid{stopped}-x").mkdir()
    new_log_dir(tmp_path)
    folders = {p.name for p in (tmp_path / "logs").iterdir()}
    assert {first.name, second.name} <= folders, "running stacks' folders are kept"
    assert sum(f"pid{stopped}-" in name for name in folders) == LOG_FOLDERS_KEPT - 1
    assert f"20260101-000000-pid{stopped}-x" not in folders, "the oldest go first"
