"""The platforms' read APIs, faked on loopback for the local stack and the demo: each
documented read that enrichment makes (goodword.enrichment.requests) is answered with the
documented response shape stored in tests/fixtures/ (PROVENANCE.md), the requested ids put
in. Requests without a bearer token are refused 401, as the platforms do; anything else 404.

The stack points PlatformCredentials' ``api_base_urls`` here, so no fetch leaves the machine.

One write is faked too: Shopify's Admin GraphQL ``discountCodeBasicCreate`` (claims fulfilled
with a discount code), answered with the documented shapes in tests/fixtures/shopify/: the
discount made, or ``TAKEN`` for a code the store already has; 401 without an access token.

And the brand's own fulfilment URL (``FakeBrand``, at ``/brand/claims``): a rule's ``notify``
fulfilment POSTs a signed Standard Webhooks ``offer.claimed`` there, which it verifies with the
notify secret as the brand's receiver would."""

from __future__ import annotations

import copy
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from local_stack.fake_slack import FakeSlack

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
_MENTION = re.compile(r"^mentioned_(?P<what>comment|media)\.(?:comment|media)_id\((?P<id>[^)]+)\)")


def _fixture(path: str) -> dict[str, Any]:
    answer: dict[str, Any] = json.loads((FIXTURES / path).read_text())
    return answer


def _author(documented: str, documented_id: str, requested_id: str) -> str:
    """The fixture's author for the fixture's own object; for any other object a person of
    its own, so that two objects are never one person by accident (once-per-person)."""
    return documented if requested_id == documented_id else f"{documented}_{requested_id[-8:]}"


def answer(method: str, url: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:  # noqa: PLR0911 (one per read)
    """(status, body) for one read request, as the platform documents it."""
    parts = urlsplit(url)
    path = [unquote(p) for p in parts.path.strip("/").split("/")]
    if method != "GET":
        return 405, {"error": {"message": "the fake platforms answer reads only", "code": 100}}
    if not headers.get("authorization", "").startswith("Bearer "):
        return 401, {"error": {"message": "no access token", "type": "OAuthException", "code": 190}}
    if path[:1] == ["graph"] and len(path) == 3:  # /graph/v26.0/{id}?fields=...
        fields = parse_qs(parts.query).get("fields", [""])[0]
        mention = _MENTION.match(fields)
        if mention:
            key = f"mentioned_{mention['what']}"
            body = _fixture(f"meta/read_{key}.constructed.json")
            found = body[key]
            found["username"] = _author(found["username"], found["id"], mention["id"])
            found["id"], body["id"] = mention["id"], path[2]
            return 200, body
        body = _fixture("meta/read_page_post.constructed.json")
        body["id"] = path[2]
        return 200, body
    if path[:3] == ["linkedin", "rest", "posts"] and len(path) == 4:
        body = _fixture("linkedin/read_post.constructed.json")
        body["author"] = _author(body["author"], body["id"], path[3])
        body["id"] = path[3]
        return 200, body
    if path[:3] == ["linkedin", "rest", "socialActions"] and len(path) == 6 and path[4] == "comments":
        body = _fixture("linkedin/read_comment.constructed.json")
        body["actor"] = _author(body["actor"], body["id"], path[5])
        body["id"], body["object"] = path[5], path[3]
        return 200, body
    if path[:3] == ["x", "2", "users"] and len(path) == 4:
        body = _fixture("x/read_user.json")
        body["data"]["id"] = path[3]
        return 200, body
    return 404, {"error": {"message": f"the fake platforms do not answer {parts.path}", "code": 803}}


_SHOPIFY_GRAPHQL = re.compile(
    r"^/shopify/(?P<shop>[a-z0-9-]+\.myshopify\.com)/admin/api/(?P<version>[0-9]{4}-[0-9]{2})/graphql\.json$"
)
_REQUIRED = ("title", "code", "startsAt", "customerGets")  # and customerSelection or context (DiscountCodeBasicInput)


@dataclass
class FakeShopify:
    """Stores' discount codes: each ``discountCodeBasicCreate`` request is kept (``requests``)
    and answered as Shopify documents it. Callable as an HTTP transport (tests) or behind the
    fake platforms' server (the local stack)."""

    codes: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # shop -> CODE -> its input
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:  # noqa: PLR0911
        found = _SHOPIFY_GRAPHQL.match(urlsplit(path).path)
        if method != "POST" or found is None:
            return 404, {"errors": "Not Found"}
        if not headers.get("x-shopify-access-token"):
            return 401, _fixture("shopify/invalid_access_token.constructed.json")
        try:
            request = json.loads(body)
            discount = request["variables"]["basicCodeDiscount"]
        except (ValueError, KeyError, TypeError):
            return 400, {"errors": [{"message": "the fake Shopify answers discountCodeBasicCreate with variables only"}]}
        if "discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount)" not in str(request.get("query")):
            return 200, {"errors": [{"message": "the fake Shopify answers discountCodeBasicCreate only"}]}
        with self.lock:
            self.requests.append({"shop": found["shop"], "version": found["version"], **request})
            missing = [name for name in _REQUIRED if not discount.get(name)]
            if not (discount.get("customerSelection") or discount.get("context")):
                missing.append("context")
            if missing:
                return 200, _user_errors(
                    [{"field": ["basicCodeDiscount", missing[0]], "code": "BLANK", "message": "can't be blank"}]
                )
            store = self.codes.setdefault(found["shop"], {})
            if str(discount["code"]).upper() in store:
                return 200, _fixture("shopify/discount_code_basic_create_taken.constructed.json")
            store[str(discount["code"]).upper()] = copy.deepcopy(discount)
            made = _fixture("shopify/discount_code_basic_create_response.documented_shape.json")
            made["data"]["discountCodeBasicCreate"]["codeDiscountNode"]["id"] = f"gid://shopify/DiscountCodeNode/{len(store)}"
            return 200, made

    def __call__(self, request: Any) -> Any:
        """An HTTP transport (outbound.transport.send's shape) that never leaves the process."""
        from goodword.outbound.transport import HttpResponse

        parts = urlsplit(request.url)
        path = (
            parts.path if parts.path.startswith("/shopify/") else f"/shopify/{parts.hostname}{parts.path}"
        )  # https://{shop}/admin/...
        status, body = self.answer(request.method, path, request.headers, request.body)
        return HttpResponse(status, {"content-type": "application/json"}, json.dumps(body).encode())


def _user_errors(errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"data": {"discountCodeBasicCreate": {"codeDiscountNode": None, "userErrors": errors}}}


BRAND_CLAIMS_PATH = "/brand/claims"


@dataclass(frozen=True)
class Received:
    """One request the brand's fulfilment URL received: ids and the verdict on its signature.
    The claimant it carried (name, email, address) is read to check it is there, never kept."""

    webhook_id: str
    event_type: str | None
    claim_id: str | None
    verified: bool  # the Standard Webhooks signature matched the notify secret, within 5 minutes
    has_claimant: bool


@dataclass
class FakeBrand:
    """The brand's fulfilment URL: a rule's ``notify`` fulfilment sends each claim here as a
    signed ``offer.claimed``. Each request is verified as a brand's receiver would (Standard
    Webhooks: ``webhook-id``, ``webhook-timestamp``, ``webhook-signature`` with the notify
    secret), recorded (``Received``: ids only) and answered 200, or 401 when the signature does
    not verify (so the claim fails, as with a real shop)."""

    secret: str | None = None  # PlatformCredentials.notify.secret: set when the stack has loaded it
    received: list[Received] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))  # webhook-timestamp is checked against it

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        from goodword.webhooks.errors import WebhookError
        from goodword.webhooks.request import WebhookRequest
        from goodword.webhooks.secrets import StandardSecrets
        from goodword.webhooks.standard import StandardAdapter

        if method != "POST" or urlsplit(path).path != BRAND_CLAIMS_PATH:
            return 404, {"error": "the fake brand receives POST /brand/claims only"}
        now = self.clock()
        request = WebhookRequest("POST", "standard", headers, {}, body, now)
        verified = False
        if self.secret:
            try:
                StandardAdapter().verify(request, StandardSecrets(secret=self.secret), now)
                verified = True
            except WebhookError:
                pass
        try:
            message = json.loads(body)
            data = message.get("data") or {}
        except (ValueError, AttributeError):
            message, data = {}, {}
        seen = Received(
            webhook_id=headers.get("webhook-id", ""),
            event_type=message.get("type"),
            claim_id=data.get("claim_id"),
            verified=verified,
            has_claimant=bool((data.get("claimant") or {}).get("email")),
        )
        with self.arrived:
            self.received.append(seen)
            self.arrived.notify_all()
        return (200, {"received": seen.webhook_id}) if verified else (401, {"error": "the signature does not verify"})

    def __call__(self, request: Any) -> Any:
        """An HTTP transport (outbound.transport.send's shape) that never leaves the process."""
        from goodword.outbound.transport import HttpResponse

        status, body = self.answer(request.method, request.url, {k.lower(): v for k, v in request.headers.items()}, request.body)
        return HttpResponse(status, {"content-type": "application/json"}, json.dumps(body).encode())

    def wait_for(self, claim_id: str, timeout: float) -> Received | None:
        """The first request received for this claim, waiting up to ``timeout`` seconds for it."""

        def found() -> Received | None:
            return next((r for r in self.received if r.claim_id == claim_id), None)

        with self.arrived:
            return self.arrived.wait_for(found, timeout)


class ReadsHandler(BaseHTTPRequestHandler):
    """Answers the platforms' documented reads (``answer``), Shopify's discount codes
    (``FakeShopify``) and the brand's fulfilment URL (``FakeBrand``, one per server); the
    soak's fake platform adds sends."""

    shopify = FakeShopify()
    brand = FakeBrand()
    slack = FakeSlack()

    def do_GET(self) -> None:
        if urlsplit(self.path).path.startswith("/slack/__"):
            self.send_json(*self.slack.admin("GET", self.path, b""))
            return
        status, body = answer("GET", self.path, {k.lower(): v for k, v in self.headers.items()})
        self.send_json(status, body)

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        data = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        if urlsplit(self.path).path.startswith("/brand/"):
            status, body = self.brand.answer("POST", self.path, headers, data)
        elif urlsplit(self.path).path.startswith("/slack/__"):
            status, body = self.slack.admin("POST", self.path, data)
        elif urlsplit(self.path).path.startswith("/slack/"):
            status, answered = self.slack.answer("POST", self.path, headers, data)
            if not isinstance(answered, dict):  # webhooks and response URLs answer text
                self.send_text(status, str(answered))
                return
            body = answered
        else:
            status, body = self.shopify.answer("POST", self.path, headers, data)
        self.send_json(status, body)

    def send_json(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_text(self, status: int, text: str) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return


class FakePlatforms:
    """A loopback server; ``base_urls`` is what PlatformCredentials' api_base_urls holds."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.brand = FakeBrand()  # this server's own: what it received is this stack's
        self.slack = FakeSlack()  # this server's own workspace
        handler = type("Handler", (ReadsHandler,), {"brand": self.brand, "slack": self.slack})
        self.server = ThreadingHTTPServer((host, 0), handler)
        self.host = host
        self.slack.root = self.root
        self.thread = threading.Thread(target=self.server.serve_forever, name="fake-platforms", daemon=True)

    @property
    def root(self) -> str:
        return f"http://{self.host}:{self.server.server_address[1]}"

    @property
    def base_urls(self) -> dict[str, str]:
        root = self.root
        return {
            "graph": f"{root}/graph/v26.0",
            "linkedin": f"{root}/linkedin",
            "x": f"{root}/x",
            "shopify": f"{root}/shopify",
            "slack": self.slack.api_base_url,
        }

    @property
    def fulfilment_url(self) -> str:
        """The brand's fulfilment URL, faked: a rule's notify fulfilment may point here."""
        return f"{self.root}{BRAND_CLAIMS_PATH}"

    def start(self) -> FakePlatforms:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
