"""make demo: start the local stack, deliver every sample in events/deliveries over HTTP,
signed like the platforms sign, wait until the pipeline is idle, show what happened, stop."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from goodword.aws.codec import from_dynamodb, scan_stored
from goodword.decisions import Decisions
from goodword.event_items import author_label as who
from goodword.sentiment.explain import short_judgement
from goodword.signing import signed_headers
from goodword_cli.main import main as goodword
from local_stack import dev_config
from local_stack.aws import client
from local_stack.fan import demo_claim
from local_stack.stack import LocalStack, Options, StackError

ROOT = Path(__file__).resolve().parents[1]
DELIVERIES = ROOT / "events" / "deliveries"


@dataclass
class Delivery:
    label: str
    platform: str
    method: str
    body: bytes = b""
    headers: dict[str, str] | None = None
    query: str = ""
    expect: int = 200


@dataclass
class Answer:
    delivery: Delivery
    status: int
    body: str

    def summary(self) -> str:
        try:
            data: Any = json.loads(self.body)
        except ValueError:
            return self.body[:60]
        if not isinstance(data, dict):
            return str(data)[:60]
        if "error" in data:
            return f"{data['error']}: {data.get('message', '')}"[:80]
        if "stored" in data:
            parts = [f"stored {data['stored']}"] if data["stored"] or not data["duplicates"] else []
            if data["duplicates"]:
                parts.append(f"duplicate {data['duplicates']} (already stored, nothing new)")
            if data["ignored"]:
                parts.append(f"acknowledged, not stored {data['ignored']}")
            return ", ".join(parts)
        return ", ".join(f"{k} {str(v)[:24]}…" if len(str(v)) > 24 else f"{k} {v}" for k, v in data.items())


def deliveries(secrets: dict[str, Any]) -> list[Delivery]:
    plan = [
        Delivery("X CRC handshake", "x", "GET", query="crc_token=demo-challenge"),
        Delivery(
            "Meta verification handshake",
            "meta",
            "GET",
            query=f"hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token={secrets['meta']['verify_token']}",
        ),
        Delivery("LinkedIn validation handshake", "linkedin", "GET", query="challengeCode=890e4665-4dfe-4ab1-b689-ed553bceeed0"),
    ]
    challenge = json.dumps(
        {
            "challenge": "demo-twitch-challenge",
            "subscription": {
                "id": "demo",
                "type": "channel.follow",
                "version": "2",
                "status": "webhook_callback_verification_pending",
            },
        }
    ).encode()
    plan.append(
        Delivery(
            "Twitch EventSub verification",
            "twitch",
            "POST",
            challenge,
            signed_headers("twitch", challenge, secrets, message_id="demo-verify", message_type="webhook_callback_verification"),
        )
    )
    for index, path in enumerate(sorted(DELIVERIES.glob("*.json"))):
        platform = path.name.split("-")[0]
        body = json.dumps(json.loads(path.read_text()), separators=(",", ":")).encode()
        headers = {"content-type": "application/json", **signed_headers(platform, body, secrets, message_id=f"demo-{index}")}
        plan.append(Delivery(path.name, platform, "POST", body, headers))
    first = next(d for d in plan if d.platform == "x" and d.method == "POST")
    plan.append(Delivery(f"{first.label}, delivered again", "x", "POST", first.body, first.headers))
    plan.append(
        Delivery(
            f"{first.label}, forged signature",
            "x",
            "POST",
            first.body,
            {"x-twitter-webhooks-signature": "sha256=forged"},
            expect=401,
        )
    )
    return plan


def send(base_url: str, delivery: Delivery) -> Answer:
    url = f"{base_url}/webhooks/{delivery.platform}" + (f"?{delivery.query}" if delivery.query else "")
    request = urllib.request.Request(
        url,
        data=delivery.body or None,
        method=delivery.method,
        headers=delivery.headers or {},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Answer(delivery, response.status, response.read().decode())
    except urllib.error.HTTPError as error:
        return Answer(delivery, error.code, error.read().decode())


def _scan(table: str) -> list[dict[str, Any]]:
    return [from_dynamodb(i) for i in scan_stored(table, client=client("dynamodb"), ConsistentRead=True)]


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _enrichment_note(enrichment: dict[str, Any]) -> str:
    """How an ids-only event was completed (docs/events.md, "Enrichment")."""
    fetched = ", ".join(enrichment.get("fetched") or [])
    if enrichment.get("state") == "enriched":
        return f"enriched: {fetched} fetched"
    return f"{enrichment.get('state')}: {enrichment.get('reason')}"


def event_lines(events_table: str) -> list[str]:
    """Each stored event with its sentiment, what Goodword knew of the person, and every
    rule's decision."""
    items = _scan(events_table)
    decided = {i["pk"]: Decisions.from_item(i) for i in items if i["sk"] == "DECISIONS"}
    lines = []
    for event in sorted((i for i in items if i["sk"] == "EVENT"), key=lambda i: i["received_at"]):
        record = decided.get(event["pk"])
        notes = [_enrichment_note(event["enrichment"])] if event.get("enrichment") else []
        notes += [f"judge: {short_judgement(record.sentiment)}"] if record and record.sentiment else []
        notes += ["new person"] if record and record.fact("profile.is_new") else []
        notes += ["first mention"] if record and record.fact("profile.is_first_mention") else []
        text = f' "{_short(event["text"], 44)}"' if event.get("text") else ""
        lines.append(f"  {event['platform']:9} {event['kind']:14} {who(event)[:20]:20}{text}")
        if notes:
            lines.append(f"      {' · '.join(notes)}")
        for decision in record.decisions if record else ():
            detail = f": {_short(decision.detail, 80)}" if decision.detail else ""
            lines.append(f"      {decision.rule_id} -> {decision.outcome.value}{detail}")
    return lines


def work_lines(state_table: str) -> list[str]:
    work = sorted((i for i in _scan(state_table) if i.get("sk") == "WORK"), key=lambda i: i["created_at"])
    lines = []
    for item in work:
        what = item.get("product") or item.get("url") or ""
        who = item.get("author_handle") or item.get("author_id")
        via = f" via {item['channel']}" if item.get("channel") else ""
        state = {
            "sent": f"sent{via}{' (dry run: not really sent)' if item.get('dry_run') else ''}",
            "pending_review": "waiting for review",
            "failed": f"failed: {item.get('reason', '')}",
        }.get(item["state"], item["state"])
        lines.append(f"  {item['kind']:13} @{who}  {what}  {state}")
        if item.get("message"):
            lines.append(f'      "{_short(item["message"], 100)}"')
    return lines


def follow_fulfilment(stack: LocalStack, offer_id: str, timeout: float = 60) -> bool:
    """After the claim: FulfilClaimsFunction sends it to the rule's fulfilment URL (the local
    fake brand), which verifies its signature; the claim is then fulfilled. One line per step,
    each printed once it happened (waited for with a deadline). Ids only: the claimant's
    details went to the brand and are printed nowhere."""
    deployment, platforms = stack.deployment, stack.platforms
    assert deployment is not None  # noqa: S101
    assert platforms is not None  # noqa: S101
    short = f"{offer_id[:8]}…"
    print(f"  claimed    offer {short}: the claim stored (name, email, address encrypted), its id sent to FulfilmentQueue")
    received = platforms.brand.wait_for(offer_id, timeout)
    if received is None:
        print(f"  the brand's fulfilment URL received nothing for offer {short} within {timeout:.0f} s")
        return False
    if not received.verified:
        print(f"  the brand's fulfilment URL received {received.event_type}, signature NOT verified (answered 401)")
        return False
    if received.event_type != "offer.claimed" or not received.has_claimant:
        print(f"  the brand's fulfilment URL received {received.event_type}, without the claimant to ship to")
        return False
    print(
        "  notified   the brand's fulfilment URL received offer.claimed, signature verified"
        f" (webhook-id {received.webhook_id[:14]}…)"
    )
    state = None
    if stack.wait_idle(timeout=timeout):  # FulfilClaimsFunction has recorded the answer
        work = _scan(deployment.physical("StateTable"))
        state = next((i for i in work if i.get("id") == offer_id and i["sk"] == "WORK"), {}).get("claim_state")
    if state != "fulfilled":
        print(f"  the claim is {state or 'unknown'}, not fulfilled")
        return False
    print(f"  fulfilled  offer {short}: the brand answered 200, so FulfilClaimsFunction moved the claim to fulfilled")
    return True


def run(options: Options) -> int:
    print("Goodword demo: the whole template on this machine (no AWS account, no Docker).", flush=True)
    stack = LocalStack(options, log=lambda line: None, log_invocations=False)
    started = time.monotonic()
    try:
        stack.start()
    except StackError as exc:
        print(f"demo: {exc}")
        return 2
    try:
        print(
            f"Local stack '{options.stack_name}' up in {time.monotonic() - started:.1f} s; "
            f"webhooks at {stack.base_url}/webhooks/{{platform}}, AWS at {stack.aws_endpoint_url}.\n"
        )
        secrets = dev_config.webhook_secrets(options.config or dev_config.DEFAULT)
        answers = [send(stack.base_url, d) for d in deliveries(secrets)]
        idle = stack.wait_idle(timeout=60)
        print("Deliveries (real HTTP, signed with local_stack/local-dev.json)")
        for number, answer in enumerate(answers, 1):
            mark = "" if answer.status == answer.delivery.expect else f"   <- expected {answer.delivery.expect}"
            print(
                f"  {number:2} {answer.delivery.platform:8} {answer.delivery.label:41} {answer.status} {answer.summary()}{mark}"
            )
        deployment = stack.deployment
        assert deployment is not None  # noqa: S101
        lines = event_lines(deployment.physical("EventsTable"))
        stored = sum(1 for line in lines if not line.startswith("      "))
        print(f"\nEvents stored in EventsTable: {stored}, each with its sentiment and every rule's decision")
        print("\n".join(lines))
        work = work_lines(deployment.physical("StateTable"))
        print(f"\nOffers and actions made: {sum(1 for line in work if not line.startswith('      '))}")
        print("\n".join(work) or "  none")
        print("\nA fan claims a gift on the claim page (over HTTP, as a browser without JavaScript does):", flush=True)
        claim_lines, claimed = demo_claim(stack.base_url, _scan(deployment.physical("StateTable")))
        print("\n".join(claim_lines))
        fulfilled = claimed is not None and follow_fulfilment(stack, claimed)
        idle = stack.wait_idle(timeout=60) and idle
        failures = [inv for _, _, inv in stack.invocations if not inv.ok]
        print(
            f"\nFunction invocations: {len(stack.invocations)}, errors: {len(failures)}. "
            f"Pipeline {'idle' if idle else 'NOT idle after 60 s'}. Logs: {stack.log_dir}"
        )
        print(f"\nThe report of this run (goodword --local-url {stack.base_url} report --since 1h):", flush=True)
        reported = goodword(["--local-url", stack.base_url, "report", "--since", "1h"])
        unexpected = [a for a in answers if a.status != a.delivery.expect]
        if unexpected or failures or not idle or reported != 0 or not fulfilled:
            print("Demo FAILED: see the marked lines and the function logs.")
            return 1
        print("Demo OK.")
        return 0
    finally:
        stack.stop()
