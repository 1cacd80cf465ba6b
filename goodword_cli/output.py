"""How results reach people (rich tables, progress bars) and scripts (--json)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

# Tables are as wide as the terminal; piped output is not cut at 80 columns.
console = Console(width=None if sys.stdout.isatty() else 200, highlight=False)


progress_console = Console(stderr=True)  # progress never mixes with the output


def progress_bar(quiet: bool) -> Progress:
    """A progress bar on stderr for people at a terminal; nothing for --json or a pipe."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=progress_console,
        transient=True,
        disable=quiet or not progress_console.is_terminal,
    )


class CliError(click.ClickException):
    """A problem the user can fix, shown as one line; ``exit_code`` says which kind."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file: Any = None) -> None:
        click.echo(f"goodword: {self.format_message()}", err=True)


EXIT_PROBLEMS = 1  # invalid rules, an offer not in the right state, a failed replay
EXIT_TARGET = 2  # no such stack or local stack, bad arguments (click's own usage errors are 2 too)
EXIT_CONFLICT = 3  # the rule changed since it was read


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON (for scripts) instead of a table.")


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))


def table(
    title: str | None,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    empty: str = "nothing found",
    whole: Sequence[str] = (),
) -> None:
    """A table as wide as the terminal. The lines of the ``whole`` columns (ids, rule ids,
    dates, states) are never broken; the other columns wrap between words to make room."""
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    if not cells:
        console.print(f"{title + ': ' if title else ''}{empty}")
        return
    grid = Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        grid.add_column(column, overflow="fold", no_wrap=column in whole)
    for row in cells:
        grid.add_row(*row)
    console.print(grid)


SHORT_ID = 8  # characters of an offer's or action's id in tables; every command takes the prefix


def short_id(identifier: str) -> str:
    """An offer's or action's id as tables print it: its first characters, which `offers
    show`, `review approve` and `review reject` take as they are."""
    return identifier[:SHORT_ID]


def short(text: str | None, width: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"
