"""The local stack's JWT authorizer does what API Gateway's does for the console's API: only a
token signed with the pool's published key, from its issuer, for the console's client, not
expired, passes; its claims reach the function as API Gateway passes them (strings, a list as
"[a b]"). The template's /api routes carry the authorizer; the pages and webhooks do not."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from joserfc.jwk import KeySet

from dev_support.console_tokens import id_token, moto_public_keys, other_key
from dev_support.paths import TEMPLATE
from local_stack.authorizer import JwtAuthorizer, as_claim, authorizers_of, claims
from local_stack.http_front import HttpFront, routes_from_template
from local_stack.template import substitute, translate

POOL, CLIENT = "us-east-1_pool", "console-client"
AUTHORIZER = JwtAuthorizer("ConsoleAuthorizer", f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}", (CLIENT,))


def check(token: str | None, keys: KeySet | None = None, header: str = "authorization") -> dict[str, str] | None:
    headers = {} if token is None else {header: token}
    return claims(AUTHORIZER, headers, keys or moto_public_keys())


def test_a_valid_token_passes_with_its_claims_as_api_gateway_gives_them() -> None:
    groups: dict[str, Any] = {"cognito:groups": ["editors", "viewers"]}
    passed = check(f"Bearer {id_token(POOL, CLIENT, **groups)}")
    assert passed is not None
    assert passed["email"] == "editor@goodword.local"
    assert passed["cognito:groups"] == "[editors viewers]"
    assert passed["aud"] == CLIENT
    assert passed["exp"].isdigit()
    assert check(id_token(POOL, CLIENT)) is not None, "API Gateway takes the token without 'Bearer ' too"


@pytest.mark.parametrize(
    "token",
    [
        lambda: None,
        lambda: "",
        lambda: "Bearer",
        lambda: "Bearer not-a-jwt",
        lambda: f"Bearer {id_token(POOL, CLIENT, key=other_key())}",  # forged: a key nobody published
        lambda: f"Bearer {id_token(POOL, CLIENT, exp=int(time.time()) - 1)}",  # expired
        lambda: f"Bearer {id_token(POOL, 'another-client')}",  # for another app client
        lambda: f"Bearer {id_token('us-east-1_other', CLIENT)}",  # another pool's
        lambda: f"Bearer {id_token(POOL, CLIENT, nbf=int(time.time()) + 600)}",  # not yet valid (made when the test runs)
        lambda: f"Bearer {id_token(POOL, CLIENT, exp=None)}",  # no expiry
    ],
    ids=[
        "none",
        "empty",
        "bare-bearer",
        "not-a-jwt",
        "forged",
        "expired",
        "other-client",
        "other-pool",
        "not-yet-valid",
        "no-expiry",
    ],
)
def test_anything_else_is_refused(token: Callable[[], str | None]) -> None:
    assert check(token()) is None


def test_a_token_for_the_console_in_another_header_is_not_looked_at() -> None:
    assert check(f"Bearer {id_token(POOL, CLIENT)}", header="x-token") is None


def test_an_access_token_names_its_client_in_client_id() -> None:
    token = id_token(POOL, CLIENT, aud=None, client_id=CLIENT, token_use="access")
    assert check(f"Bearer {token}") is not None


def test_claims_take_api_gateways_string_forms() -> None:
    values: list[Any] = [["editors"], True, 1700000000, "x", {"a": 1}]
    assert [as_claim(v) for v in values] == ["[editors]", "true", "1700000000", "x", '{"a":1}']


def test_the_templates_api_routes_and_only_they_carry_the_console_authorizer() -> None:
    translated = translate(Path(TEMPLATE))
    refs = {"ConsoleUserPool": POOL, "ConsoleUserPoolClient": CLIENT, "AWS::Region": "us-east-1"}
    (api,) = [r for r in translated.cfn["Resources"].values() if r["Type"] == "AWS::ApiGatewayV2::Api"]
    body = _resolved(api["Properties"]["Body"], refs)
    assert authorizers_of(body) == {"ConsoleAuthorizer": AUTHORIZER}
    emulated = {"WebhookApi": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Body": body}}}
    routes = {r.route_key: r for r in routes_from_template(emulated, lambda uri: "fn")}
    assert routes["ANY /api/{proxy+}"].authorizer == AUTHORIZER
    for open_route in ("GET /console", "GET /console/{proxy+}", "POST /console/sign-in", "POST /webhooks/{platform}"):
        assert routes[open_route].authorizer is None, open_route


def test_the_front_answers_401_before_the_function_and_passes_the_claims_after() -> None:
    seen: list[dict[str, Any]] = []

    class Pool:
        def invoke(self, event: dict[str, Any], source: str) -> Any:
            seen.append(event)
            return type("Invocation", (), {"ok": True, "result": {"statusCode": 200, "body": "{}"}, "duration_ms": 1.0})()

    routes = routes_from_template(
        {
            "Api": {
                "Type": "AWS::ApiGatewayV2::Api",
                "Properties": {"Body": _body_with_authorizer()},
            }
        },
        lambda uri: "ConsoleApiFunction",
    )
    front = HttpFront("127.0.0.1", 0, routes, {"ConsoleApiFunction": Pool()}, lambda p: (404, {}), lambda line: None, _keys)  # type: ignore[dict-item]
    try:
        status, _, body = front.handle("GET", "/api/me", [], b"", "127.0.0.1")
        assert (status, body) == (401, b'{"message":"Unauthorized"}')
        assert not seen, "the function never runs for a request the authorizer refused"
        token = id_token(POOL, CLIENT)
        status, _, _ = front.handle("GET", "/api/me", [("Authorization", f"Bearer {token}")], b"", "127.0.0.1")
        assert status == 200
        (event,) = seen
        assert event["requestContext"]["authorizer"]["jwt"]["claims"]["cognito:groups"] == "[editors]"
    finally:
        front.server.server_close()


def _keys(issuer: str) -> KeySet:
    assert issuer == AUTHORIZER.issuer
    return moto_public_keys()


def _body_with_authorizer() -> dict[str, Any]:
    integration = {"x-amazon-apigateway-integration": {"uri": "arn:...:ConsoleApiFunction/invocations"}}
    return {
        "paths": {"/api/{proxy+}": {"x-amazon-apigateway-any-method": {**integration, "security": [{"ConsoleAuthorizer": []}]}}},
        "components": {
            "securitySchemes": {
                "ConsoleAuthorizer": {
                    "type": "oauth2",
                    "x-amazon-apigateway-authorizer": {
                        "type": "jwt",
                        "identitySource": "$request.header.Authorization",
                        "jwtConfiguration": {"issuer": AUTHORIZER.issuer, "audience": [CLIENT]},
                    },
                }
            }
        },
    }


def _resolved(node: Any, refs: dict[str, str]) -> Any:
    """The body as the local stack resolves it (its deploy probes do this through moto)."""
    node = substitute(node, refs)
    if isinstance(node, dict):
        if set(node) == {"Fn::Sub"} and isinstance(node["Fn::Sub"], str):
            text = node["Fn::Sub"]
            for name, value in refs.items():
                text = text.replace(f"${{{name}}}", value)
            return text
        return {k: _resolved(v, refs) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolved(v, refs) for v in node]
    return node
