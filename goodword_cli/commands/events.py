"""goodword events list|show|tail: what the platforms delivered, and what the rules decided."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import click

from goodword.decisions import Decisions
from goodword.event_items import author_label as who
from goodword.event_items import stored_decisions
from goodword.events import Platform
from goodword.holds import offer_review, why_pending
from goodword.sentiment.explain import describe, short_judgement
from goodword.services.since import since_time
from goodword.work import WorkRecord, WorkState, possible_keys
from goodword_cli.app import App, pass_app
from goodword_cli.output import EXIT_PROBLEMS, CliError, console, emit_json, json_option, short, short_id, table
from goodword_cli.target import Target

PLATFORMS = [p.value for p in Platform]


F = TypeVar("F", bound=Callable[..., Any])


def since_option(default: str) -> Callable[[F], F]:
    return click.option("--since", default=default, show_default=True, help="How far back: 30m, 24h, 7d, 2w, or a date.")


def parse_since(text: str) -> datetime:
    try:
        return since_time(text)
    except ValueError as exc:
        raise CliError(str(exc), EXIT_PROBLEMS) from None


def platform_choice() -> click.Choice:
    return click.Choice(PLATFORMS, case_sensitive=False)


def _filters(f: F) -> F:
    for option in (
        click.option("--platform", type=platform_choice(), multiple=True, help="Only these platforms (repeatable)."),
        click.option("--kind", multiple=True, help="Only these kinds: mention, reply, comment, follow... (repeatable)."),
        click.option("--author", help="Only this person: handle (with or without @) or platform id."),
    ):
        f = option(f)
    return f


def _wanted(item: dict[str, Any], platform: tuple[str, ...], kind: tuple[str, ...], author: str | None) -> bool:
    if platform and item.get("platform") not in platform:
        return False
    if kind and item.get("kind") not in kind:
        return False
    if author:
        person = item.get("author") or {}
        name = author.removeprefix("@").lower()
        return name in {str(person.get("handle") or "").lower(), str(person.get("id") or "").lower()}
    return True


SHORT_EVENT_ID = 14  # characters of an event's own id in the list; `events show` takes them


def short_event_id(event_id: str) -> str:
    """The end of an event's id as the list prints it: `events show` finds the event by it."""
    natural = event_id.rsplit("#", 1)[-1]
    return natural if len(natural) <= SHORT_EVENT_ID else "…" + natural[-(SHORT_EVENT_ID - 1) :]


def _rows(items: Iterable[dict[str, Any]], decisions: dict[str, Decisions], full_ids: bool) -> list[tuple[Any, ...]]:
    rows = []
    for item in items:
        record = decisions.get(item["event_id"])
        sentiment = record.sentiment if record else None
        acted = record.acted() if record else []
        said = [short(item.get("text"), 60)] if item.get("text") else []
        rows.append(
            (
                item["received_at"][5:16].replace("T", " "),
                f"{item['platform']} {item['kind']}\n{short(who(item), 20)}",
                "\n".join([*said, short_judgement(sentiment) if sentiment else ""]),
                "\n".join(acted) or ("none" if record else "not decided yet"),
                item["event_id"] if full_ids else short_event_id(item["event_id"]),
            )
        )
    return rows


_COLUMNS = ["received", "event, author", "text, judgement", "rules acted", "id"]


@click.group()
def events() -> None:
    """Stored events: list, show one with its payload and decisions, tail new ones."""


@events.command("list")
@since_option("24h")
@_filters
@click.option("--limit", default=100, show_default=True, help="At most this many (newest).")
@click.option("--full-ids", is_flag=True, help="Print whole event ids (the list shows their end, which `events show` takes).")
@json_option
@pass_app
def list_events(
    app: App,
    since: str,
    platform: tuple[str, ...],
    kind: tuple[str, ...],
    author: str | None,
    limit: int,
    full_ids: bool,
    as_json: bool,
) -> None:
    """Events received since a time, newest last, with their sentiment and the rules that acted."""
    target = app.target()
    items = [i for i in target.events().since(parse_since(since)) if _wanted(i, platform, kind, author)][-limit:]
    decisions = target.events().decisions_for(i["event_id"] for i in items)
    if as_json:
        emit_json({"events": [{**i, "decisions": _as_stored(i["event_id"], decisions.get(i["event_id"]))} for i in items]})
        return
    whole = ["received", "rules acted", "id"]
    table(f"Events since {since} (times in UTC)", _COLUMNS, _rows(items, decisions, full_ids), empty="none", whole=whole)


def _as_stored(event_id: str, record: Decisions | None) -> dict[str, Any] | None:
    """A decisions record as `--json` prints it: its item, as stored."""
    return stored_decisions(event_id, record) if record else None


FIND_DAYS = 30  # how far back `events show` looks for an event by the end of its id
MIN_END = 3  # shorter than this is not the end of an id worth looking for


def _full_event_id(target: Target, given: str) -> str:
    """A whole event id, or the one stored event of the last FIND_DAYS days whose id ends
    with ``given`` (the end `events list` prints, with or without its "…")."""
    end = given.strip().removeprefix("…")
    if given.count("#") == 2 or len(end) < MIN_END:
        return given
    matches = [
        i["event_id"] for i in target.events().since(datetime.now(UTC) - timedelta(days=FIND_DAYS)) if i["event_id"].endswith(end)
    ]
    if len(matches) > 1:
        raise CliError(f"{given} is the end of {len(matches)} event ids; give more of it, or the whole id", EXIT_PROBLEMS)
    return matches[0] if matches else given


def describe_enrichment(enrichment: dict[str, Any]) -> str:
    """What fetching the event's missing parts came to (docs/events.md, Enrichment)."""
    state, attempts = enrichment.get("state"), enrichment.get("attempts", 0)
    fetched = ", ".join(enrichment.get("fetched") or []) or "nothing"
    if state == "enriched":
        return f"enriched ({fetched} fetched, {attempts} attempt(s))"
    if state == "waiting":
        return f"waiting: {enrichment.get('reason')}, tried {attempts} time(s), next at {enrichment.get('retry_at')}"
    return f"unavailable: {enrichment.get('reason')} ({enrichment.get('detail') or 'no detail'}); judged with what it has"


@events.command()
@click.argument("event_id")
@click.option("--raw", is_flag=True, help="Also print the platform's payload (kept for RawPayloadRetentionDays).")
@json_option
@pass_app
def show(app: App, event_id: str, raw: bool, as_json: bool) -> None:
    """One event: the normalized event, every rule's decision, and the offers and actions it led to."""
    target = app.target()
    event_id = _full_event_id(target, event_id)
    found = target.events().get(event_id)
    if found is None:
        raise CliError(f"no stored event {event_id} (see `goodword events list`)", EXIT_PROBLEMS)
    record = found.decisions
    rule_ids = [d.rule_id for d in record.decisions] if record else []
    work = target.state().work_for_keys(key for rule_id in rule_ids for key in possible_keys(event_id, rule_id))
    payload = json.loads(found.raw["raw"]) if found.raw and found.raw.get("raw") else None
    if as_json:
        emit_json(
            {
                "event": found.event,
                "decisions": _as_stored(event_id, record),
                "work": [w.fields() for w in work],
                **({"raw": payload} if raw else {}),
            }
        )
        return
    event = found.event
    console.print(f"[bold]{event_id}[/bold]")
    console.print(
        f"  {event['platform']} {event['kind']} by {who(event)} at {event['occurred_at']} (received {event['received_at']})"
    )
    if event.get("text"):
        console.print(f'  "{event["text"]}"', markup=False)
    if event.get("erased_at"):
        console.print(f"  erased at {event['erased_at'][:19]}: kept only as a count (no author, text or references)")
    if event.get("enrichment"):
        console.print(f"  enrichment: {describe_enrichment(event['enrichment'])}", markup=False)
    sentiment = record.sentiment if record else None
    if sentiment:
        console.print(f"  judgement: {describe(sentiment)}", markup=False)
    profile = record.profile if record else {}
    if profile:
        console.print("  profile: " + ", ".join(f"{k.removeprefix('profile.')} {v}" for k, v in profile.items()), markup=False)
    table(
        "Decisions" + (f" at {record.decided_at.isoformat()[:19]}" if record else ""),
        ["rule", "version", "outcome", "why"],
        [(d.rule_id, d.version, d.outcome.value, d.detail) for d in record.decisions] if record else [],
        whole=["rule", "outcome"],
        empty="none yet (the pipeline has not decided, or the decisions expired)",
    )
    table(
        "Offers and actions",
        ["kind", "id", "state", "message"],
        [(w.kind.value, short_id(w.id), w.state_label, short(w.message, 60)) for w in work],
        empty="none",
        whole=["kind", "id", "state"],
    )
    for waiting in (w for w in work if w.state is WorkState.PENDING_REVIEW):
        review = _review_of(target, waiting)
        console.print(f"  {short_id(waiting.id)} waits for review: {why_pending(waiting, review, sentiment)}", markup=False)
    if raw:
        console.print_json(data=payload) if payload is not None else console.print("raw payload: expired or not kept")


def _review_of(target: Target, record: WorkRecord) -> Any:
    """The review setting of the rule version that made ``record`` (None: not stored)."""
    versions = {r.version: r for r in target.rules().history(record.rule_id)}
    live = target.rules().get(record.rule_id)
    rule = versions.get(record.rule_version) or (live if live and live.version == record.rule_version else None)
    return offer_review(rule.definition, record) if rule else None


@events.command()
@_filters
@click.option("--interval", default=2.0, show_default=True, help="Seconds between looks.")
@click.option("--max-events", type=int, help="Stop after this many events.")
@click.option("--timeout", type=float, help="Stop after this many seconds.")
@json_option
@pass_app
def tail(
    app: App,
    platform: tuple[str, ...],
    kind: tuple[str, ...],
    author: str | None,
    interval: float,
    max_events: int | None,
    timeout: float | None,
    as_json: bool,
) -> None:
    """Print events as they arrive (one JSON object a line with --json) until Ctrl-C,
    --max-events or --timeout."""
    target = app.target()
    since = datetime.now(UTC)
    seen: set[str] = set()
    click.echo(f"following new events from {since:%H:%M:%S} UTC (Ctrl-C stops)", err=True)
    count, started = 0, time.monotonic()
    try:
        while True:
            fresh = [i for i in target.events().since(since) if i["event_id"] not in seen]
            for item in fresh:
                seen.add(item["event_id"])
                if not _wanted(item, platform, kind, author):
                    continue
                count += 1
                if as_json:
                    click.echo(json.dumps(item, default=str))
                else:
                    line = f"{item['received_at'][11:19]}  {item['platform']:9} {item['kind']:14} {short(who(item), 20):20}"
                    console.print(f"{line} {short(item.get('text'), 44)}", markup=False)  # 100 columns
                if max_events is not None and count >= max_events:
                    return
            if timeout is not None and time.monotonic() - started >= timeout:
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        return
