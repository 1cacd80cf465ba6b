"""goodword rules test|backtest: rules evaluated by the real Pipeline on the in-memory
adapters (goodword.memory), so what they say is what the live pipeline does. Nothing is
written or sent."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError
from rich.progress import TaskID

from goodword.decisions import Decisions
from goodword.event_items import event_from_item
from goodword.events import Event
from goodword.memory.messaging import CollectingQueue, DecisionList
from goodword.memory.rules import FixedRules
from goodword.memory.state import InMemoryState
from goodword.pipeline.intake import Intake, result_of
from goodword.pipeline.process import Pipeline
from goodword.pipeline.scoring import Scorer
from goodword.rules.engine import RuleBook, compile_rules
from goodword.rules.explain import explain
from goodword.rules.model import BrandAccount, Rule, Settings
from goodword.sentiment.explain import describe
from goodword.sentiment.model import Sentiment
from goodword.sentiment.providers import providers
from goodword.services import rules as rules_service
from goodword.services.errors import NotFound, ServiceError
from goodword.services.since import since_time
from goodword.validation import describe_validation_error
from goodword_cli.app import App, pass_app
from goodword_cli.output import EXIT_PROBLEMS, CliError, console, emit_json, json_option, progress_bar, short, table
from goodword_cli.rule_files import load_all
from goodword_cli.service_errors import refused


def _live(app: App) -> tuple[RuleBook, dict[tuple[str, str], BrandAccount]]:
    loader = app.target().rules_loader()
    return loader(), loader.accounts()


def _draft(path: Path) -> tuple[Rule, int]:
    rule_file = load_all([path])[0]
    if rule_file.rule is None:
        raise CliError("; ".join(str(p) for p in rule_file.problems), EXIT_PROBLEMS)
    return rule_file.rule, rule_file.base_version or 0


def _chosen(book: RuleBook, names: tuple[str, ...]) -> list[tuple[Rule, int]]:
    """Live rules by id and drafts by file; a draft replaces the live rule with its id."""
    wanted = [_draft(Path(name)) if Path(name).is_file() else name for name in names]
    try:
        return rules_service.choose(book, wanted)
    except NotFound:
        live = {c.rule.id for c in book.rules}
        unknown = next(n for n in names if not Path(n).is_file() and n not in live)
        raise CliError(f"{unknown} is neither a rule file nor a live rule id", EXIT_PROBLEMS) from None
    except ServiceError as exc:
        raise refused(exc) from None


def _event_from_file(path: Path) -> Event:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CliError(f"{path}: not a JSON event: {exc}", EXIT_PROBLEMS) from None
    data = data.get("event", data) if isinstance(data, dict) else data
    if not isinstance(data, dict):
        raise CliError(f"{path}: an event is a JSON object (as `goodword events show --json` prints it)", EXIT_PROBLEMS)
    now = datetime.now(UTC).isoformat()
    defaults = {
        "natural_id": "test-event",
        "brand_account": "test-brand",
        "source": "test",
        "occurred_at": now,
        "received_at": now,
    }
    keep = set(Event.model_fields)
    try:
        return Event.model_validate({**defaults, **{k: v for k, v in data.items() if k in keep}})
    except ValidationError as exc:
        raise CliError(f"{path}: not a valid event: {describe_validation_error(exc, limit=5)}", EXIT_PROBLEMS) from None


_SHOWN = ("kind", "state", "channel", "product", "product_cost", "message", "deliver_link", "link_message", "fulfilment")


@click.command()
@click.argument("rule")
@click.option("--event", "event_ref", required=True, help="A JSON file with one event, or a stored event id.")
@json_option
@pass_app
def test(app: App, rule: str, event_ref: str, as_json: bool) -> None:
    """Evaluate one rule (a live rule id or a rule file) against one event (a JSON file or a
    stored event id) and explain: each condition with the value it saw, the window, limits
    and platform policy, and what it would make. Nothing is written or sent.

    Without a target (--stack/--local) a file event is tested with default settings, for a
    person never seen before."""
    online = app.has_target or not (Path(rule).is_file() and Path(event_ref).is_file())
    book, accounts = _live(app) if online else (RuleBook(Settings(), []), {})
    (chosen_rule, version) = _chosen(book, (rule,))[0]
    recorded: Decisions | None = None
    if Path(event_ref).is_file():
        event = _event_from_file(Path(event_ref))
    else:
        found = app.target().events().get(event_ref)
        if found is None:
            raise CliError(f"no stored event {event_ref} (see `goodword events list`)", EXIT_PROBLEMS)
        event, recorded = event_from_item(found.event), found.decisions
    state = InMemoryState(
        live=app.target().state() if online else None,
        recorded_profiles={event.event_id: recorded.profile} if recorded and recorded.profile else None,
    )
    pipeline = Pipeline(
        rules=FixedRules(compile_rules(book.settings, [(chosen_rule, version)]), accounts),
        state=state,
        decisions=DecisionList(),
        queue=CollectingQueue(),
        decision_retention=timedelta(days=1),
        clock=lambda: event.received_at,
    )
    scorer = app.target().scorer() if online else Scorer(providers())
    judged = {event.event_id: recorded.sentiment} if recorded and recorded.sentiment else None
    (taken,) = Intake(pipeline, scorer).take([event], judged)
    result = result_of(taken)
    sentiment, facts = result.sentiment, result.facts
    decision = result.decisions[0] if result.decisions else None
    steps = explain(chosen_rule.conditions, facts)
    report = {
        "rule_id": chosen_rule.id,
        "version": version,
        "event_id": event.event_id,
        "triggered": decision is not None,
        "outcome": decision.outcome.value if decision else "not_triggered",
        "detail": decision.detail
        if decision
        else f"its triggers do not select a {event.kind.value} on {event.platform.value} for {event.brand_account}",
        "sentiment": sentiment.model_dump(mode="json") if sentiment else None,
        "facts": facts,
        "conditions": [s.as_json() for s in steps],
        "limits": chosen_rule.limits.model_dump(mode="json"),
        "cooldown_days": book.settings.cooldown_days,
        "would_make": [{k: v for k, v in w.fields().items() if k in _SHOWN} for w in state.made()],
    }
    if as_json:
        emit_json(report)
        return
    _print_test(report, event, sentiment)


def _print_test(report: dict[str, Any], event: Event, sentiment: Sentiment | None) -> None:
    who = (
        f"@{event.author.handle}"
        if event.author and event.author.handle
        else (event.author.id if event.author else "(erased)" if event.erased_at else "(no author)")
    )
    version = f"version {report['version']}" if report["version"] else "a draft file, not live"
    console.print(f"Rule {report['rule_id']} ({version}) on {event.platform.value} {event.kind.value} by {who}")
    if event.text:
        console.print(f'  "{short(event.text, 90)}"', markup=False)
    if event.erased_at:
        console.print(f"  erased at {event.erased_at:%Y-%m-%d %H:%M}: no author, text or profile facts left to act on")
    if sentiment:
        console.print(f"  judgement: {describe(sentiment)}", markup=False)
    console.print("Conditions:")
    for step in report["conditions"]:
        mark = "yes" if step["holds"] else "NO "
        group = step["test"] in ("all of", "any of", "not") or step["test"].startswith("no conditions")
        seen = "" if group else f"   (saw {short(repr(step['seen']), 60)})"
        console.print(f"  {mark} {'  ' * step['path'].count('[')}{step['test']}{seen}", markup=False)
    limits = report["limits"]
    caps = ", ".join(f"{k} {v}" for k, v in limits.items() if k != "once_per_person" and v)
    once, cooldown = limits["once_per_person"], report["cooldown_days"]
    console.print(f"Limits: once per person {once}; {caps or 'no caps'}; cooldown {cooldown} days between contacts")
    console.print(f"Outcome: {report['outcome']}" + (f" ({report['detail']})" if report["detail"] else ""), markup=False)
    for work in report["would_make"]:
        via = f" via {work['channel']}" if work.get("channel") else ""
        console.print(f"Would make: {work['kind']} ({work['state']}){via}", markup=False)
        if work.get("message"):
            console.print(f'  "{work["message"]}"', markup=False)
        if work.get("link_message"):  # ask_to_dm: the reply asks for a DM; this answers it
            console.print(f'  the link, for the DM that answers: "{work["link_message"]}"', markup=False)


@click.command()
@click.argument("rules_or_files", nargs=-1)
@click.option("--since", default="7d", show_default=True, help="How far back: 30m, 24h, 7d, 2w, or a date.")
@click.option("--show", default=20, show_default=True, help="Recipients listed per rule (all with --json).")
@json_option
@pass_app
def backtest(app: App, rules_or_files: tuple[str, ...], since: str, show: int, as_json: bool) -> None:
    """Run rules (live ids, or drafts from files; all live rules when none is named) over the
    stored events since a time, as the live pipeline would have, without writing or sending
    anything: matches, offers, what the limits would stop, who would get offers, and the
    estimated cost (product_cost per sample).

    Each event is judged with the sentiment and profile facts recorded when it arrived;
    the rules' limits start empty, as if they had just been switched on."""
    try:
        start = since_time(since)
    except ValueError as exc:
        raise CliError(str(exc), EXIT_PROBLEMS) from None
    book, _ = _live(app)
    chosen = _chosen(book, rules_or_files)
    target = app.target()
    with progress_bar(as_json) as progress:
        tasks: dict[str, TaskID] = {}

        def advance(step: str, done: int, total: int | None) -> None:
            if step not in tasks:
                tasks[step] = progress.add_task("reading events" if step == "reading" else step, total=total)
            progress.update(tasks[step], completed=done, total=total)

        try:
            result = rules_service.backtest(
                target.stores(), start, chosen, scorer=target.scorer(second_opinion=False), progress=advance
            )
        except ServiceError as exc:
            raise refused(exc) from None
    if as_json:
        emit_json(result.as_json())
        return
    _print_backtest(result.as_json(), show)


def _print_backtest(data: dict[str, Any], show: int) -> None:
    console.print(
        f"Backtest over {data['events']} stored event(s) since {data['since'][:16]} "
        f"(nothing written or sent; {data['events_rescored']} without a recorded sentiment were scored now"
        + (f"; {data['events_erased']} of erased people left out: nobody to offer to)" if data["events_erased"] else ")")
    )
    table(
        None,
        ["rule", "events", "matched", "acted", "offers auto/review", "stopped by limits and policy", "est. cost"],
        [
            (
                r["rule_id"],
                r["events_considered"],
                r["matched"],
                r["acted"],
                f"{r['offers']} ({r['offers_automatic']}/{r['offers_for_review']})",
                ", ".join(f"{k} {v}" for k, v in r["stopped_by"].items()) or "-",
                f"{r['estimated_cost']:.2f}"
                + (f" + {r['offers_without_cost']} without cost" if r["offers_without_cost"] else ""),
            )
            for r in data["rules"]
        ],
        whole=["rule"],
    )
    for rule in data["rules"]:
        if not rule["recipients"]:
            continue
        people = rule["recipients"]
        table(
            f"Would receive offers from {rule['rule_id']}" + (f" (first {show} of {len(people)})" if len(people) > show else ""),
            ["platform", "person", "state", "event"],
            [
                (p["platform"], f"@{p['author_handle']}" if p["author_handle"] else p["author_id"], p["state"], p["event_id"])
                for p in people[:show]
            ],
        )
