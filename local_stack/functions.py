"""Worker processes per function, like Lambda's execution environments: each loads the
handler once, runs one invocation at a time, and is replaced when it times out or dies."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from local_stack.aws import FAKE_CREDENTIALS, REGION
from local_stack.deploy import FunctionSpec

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Invocation:
    ok: bool
    result: Any = None
    error_type: str = ""
    error_message: str = ""
    duration_ms: float = 0.0


class _Worker:
    def __init__(self, spec: FunctionSpec, endpoint: str, log: IO[str]) -> None:
        read_fd, write_fd = os.pipe()
        env = {
            **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TZ", "SYSTEMROOT")},
            **FAKE_CREDENTIALS,
            **spec.environment,
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_REGION": REGION,
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory),
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(spec.timeout),
            "AWS_SAM_LOCAL": "true",
            # Everything the local stack talks to (fake platforms, recorders) is on loopback.
            "NOTIFY_ALLOW_PRIVATE_NETWORKS": "true",
            "PYTHONUNBUFFERED": "1",
            "LOCAL_STACK_FUNCTION_ARN": spec.arn,
            "LOCAL_STACK_HANDLER": spec.handler,
            "LOCAL_STACK_CODE_PATHS": json.dumps([str(p) for p in spec.code_paths]),
            "LOCAL_STACK_RESPONSE_FD": str(write_fd),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "local_stack.worker"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=[write_fd],
            text=True,
        )
        os.close(write_fd)
        self.responses = os.fdopen(read_fd, "r")
        self.spec = spec
        ready = self._read(timeout=60)
        if not ready or not ready.get("ready"):
            self.kill()
            detail = f"{ready.get('errorType')}: {ready.get('errorMessage')}" if ready else "no answer"
            raise RuntimeError(f"{spec.logical_id} could not load {spec.handler}: {detail}")

    def _read(self, timeout: float) -> dict[str, Any] | None:
        ready, _, _ = select.select([self.responses], [], [], timeout)
        if not ready:
            return None
        line = self.responses.readline()
        return json.loads(line) if line else None

    def invoke(self, event: Any, request_id: str) -> Invocation:
        started = time.monotonic()
        assert self.process.stdin is not None  # noqa: S101
        try:
            self.process.stdin.write(json.dumps({"event": event, "request_id": request_id}) + "\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            return Invocation(False, error_type="Runtime.ExitError", error_message="the worker process exited")
        answer = self._read(timeout=self.spec.timeout + 1)
        duration = (time.monotonic() - started) * 1000
        if answer is None:
            self.kill()
            timed_out = duration >= self.spec.timeout * 1000
            return Invocation(
                False,
                error_type="Sandbox.Timedout" if timed_out else "Runtime.ExitError",
                error_message=f"Task timed out after {self.spec.timeout} seconds" if timed_out else "the worker exited",
                duration_ms=duration,
            )
        if answer.get("ok"):
            return Invocation(True, result=answer.get("result"), duration_ms=duration)
        return Invocation(
            False, error_type=answer.get("errorType", ""), error_message=answer.get("errorMessage", ""), duration_ms=duration
        )

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        self.responses.close()


class FunctionPool:
    """Up to ``concurrency`` workers for one function, started on demand."""

    def __init__(self, spec: FunctionSpec, endpoint: str, log_dir: Path, concurrency: int, on_invoke: Any = None) -> None:
        self.spec = spec
        self.endpoint = endpoint
        self.concurrency = concurrency
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{spec.logical_id}.log"
        self.log = self.log_path.open("a", buffering=1)
        self.on_invoke = on_invoke
        self._idle: list[_Worker] = []
        self._count = 0
        self._condition = threading.Condition()
        self._closed = False

    def start(self) -> None:
        """Start one worker now, so a handler that cannot load fails the stack's start."""
        worker = _Worker(self.spec, self.endpoint, self.log)
        with self._condition:
            self._count += 1
            self._idle.append(worker)

    def _acquire(self) -> _Worker:
        with self._condition:
            while True:
                if self._closed:
                    raise RuntimeError("the local stack is stopping")
                if self._idle:
                    return self._idle.pop()
                if self._count < self.concurrency:
                    self._count += 1
                    break
                self._condition.wait()
        try:
            return _Worker(self.spec, self.endpoint, self.log)
        except Exception:
            with self._condition:
                self._count -= 1
                self._condition.notify()
            raise

    def invoke(self, event: Any, source: str) -> Invocation:
        request_id = str(uuid.uuid4())
        worker = self._acquire()
        try:
            result = worker.invoke(event, request_id)
        finally:
            with self._condition:
                if worker.alive and not self._closed:
                    self._idle.append(worker)
                else:
                    worker.kill()
                    self._count -= 1
                self._condition.notify()
        if self.on_invoke:
            self.on_invoke(self.spec, source, result)
        return result

    def close(self) -> None:
        with self._condition:
            self._closed = True
            workers, self._idle = self._idle, []
            self._condition.notify_all()
        for worker in workers:
            worker.kill()
        self.log.close()
