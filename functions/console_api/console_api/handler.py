"""Thin handler: the console's JSON API under /api (every route behind the HTTP API's JWT
authorizer). Routes live in console_api.routes, behaviour in goodword.services; the OpenAPI
document is generated from the routes (GET /api/openapi.json)."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import ForbiddenError, UnauthorizedError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from console_api.auth import caller, editor
from console_api.routes import claims, people, report, review, rules, settings
from goodword.aws import clients
from goodword.aws.stores import from_environment
from goodword.observability import logger, tracer
from goodword.services.errors import Conflict, Invalid, NotFound, Refused, ServiceError
from goodword.services.stores import Stores

app = APIGatewayHttpResolver(enable_validation=True)
for module in (review, people, claims, rules, settings, report):
    app.include_router(module.router)

# POSTs that compute and write nothing: a viewer may check a rule, see its diff and backtest it.
READS_BY_POST = re.compile(r"^/api/(rules/validate|settings/validate|rules/[^/]+/(diff|backtest))$")


def gate(event: dict[str, Any]) -> None:
    """Before anything reads the request: a caller (401 without one), and an editor for
    anything but a read (403 for a viewer). Routes check again; one that forgot stays closed."""
    method = str(((event.get("requestContext") or {}).get("http") or {}).get("method") or "").upper()
    path = str(event.get("rawPath") or "")
    if method in ("GET", "HEAD") or (method == "POST" and READS_BY_POST.match(path)):
        caller(event)
    else:
        editor(event)


@cache
def stores() -> Stores:
    clients.use_budget(clients.RECEIVER)  # a person waits for the answer: fail fast
    return from_environment()


def reset() -> None:
    """Forget the stores and clients this process built (tests that change the environment)."""
    stores.cache_clear()


def _json_error(status: int, message: str, **extra: Any) -> Response[Any]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body={"message": message, **extra})


@app.exception_handler(ServiceError)  # type: ignore[untyped-decorator]
def _refused(error: ServiceError) -> Response[Any]:
    if isinstance(error, Invalid):
        return _json_error(422, error.message, problems=[p.as_json() for p in error.problems])
    status = {NotFound: 404, Conflict: 409, Refused: 409}.get(type(error), 400)
    return _json_error(status, error.message)


@app.get("/api/me")
def me() -> dict[str, Any]:
    """Who is signed in, and whether they may change things."""
    who = caller(app.current_event.raw_event)
    return {"user": who.name.removeprefix("console:"), "groups": sorted(who.groups), "can_edit": who.can_edit}


@app.get("/api/openapi.json", include_in_schema=False)
def openapi() -> Response[str]:
    """The API's OpenAPI document, generated from these routes."""
    caller(app.current_event.raw_event)
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=app.get_openapi_json_schema(title="Goodword console API"),
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        gate(event)
    except (UnauthorizedError, ForbiddenError) as refused:
        status = 401 if isinstance(refused, UnauthorizedError) else 403
        return {
            "statusCode": status,
            "headers": {"content-type": "application/json"},
            "body": json.dumps({"message": refused.msg}),
        }
    return app.resolve(event, context)
