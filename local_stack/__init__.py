"""The local stack: the whole template.yaml running on this machine, without Docker or an
AWS account.

A moto server on 127.0.0.1 is AWS. The template is translated (aws-sam-translator) and
deployed into it as CloudFormation; what moto cannot create (HTTP APIs, event source
mappings, schedules, secrets) is emulated here from the same translated template. Each
function runs in its own worker processes with its deployed environment.

Development tooling only: nothing in here is deployed.
"""
