"""Create AWS resources in moto from template.yaml itself, so no test can pass against a
table shape that does not exist in production."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from samcli.yamlhelper import yaml_parse

from dev_support.paths import TEMPLATE

_TABLE_KEYS = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "LocalSecondaryIndexes", "StreamSpecification")


@cache
def template() -> dict[str, Any]:
    parsed: dict[str, Any] = yaml_parse(TEMPLATE.read_text())
    return parsed


def resources_of_type(resource_type: str) -> dict[str, dict[str, Any]]:
    return {name: r.get("Properties", {}) for name, r in template()["Resources"].items() if r["Type"] == resource_type}


def create_tables(dynamodb: Any) -> dict[str, str]:
    """Create every AWS::DynamoDB::Table of the template; returns logical id -> name."""
    names = {}
    for logical_id, props in resources_of_type("AWS::DynamoDB::Table").items():
        name = f"{logical_id}-test"
        kwargs = {k: props[k] for k in _TABLE_KEYS if k in props}
        if "StreamSpecification" in kwargs:
            kwargs["StreamSpecification"] = {"StreamEnabled": True, **kwargs["StreamSpecification"]}
        dynamodb.create_table(TableName=name, BillingMode=props["BillingMode"], **kwargs)
        if ttl := props.get("TimeToLiveSpecification"):
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        names[logical_id] = name
    return names


def create_secrets(secretsmanager: Any, values: dict[str, Any]) -> dict[str, str]:
    """Create every AWS::SecretsManager::Secret of the template holding ``values[logical id]``
    (empty when not given); returns logical id -> ARN."""
    arns = {}
    for logical_id in resources_of_type("AWS::SecretsManager::Secret"):
        created = secretsmanager.create_secret(Name=f"{logical_id}-test", SecretString=json.dumps(values.get(logical_id, {})))
        arns[logical_id] = created["ARN"]
    return arns


def function_environment(logical_id: str, refs: dict[str, str]) -> dict[str, str]:
    """A function's environment as the template sets it (Globals merged), with !Ref to
    resources replaced by ``refs`` and !Ref to parameters by their defaults."""
    tpl = template()
    params = {k: str(v.get("Default", "")) for k, v in tpl.get("Parameters", {}).items()}
    merged = dict(tpl.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {}))
    merged.update(tpl["Resources"][logical_id]["Properties"].get("Environment", {}).get("Variables", {}))
    env = {}
    for key, value in merged.items():
        if isinstance(value, dict) and "Ref" in value:
            target = value["Ref"]
            env[key] = refs[target] if target in refs else params[target]
        elif isinstance(value, dict) and "Fn::GetAtt" in value:  # X.Arn: refs gives "X.Arn", or X's ARN as X
            logical_id, attribute = value["Fn::GetAtt"]
            env[key] = refs.get(f"{logical_id}.{attribute}") or refs[logical_id]
        elif isinstance(value, dict) and isinstance(value.get("Fn::Sub"), str):
            env[key] = _sub(value["Fn::Sub"], {**_PSEUDO, **params, **refs})
        else:
            env[key] = str(value)
    return env


_PSEUDO = {
    "AWS::Region": "us-east-1",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::Partition": "aws",
    "AWS::AccountId": "123456789012",
}


def _sub(text: str, values: dict[str, str]) -> str:
    """!Sub with names resolved from ``values``; a name it has not (an API's id in tests) stands as itself."""
    return re.sub(r"\$\{([^}]+)\}", lambda found: values.get(found.group(1), found.group(1)), text)


def create_queues(sqs: Any) -> dict[str, str]:
    """Create every AWS::SQS::Queue of the template (dead-letter queues first); returns
    logical id -> queue URL (what !Ref gives)."""
    queues = resources_of_type("AWS::SQS::Queue")
    urls: dict[str, str] = {}
    arns: dict[str, str] = {}
    pending = dict(queues)
    while pending:
        for logical_id, props in list(pending.items()):
            redrive = props.get("RedrivePolicy")
            target = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0] if redrive else None
            if target and target not in arns:
                continue
            attributes: dict[str, str] = {k: str(props[k]) for k in ("VisibilityTimeout", "MessageRetentionPeriod") if k in props}
            if redrive and target:
                attributes["RedrivePolicy"] = json.dumps(
                    {"deadLetterTargetArn": arns[target], "maxReceiveCount": redrive["maxReceiveCount"]}
                )
            url = sqs.create_queue(QueueName=f"{logical_id}-test", Attributes=attributes)["QueueUrl"]
            urls[logical_id] = url
            arns[logical_id] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            del pending[logical_id]
    return urls


def create_keys(kms: Any) -> dict[str, str]:
    """Create every AWS::KMS::Key of the template (symmetric, rotation as the template says);
    returns logical id -> key ARN (what !GetAtt Key.Arn gives; KMS takes it wherever a key id goes)."""
    arns = {}
    for logical_id, props in resources_of_type("AWS::KMS::Key").items():
        created = kms.create_key(Description=str(props.get("Description", logical_id)))["KeyMetadata"]
        if props.get("EnableKeyRotation"):
            kms.enable_key_rotation(KeyId=created["KeyId"])
        arns[logical_id] = created["Arn"]
    return arns


def create_event_buses(events: Any) -> dict[str, str]:
    """Create every AWS::Events::EventBus of the template; returns logical id -> name."""
    names = {}
    for logical_id in resources_of_type("AWS::Events::EventBus"):
        events.create_event_bus(Name=f"{logical_id}-test")
        names[logical_id] = f"{logical_id}-test"
    return names


_POOL_KEYS = ("UsernameAttributes", "AdminCreateUserConfig", "AccountRecoverySetting", "Policies")
_CLIENT_KEYS = ("GenerateSecret", "ExplicitAuthFlows", "PreventUserExistenceErrors", "EnableTokenRevocation")


def create_user_pools(cognito: Any) -> dict[str, str]:
    """Create every Cognito user pool, app client and group of the template (as written: the
    password policy, email as the user name, the auth flows); returns logical id -> what !Ref
    gives (a pool's id, a client's id, a group's name)."""
    refs: dict[str, str] = {}
    for logical_id, props in resources_of_type("AWS::Cognito::UserPool").items():
        pool = cognito.create_user_pool(PoolName=f"{logical_id}-test", **{k: props[k] for k in _POOL_KEYS if k in props})
        refs[logical_id] = pool["UserPool"]["Id"]
    for logical_id, props in resources_of_type("AWS::Cognito::UserPoolClient").items():
        pool_id = refs[props["UserPoolId"]["Ref"]]
        created = cognito.create_user_pool_client(
            UserPoolId=pool_id, ClientName=f"{logical_id}-test", **{k: props[k] for k in _CLIENT_KEYS if k in props}
        )
        refs[logical_id] = created["UserPoolClient"]["ClientId"]
    for logical_id, props in resources_of_type("AWS::Cognito::UserPoolGroup").items():
        cognito.create_group(UserPoolId=refs[props["UserPoolId"]["Ref"]], GroupName=props["GroupName"])
        refs[logical_id] = props["GroupName"]
    return refs
