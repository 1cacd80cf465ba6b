"""Powertools singletons shared by every module: one logger, one metrics, one tracer.

X-Ray SDK subsegments are opt-in (template parameter XRaySdkTracing): Powertools' Tracer
imports the X-Ray SDK even when disabled, and that import creates two AWS SDK clients,
measured at ~250 ms of cold start, too much for a webhook that must answer in seconds.
Lambda's active tracing still records every invocation without the SDK.
"""

from __future__ import annotations

import os
from collections.abc import AsyncGenerator, Generator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.tracing.base import BaseProvider, BaseSegment


class _NoOpSegment(BaseSegment):
    def close(self, end_time: int | None = None) -> None: ...
    def add_subsegment(self, subsegment: Any) -> None: ...
    def remove_subsegment(self, subsegment: Any) -> None: ...
    def put_annotation(self, key: str, value: Any) -> None: ...
    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None: ...
    def add_exception(self, exception: BaseException, stack: Any, remote: bool = False) -> None: ...


class _NoOpProvider(BaseProvider):
    """Stands in for the X-Ray recorder when SDK tracing is off, so it is never imported."""

    @contextmanager
    def in_subsegment(self, name: Any = None, **kwargs: Any) -> Generator[BaseSegment, None, None]:
        yield _NoOpSegment()

    @asynccontextmanager
    async def in_subsegment_async(self, name: Any = None, **kwargs: Any) -> AsyncGenerator[BaseSegment, None]:
        yield _NoOpSegment()

    def put_annotation(self, key: str, value: Any) -> None: ...
    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None: ...
    def patch(self, modules: Sequence[str]) -> None: ...
    def patch_all(self) -> None: ...


def sdk_tracing_enabled() -> bool:
    """Powertools' own rule (on in Lambda unless POWERTOOLS_TRACE_DISABLED), read without
    importing the SDK."""
    disabled = os.getenv("POWERTOOLS_TRACE_DISABLED", "false").strip().lower() in ("1", "true", "yes", "on")
    return "LAMBDA_TASK_ROOT" in os.environ and "AWS_SAM_LOCAL" not in os.environ and not disabled


logger = Logger()
metrics = Metrics()
tracer = Tracer() if sdk_tracing_enabled() else Tracer(provider=_NoOpProvider(), disabled=True, auto_patch=False)
