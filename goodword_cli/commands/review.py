"""goodword review list|approve|reject: the offers waiting for a person's decision."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

import click
from botocore.exceptions import ClientError

from goodword.aws import clients
from goodword.aws.actions_queue import ActionsQueue
from goodword.aws.events_table import to_dynamodb
from goodword.aws.judgement_store import ExampleSource
from goodword.aws.state_table import StateTable
from goodword.event_items import EVENT_SK, event_pk
from goodword.pipeline.offers import OfferState
from goodword.pipeline.process import queue_message
from goodword.sentiment.explain import describe
from goodword_cli import stored
from goodword_cli.app import App, pass_app
from goodword_cli.commands.judgement import record_example
from goodword_cli.output import EXIT_PROBLEMS, CliError, console, emit_json, json_option, short
from goodword_cli.rules_store import who
from goodword_cli.target import Target


@click.group()
def review() -> None:
    """The review queue: offers a rule made with `review: manual` (or below its
    automatic_above_confidence), waiting for a person to approve or reject them."""


def pending_with_context(target: Target) -> list[dict[str, Any]]:
    """Pending offers with the event's text, its sentiment and the person's profile."""
    offers = stored.offers(target.state_table, [OfferState.PENDING_REVIEW.value])
    events = stored.batch_get(target.events_table, ((event_pk(o["event_id"]), EVENT_SK) for o in offers))
    decisions = stored.decisions_for(target.events_table, (o["event_id"] for o in offers))
    profiles = stored.batch_get(target.state_table, ((o["person"], "PROFILE") for o in offers if o.get("person")))
    for offer in offers:
        event = events.get((event_pk(offer["event_id"]), EVENT_SK), {})
        offer["event_text"] = event.get("text")
        offer["sentiment"] = (decisions.get(offer["event_id"]) or {}).get("sentiment")
        profile = profiles.get((offer.get("person", ""), "PROFILE"), {})
        offer["profile"] = {
            k: profile.get(k)
            for k in ("mention_count", "positive_mention_count", "offers_received", "followers_count", "first_seen")
        }
    return offers


@review.command("list")
@json_option
@pass_app
def list_pending(app: App, as_json: bool) -> None:
    """Offers waiting for review, oldest first, with what the person said, its sentiment and
    what Goodword knows of them."""
    offers = sorted(pending_with_context(app.target()), key=lambda o: o["created_at"])
    if as_json:
        emit_json({"offers": offers})
        return
    if not offers:
        console.print("The review queue is empty.")
        return
    for offer in offers:
        sentiment = offer["sentiment"] or {}
        profile = offer["profile"]
        person = f"@{offer.get('author_handle') or offer.get('author_id')}"
        console.print(
            f"[bold]{offer['id']}[/bold]  {offer['created_at'][:16]}  {offer['platform']}  {person}"
            f"  rule {offer['rule_id']}  {offer.get('product', '')}"
        )
        console.print(f'  said:    "{short(offer["event_text"], 110)}"', markup=False)
        if sentiment:
            console.print(f"  judgement: {describe(sentiment)}", markup=False)
        console.print(
            f"  profile: {profile.get('mention_count') or 0} mention(s), {profile.get('positive_mention_count') or 0} positive, "
            f"{profile.get('offers_received') or 0} offer(s) received"
            + (f", {profile['followers_count']} followers" if profile.get("followers_count") is not None else "")
        )
        console.print(f'  offer:   "{offer.get("message", "")}"', markup=False)
    console.print(
        f"{len(offers)} offer(s) waiting. `goodword review approve ID...` or `goodword review reject ID... --reason TEXT`."
    )


def _resolve(target: Target, ids: tuple[str, ...]) -> list[dict[str, Any]]:
    """Offers by full id or by a unique prefix of at least 6 characters among pending ones."""
    pending: list[dict[str, Any]] | None = None  # read once, and only for prefixes
    found = []
    for identifier in ids:
        record = stored.work_record(target.state_table, identifier) if len(identifier) == 32 else None
        if record is None and len(identifier) >= 6:
            if pending is None:
                pending = stored.offers(target.state_table, [OfferState.PENDING_REVIEW.value])
            matches = [o for o in pending if o["id"].startswith(identifier)]
            if len(matches) > 1:
                raise CliError(f"{identifier} matches {len(matches)} pending offers; give more characters", EXIT_PROBLEMS)
            record = matches[0] if matches else None
        if record is None or record.get("kind") != "offer_sample":
            raise CliError(f"no offer {identifier} (see `goodword review list`)", EXIT_PROBLEMS)
        found.append(record)
    return found


def _decide(table_name: str, record: dict[str, Any], to: OfferState, reviewer: str, reason: str | None) -> bool:
    """pending_review -> approved/rejected, on the condition it is still pending."""
    now = datetime.now(UTC).isoformat()
    values = {
        ":to": to.value,
        ":pending": OfferState.PENDING_REVIEW.value,
        ":gsi": f"OFFERS#{to.value}",
        ":by": reviewer,
        ":at": now,
    }
    expression = "SET #s = :to, gsi1pk = :gsi, reviewed_by = :by, reviewed_at = :at"
    if reason:
        expression += ", reason = :reason"
        values[":reason"] = reason
    try:
        clients.dynamodb().update_item(
            TableName=table_name,
            Key=to_dynamodb({"pk": record["pk"], "sk": "WORK"}),
            UpdateExpression=expression,
            ConditionExpression="#s = :pending",
            ExpressionAttributeNames={"#s": "state"},
            ExpressionAttributeValues=to_dynamodb(values),
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _learn(target: Target, record: dict[str, Any], praise: bool, reviewer: str) -> None:
    """A decision is a labelled example for the judge (`goodword judgement retrain`)."""
    with contextlib.suppress(CliError):  # the event is gone (retention) or has no text: nothing to learn from
        record_example(target, record["event_id"], praise, ExampleSource.REVIEW, reviewer)


def _finish(app: App, ids: tuple[str, ...], to: OfferState, reason: str | None) -> None:
    target = app.target()
    reviewer = who()
    state = StateTable(target.state_table)
    queue = ActionsQueue(target.actions_queue_url)
    problems = []
    for record in _resolve(target, ids):
        decided = _decide(target.state_table, record, to, reviewer, reason)
        if decided:
            _learn(target, record, to is OfferState.APPROVED, reviewer)
        current = state.get(record["pk"], "WORK") or record
        if to is OfferState.APPROVED and current["state"] == OfferState.APPROVED.value and not current.get("queued_at"):
            # approved (now, or by an earlier approve that stopped before queueing): queue it;
            # the actions function sends each offer once whatever the number of messages
            queue.send([queue_message(current)])
            state.mark_queued(current["pk"], datetime.now(UTC))
            console.print(
                f"approved {record['id']}: queued for sending (@{record.get('author_handle') or record.get('author_id')})"
            )
        elif decided:
            console.print(f"{to.value} {record['id']}")
        else:
            problems.append(f"{record['id']} is {current['state']}, not waiting for review")
    if problems:
        raise CliError("; ".join(problems), EXIT_PROBLEMS)


@review.command()
@click.argument("ids", nargs=-1, required=True)
@pass_app
def approve(app: App, ids: tuple[str, ...]) -> None:
    """Approve offers (full ids, or unique prefixes of 6+ characters): each goes to the
    actions queue and is sent once."""
    _finish(app, ids, OfferState.APPROVED, None)


@review.command()
@click.argument("ids", nargs=-1, required=True)
@click.option("--reason", help="Why (kept with the offer).")
@pass_app
def reject(app: App, ids: tuple[str, ...], reason: str | None) -> None:
    """Reject offers: nothing is sent. The person's once-per-person limit stays used."""
    _finish(app, ids, OfferState.REJECTED, reason)
