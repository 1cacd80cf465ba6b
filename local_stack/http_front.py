"""The HTTP front end: every HttpApi route of the template, served on 127.0.0.1. Requests
become API Gateway HTTP API payload 2.0 events; the handler's answer becomes the response."""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from joserfc.jwk import KeySet

from local_stack.authorizer import UNAUTHORIZED, JwtAuthorizer, authorizer_for, authorizers_of, claims
from local_stack.aws import ACCOUNT
from local_stack.functions import FunctionPool, Invocation


class _Server(ThreadingHTTPServer):
    # socketserver listens with a backlog of 5: a burst of platform deliveries would be reset.
    request_queue_size = 512


_TEXT_TYPES = re.compile(r"^(text/|application/(json|.*\+json|xml|.*\+xml|x-www-form-urlencoded|javascript))", re.IGNORECASE)
ADMIN_PREFIX = "/__local/"
API_ID = "local"


@dataclass(frozen=True)
class Route:
    method: str  # GET, POST, ... or ANY
    path: str  # /webhooks/{platform}, /{proxy+}
    function: str  # logical id
    authorizer: JwtAuthorizer | None = None  # the route's JWT authorizer (the console's API), if any

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"

    def match(self, path: str) -> dict[str, str] | None:
        pattern = "^"
        for part in self.path.strip("/").split("/"):
            if part.startswith("{") and part.endswith("+}"):
                pattern += f"/(?P<{part[1:-2]}>.+)"
            elif part.startswith("{") and part.endswith("}"):
                pattern += f"/(?P<{part[1:-1]}>[^/]+)"
            else:
                pattern += "/" + re.escape(part)
        found = re.match(pattern + "/?$", path)
        return found.groupdict() if found else None


def routes_from_template(emulated: dict[str, dict[str, Any]], function_for_uri: Callable[[str], str | None]) -> list[Route]:
    """Routes of every AWS::ApiGatewayV2::Api (SAM HttpApi) with their integrations and
    authorizers."""
    routes = []
    for resource in emulated.values():
        if resource["Type"] != "AWS::ApiGatewayV2::Api":
            continue
        body = resource.get("Properties", {}).get("Body", {})
        authorizers = authorizers_of(body)
        for path, methods in body.get("paths", {}).items():
            for method, operation in methods.items():
                integration = operation.get("x-amazon-apigateway-integration", {}) if isinstance(operation, dict) else {}
                uri = integration.get("uri")
                function = function_for_uri(uri) if isinstance(uri, str) else None
                if function is None:
                    continue
                verb = "ANY" if method == "x-amazon-apigateway-any-method" else method.upper()
                routes.append(Route(verb, path, function, authorizer_for(operation, body, authorizers)))
    return routes


def select_route(routes: list[Route], method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """API Gateway's precedence: a route for the method beats ANY; fewer greedy parts win."""
    candidates = []
    for route in routes:
        if route.method not in (method, "ANY"):
            continue
        params = route.match(path)
        if params is not None:
            candidates.append((route.method == "ANY", "+}" in route.path, -route.path.count("/"), route, params))
    if not candidates:
        return None
    best = min(candidates, key=lambda c: c[:3])
    return best[3], best[4]


def _headers_and_cookies(headers: list[tuple[str, str]]) -> tuple[dict[str, str], list[str]]:
    """Headers as API Gateway passes them: lower-case names, repeated ones joined by commas,
    and the cookies apart."""
    merged: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in headers:
        key = name.lower()
        if key == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        merged[key] = f"{merged[key]},{value}" if key in merged else value
    return merged, cookies


def _text_body(body: bytes, content_type: str) -> str | None:
    """The body as text when API Gateway would pass it so; None: it goes base64-encoded."""
    try:
        return body.decode() if body and (not content_type or _TEXT_TYPES.match(content_type)) else None
    except UnicodeDecodeError:
        return None


def to_event(
    route: Route,
    params: dict[str, str],
    method: str,
    raw_path: str,
    raw_query: str,
    headers: list[tuple[str, str]],
    body: bytes,
    source_ip: str,
    request_id: str,
) -> dict[str, Any]:
    merged, cookies = _headers_and_cookies(headers)
    query: dict[str, str] = {}
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    text_body = _text_body(body, merged.get("content-type", ""))
    now = datetime.now(UTC)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": merged,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": API_ID,
            "domainName": merged.get("host", "127.0.0.1"),
            "domainPrefix": merged.get("host", "127.0.0.1").split(".")[0],
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": merged.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": route.route_key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": bool(body) and text_body is None,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if params:
        event["pathParameters"] = params
    if body:
        event["body"] = text_body if text_body is not None else base64.b64encode(body).decode()
    return event


def to_http(invocation: Invocation) -> tuple[int, list[tuple[str, str]], bytes]:
    """Payload 2.0 response mapping, including the inferred format for plain return values."""
    if not invocation.ok:
        return 500, [("content-type", "application/json")], b'{"message":"Internal Server Error"}'
    result = invocation.result
    if not (isinstance(result, dict) and "statusCode" in result):
        return 200, [("content-type", "application/json")], json.dumps(result).encode()
    headers = [(str(k), str(v)) for k, v in (result.get("headers") or {}).items()]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((str(name), str(v)) for v in values)
    headers.extend(("set-cookie", str(c)) for c in result.get("cookies") or [])
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
    return int(result["statusCode"]), headers, raw


class HttpFront:
    def __init__(
        self,
        host: str,
        port: int,
        routes: list[Route],
        pools: dict[str, FunctionPool],
        admin: Callable[[str], tuple[int, Any]],
        log: Callable[[str], None],
        keys: Callable[[str], KeySet] | None = None,
    ) -> None:
        self.routes = routes
        self.keys = keys  # an issuer's signing keys (JWKS), for routes with a JWT authorizer
        self.pools = pools
        self.admin = admin
        self.log = log
        self.in_flight = 0
        self.last_request_end = 0.0
        self._lock = threading.Lock()
        self.server = _Server((host, port), self._handler_class())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="http-front", daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        front = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                counted = not self.path.startswith(ADMIN_PREFIX)  # asking "idle?" is not work
                if counted:
                    with front._lock:
                        front.in_flight += 1
                try:
                    status, headers, body = front.handle(
                        self.command, self.path, list(self.headers.items()), self._body(), self.client_address[0]
                    )
                finally:
                    if counted:
                        with front._lock:
                            front.in_flight -= 1
                            front.last_request_end = time.monotonic()
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(name, value)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _body(self) -> bytes:
                length = int(self.headers.get("content-length") or 0)
                return self.rfile.read(length) if length > 0 else b""

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

        return Handler

    def handle(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes, source_ip: str
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        parts = urlsplit(target)
        if parts.path.startswith(ADMIN_PREFIX):
            status, payload = self.admin(parts.path[len(ADMIN_PREFIX) :])
            return status, [("content-type", "application/json")], json.dumps(payload, default=str).encode()
        selected = select_route(self.routes, method, parts.path)
        if selected is None:
            return 404, [("content-type", "application/json")], b'{"message":"Not Found"}'
        route, params = selected
        verified: dict[str, str] | None = None
        if route.authorizer is not None:
            verified = self._authorize(route.authorizer, headers)
            if verified is None:
                self.log(f"{method} {parts.path} -> 401 (authorizer {route.authorizer.name})")
                return UNAUTHORIZED
        request_id = str(uuid.uuid4())
        event = to_event(route, params, method, parts.path, parts.query, headers, body, source_ip, request_id)
        if verified is not None:  # where API Gateway puts a JWT authorizer's claims
            event["requestContext"]["authorizer"] = {"jwt": {"claims": verified, "scopes": None}}
        invocation = self.pools[route.function].invoke(event, source=f"{method} {parts.path}")
        status, response_headers, response_body = to_http(invocation)
        self.log(f"{method} {parts.path} -> {status} ({invocation.duration_ms:.0f} ms, {route.function})")
        return status, response_headers, response_body

    def _authorize(self, authorizer: JwtAuthorizer, headers: list[tuple[str, str]]) -> dict[str, str] | None:
        if self.keys is None:
            return None  # no way to check a token: nobody passes
        merged, _ = _headers_and_cookies(headers)
        try:
            keys = self.keys(authorizer.issuer)
        except Exception as exc:  # the issuer's keys cannot be read: nobody passes, and the log says why
            self.log(f"authorizer {authorizer.name}: cannot read the keys of {authorizer.issuer}: {exc}")
            return None
        return claims(authorizer, merged, keys)
