"""The console's people as the command and the console function see them: records, and the
port the stack's user pool (goodword.aws.console_users) implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

EDITORS = "editors"
VIEWERS = "viewers"
GROUPS = (EDITORS, VIEWERS)


@dataclass(frozen=True)
class SignedIn:
    id_token: str  # the page sends it as "Authorization: Bearer <id token>" to /api/*
    expires_in: int  # seconds


@dataclass(frozen=True)
class ConsoleUser:
    email: str
    groups: tuple[str, ...]
    enabled: bool
    status: str  # Cognito's: CONFIRMED, FORCE_CHANGE_PASSWORD, ...

    def as_json(self) -> dict[str, Any]:
        return {"email": self.email, "groups": list(self.groups), "enabled": self.enabled, "status": self.status}


class UserExists(Exception):
    """The email is already a user of the pool."""


class SignInRefused(Exception):
    """The pool wants more than a password (a challenge the console does not offer)."""


class ConsoleUserDirectory(Protocol):
    def add(self, email: str, group: str, password: str) -> ConsoleUser: ...

    def members(self) -> list[ConsoleUser]: ...
