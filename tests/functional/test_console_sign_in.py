"""The console function on moto: its pages through the handler, and signing in with the
template's user pool (email as user name, the password policy, the app client's flows): the
right email and password give an ID token for the client; a wrong password and an unknown
email get the same 401; a body that is not {email, password} is 400."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from joserfc import jwt

from dev_support.console_tokens import moto_public_keys
from dev_support.template import create_user_pools, function_environment
from goodword.aws.console_users import ConsoleUsers
from tests.conftest import Aws

EDITOR = ("editor@example.com", "Correct-horse-battery-9!")
VIEWER = ("viewer@example.com", "Viewer-staple-battery-7#")


@dataclass
class Pool:
    refs: dict[str, str]
    cognito: Any

    @property
    def pool_id(self) -> str:
        return self.refs["ConsoleUserPool"]

    @property
    def client_id(self) -> str:
        return self.refs["ConsoleUserPoolClient"]

    def users(self) -> ConsoleUsers:
        return ConsoleUsers(self.pool_id)


@pytest.fixture
def pool(aws: Aws) -> Pool:
    cognito = boto3.client("cognito-idp")
    made = Pool(create_user_pools(cognito), cognito)
    made.users().add(*EDITOR[:1], "editors", EDITOR[1])
    made.users().add(*VIEWER[:1], "viewers", VIEWER[1])
    return made


@pytest.fixture
def console(pool: Pool, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from console import handler

    for key, value in function_environment("ConsoleFunction", pool.refs).items():
        if not key.startswith("POWERTOOLS_"):
            monkeypatch.setenv(key, value)
    handler.reset()
    yield handler
    handler.reset()


def request(method: str, path: str, body: str | None = None, base64_encoded: bool = False) -> dict[str, Any]:
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": {"http": {"method": method, "path": path, "sourceIp": "192.0.2.1"}, "requestId": "r1"},
        "isBase64Encoded": base64_encoded,
    }
    if body is not None:
        event["body"] = body
    return event


def sign_in(console: Any, lambda_context: Any, body: str, base64_encoded: bool = False) -> tuple[int, dict[str, Any]]:
    answer = console.lambda_handler(request("POST", "/console/sign-in", body, base64_encoded), lambda_context)
    assert answer["headers"]["cache-control"] == "no-store", "a token is never cached"
    return answer["statusCode"], json.loads(answer["body"])


def credentials(email: str, password: str) -> str:
    return json.dumps({"email": email, "password": password})


def test_the_right_email_and_password_give_an_id_token_for_the_console_client(
    console: Any, pool: Pool, lambda_context: Any
) -> None:
    status, body = sign_in(console, lambda_context, credentials(*EDITOR))
    assert status == 200
    assert set(body) == {"id_token", "expires_in"}
    assert 0 < body["expires_in"] <= 3600
    claims = jwt.decode(body["id_token"], moto_public_keys()).claims
    assert (claims["aud"], claims["email"], claims["token_use"]) == (pool.client_id, EDITOR[0], "id")
    assert claims["iss"].endswith(f"/{pool.pool_id}")
    assert claims["cognito:groups"] == ["editors"]


def test_a_wrong_password_and_an_unknown_email_are_refused_alike(console: Any, lambda_context: Any) -> None:
    answers = [
        sign_in(console, lambda_context, credentials(EDITOR[0], "Not-the-password-1!")),
        sign_in(console, lambda_context, credentials("nobody@example.com", EDITOR[1])),
        sign_in(console, lambda_context, credentials("not an email", EDITOR[1])),
        sign_in(console, lambda_context, credentials(EDITOR[0], "")),
    ]
    assert answers == [(401, {"message": "wrong email or password"})] * 4


@pytest.mark.parametrize(
    "body",
    ["", "not json", "[]", '{"email": "editor@example.com"}', '{"email": 1, "password": "x"}', json.dumps("x" * 10_000)],
)
def test_a_body_that_is_not_an_email_and_a_password_is_400(console: Any, lambda_context: Any, body: str) -> None:
    status, answer = sign_in(console, lambda_context, body)
    assert status == 400
    assert "email" in answer["message"]


def test_a_base64_body_is_read_and_a_broken_one_refused(console: Any, lambda_context: Any) -> None:
    encoded = base64.b64encode(credentials(*VIEWER).encode()).decode()
    assert sign_in(console, lambda_context, encoded, base64_encoded=True)[0] == 200
    assert sign_in(console, lambda_context, "%%%", base64_encoded=True)[0] == 400


def test_pages_are_served_with_their_security_headers_and_other_methods_refused(console: Any, lambda_context: Any) -> None:
    page = console.lambda_handler(request("GET", "/console"), lambda_context)
    assert page["statusCode"] == 200
    assert page["headers"]["content-type"] == "text/html; charset=utf-8"
    assert "frame-ancestors 'none'" in page["headers"]["content-security-policy"]
    assert "<html" in page["body"]
    assert console.lambda_handler(request("GET", "/console/review"), lambda_context)["body"] == page["body"]
    assert console.lambda_handler(request("DELETE", "/console"), lambda_context)["statusCode"] == 405
