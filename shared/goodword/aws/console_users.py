"""The console's people, in the stack's Cognito user pool (template: ConsoleUserPool).

Signing in (the console function) needs only the app client's id: InitiateAuth with
USER_PASSWORD_AUTH is a public call, so the function's role grants nothing for it. Adding and
listing people (``goodword users``, the local stack's development users) are administrator
calls, made with the caller's own AWS credentials."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from goodword.aws import clients
from goodword.console_users import ConsoleUser, SignedIn, SignInRefused, UserExists

# Cognito answers a wrong password, an unknown user and a disabled one differently (and, with
# PreventUserExistenceErrors, the same); the console says only "wrong email or password".
_REFUSED = {"NotAuthorizedException", "UserNotFoundException", "UserNotConfirmedException", "PasswordResetRequiredException"}


class ConsoleSignIn:
    def __init__(self, client_id: str, client: Any = None) -> None:
        self.client_id = client_id
        self._client = client

    def sign_in(self, email: str, password: str) -> SignedIn | None:
        """The ID token for this email and password; None when Cognito refuses them (which
        of the two was wrong is never told)."""
        client = self._client or clients.cognito_idp()
        try:
            answer = client.initiate_auth(
                ClientId=self.client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": email, "PASSWORD": password},
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _REFUSED:
                return None
            raise
        result = answer.get("AuthenticationResult")
        if not result:  # a challenge (NEW_PASSWORD_REQUIRED...): users are created with permanent passwords
            raise SignInRefused(str(answer.get("ChallengeName") or "no token"))
        return SignedIn(id_token=str(result["IdToken"]), expires_in=int(result.get("ExpiresIn") or 3600))


class ConsoleUsers:
    def __init__(self, pool_id: str, client: Any = None) -> None:
        self.pool_id = pool_id
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or clients.cognito_idp()

    def groups(self) -> list[str]:
        return sorted(str(g["GroupName"]) for g in self._pages("list_groups", "Groups"))

    def add(self, email: str, group: str, password: str) -> ConsoleUser:
        """Create the user (no invitation sent: the password is given once, by whoever adds
        them), with a permanent password and their email marked verified, in ``group``.
        Raises ``UserExists`` when the email is already a user."""
        try:
            self.client.admin_create_user(
                UserPoolId=self.pool_id,
                Username=email,
                MessageAction="SUPPRESS",
                UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "UsernameExistsException":
                raise UserExists(email) from None
            raise
        self.client.admin_set_user_password(UserPoolId=self.pool_id, Username=email, Password=password, Permanent=True)
        self.client.admin_add_user_to_group(UserPoolId=self.pool_id, Username=email, GroupName=group)
        return ConsoleUser(email=email, groups=(group,), enabled=True, status="CONFIRMED")

    def members(self) -> list[ConsoleUser]:
        """Every user with their groups, by email."""
        members: dict[str, set[str]] = {}
        for group in self.groups():
            for user in self._pages("list_users_in_group", "Users", GroupName=group):
                members.setdefault(str(user["Username"]), set()).add(group)
        found = [
            ConsoleUser(
                email=_attribute(user, "email") or str(user["Username"]),
                groups=tuple(sorted(members.get(str(user["Username"]), ()))),
                enabled=bool(user.get("Enabled", True)),
                status=str(user.get("UserStatus", "")),
            )
            for user in self._pages("list_users", "Users")
        ]
        return sorted(found, key=lambda u: u.email)

    def _pages(self, operation: str, key: str, **request: Any) -> list[dict[str, Any]]:
        pages = self.client.get_paginator(operation).paginate(UserPoolId=self.pool_id, **request)
        return [item for page in pages for item in page.get(key, [])]


def _attribute(user: dict[str, Any], name: str) -> str | None:
    return next((str(a["Value"]) for a in user.get("Attributes", []) if a.get("Name") == name), None)
