"""`k2ecs plan --json` (issue 23 item 6): the exact calls apply makes, and the findings; and plan's text
output summarises the findings itself. Against moto's server on 127.0.0.1, never real AWS."""

from __future__ import annotations

import json
from pathlib import Path

import botocore.session
import botocore.validate

from converter.aws.errors import DetailedExit
from converter.aws.executor import client_token
from tests.aws_helpers import (  # noqa: F401  (fixtures)
    AwsWorld,
    Calls,
    aws,
    calls,
    isolate_aws_environment,
    moto_endpoint,
)
from tests.test_plan_apply import CREATE_ALL, k2ecs, web_args, web_manifest


def _operations(document: dict) -> list[dict]:
    return [call for workload in document["workloads"] for change in workload["changes"] for call in change["calls"]]


def test_plan_json_holds_the_exact_calls_apply_then_makes(aws: AwsWorld, calls: Calls, tmp_path: Path):
    args = web_args(aws, web_manifest(tmp_path))
    planned = k2ecs("plan", *args, "--json")
    assert planned.exit_code == DetailedExit.CHANGES, planned.stderr
    document = json.loads(planned.stdout)
    assert document["pending"] is True and document["summary"]["create"] == len(CREATE_ALL)
    planned_calls = _operations(document)
    assert [call["operation"] for call in planned_calls] == CREATE_ALL
    assert calls.mutating == []  # plan changed nothing
    session = botocore.session.get_session()
    for call in planned_calls:  # each is a valid request of its operation
        shape = session.get_service_model(call["service"]).operation_model(call["operation"]).input_shape
        parameters = dict(call["parameters"])
        if "taskDefinitionFrom" in call:
            assert parameters["taskDefinition"] == call["taskDefinitionFrom"]  # the family, until registered
        report = botocore.validate.ParamValidator().validate(parameters, shape)
        assert not report.has_errors(), report.generate_report()
    # the findings are in the plan, not only in convert's report
    codes = {finding["code"] for finding in document["findings"]}
    assert "K2E-W110" in codes

    applied = k2ecs("apply", *args, "--yes")
    assert applied.exit_code == 0, applied.stderr
    assert calls.mutating == CREATE_ALL
    for call in planned_calls:
        sent = dict(calls.params[call["operation"]][0])
        expected = dict(call["parameters"])
        if "clientToken" in call:  # the idempotency token is a digest of the request apply sent
            assert sent.pop("clientToken") == client_token(sent)
        if "taskDefinitionFrom" in call:  # the ARN registered in this run takes the family's place
            assert sent["taskDefinition"].split("/")[-1].startswith(call["taskDefinitionFrom"] + ":")
            expected["taskDefinition"] = sent["taskDefinition"]
        assert sent == expected

    again = json.loads(k2ecs("plan", *args, "--json").stdout)
    assert again["pending"] is False and _operations(again) == []


def test_plan_text_summarises_the_findings_instead_of_sending_the_user_elsewhere(aws: AwsWorld, calls: Calls,
                                                                                 tmp_path: Path):
    planned = k2ecs("plan", *web_args(aws, web_manifest(tmp_path)))
    assert planned.exit_code == DetailedExit.CHANGES, planned.stderr
    assert "run k2ecs convert" not in planned.stderr
    assert "K2E-W110 x1 HTTP probe needs curl in the image: Deployment/web" in planned.stderr
