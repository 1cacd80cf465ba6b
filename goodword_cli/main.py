"""The `goodword` command: global options choose the target; the commands live in
goodword_cli/commands/. See docs/cli.md."""

from __future__ import annotations

import logging
import os
import sys

import click

from goodword.observability import logger
from goodword_cli.app import App
from goodword_cli.commands import (
    claims,
    codes,
    events,
    judgement,
    offers,
    people,
    replay,
    report,
    review,
    rules,
    send,
    settings,
    users,
)


class _CurrentStderr:
    """Whatever sys.stderr is when a line is logged (tests swap it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--stack", metavar="NAME", help="A deployed Goodword stack (env GOODWORD_STACK); uses standard AWS credentials.")
@click.option("--local", is_flag=True, help="The local stack started with `make serve`.")
@click.option(
    "--local-url", metavar="URL", help="Where the local stack answers (env GOODWORD_LOCAL_URL; default http://127.0.0.1:3000)."
)
@click.option("--region", help="AWS region of --stack (default: AWS_REGION / your profile's).")
@click.option("--profile", help="AWS profile for --stack.")
@click.version_option(package_name="goodword", prog_name="goodword")
@click.pass_context
def cli(
    ctx: click.Context, stack: str | None, local: bool, local_url: str | None, region: str | None, profile: str | None
) -> None:
    """Goodword's command: rules as files, the review queue, events, offers, the report, replay.

    Every command works the same against a deployed stack (--stack NAME) and the local stack
    (--local). `goodword COMMAND --help` explains each.
    """
    if ctx.obj is None:  # tests may hand in an App with its target already chosen
        ctx.obj = App(stack, local or bool(local_url), local_url, region, profile)


for _group in (
    rules.rules,
    review.review,
    events.events,
    offers.offers,
    claims.claims,
    report.report,
    replay.replay,
    judgement.score,
    judgement.judgement,
    send.send,
    settings.settings,
    settings.accounts,
    people.people,
    codes.codes,
    users.users,
):
    cli.add_command(_group)


def _quiet_pipeline_logs() -> None:
    """The pipeline code this command runs (replay, backtest) logs for Lambda: here warnings
    and errors only (GOODWORD_LOG_LEVEL), on stderr, never into --json output."""
    logger.setLevel(os.environ.get("GOODWORD_LOG_LEVEL", "WARNING").upper())
    if isinstance(logger.registered_handler, logging.StreamHandler):
        logger.registered_handler.stream = _CurrentStderr()


def main(argv: list[str] | None = None) -> int:
    _quiet_pipeline_logs()
    try:
        cli.main(args=argv, prog_name="goodword", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        return 130
    return 0
