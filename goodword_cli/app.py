"""What every command receives: the global options, and the target resolved from them on
first use (so `rules validate` needs no AWS at all)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import click

from goodword_cli.output import EXIT_TARGET, CliError
from goodword_cli.target import Target, TargetError, resolve


@dataclass
class App:
    stack: str | None = None
    local: bool = False
    local_url: str | None = None
    region: str | None = None
    profile: str | None = None
    _target: Target | None = field(default=None, repr=False)

    @property
    def has_target(self) -> bool:
        return self._target is not None or bool(self.stack or self.local or os.environ.get("GOODWORD_STACK"))

    def target(self) -> Target:
        if self._target is None:
            try:
                self._target = resolve(self.stack, self.local, self.local_url, self.region, self.profile)
            except TargetError as exc:
                raise CliError(str(exc), EXIT_TARGET) from None
        return self._target


pass_app = click.make_pass_decorator(App)
