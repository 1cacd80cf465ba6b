"""notify URLs reach public addresses only, checked at send time, on the address checked."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from goodword.outbound.destinations import UnsafeDestinationError, checked_address, opener
from goodword.outbound.platform_requests import HttpRequest, RequestError, Send, build
from goodword.outbound.transport import send_to_public_address
from goodword.policy import Channel


def resolver_of(*addresses: str) -> Callable[[str, int], list[str]]:
    return lambda host, port: list(addresses)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",  # the instance metadata service
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",  # noqa: S104 (an address to refuse, not one to bind)
        "::1",
        "fd00:ec2::254",  # the metadata service over IPv6
        "fe80::1",
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
        "224.0.0.1",
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    with pytest.raises(UnsafeDestinationError, match="not a public address"):
        checked_address("https://hooks.example/goodword", allow_private=False, resolver=resolver_of(address))


def test_one_private_address_among_public_ones_is_refused() -> None:
    with pytest.raises(UnsafeDestinationError):
        checked_address("https://hooks.example/", allow_private=False, resolver=resolver_of("93.184.215.14", "10.0.0.1"))


def test_public_addresses_pass_and_private_ones_only_when_allowed() -> None:
    assert checked_address("https://hooks.example/x", False, resolver_of("93.184.215.14")) == "93.184.215.14"
    assert checked_address("http://127.0.0.1:8080/x", True, resolver_of("127.0.0.1")) == "127.0.0.1"


@pytest.mark.parametrize("url", ["ftp://hooks.example/", "file:///etc/passwd", "https:///nohost", "http://[::1/"])
def test_only_http_urls_with_a_host_are_called(url: str) -> None:
    with pytest.raises(UnsafeDestinationError):
        checked_address(url, allow_private=True, resolver=resolver_of("93.184.215.14"))


def test_an_unresolvable_host_is_refused_without_a_connection() -> None:
    with pytest.raises(UnsafeDestinationError, match="cannot resolve"):
        checked_address("https://no-such-host.invalid/", allow_private=False)


def test_the_connection_goes_to_the_checked_address_whatever_the_name_resolves_to_later(httpserver: HTTPServer) -> None:
    # The name does not resolve at all here: reaching the server proves the socket used the
    # checked address, so DNS answering differently after the check changes nothing.
    seen: list[Request] = []

    def handler(request: Request) -> Response:
        seen.append(request)
        return Response("ok")

    httpserver.expect_request("/hook").respond_with_handler(handler)
    url = f"http://rebound.invalid:{httpserver.port}/hook"
    with opener("127.0.0.1").open(url, timeout=5) as response:
        assert response.status == 200
    assert seen[0].headers["Host"] == f"rebound.invalid:{httpserver.port}"


def test_redirects_are_not_followed(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook").respond_with_response(
        Response("", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    )
    answer = send_to_public_address(HttpRequest("POST", httpserver.url_for("/hook"), {}, b"{}"), allow_private=True)
    assert answer.status == 302


def test_loopback_is_refused_by_default_and_nothing_is_sent(httpserver: HTTPServer) -> None:
    with pytest.raises(UnsafeDestinationError):
        send_to_public_address(HttpRequest("POST", httpserver.url_for("/hook"), {}, b"{}"))
    assert httpserver.log == []


def test_ids_from_webhooks_never_leave_their_path_segment_in_graph_urls() -> None:
    send = Send("facebook", Channel.REPLY, "thanks", "123", "9", "comment", {"comment_id": "../me/feed?x=1#"})
    with pytest.raises(RequestError, match="the post or comment must be a Facebook id"):
        build(send, {"page_access_token": "t"})


@pytest.mark.parametrize(
    "url",
    ["http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/", "http://0.0.0.0:8080/", "http://[fe80::1]/"],
)
def test_a_rule_naming_a_metadata_or_link_local_address_is_refused_when_saved(url: str) -> None:
    from pydantic import ValidationError

    from goodword.rules.model import Notify

    with pytest.raises(ValidationError, match="link-local or metadata address"):
        Notify.model_validate({"url": url})
    assert Notify.model_validate({"url": "https://hooks.example/goodword"})
    assert Notify.model_validate({"url": "http://127.0.0.1:9000/hook"}), "loopback: refused at send, not here"
