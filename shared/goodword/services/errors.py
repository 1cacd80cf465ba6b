"""What a service refuses, and why. The command maps each to an exit code, the API to a status
(NotFound 404, Invalid 422, Conflict 409, Refused 409)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with what was sent: where (a dotted path into it, "" for the whole) and what."""

    path: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


class ServiceError(Exception):
    """Base of every refusal; its message is shown as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    """No such offer, rule, person or version."""


class Conflict(ServiceError):
    """The thing changed since it was read: a rule's version moved on, an offer is no longer waiting."""


class Refused(ServiceError):
    """Allowed in general, not for this one: e.g. approving an offer whose person opted out."""


@dataclass
class Invalid(ServiceError):
    """What was sent does not validate; each problem names its field."""

    problems: list[Problem] = field(default_factory=list)
    message: str = ""

    def __post_init__(self) -> None:
        if not self.message:
            self.message = "; ".join(f"{p.path}: {p.message}" if p.path else p.message for p in self.problems)
        super().__init__(self.message)


@dataclass(frozen=True)
class Validation:
    """What the pipeline would say of a proposed document (a rule, the settings): its problems
    (none: ``ok``), warnings that do not stop it, and the definition as it would be stored."""

    problems: list[Problem]
    warnings: list[str] = field(default_factory=list)
    definition: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "problems": [p.as_json() for p in self.problems], "warnings": self.warnings}
