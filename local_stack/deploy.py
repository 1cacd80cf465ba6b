"""Deploy the translated template into the moto server and resolve what the emulated
resources need (function names, stream and queue ARNs) from the deployed stack itself."""

from __future__ import annotations

import io
import json
import secrets
import string
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local_stack import aws
from local_stack.aws import client
from local_stack.template import CODE_BUCKET, Translated, deployable, is_emulated, substitute

# What !Ref gives for the HTTP API the local front end plays: its URL in the template
# (https://local.execute-api.<region>.amazonaws.com) is the front end's own (local_api_url).
LOCAL_API_ID = "local"
_INTRINSICS = ("Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::If", "Fn::ImportValue", "Fn::FindInMap")


class DeployError(RuntimeError):
    pass


@dataclass
class FunctionSpec:
    logical_id: str
    name: str  # the physical name moto gave it
    arn: str
    handler: str
    timeout: int
    memory: int
    environment: dict[str, str]
    code_paths: list[Path]  # the function folder, then its layers' folders (as in /var/task, /opt/python)


@dataclass
class Deployment:
    stack_name: str
    resources: dict[str, tuple[str, str]]  # logical id -> (type, physical id)
    functions: dict[str, FunctionSpec]  # by logical id
    emulated: dict[str, dict[str, Any]]  # logical id -> resource with intrinsics resolved
    outputs: dict[str, str] = field(default_factory=dict)

    def function_by_arn_or_name(self, ref: str) -> FunctionSpec | None:
        for spec in self.functions.values():
            if ref in (spec.arn, spec.name, spec.logical_id) or ref.startswith(spec.arn + ":"):
                return spec
        return None

    def physical(self, logical_id: str) -> str:
        return self.resources[logical_id][1]


def deploy(translated: Translated, stack_name: str) -> Deployment:
    cfn = translated.cfn
    _upload_code(translated.code_paths)
    literals = {
        **_create_emulated_secrets(cfn, stack_name),
        **_create_emulated_event_buses(cfn, stack_name),
        **_create_emulated_user_pools(cfn, stack_name),
        **{lid: LOCAL_API_ID for lid, r in cfn["Resources"].items() if r["Type"] == "AWS::ApiGatewayV2::Api"},
    }
    body = deployable(cfn, literals)
    probes = _add_probes(cfn, body, literals)
    cloudformation = client("cloudformation")
    try:
        cloudformation.create_stack(
            StackName=stack_name,
            TemplateBody=json.dumps(body),
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in translated.parameters.items()],
        )
    except Exception as exc:
        raise DeployError(f"moto could not create the stack {stack_name}: {exc}") from exc
    stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    if stack["StackStatus"] != "CREATE_COMPLETE":
        raise DeployError(f"stack {stack_name} is {stack['StackStatus']}: {stack.get('StackStatusReason')}")
    outputs = {o["OutputKey"]: str(o["OutputValue"]) for o in stack.get("Outputs", [])}
    resources = {
        r["LogicalResourceId"]: (r["ResourceType"], str(r.get("PhysicalResourceId") or ""))
        for r in cloudformation.describe_stack_resources(StackName=stack_name)["StackResources"]
        if r.get("LogicalResourceId")
    }
    for logical_id, arn in literals.items():
        if "." not in logical_id:  # "Bus.Arn" entries are attributes, not resources
            resources[logical_id] = (cfn["Resources"][logical_id]["Type"], arn)
    resolved = {probe: outputs.pop(name) for name, probe in probes.items() if name in outputs}
    parameters = parameter_values(cfn, translated.parameters)
    emulated = {
        lid: substitute(_replace_probes(r, resolved), parameters) for lid, r in cfn["Resources"].items() if is_emulated(r["Type"])
    }
    return Deployment(stack_name, resources, _functions(translated, resources), emulated, outputs)


def parameter_values(cfn: dict[str, Any], overrides: dict[str, str]) -> dict[str, str]:
    """Each template parameter's value (its default, or the override the stack was started
    with), for !Ref in emulated resources: a schedule's expression given as a parameter."""
    defaults = {name: str(p["Default"]) for name, p in cfn.get("Parameters", {}).items() if "Default" in p}
    return {**defaults, **overrides}


def _upload_code(code_paths: dict[str, Path]) -> None:
    """moto's Lambda wants a code object; the code itself runs from its folder."""
    s3 = client("s3")
    s3.create_bucket(Bucket=CODE_BUCKET)
    placeholder = io.BytesIO()
    with zipfile.ZipFile(placeholder, "w") as archive:
        archive.writestr("README.txt", "The local stack runs this code from its source folder.")
    for logical_id in code_paths:
        s3.put_object(Bucket=CODE_BUCKET, Key=f"{logical_id}.zip", Body=placeholder.getvalue())


def _create_emulated_secrets(cfn: dict[str, Any], stack_name: str) -> dict[str, str]:
    secretsmanager = client("secretsmanager")
    literals = {}
    for logical_id, resource in cfn["Resources"].items():
        if resource["Type"] != "AWS::SecretsManager::Secret":
            continue
        props = resource.get("Properties", {})
        value = props.get("SecretString")
        if isinstance(props.get("GenerateSecretString"), dict):
            value = _generated(props["GenerateSecretString"])
        elif not isinstance(value, str):
            value = "{}"  # an intrinsic: the development config fills it in
        created = secretsmanager.create_secret(Name=f"{stack_name}-{logical_id}", SecretString=value)
        literals[logical_id] = created["ARN"]
    return literals


def _generated(spec: dict[str, Any]) -> str:
    """What Secrets Manager makes of GenerateSecretString: a random string (letters and digits
    here), alone or under GenerateStringKey in the SecretStringTemplate's JSON."""
    alphabet = string.ascii_letters + string.digits
    random = "".join(secrets.choice(alphabet) for _ in range(int(spec.get("PasswordLength", 32))))
    if "GenerateStringKey" not in spec:
        return random
    document = json.loads(str(spec.get("SecretStringTemplate") or "{}"))
    return json.dumps({**document, str(spec["GenerateStringKey"]): random})


def _create_emulated_event_buses(cfn: dict[str, Any], stack_name: str) -> dict[str, str]:
    events = client("events")
    literals = {}
    for logical_id, resource in cfn["Resources"].items():
        if resource["Type"] != "AWS::Events::EventBus":
            continue
        name = resource.get("Properties", {}).get("Name")
        if isinstance(name, dict) and isinstance(name.get("Fn::Sub"), str):
            name = name["Fn::Sub"].replace("${AWS::StackName}", stack_name)
        name = name if isinstance(name, str) and "${" not in name else f"{stack_name}-{logical_id}"
        created = events.create_event_bus(Name=name)
        literals[logical_id] = name  # what !Ref gives
        literals[f"{logical_id}.Arn"] = created["EventBusArn"]
    return literals


# The template's properties that moto's Cognito API takes as they are written.
_POOL_KEYS = (
    "UsernameAttributes",
    "AliasAttributes",
    "AutoVerifiedAttributes",
    "AdminCreateUserConfig",
    "AccountRecoverySetting",
    "Policies",
    "MfaConfiguration",
    "UserAttributeUpdateSettings",
    "Schema",
)
_CLIENT_KEYS = (
    "GenerateSecret",
    "ExplicitAuthFlows",
    "PreventUserExistenceErrors",
    "EnableTokenRevocation",
    "IdTokenValidity",
    "AccessTokenValidity",
    "RefreshTokenValidity",
    "TokenValidityUnits",
)


def _create_emulated_user_pools(cfn: dict[str, Any], stack_name: str) -> dict[str, str]:
    """Cognito user pools, their app clients and groups, created in moto directly (its
    CloudFormation has no Cognito). !Ref gives a pool's id, a client's id, a group's name."""
    cognito = client("cognito-idp")
    literals: dict[str, str] = {}
    resources = cfn["Resources"]
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::Cognito::UserPool":
            props = resource.get("Properties", {})
            pool = cognito.create_user_pool(
                PoolName=f"{stack_name}-{logical_id}", **{k: props[k] for k in _POOL_KEYS if k in props}
            )["UserPool"]
            literals[logical_id] = pool["Id"]
            literals[f"{logical_id}.Arn"] = pool["Arn"]
            literals[f"{logical_id}.ProviderName"] = f"cognito-idp.{aws.REGION}.amazonaws.com/{pool['Id']}"
            literals[f"{logical_id}.ProviderURL"] = f"https://cognito-idp.{aws.REGION}.amazonaws.com/{pool['Id']}"

    def pool_of(props: dict[str, Any], logical_id: str) -> str:
        ref = props.get("UserPoolId")
        if not (isinstance(ref, dict) and ref.get("Ref") in literals):
            raise DeployError(f"{logical_id}: its UserPoolId must be !Ref to a user pool of the template")
        return literals[str(ref["Ref"])]

    for logical_id, resource in resources.items():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::Cognito::UserPoolClient":
            created = cognito.create_user_pool_client(
                UserPoolId=pool_of(props, logical_id),
                ClientName=str(props.get("ClientName") or f"{stack_name}-{logical_id}"),
                **{k: props[k] for k in _CLIENT_KEYS if k in props},
            )["UserPoolClient"]
            literals[logical_id] = created["ClientId"]
        elif resource["Type"] == "AWS::Cognito::UserPoolGroup":
            name = str(props.get("GroupName") or f"{stack_name}-{logical_id}")
            description = {"Description": str(props["Description"])} if "Description" in props else {}
            cognito.create_group(UserPoolId=pool_of(props, logical_id), GroupName=name, **description)
            literals[logical_id] = name
    return literals


def _add_probes(cfn: dict[str, Any], body: dict[str, Any], literals: dict[str, str]) -> dict[str, str]:
    """Every intrinsic inside an emulated resource that refers to a deployed resource becomes
    an output, so moto resolves it exactly as CloudFormation would. Returns output name ->
    the intrinsic's JSON."""
    resolvable = set(body["Resources"]) | set(literals)
    unresolvable = set(cfn["Resources"]) - resolvable  # emulated, with no literal value
    probes: dict[str, str] = {}

    def mentions(text: str, logical_ids: set[str]) -> bool:
        return any(f'"{lid}"' in text or f"${{{lid}" in text for lid in logical_ids)

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if len(node) == 1 and next(iter(node)) in _INTRINSICS:
                text = json.dumps(node, sort_keys=True)
                if mentions(text, resolvable) and not mentions(text, unresolvable) and text not in probes.values():
                    name = f"LocalStackProbe{len(probes)}"
                    probes[name] = text
                    body["Outputs"][name] = {"Value": substitute(node, literals)}
                return
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    for resource in cfn["Resources"].values():
        if is_emulated(resource["Type"]):
            visit(resource.get("Properties", {}))
    return probes


def _replace_probes(node: Any, resolved: dict[str, str]) -> Any:
    if isinstance(node, dict):
        if len(node) == 1 and next(iter(node)) in _INTRINSICS:
            return resolved.get(json.dumps(node, sort_keys=True), node)
        return {k: _replace_probes(v, resolved) for k, v in node.items()}
    if isinstance(node, list):
        return [_replace_probes(v, resolved) for v in node]
    return node


def _functions(translated: Translated, resources: dict[str, tuple[str, str]]) -> dict[str, FunctionSpec]:
    lambda_client = client("lambda")
    sam_resources = translated.sam["Resources"]
    global_layers = translated.sam.get("Globals", {}).get("Function", {}).get("Layers", [])
    functions = {}
    for logical_id, (resource_type, physical) in resources.items():
        if resource_type != "AWS::Lambda::Function":
            continue
        config = lambda_client.get_function_configuration(FunctionName=physical)
        sam_props = sam_resources.get(logical_id, {}).get("Properties", {})
        layers = [*global_layers, *sam_props.get("Layers", [])]
        layer_paths = [
            translated.code_paths[ref["Ref"]]
            for ref in layers
            if isinstance(ref, dict) and ref.get("Ref") in translated.code_paths
        ]
        functions[logical_id] = FunctionSpec(
            logical_id=logical_id,
            name=physical,
            arn=config["FunctionArn"],
            handler=config["Handler"],
            timeout=int(config.get("Timeout", 3)),
            memory=int(config.get("MemorySize", 128)),
            environment={k: str(v) for k, v in config.get("Environment", {}).get("Variables", {}).items()},
            code_paths=[translated.code_paths[logical_id], *layer_paths],
        )
    return functions


def local_api_url(region: str) -> str:
    """The deployed API's URL as the template builds it (!Sub https://${Api}.execute-api...)."""
    return f"https://{LOCAL_API_ID}.execute-api.{region}.amazonaws.com"


def point_at_front(functions: dict[str, FunctionSpec], api_url: str, front_url: str) -> list[str]:
    """Functions whose environment names the API's own URL (the claim page's, for offers'
    links) get the local front end's instead; the logical ids changed."""
    changed = []
    for spec in functions.values():
        pointed = {k: v.replace(api_url, front_url) for k, v in spec.environment.items()}
        if pointed != spec.environment:
            spec.environment = pointed
            changed.append(spec.logical_id)
    return changed
