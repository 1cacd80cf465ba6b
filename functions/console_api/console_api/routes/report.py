"""/api routes of the console's report page, over goodword.services.report."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from console_api.auth import caller
from console_api.routes.stores import stores
from goodword.services import report
from goodword.services.since import since as since_time

router = Router()  # type: ignore[no-untyped-call]

Since = Annotated[str, Query(description="how far back: 30m, 24h, 7d, 2w, or a date")]


@router.get("/api/report")
def show(since: Since = "7d") -> dict[str, Any]:
    """Per rule, per platform and per day, what became of the offers sent, and the totals."""
    caller(router.current_event.raw_event)
    return report.read(stores(), since_time(since)).as_lists()


@router.get("/api/report.csv")
def as_csv(since: Since = "7d") -> Response[str]:
    """Per day and rule: offers, sent, claims and the budget used, as CSV with a header row."""
    caller(router.current_event.raw_event)
    text = report.as_csv(report.read(stores(), since_time(since)))
    return Response(
        status_code=200,
        content_type="text/csv; charset=utf-8",
        body=text,
        headers={"Content-Disposition": 'attachment; filename="goodword-report.csv"'},
    )
