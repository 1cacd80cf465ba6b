"""A function's worker process: loads the handler from the function's folders, then runs
invocations read as JSON lines on stdin, answering on the file descriptor in
LOCAL_STACK_RESPONSE_FD. Its stdout and stderr are the function's log."""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
import uuid
from pathlib import Path
from typing import Any

_PROJECT_ROOT = Path(__file__).resolve().parents[1]


class LambdaContext:
    def __init__(self, request_id: str, timeout_seconds: int) -> None:
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = int(os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"])
        self.invoked_function_arn = os.environ["LOCAL_STACK_FUNCTION_ARN"]
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def main() -> None:
    response = os.fdopen(int(os.environ.pop("LOCAL_STACK_RESPONSE_FD")), "w", buffering=1)
    code_paths = json.loads(os.environ.pop("LOCAL_STACK_CODE_PATHS"))
    handler_name = os.environ.pop("LOCAL_STACK_HANDLER")
    timeout = int(os.environ["AWS_LAMBDA_FUNCTION_TIMEOUT"])
    # Like Lambda: the function's folder (/var/task), then its layers (/opt/python), then
    # the runtime's packages; never the project's own top-level folders.
    sys.path[:] = [*code_paths, *(p for p in sys.path if p and Path(p).resolve() != _PROJECT_ROOT)]
    try:
        module_name, function_name = handler_name.rsplit(".", 1)
        handler = getattr(importlib.import_module(module_name), function_name)
    except Exception as exc:
        traceback.print_exc()
        response.write(json.dumps({"ready": False, "errorType": type(exc).__name__, "errorMessage": str(exc)}) + "\n")
        return
    response.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        request = json.loads(line)
        request_id = request.get("request_id") or str(uuid.uuid4())
        print(f"START RequestId: {request_id}", flush=True)
        started = time.monotonic()
        answer: dict[str, Any]
        try:
            result = handler(request["event"], LambdaContext(request_id, timeout))
            answer = {"ok": True, "result": json.loads(json.dumps(result, default=str))}
        except Exception as exc:
            traceback.print_exc()
            answer = {"ok": False, "errorType": type(exc).__name__, "errorMessage": str(exc)}
        duration = (time.monotonic() - started) * 1000
        print(f"END RequestId: {request_id} Duration: {duration:.1f} ms", flush=True)
        sys.stdout.flush()
        response.write(json.dumps(answer) + "\n")


if __name__ == "__main__":
    main()
