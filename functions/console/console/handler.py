"""Thin handler: the console's pages (console.pages) and its sign-in. Signing in exchanges an
email and password for a Cognito ID token (USER_PASSWORD_AUTH); the page keeps the token and
sends it to /api/*, where the HTTP API's JWT authorizer checks it. Logged by what happened,
never with the email or the password."""

from __future__ import annotations

import base64
import binascii
import json
from functools import cache
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from console.pages import Answer, page, security_headers
from goodword.aws import clients
from goodword.aws.console_users import ConsoleSignIn
from goodword.console_users import SignInRefused
from goodword.observability import logger, tracer
from goodword.settings import console_settings

SIGN_IN_PATH = "/console/sign-in"
MAX_EMAIL = 254
MAX_PASSWORD = 256
MAX_BODY_BYTES = 4096  # a sign-in is an email and a password
WRONG = "wrong email or password"  # never which of the two


@cache
def _sign_in() -> ConsoleSignIn:
    clients.use_budget(clients.RECEIVER)  # a person waits for the answer: fail fast, they can try again
    return ConsoleSignIn(console_settings().console_user_pool_client_id)


def reset() -> None:
    """Forget the adapter this process built (tests that change the environment call this)."""
    _sign_in.cache_clear()
    console_settings.cache_clear()


def _json(status: int, body: dict[str, Any], **headers: str) -> Answer:
    return Answer(status, {**security_headers("application/json"), **headers}, json.dumps(body).encode())


def sign_in(event: dict[str, Any]) -> Answer:
    credentials = _credentials(event)
    if credentials is None:
        logger.info("console sign-in refused", extra={"result": "malformed"})
        return _json(400, {"message": 'send JSON {"email": "...", "password": "..."}'})
    email, password = credentials
    if "@" not in email or len(email) > MAX_EMAIL or len(password) > MAX_PASSWORD or not password:
        logger.info("console sign-in refused", extra={"result": "wrong"})
        return _json(401, {"message": WRONG})
    try:
        signed_in = _sign_in().sign_in(email, password)
    except SignInRefused as error:
        logger.warning("console sign-in needs a challenge the console does not offer", extra={"challenge": str(error)})
        return _json(401, {"message": WRONG})
    except Exception as error:  # Cognito unreachable or throttling: the person may try again
        logger.error("console sign-in failed; answered 503", extra={"error": type(error).__name__})
        return _json(503, {"message": "signing in is unavailable just now; try again in a minute"}, **{"retry-after": "30"})
    if signed_in is None:
        logger.info("console sign-in refused", extra={"result": "wrong"})
        return _json(401, {"message": WRONG})
    logger.info("console sign-in", extra={"result": "signed_in"})
    return _json(200, {"id_token": signed_in.id_token, "expires_in": signed_in.expires_in})


def _credentials(event: dict[str, Any]) -> tuple[str, str] | None:
    """(email, password) from a JSON object body; None for anything else."""
    body = event.get("body") or ""
    if len(body) > MAX_BODY_BYTES * 2:  # base64 is longer; refused before decoding
        return None
    try:
        raw = base64.b64decode(body, validate=True) if event.get("isBase64Encoded") else str(body).encode()
        document = json.loads(raw) if len(raw) <= MAX_BODY_BYTES else None
    except (binascii.Error, ValueError):
        return None
    if not isinstance(document, dict):
        return None
    email, password = document.get("email"), document.get("password")
    if not isinstance(email, str) or not isinstance(password, str):
        return None
    return email.strip(), password


def answer(event: dict[str, Any]) -> Answer:
    method = str(((event.get("requestContext") or {}).get("http") or {}).get("method") or "").upper()
    path = str(event.get("rawPath") or "")
    if path == SIGN_IN_PATH and method == "POST":
        return sign_in(event)
    if method in ("GET", "HEAD"):
        return page(path)
    return Answer(405, {**security_headers("text/plain; charset=utf-8"), "allow": "GET"}, b"Method not allowed\n")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return answer(event).for_http_api()
