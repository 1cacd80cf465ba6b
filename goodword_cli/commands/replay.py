"""goodword replay: re-drive stored events through the current rules."""

from __future__ import annotations

import click

from goodword_cli.app import App, pass_app
from goodword_cli.commands.events import parse_since
from goodword_cli.output import EXIT_PROBLEMS, CliError, console, emit_json, json_option, progress_bar, table
from goodword_cli.replay import replay as run_replay


@click.command()
@click.option("--since", required=True, help="Events received since: 30m, 24h, 7d, 2w, or a date/time.")
@click.option("--rules", "rule_ids", multiple=True, help="Only these rules (repeatable); the others' decisions are kept.")
@json_option
@pass_app
def replay(app: App, since: str, rule_ids: tuple[str, ...], as_json: bool) -> None:
    """Run the stored events received since a time through the current rules again, e.g.
    after an outage or after fixing a rule. Offers and actions really are made and queued
    (in the stack's ActionsMode). Safe to repeat: an event already acted on finds its offer
    and is not offered again, and once-per-person limits hold."""
    start = parse_since(since)
    with progress_bar(as_json) as progress:
        task = progress.add_task("replaying", total=None)
        try:
            result = run_replay(
                app.target(),
                start,
                list(rule_ids) or None,
                lambda done, total: progress.update(task, completed=done, total=total),
            )
        except ValueError as exc:
            raise CliError(str(exc), EXIT_PROBLEMS) from None
    if as_json:
        emit_json(result.as_json())
    else:
        console.print(
            f"Replayed {result.events - result.erased} event(s) received since {start.isoformat()[:16]} through the current rules"
            + (f"; {result.erased} of erased people kept as they were." if result.erased else ".")
        )
        outcomes = sorted({o for per_rule in result.outcomes.values() for o in per_rule})
        table(
            None,
            ["rule", *outcomes],
            [(r, *(counts.get(o, 0) for o in outcomes)) for r, counts in sorted(result.outcomes.items())],
        )
        for event_id, error in result.failed:
            console.print(f"failed  {event_id}: {error}", markup=False)
    if result.failed:
        raise CliError(f"{len(result.failed)} event(s) failed; run the same replay again once the cause is fixed", EXIT_PROBLEMS)
