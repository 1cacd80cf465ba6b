"""Start, observe and stop the local stack."""

from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from local_stack import aws, dev_config
from local_stack.authorizer import IssuerKeys
from local_stack.deploy import Deployment, FunctionSpec, deploy, local_api_url, point_at_front
from local_stack.fake_platforms import FakePlatforms
from local_stack.functions import FunctionPool, Invocation
from local_stack.http_front import HttpFront, Route, routes_from_template
from local_stack.sources.base import Poller
from local_stack.sources.queues import QueuePoller
from local_stack.sources.schedules import Schedule, schedules_from_template
from local_stack.sources.streams import StreamPoller
from local_stack.template import translate

ROOT = Path(__file__).resolve().parents[1]
LOG_FOLDERS_KEPT = 20  # of stopped stacks; a running stack's folder is never removed


class StackError(RuntimeError):
    """A problem the user can fix (a port in use, a template moto cannot deploy...)."""


@dataclass
class Options:
    host: str = "127.0.0.1"
    port: int = 3000  # HTTP front end (the webhook URLs)
    aws_port: int = 3001  # the moto server (AWS_ENDPOINT_URL)
    stack_name: str = "goodword-local"
    template: Path = ROOT / "template.yaml"
    config: Path | None = dev_config.DEFAULT
    work_dir: Path = ROOT / ".local-stack"
    concurrency: int = 2  # worker processes per function at most
    parameters: dict[str, str] = field(default_factory=dict)


def _log_to_stdout(line: str) -> None:
    print(f"{datetime.now().strftime('%H:%M:%S')} {line}", flush=True)


class LocalStack:
    def __init__(self, options: Options, log: Callable[[str], None] = _log_to_stdout, log_invocations: bool = True) -> None:
        self.options = options
        self.log = log
        self.log_invocations = log_invocations
        self.moto: subprocess.Popen[bytes] | None = None
        self.deployment: Deployment | None = None
        self.pools: dict[str, FunctionPool] = {}
        self.pollers: list[Poller] = []
        self.schedules: list[Schedule] = []
        self.front: HttpFront | None = None
        self.routes: list[Route] = []
        self.loaded: list[str] = []
        self.last_activity = 0.0
        self.invocations: list[tuple[str, str, Invocation]] = []
        self.on_fatal: Callable[[str], None] | None = None  # called once if the local AWS dies
        self.platforms: FakePlatforms | None = None  # the platforms' read APIs and the brand's fulfilment URL, faked
        self.log_dir: Path | None = None  # this stack's own: the functions' logs and moto.log
        self.console_users: list[dict[str, str]] = []  # the development users of the console (email, group, password)

    # --- start and stop --------------------------------------------------------------

    def start(self) -> LocalStack:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        options = self.options
        if options.aws_port == 0:
            options.aws_port = free_port(options.host)
        if options.port == 0:  # known before the functions start: links to the claim page name it
            options.port = free_port(options.host)
        _check_port_free(options.host, options.port, "the HTTP front end (--port / GOODWORD_LOCAL_PORT)")
        _check_port_free(options.host, options.aws_port, "the local AWS endpoint (--aws-port / GOODWORD_LOCAL_AWS_PORT)")
        self.log_dir = log_dir = new_log_dir(options.work_dir)
        self._start_moto(log_dir)
        try:
            translated = translate(options.template, options.parameters)
        except ValueError as exc:
            raise StackError(str(exc)) from None
        self.deployment = deployment = deploy(translated, options.stack_name)
        self.platforms = FakePlatforms(options.host).start()
        if options.config:
            document = dev_config.load(options.config)
            self.loaded = dev_config.apply(document, deployment, self.platforms.fulfilment_url)
            self.console_users = dev_config.console_users(document, deployment)
        if point_at_front(deployment.functions, local_api_url(aws.REGION), self.base_url):
            self.loaded.append(f"offers link to the claim page at {self.base_url}/claim/")
        if pointed := dev_config.point_reads_at(deployment, self.platforms.base_urls):
            self.loaded.append(pointed)
        self.platforms.brand.secret = dev_config.notify_secret(deployment)
        endpoint = os.environ["AWS_ENDPOINT_URL"]
        for logical_id, spec in deployment.functions.items():
            pool = FunctionPool(spec, endpoint, log_dir, options.concurrency, self._invoked)
            pool.start()
            self.pools[logical_id] = pool
        self.routes = routes_from_template(deployment.emulated, self._function_for_uri)
        self._wire_event_sources(deployment)
        self.front = HttpFront(
            options.host, options.port, self.routes, self.pools, self._admin, self._front_log, IssuerKeys(self._issuer_keys)
        )
        self.front.start()
        for poller in self.pollers:
            poller.start()
        for schedule in self.schedules:
            schedule.start()

    def _start_moto(self, log_dir: Path) -> None:
        moto_log = (log_dir / "moto.log").open("w")
        self.moto = subprocess.Popen(
            [sys.executable, "-m", "local_stack.moto_server", self.options.host, str(self.options.aws_port)],
            cwd=ROOT,
            stdout=moto_log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.moto.poll() is not None:
                raise StackError(f"the moto server exited at start; see {log_dir / 'moto.log'}")
            with socket.socket() as probe:
                if probe.connect_ex((self.options.host, self.options.aws_port)) == 0:
                    break
            time.sleep(0.05)
        else:
            raise StackError(f"the moto server did not listen on port {self.options.aws_port} within 30 s")
        os.environ.update(aws.FAKE_CREDENTIALS)
        os.environ["AWS_ENDPOINT_URL"] = self.aws_endpoint_url
        aws.reset()
        threading.Thread(target=self._watch_moto, args=(self.moto, log_dir), name="moto-watchdog", daemon=True).start()

    def _watch_moto(self, moto: subprocess.Popen[bytes], log_dir: Path) -> None:
        """If the local AWS dies, nothing can work: say so once and stop, instead of every
        poller failing in a loop."""
        code = moto.wait()
        if self.moto is not moto:  # stopped on purpose
            return
        message = (
            f"the local AWS (moto server) stopped unexpectedly (exit code {code}); "
            f"see {log_dir / 'moto.log'}. Stopping the local stack."
        )
        self.log(message)
        if self.on_fatal is not None:
            self.on_fatal(message)

    def _wire_event_sources(self, deployment: Deployment) -> None:
        for logical_id, resource in deployment.emulated.items():
            if resource["Type"] != "AWS::Lambda::EventSourceMapping":
                continue
            props = resource["Properties"]
            if props.get("Enabled") is False:
                continue
            spec = deployment.function_by_arn_or_name(str(props["FunctionName"]))
            arn = props.get("EventSourceArn")
            if spec is None or not isinstance(arn, str):
                raise StackError(f"{logical_id}: cannot resolve its function or event source ARN")
            pool = self.pools[spec.logical_id]
            if ":dynamodb:" in arn and "/stream/" in arn:
                self.pollers.append(StreamPoller(logical_id, pool, self.log, arn, props))
            elif ":sqs:" in arn:
                self.pollers.append(QueuePoller(logical_id, pool, self.log, arn, props))
            else:
                raise StackError(f"{logical_id}: event source {arn} is not supported locally (DynamoDB streams and SQS are)")
        for name, expression, target, payload in schedules_from_template(deployment.emulated):
            spec = deployment.function_by_arn_or_name(str(target))
            if spec is None:
                raise StackError(f"schedule {name}: cannot resolve its target {target}")
            self.schedules.append(Schedule(name, expression, self.pools[spec.logical_id], payload, self.log))

    def _function_for_uri(self, uri: str) -> str | None:
        assert self.deployment is not None  # noqa: S101
        arn = uri.split("/functions/", 1)[-1].removesuffix("/invocations")
        spec = self.deployment.function_by_arn_or_name(arn)
        return spec.logical_id if spec else None

    def _issuer_keys(self, issuer: str) -> dict[str, Any]:
        """A Cognito user pool's signing keys (JWKS), as the moto server publishes them: the
        issuer is https://cognito-idp.<region>.amazonaws.com/<pool id>."""
        pool_id = issuer.rstrip("/").rsplit("/", 1)[-1]
        with urllib.request.urlopen(f"{self.aws_endpoint_url}/{pool_id}/.well-known/jwks.json", timeout=10) as answer:
            keys: dict[str, Any] = json.loads(answer.read())
            return keys

    def stop(self) -> None:
        if self.front:
            self.front.stop()
        for schedule in self.schedules:
            schedule.stop()
        for poller in self.pollers:
            poller.stop()
        for pool in self.pools.values():
            pool.close()
        if self.platforms:
            self.platforms.stop()
            self.platforms = None
        moto, self.moto = self.moto, None  # the watchdog sees a deliberate stop
        if moto and moto.poll() is None:
            moto.terminate()
            try:
                moto.wait(timeout=10)
            except subprocess.TimeoutExpired:
                moto.kill()
        self.front, self.schedules, self.pollers, self.pools = None, [], [], {}

    # --- observing -----------------------------------------------------------------

    @property
    def aws_endpoint_url(self) -> str:
        return f"http://{self.options.host}:{self.options.aws_port}"

    @property
    def base_url(self) -> str:
        port = self.front.port if self.front else self.options.port
        return f"http://{self.options.host}:{port}"

    @property
    def rules_cache_seconds(self) -> int | None:
        """How long the pipeline keeps rules and settings before reading them again (the
        template's RulesCacheSeconds, as deployed); None for a template without it."""
        for spec in self.deployment.functions.values() if self.deployment else ():
            if "RULES_CACHE_SECONDS" in spec.environment:
                return int(spec.environment["RULES_CACHE_SECONDS"])
        return None

    def _invoked(self, spec: FunctionSpec, source: str, result: Invocation) -> None:
        self.last_activity = time.monotonic()
        self.invocations.append((spec.logical_id, source, result))
        if self.log_invocations:
            outcome = "ok" if result.ok else f"{result.error_type}: {result.error_message}"
            self.log(f"{spec.logical_id} <- {source}: {outcome} ({result.duration_ms:.0f} ms)")

    def _front_log(self, line: str) -> None:
        if self.log_invocations:
            self.log(line)

    def idle(self) -> dict[str, Any]:
        """Idle: no request in flight, no unprocessed stream record, no queued or in-flight
        message, and every poller has looked since the last activity."""
        front = self.front
        last = max(self.last_activity, front.last_request_end if front else 0.0)
        in_flight = front.in_flight if front else 0
        pollers = {p.name: p.idle(last) for p in self.pollers}
        return {"idle": in_flight == 0 and all(pollers.values()), "in_flight_requests": in_flight, "pollers": pollers}

    def wait_idle(self, timeout: float = 60.0, settle: float = 0.3) -> bool:
        deadline = time.monotonic() + timeout
        streak = 0
        while time.monotonic() < deadline:
            streak = streak + 1 if self.idle()["idle"] else 0
            if streak >= 2:
                return True
            time.sleep(settle)
        return False

    @property
    def console_url(self) -> str | None:
        """The console's address on the local front end (the template's ConsoleUrl), if the stack has one."""
        url = self.deployment.outputs.get("ConsoleUrl") if self.deployment else None
        return url.replace(local_api_url(aws.REGION), self.base_url) if url else None

    def status(self) -> dict[str, Any]:
        deployment = self.deployment
        return {
            "stack": self.options.stack_name,
            "webhook_base_url": f"{self.base_url}/webhooks",
            "console_url": self.console_url,
            "console_users": self.console_users,
            "base_url": self.base_url,
            "aws_endpoint_url": self.aws_endpoint_url,
            "fake_platforms_url": self.platforms.root if self.platforms else None,  # and the fake Slack at /slack/
            "region": aws.REGION,
            "pid": os.getpid(),
            "aws_pid": self.moto.pid if self.moto else None,
            "logs": str(self.log_dir) if self.log_dir else None,
            "rules_cache_seconds": self.rules_cache_seconds,
            "resources": {
                lid: {"type": t, "physical_id": p} for lid, (t, p) in (deployment.resources if deployment else {}).items()
            },
            "functions": {
                lid: {"name": s.name, "handler": s.handler, "log": str(self.pools[lid].log_path)}
                for lid, s in (deployment.functions if deployment else {}).items()
            },
            "routes": [r.route_key + f" -> {r.function}" for r in self.routes],
            "event_sources": [p.name for p in self.pollers] + [s.name for s in self.schedules],
            "loaded": self.loaded,
        }

    def _admin(self, path: str) -> tuple[int, Any]:
        if path == "status":
            return 200, {**self.status(), **self.idle()}
        if path == "idle":
            return 200, self.idle()
        return 404, {"message": "unknown admin path; use /__local/status or /__local/idle"}

    def write_state(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(json.dumps(self.status(), indent=2) + "\n")
        partial.replace(path)  # atomic: a reader never sees half a file


def new_log_dir(work_dir: Path) -> Path:
    """A log folder of the stack's own, ``work_dir/logs/<start time>-pid<pid>-<unique>``, so that
    stacks (make serve, make demo, the test stacks) never write to one another's files. The
    folders of stopped stacks beyond the newest LOG_FOLDERS_KEPT are removed."""
    root = work_dir / "logs"
    root.mkdir(parents=True, exist_ok=True)
    stopped = sorted((p for p in root.iterdir() if p.is_dir() and not _running(p.name)), reverse=True)
    for old in stopped[LOG_FOLDERS_KEPT - 1 :]:
        shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{datetime.now():%Y%m%d-%H%M%S}-pid{os.getpid()}-", dir=root))


def _running(folder: str) -> bool:
    """Whether the process that named this log folder still runs (a folder not named so: kept)."""
    pid = next((part[3:] for part in folder.split("-") if part.startswith("pid")), "")
    if not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _check_port_free(host: str, port: int, what: str) -> None:
    if port == 0:
        return
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise StackError(f"port {port} is already in use; choose another port for {what}") from None
            raise StackError(f"cannot use {host}:{port} for {what}: {exc.strerror}") from None


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port
