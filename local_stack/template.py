"""Translate template.yaml and split it into what moto deploys and what we emulate."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samcli.yamlhelper import yaml_parse
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

CODE_BUCKET = "goodword-local-code"

# Resource types moto's CloudFormation cannot create faithfully; the local stack emulates
# them. Everything else is deployed into moto as the template says.
EMULATED_TYPES = (
    "AWS::ApiGatewayV2::",  # HTTP front end
    "AWS::ApiGateway::",
    "AWS::Lambda::EventSourceMapping",  # stream and queue pollers
    "AWS::Lambda::Permission",  # nothing to permit locally
    "AWS::Events::Rule",  # schedules
    "AWS::Scheduler::Schedule",
    "AWS::SecretsManager::Secret",  # moto's CloudFormation skips it without an error
    "AWS::Events::EventBus",  # moto's CloudFormation gives an object, not the name, for !Ref
    "AWS::CloudWatch::Alarm",  # nothing publishes the metrics they watch locally: not deployed
    "AWS::Cognito::",  # moto's CloudFormation has no Cognito: the pool, client and groups are made directly
)


def is_emulated(resource_type: str) -> bool:
    return resource_type.startswith(EMULATED_TYPES)


@dataclass
class Translated:
    sam: dict[str, Any]  # the template as written
    cfn: dict[str, Any]  # plain CloudFormation, code locations pointing at the local code bucket
    code_paths: dict[str, Path] = field(default_factory=dict)  # function/layer logical id -> source folder
    parameters: dict[str, str] = field(default_factory=dict)  # overrides of the template's defaults


def translate(template_path: Path, parameters: dict[str, str] | None = None) -> Translated:
    sam: dict[str, Any] = yaml_parse(template_path.read_text())
    to_translate = copy.deepcopy(sam)
    global_code = to_translate.get("Globals", {}).get("Function", {}).pop("CodeUri", None)
    code_paths: dict[str, Path] = {}
    for logical_id, resource in to_translate["Resources"].items():
        props = resource.setdefault("Properties", {})
        key = {"AWS::Serverless::Function": "CodeUri", "AWS::Serverless::LayerVersion": "ContentUri"}.get(resource["Type"])
        if key is None:
            continue
        location = props.get(key) or (global_code if key == "CodeUri" else None) or "."
        code_paths[logical_id] = (template_path.parent / str(location)).resolve()
        props[key] = f"s3://{CODE_BUCKET}/{logical_id}.zip"
    cfn: dict[str, Any] = Translator(None, Parser()).translate(
        to_translate, parameter_values=dict(parameters or {}), get_managed_policy_map=lambda: {}
    )
    unknown = set(parameters or {}) - set(sam.get("Parameters", {}))
    if unknown:
        raise ValueError(f"the template has no parameter {', '.join(sorted(unknown))}")
    return Translated(sam=sam, cfn=cfn, code_paths=code_paths, parameters=dict(parameters or {}))


def deployable(cfn: dict[str, Any], literals: dict[str, str]) -> dict[str, Any]:
    """The template moto deploys: emulated resources removed, references to them replaced
    by ``literals`` (logical id -> value of Ref; "logical id.Attribute" -> value of Fn::GetAtt),
    outputs that still need them dropped."""
    removed = {k for k, r in cfn["Resources"].items() if is_emulated(r["Type"])}
    body = copy.deepcopy(cfn)
    body["Resources"] = {k: substitute(v, literals) for k, v in body["Resources"].items() if k not in removed}
    outputs = {}
    for name, output in body.get("Outputs", {}).items():
        resolved = substitute(output, literals)
        if not _references(resolved, removed):
            outputs[name] = resolved
    body["Outputs"] = outputs
    return body


def _references(node: Any, logical_ids: set[str]) -> bool:
    text = json.dumps(node)
    return any(f'"{lid}"' in text or f"${{{lid}" in text for lid in logical_ids)


def substitute(node: Any, literals: dict[str, str]) -> Any:
    if isinstance(node, dict):
        if set(node) == {"Ref"} and node["Ref"] in literals:
            return literals[node["Ref"]]
        if set(node) == {"Fn::GetAtt"} and isinstance(node["Fn::GetAtt"], list):
            attribute = ".".join(str(part) for part in node["Fn::GetAtt"])
            if attribute in literals:
                return literals[attribute]
        if set(node) == {"Fn::Sub"} and isinstance(node["Fn::Sub"], str):
            text = node["Fn::Sub"]
            for lid, value in literals.items():
                text = text.replace(f"${{{lid}}}", value)
            return {"Fn::Sub": text}
        return {k: substitute(v, literals) for k, v in node.items()}
    if isinstance(node, list):
        return [substitute(v, literals) for v in node]
    return node
