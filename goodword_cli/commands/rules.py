"""goodword rules validate|push|pull|list|enable|disable|history|rollback (test and backtest
are in rules_eval.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click

from goodword.rules.model import Rule
from goodword.services import rules as service
from goodword.services.errors import Conflict, NotFound, ServiceError
from goodword_cli.app import App, pass_app
from goodword_cli.commands import rules_eval
from goodword_cli.output import EXIT_CONFLICT, EXIT_PROBLEMS, CliError, console, emit_json, json_option, table
from goodword_cli.rule_files import RuleFile, dump, expand, load, load_all, same_rule
from goodword_cli.service_errors import refused

CACHE = "the pipeline's rules cache (RulesCacheSeconds: 120 s unless the stack sets it)"
TAKES_EFFECT = f"pushed rules take effect within {CACHE}"


@click.group()
def rules() -> None:
    """Rules as YAML files: validate, push (with a diff), pull, list, enable, disable,
    history, rollback, test against one event, backtest over stored events."""


def _warnings(rules: list[Rule], files: list[RuleFile]) -> list[str]:
    """Rules that can never run, named by their file when they have one."""
    where = {f.rule_id: str(f.path) for f in files}
    return service.warnings_for(rules, lambda rule_id: where.get(rule_id, "live"))


def _problems_or_exit(files: list[RuleFile], as_json: bool, warnings: list[str] | None = None) -> None:
    bad = [p for f in files for p in f.problems]
    if as_json:
        emit_json(
            {
                "valid": not bad,
                "warnings": warnings or [],
                "files": [
                    {
                        "file": str(f.path),
                        "rule_id": f.rule_id,
                        "valid": not f.problems,
                        "problems": [p.as_json() for p in f.problems],
                    }
                    for f in files
                ],
            }
        )
    else:
        for rule_file in files:
            if not rule_file.problems:
                console.print(f"ok     {rule_file.path}: rule {rule_file.rule_id}")
        for problem in bad:
            console.print(f"error  {problem}", markup=False)
        for warning in warnings or []:
            console.print(f"warning  {warning}", markup=False)
    if bad:
        raise CliError(f"{len(bad)} problem(s) in {sum(1 for f in files if f.problems)} of {len(files)} file(s)", EXIT_PROBLEMS)


def _paths(files: tuple[str, ...]) -> list[Path]:
    found = expand([Path(f) for f in files])
    if not found:
        raise CliError("no rule files given (a directory stands for its *.yaml files)", EXIT_PROBLEMS)
    return found


@rules.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True))
@json_option
def validate(files: tuple[str, ...], as_json: bool) -> None:
    """Check rule files exactly as the pipeline will (schema, placeholders, regular
    expressions, windows, platform policy). No AWS access. Exit status 1 on any problem;
    each names the file, the rule and the field."""
    loaded = load_all(_paths(files))
    _problems_or_exit(loaded, as_json, _warnings([f.rule for f in loaded if f.rule], loaded))
    if not as_json:
        console.print(f"{len(loaded)} rule file(s) valid.")


_HEADER_VERSION = re.compile(r"^(# goodword: pulled version )(\d+)( of )", re.MULTILINE)


@rules.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@json_option
@pass_app
def push(app: App, files: tuple[str, ...], dry_run: bool, as_json: bool) -> None:
    """Validate, show the diff against what is live, then write each changed rule as its
    next version (kept in its history with who and when).

    A file written by `rules pull` remembers the version it was pulled at: if the rule has
    changed since, the push is refused (exit 3) instead of overwriting someone's change.
    Nothing is written when any file has a problem."""
    loaded = load_all(_paths(files))
    if any(f.problems for f in loaded):
        _problems_or_exit(loaded, as_json)
    stores = app.target().stores()
    author = app.target().who()
    report, conflicts = [], []
    for rule_file in loaded:
        assert rule_file.definition is not None  # noqa: S101 (valid files)
        assert rule_file.rule_id is not None  # noqa: S101
        live = stores.rules.get(rule_file.rule_id)
        entry: dict[str, Any] = {
            "id": rule_file.rule_id,
            "file": str(rule_file.path),
            "from_version": live.version if live else None,
        }
        if rule_file.base_version is not None and live is not None and live.version != rule_file.base_version:
            conflicts.append(
                f"{rule_file.path}: rule {rule_file.rule_id} was pulled at version {rule_file.base_version} but is now "
                f"version {live.version} (by {live.updated_by} at {live.updated_at}); pull it again and redo your change"
            )
            report.append({**entry, "action": "conflict"})
            continue
        if live is not None and same_rule(live.definition, rule_file.definition):
            report.append({**entry, "action": "unchanged", "to_version": live.version})
            continue
        entry["diff"] = service.diff(live, rule_file.definition, str(rule_file.path))
        if dry_run:
            report.append({**entry, "action": "would create" if live is None else "would update"})
            continue
        try:
            stored = service.write(
                stores, rule_file.definition, live.version if live else None, author, "push", rule_file.path.name
            )
        except Conflict as exc:
            conflicts.append(f"{rule_file.path}: {exc}; pull it again and redo your change")
            report.append({**entry, "action": "conflict"})
            continue
        report.append({**entry, "action": "created" if live is None else "updated", "to_version": stored.version})
        _bump_header(rule_file.path, stored.version)
    warnings = _warnings(service.live_rules(stores, [f.rule for f in loaded if f.rule]), loaded)
    written = any(e["action"] in ("created", "updated") for e in report)
    if as_json:
        emit_json(
            {
                "dry_run": dry_run,
                "rules": report,
                "conflicts": conflicts,
                "warnings": warnings,
                **({"takes_effect": TAKES_EFFECT} if written else {}),
            }
        )
    else:
        _print_push(report, warnings, written)
    if conflicts:
        raise CliError("refused, changed by someone else since:\n  " + "\n  ".join(conflicts), EXIT_CONFLICT)


def _print_push(report: list[dict[str, Any]], warnings: list[str], written: bool) -> None:
    for entry in report:
        if entry.get("diff"):
            console.print(entry["diff"], markup=False, end="")
        console.print(f"{entry['action']:12} {entry['id']} {_versions(entry)}".rstrip(), markup=False)
    for warning in warnings:
        console.print(f"warning  {warning}", markup=False)
    if written:
        console.print(f"Pushed: {TAKES_EFFECT}.", markup=False)


def _versions(entry: dict[str, Any]) -> str:
    if not entry.get("to_version"):
        return ""
    if entry.get("from_version") is None:
        return f"(new, v{entry['to_version']})"
    if entry["from_version"] == entry["to_version"]:
        return f"(v{entry['to_version']})"
    return f"v{entry['from_version']} -> v{entry['to_version']}"


def _bump_header(path: Path, version: int) -> None:
    """A pulled file pushed again is based on the version it just became."""
    text = path.read_text(encoding="utf-8")
    if _HEADER_VERSION.search(text):
        path.write_text(_HEADER_VERSION.sub(rf"\g<1>{version}\g<3>", text, count=1), encoding="utf-8")


@rules.command()
@click.argument("rule_ids", nargs=-1)
@click.option("--dir", "directory", default="rules", show_default=True, type=click.Path(file_okay=False), help="Where to write.")
@click.option("--force", is_flag=True, help="Overwrite files that differ from what is live.")
@json_option
@pass_app
def pull(app: App, rule_ids: tuple[str, ...], directory: str, force: bool, as_json: bool) -> None:
    """Write live rules (all, or those named) to DIR/<id>.yaml, each with a header naming
    its version so that a later push can detect changes made meanwhile."""
    store = app.target().rules()
    live = store.all()
    missing = sorted(set(rule_ids) - {r.rule_id for r in live})
    if missing:
        raise CliError(f"no such rule: {', '.join(missing)}", EXIT_PROBLEMS)
    chosen = [r for r in live if not rule_ids or r.rule_id in rule_ids]
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written, unchanged, kept = [], [], []
    for stored in chosen:
        path = folder / f"{stored.rule_id}.yaml"
        text = dump(stored.definition, stored.version, app.target().description)
        if path.exists() and not force:
            existing = load(path)
            if existing.definition is not None and same_rule(existing.definition, stored.definition):
                # the same rule: the file keeps its comments and layout
                unchanged.append({"id": stored.rule_id, "version": stored.version, "file": str(path)})
                continue
            if _body(path.read_text(encoding="utf-8")) != _body(text):
                kept.append(str(path))
                continue
        path.write_text(text, encoding="utf-8")
        written.append({"id": stored.rule_id, "version": stored.version, "file": str(path)})
    if as_json:
        emit_json({"written": written, "unchanged": unchanged, "kept": kept})
    else:
        for entry in written:
            console.print(f"pulled     {entry['file']} (version {entry['version']})")
        for entry in unchanged:
            console.print(f"unchanged  {entry['file']} (the live rule, version {entry['version']}; file left as it is)")
    if kept:
        raise CliError(f"kept files with changes not pushed (use --force to overwrite): {', '.join(kept)}", EXIT_PROBLEMS)


def _body(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("# goodword: "))


@rules.command("list")
@json_option
@pass_app
def list_rules(app: App, as_json: bool) -> None:
    """Live rules with their version, state and last change. A stored rule the pipeline
    would skip (invalid) is marked with why."""
    entries = [
        {**r.stored.as_json(), "problems": [f"{p.path}: {p.message}" for p in r.problems]}
        for r in service.list_rules(app.target().stores(), today=False)
    ]
    if as_json:
        emit_json({"rules": entries})
        return
    table(
        "Rules",
        ["id", "version", "state", "name", "last change"],
        [
            (
                e["id"],
                e["version"],
                "INVALID: " + "; ".join(e["problems"]) if e["problems"] else ("enabled" if e["enabled"] else "disabled"),
                e["name"],
                f"{e['updated_at'] or ''} {e['updated_by'] or ''}".strip(),
            )
            for e in entries
        ],
        empty="no rules",
        whole=["id"],
    )


def _set_enabled(app: App, rule_id: str, enabled: bool) -> None:
    word = "enabled" if enabled else "disabled"
    try:
        saved = service.set_enabled(app.target().stores(), rule_id, enabled, app.target().who())
    except ServiceError as exc:
        raise refused(exc) from None
    if not saved.changed:
        console.print(f"{rule_id} is already {word} (version {saved.version}); nothing written")
        return
    console.print(f"{rule_id} {word}: version {saved.version}")


@rules.command()
@click.argument("rule_id")
@pass_app
def enable(app: App, rule_id: str) -> None:
    """Turn a rule on (a new version)."""
    _set_enabled(app, rule_id, True)


@rules.command()
@click.argument("rule_id")
@pass_app
def disable(app: App, rule_id: str) -> None:
    """Turn a rule off (a new version); it stays live and keeps its history."""
    _set_enabled(app, rule_id, False)


@rules.command()
@click.argument("rule_id")
@json_option
@pass_app
def history(app: App, rule_id: str, as_json: bool) -> None:
    """Every version of a rule: what changed it, who and when."""
    try:
        entries = [v.stored for v in service.history(app.target().stores(), rule_id).versions]
    except ServiceError as exc:
        raise refused(exc) from None
    if as_json:
        emit_json({"rule_id": rule_id, "versions": [{**e.as_json(), "definition": e.definition} for e in entries]})
        return
    table(
        f"History of {rule_id}",
        ["version", "change", "when (UTC)", "who", "source"],
        [(e.version, e.change, (e.updated_at or "")[:16].replace("T", " "), e.updated_by, e.source) for e in entries],
        whole=["version"],
    )


@rules.command()
@click.argument("rule_id")
@click.argument("version", type=int)
@pass_app
def rollback(app: App, rule_id: str, version: int) -> None:
    """Make an earlier version live again, as a new version (history is never rewritten)."""
    try:
        stored = service.rollback(app.target().stores(), rule_id, version, app.target().who())
    except NotFound as exc:
        hint = "`goodword rules list`" if exc.message.startswith("no such rule") else f"`goodword rules history {rule_id}`"
        raise refused(exc, suffix=f" (see {hint})") from None
    except ServiceError as exc:
        raise refused(exc) from None
    console.print(f"{rule_id} rolled back to version {version}: now version {stored.version}")


rules.add_command(rules_eval.test)
rules.add_command(rules_eval.backtest)
