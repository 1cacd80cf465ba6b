"""The console in template.yaml: a user pool nobody signs up to (an administrator adds each
person, email as the user name, strong passwords), an app client without a secret for the
password sign-in, the editors and viewers groups; the API's /api/* only behind the JWT
authorizer for that pool and client, the pages and the sign-in open; outputs to find them."""

from __future__ import annotations

from typing import Any

from dev_support.template import template


def resources() -> dict[str, Any]:
    return dict(template()["Resources"])


def test_the_pool_takes_only_people_an_administrator_adds_with_strong_passwords() -> None:
    pool = resources()["ConsoleUserPool"]
    props = pool["Properties"]
    assert props["UsernameAttributes"] == ["email"]
    assert props["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    policy = props["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12
    assert all(policy[k] is True for k in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols"))
    assert (pool["DeletionPolicy"], pool["UpdateReplacePolicy"]) == ("Retain", "Retain"), "the people outlive a stack"


def test_the_client_signs_in_with_a_password_and_no_secret_for_about_an_hour() -> None:
    props = resources()["ConsoleUserPoolClient"]["Properties"]
    assert props["UserPoolId"] == {"Ref": "ConsoleUserPool"}
    assert props["GenerateSecret"] is False
    assert set(props["ExplicitAuthFlows"]) == {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    assert props["PreventUserExistenceErrors"] == "ENABLED"
    assert (props["IdTokenValidity"], props["TokenValidityUnits"]["IdToken"]) == (60, "minutes")


def test_editors_and_viewers_are_the_pools_groups() -> None:
    groups = {name: r["Properties"]["GroupName"] for name, r in resources().items() if r["Type"] == "AWS::Cognito::UserPoolGroup"}
    assert groups == {"ConsoleEditorsGroup": "editors", "ConsoleViewersGroup": "viewers"}


def test_the_api_is_behind_the_pools_jwt_authorizer_and_the_pages_are_open() -> None:
    authorizer = resources()["WebhookApi"]["Properties"]["Auth"]["Authorizers"]["ConsoleAuthorizer"]
    assert authorizer["IdentitySource"] == "$request.header.Authorization"
    assert authorizer["JwtConfiguration"] == {
        "issuer": {"Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${ConsoleUserPool}"},
        "audience": [{"Ref": "ConsoleUserPoolClient"}],
    }
    assert "DefaultAuthorizer" not in resources()["WebhookApi"]["Properties"]["Auth"], "webhooks and claims stay open"
    (api,) = resources()["ConsoleApiFunction"]["Properties"]["Events"].values()
    assert (api["Properties"]["Path"], api["Properties"]["Method"]) == ("/api/{proxy+}", "ANY")
    assert api["Properties"]["Auth"] == {"Authorizer": "ConsoleAuthorizer"}
    console = resources()["ConsoleFunction"]["Properties"]
    routes = {(e["Properties"]["Method"], e["Properties"]["Path"]) for e in console["Events"].values()}
    assert routes == {("GET", "/console"), ("GET", "/console/{proxy+}"), ("POST", "/console/sign-in")}
    assert not [e for e in console["Events"].values() if "Auth" in e["Properties"]]
    assert console["Environment"]["Variables"] == {"CONSOLE_USER_POOL_CLIENT_ID": {"Ref": "ConsoleUserPoolClient"}}
    assert (console["CodeUri"], console["Handler"]) == ("functions/console/", "console.handler.lambda_handler")


def test_both_functions_log_with_the_stacks_retention_and_the_outputs_find_the_console() -> None:
    for function, logs in (("ConsoleFunction", "ConsoleLogs"), ("ConsoleApiFunction", "ConsoleApiLogs")):
        props = resources()[logs]["Properties"]
        assert props["LogGroupName"] == {"Fn::Sub": f"/aws/lambda/${{{function}}}"}
        assert props["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    outputs = template()["Outputs"]
    assert outputs["ConsoleUserPoolId"]["Value"] == {"Ref": "ConsoleUserPool"}
    assert outputs["ConsoleUserPoolClientId"]["Value"] == {"Ref": "ConsoleUserPoolClient"}
    assert outputs["ConsoleUrl"]["Value"]["Fn::Sub"].endswith("/console")
