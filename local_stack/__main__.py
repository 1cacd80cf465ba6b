"""python -m local_stack serve|demo — see docs/local.md."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from local_stack.stack import LocalStack, Options, StackError


def _options(args: argparse.Namespace) -> Options:
    config = None if args.config == "none" else Path(args.config).resolve()
    return Options(
        host=args.host,
        port=args.port,
        aws_port=args.aws_port,
        concurrency=args.concurrency,
        template=Path(args.template).resolve(),
        config=config,
        parameters=dict(_parameter(p) for p in args.parameter),
    )


def _parameter(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name:
        raise SystemExit(f"--parameter takes NAME=VALUE, e.g. RulesCacheSeconds=0 (got {text!r})")
    return name, value


def _add_common(parser: argparse.ArgumentParser, port: int, aws_port: int) -> None:
    parser.add_argument(
        "--host",
        default=os.environ.get("GOODWORD_LOCAL_HOST", "127.0.0.1"),
        help="interface to listen on (default 127.0.0.1; env GOODWORD_LOCAL_HOST)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("GOODWORD_LOCAL_PORT", port)),
        help=f"HTTP port of the webhook URLs, 0 for any free one (default {port}; env GOODWORD_LOCAL_PORT)",
    )
    parser.add_argument(
        "--aws-port",
        type=int,
        default=int(os.environ.get("GOODWORD_LOCAL_AWS_PORT", aws_port)),
        help=f"port of the local AWS endpoint (moto), 0 for any (default {aws_port}; env GOODWORD_LOCAL_AWS_PORT)",
    )
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes per function at most (default 2)")
    root = Path(__file__).resolve().parents[1]
    parser.add_argument("--template", default=str(root / "template.yaml"), help="the SAM template to run (default template.yaml)")
    parser.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a template parameter, e.g. RulesCacheSeconds=0 (repeatable)",
    )
    parser.add_argument(
        "--config",
        default=str(root / "local_stack" / "local-dev.json"),
        help="development secrets and table items to load at start, or 'none' (default local_stack/local-dev.json)",
    )


def serve(args: argparse.Namespace) -> int:
    stack = LocalStack(_options(args))
    stopping = threading.Event()
    failed: list[str] = []

    def on_signal(signum: int, _frame: object) -> None:
        stopping.set()

    def on_fatal(message: str) -> None:
        failed.append(message)
        stopping.set()

    stack.on_fatal = on_fatal

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        stack.start()
    except StackError as exc:
        print(f"local stack: {exc}", file=sys.stderr)
        return 2
    status = stack.status()
    if args.state_file:
        stack.write_state(Path(args.state_file))
    lines = [
        f"Goodword local stack '{status['stack']}' is running.",
        f"  Webhook URLs:       {status['webhook_base_url']}/{{platform}}   (x, meta, linkedin, twitch, standard)",
        *_console_lines(status["console_url"], status["console_users"]),
        f"  Local AWS endpoint: {status['aws_endpoint_url']}   (AWS_ENDPOINT_URL; region {status['region']}, any credentials)",
        f"  Status:             {status['base_url']}/__local/status",
        "  Resources:",
        *(f"    {lid:28} {r['type']:32} {r['physical_id']}" for lid, r in status["resources"].items()),
        "  Routes: " + "; ".join(status["routes"]),
        "  Event sources: " + ("; ".join(status["event_sources"]) or "none"),
        "  Loaded: " + "; ".join(status["loaded"]),
        f"  Logs (functions, moto): {status['logs']}",
        "The goodword command (.venv/bin/goodword) reaches this stack with --local, or in any shell after:",
        f"  export GOODWORD_LOCAL_URL={status['base_url']}",
        *_rules_cache_lines(status["rules_cache_seconds"]),
        "Ctrl-C stops everything.",
    ]
    print("\n".join(lines), flush=True)
    stopping.wait()
    print("Stopping the local stack...", flush=True)
    stack.stop()
    if args.state_file:
        Path(args.state_file).unlink(missing_ok=True)
    if failed:
        print(f"local stack: {failed[0]}", file=sys.stderr, flush=True)
        return 1
    return 0


def _console_lines(url: str | None, users: list[dict[str, str]]) -> list[str]:
    if not url:
        return []
    return [
        f"  Console:            {url}",
        *(f"    sign in as {u['email']} ({u['group']}), password {u['password']}" for u in users),
    ]


def _rules_cache_lines(seconds: int | None) -> list[str]:
    if seconds is None:
        return []
    if seconds == 0:
        return ["Rules and settings you push apply at once (RulesCacheSeconds=0)."]
    return [
        f"Rules and settings you push apply within {seconds} s (the pipeline caches them: RulesCacheSeconds).",
        '  To apply them at once: make serve SERVE_ARGS="--parameter RulesCacheSeconds=0"',
    ]


def demo(args: argparse.Namespace) -> int:
    from local_stack.demo import run

    return run(_options(args))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local_stack", description="Run Goodword's template on this machine.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="start the stack and keep it running (make serve)")
    _add_common(serve_parser, 3000, 3001)
    serve_parser.add_argument("--state-file", help="write the stack's URLs and resources here as JSON once started")
    serve_parser.set_defaults(run=serve)
    demo_parser = commands.add_parser("demo", help="deliver every sample, show what happened, stop (make demo)")
    _add_common(demo_parser, 0, 0)
    demo_parser.set_defaults(run=demo)
    args = parser.parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
