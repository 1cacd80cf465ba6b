"""Offers and actions by id: the full 32 characters, or a unique prefix of at least 6 (the
lists print the first 8)."""

from __future__ import annotations

from typing import Protocol

from goodword.work import WorkRecord
from goodword_cli.output import EXIT_PROBLEMS, CliError

MIN_PREFIX = 6
FULL = 32


class FindsWork(Protocol):
    """StateTable (``Target.state``), as finding work by id needs it."""

    def find_work(self, identifier: str) -> WorkRecord | None: ...

    def work_with_prefix(self, prefix: str) -> list[WorkRecord]: ...


def find_work(state: FindsWork, identifier: str, what: str = "offer or action", hint: str = "goodword offers list") -> WorkRecord:
    """The record with this id or id prefix; a clear error when there is none, or several."""
    identifier = identifier.strip()
    if len(identifier) < MIN_PREFIX:
        raise CliError(f"{identifier!r} is too short: give at least {MIN_PREFIX} characters of the id", EXIT_PROBLEMS)
    record = state.find_work(identifier) if len(identifier) == FULL else None
    if record is None and len(identifier) < FULL:
        matches = state.work_with_prefix(identifier)  # offers, flags and actions
        if len(matches) > 1:
            raise CliError(f"{identifier} matches {len(matches)} offers, flags or actions; give more characters", EXIT_PROBLEMS)
        record = matches[0] if matches else None
    if record is None:
        raise CliError(f"no {what} {identifier} (see `{hint}`)", EXIT_PROBLEMS)
    return record
