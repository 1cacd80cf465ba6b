"""The real template on the local stack: the console's user pool, client and groups exist, with
the two development users; signing in over HTTP gives an ID token, and the console's API (the
template's JWT authorizer, played by the local front end as API Gateway does) lets through only
that token: none, a forged one, an expired one or one for another client is 401 before any
function runs; the editor may edit, the viewer may not."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from dev_support.console_tokens import id_token, other_key
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e


def call(
    stack: RunningStack, method: str, path: str, body: Any = None, token: str | None = None
) -> tuple[int, dict[str, str], Any]:
    headers = {"content-type": "application/json"}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{stack.base_url}{path}", data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            kind = response.headers.get("content-type", "")
            return response.status, dict(response.headers), json.loads(raw) if "json" in kind else raw.decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"null")


def user(stack: RunningStack, group: str) -> dict[str, str]:
    (found,) = [u for u in stack.status["console_users"] if u["group"] == group]
    return dict(found)


def signed_in(stack: RunningStack, group: str) -> str:
    who = user(stack, group)
    status, _, body = call(stack, "POST", "/console/sign-in", {"email": who["email"], "password": who["password"]})
    assert status == 200, body
    return str(body["id_token"])


def test_the_stack_names_the_console_and_its_development_users(goodword_stack: RunningStack) -> None:
    status = goodword_stack.status
    assert status["console_url"] == f"{goodword_stack.base_url}/console"
    assert {(u["email"], u["group"]) for u in status["console_users"]} == {
        ("editor@goodword.local", "editors"),
        ("viewer@goodword.local", "viewers"),
    }
    cognito = goodword_stack.client("cognito-idp")
    pool = goodword_stack.physical("ConsoleUserPool")
    groups = {g["GroupName"] for g in cognito.list_groups(UserPoolId=pool)["Groups"]}
    assert groups == {"editors", "viewers"}
    page = call(goodword_stack, "GET", "/console")
    assert page[0] == 200
    assert "frame-ancestors 'none'" in page[1]["content-security-policy"]


def test_the_console_api_refuses_any_request_without_a_valid_token(goodword_stack: RunningStack) -> None:
    pool = goodword_stack.physical("ConsoleUserPool")
    client = goodword_stack.physical("ConsoleUserPoolClient")
    refused = [
        None,
        "not-a-token",
        id_token(pool, client, key=other_key()),  # forged: signed with a key the pool never published
        id_token(pool, client, exp=int(time.time()) - 60),  # expired (signed with the pool's own key)
        id_token(pool, "another-client"),  # for another app client
    ]
    for token in refused:
        status, _, body = call(goodword_stack, "GET", "/api/me", token=token)
        assert (status, body) == (401, {"message": "Unauthorized"}), token
    assert call(goodword_stack, "GET", "/api/me", token=id_token(pool, client))[0] == 200, "the same token, valid, passes"


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(goodword_stack: RunningStack) -> None:
    editor = user(goodword_stack, "editors")
    wrong_password = call(goodword_stack, "POST", "/console/sign-in", {"email": editor["email"], "password": "Wrong-pass-123!"})
    unknown = call(goodword_stack, "POST", "/console/sign-in", {"email": "nobody@goodword.local", "password": editor["password"]})
    assert (wrong_password[0], wrong_password[2]) == (unknown[0], unknown[2]) == (401, {"message": "wrong email or password"})
    assert call(goodword_stack, "POST", "/console/sign-in", ["not", "an", "object"])[0] == 400


def test_the_editor_may_edit_and_the_viewer_may_only_read(goodword_stack: RunningStack) -> None:
    status, _, me = call(goodword_stack, "GET", "/api/me", token=signed_in(goodword_stack, "editors"))
    assert (status, me) == (200, {"user": "editor@goodword.local", "groups": ["editors"], "can_edit": True})
    status, _, me = call(goodword_stack, "GET", "/api/me", token=signed_in(goodword_stack, "viewers"))
    assert (status, me) == (200, {"user": "viewer@goodword.local", "groups": ["viewers"], "can_edit": False})
