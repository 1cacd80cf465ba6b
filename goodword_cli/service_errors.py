"""A service's refusal (goodword.services.errors) as the command's one-line error and exit code."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from goodword.services.errors import ServiceError
from goodword_cli.output import EXIT_PROBLEMS, CliError


@contextmanager
def refusals(exit_code: int = EXIT_PROBLEMS, prefix: str = "") -> Iterator[None]:
    """Run a service call; its refusal becomes a CliError with ``prefix`` before the message."""
    try:
        yield
    except ServiceError as exc:
        raise CliError(f"{prefix}{exc.message}", exit_code) from None
