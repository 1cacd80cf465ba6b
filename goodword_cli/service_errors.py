"""A service's refusal (goodword.services.errors) as the command says it: its message as
the one error line, and the exit status of its kind (a conflict 3, anything else 1), or the
status the command names."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from goodword.services.errors import Conflict, ServiceError
from goodword_cli.output import EXIT_CONFLICT, EXIT_PROBLEMS, CliError


def refused(error: ServiceError, prefix: str = "", suffix: str = "") -> CliError:
    """``raise refused(exc) from None``; ``prefix`` and ``suffix`` add the command's own words."""
    code = EXIT_CONFLICT if isinstance(error, Conflict) else EXIT_PROBLEMS
    return CliError(f"{prefix}{error.message}{suffix}", code)


@contextmanager
def refusals(exit_code: int = EXIT_PROBLEMS, prefix: str = "") -> Iterator[None]:
    """Run a service call; its refusal becomes a CliError with ``prefix`` before the message
    and the command's own exit status."""
    try:
        yield
    except ServiceError as exc:
        raise CliError(f"{prefix}{exc.message}", exit_code) from None
