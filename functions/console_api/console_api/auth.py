"""Who calls: the HTTP API's JWT authorizer (template: ConsoleAuthorizer) has verified the
Cognito token before the function runs, and passes its claims. Reads are for everyone signed
in; writes need the ``editors`` group, enforced here, not only hidden in the page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.event_handler.exceptions import ForbiddenError, UnauthorizedError

EDITORS = "editors"
VIEWERS = "viewers"


@dataclass(frozen=True)
class Caller:
    name: str  # recorded with every write: the user's email (or Cognito user name)
    groups: frozenset[str]

    @property
    def can_edit(self) -> bool:
        return EDITORS in self.groups


def _groups(value: Any) -> frozenset[str]:
    # API Gateway passes a list claim as "[editors viewers]" (one string); tests may pass a list
    if isinstance(value, list):
        return frozenset(str(v) for v in value)
    text = str(value or "").strip().strip("[]")
    return frozenset(g for g in text.replace(",", " ").split() if g)


def caller(event: dict[str, Any]) -> Caller:
    """The signed-in user, from the authorizer's claims; 401 without them (a route reached
    without the authorizer is a deployment error, never an open door)."""
    claims = (((event.get("requestContext") or {}).get("authorizer") or {}).get("jwt") or {}).get("claims") or {}
    name = str(claims.get("email") or claims.get("cognito:username") or claims.get("username") or "")
    if not name:
        raise UnauthorizedError("sign in: no valid token")
    return Caller(name=f"console:{name}", groups=_groups(claims.get("cognito:groups")))


def editor(event: dict[str, Any]) -> Caller:
    """The caller, who must be an editor (403 for a viewer)."""
    found = caller(event)
    if not found.can_edit:
        raise ForbiddenError("viewers can read but not change anything: ask an editor")
    return found
