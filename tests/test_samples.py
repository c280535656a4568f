"""Every sample under samples/ converts to exactly its reviewed expected output, and that output is valid."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from converter.validate.ecs import validate_payloads
from converter.core.resources import load_schema
from tests.helpers import case_args, load_json, run_k2ecs, sample_cases

CASES = sample_cases()
REQUIRED_CASES = {"web-loadbalancer-hpa", "worker-no-ports", "init-and-native-sidecar", "secrets-and-configmaps",
                  "named-target-ports", "hpa-v2-cpu-memory-behavior", "unsupported-kinds", "recreate-strategy"}


def test_the_required_sample_cases_exist():
    assert REQUIRED_CASES <= {case.name for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_sample_output_matches_expected_byte_for_byte(case: Path, tmp_path: Path):
    out = tmp_path / "out"
    result = run_k2ecs(*case_args(case), "-o", str(out), cwd=case)
    assert result.returncode == 0, result.stderr
    expected = case / "expected"
    produced = sorted(p.name for p in out.iterdir())
    assert produced == sorted(p.name for p in expected.iterdir())
    for name in produced:
        assert (out / name).read_bytes() == (expected / name).read_bytes(), f"{case.name}/{name} differs"


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_expected_payloads_are_valid_against_the_ecs_model(case: Path):
    expected = case / "expected"
    launch_type = "FARGATE"
    for taskdef_file in sorted(expected.glob("*.taskdef.json")):
        name = taskdef_file.name[: -len(".taskdef.json")]
        taskdef = load_json(taskdef_file)
        service = load_json(expected / f"{name}.service.json")
        scaling_file = expected / f"{name}.scaling.json"
        scaling = load_json(scaling_file) if scaling_file.exists() else None
        problems = validate_payloads(taskdef=taskdef, service=service,
                                     target=None if scaling is None else scaling["scalableTarget"],
                                     policies=[] if scaling is None else scaling["scalingPolicies"],
                                     launch_type=launch_type)
        assert problems == [], f"{case.name}/{name}: {problems}"


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_expected_report_matches_its_schema_and_has_no_catch_all(case: Path):
    report = load_json(case / "expected" / "report.json")
    jsonschema.Draft202012Validator(load_schema("report.schema.json")).validate(report)
    unmapped = [f for f in report["findings"] if f["code"] == "K2E-W901"]
    assert unmapped == [], "a sample field has no mapping: " + json.dumps(unmapped, indent=1)


def test_same_input_gives_the_same_bytes_on_stdout():
    case = next(c for c in CASES if c.name == "web-loadbalancer-hpa")
    first = run_k2ecs(*case_args(case), cwd=case)
    second = run_k2ecs(*case_args(case), cwd=case)
    assert first.returncode == 0 and first.stdout == second.stdout and first.stderr == second.stderr
    document = json.loads(first.stdout)
    assert [w["name"] for w in document["workloads"]] == ["web"]


def test_secret_values_never_reach_the_output():
    case = next(c for c in CASES if c.name == "secrets-and-configmaps")
    planted = ["sk_live_canary_value_never_output", "maps-canary-value-never-output",
               "c3VwZXItc2VjcmV0LWRiLXBhc3N3b3Jk", "super-secret-db-password", "YXBwX3VzZXI=", "app_user"]
    result = run_k2ecs(*case_args(case), "--report", "json", cwd=case)
    everything = result.stdout + result.stderr + "".join(p.read_text() for p in (case / "expected").iterdir())
    for value in planted:
        assert value not in everything
    taskdef = json.loads(result.stdout)["workloads"][0]["taskDefinition"]
    secrets = {s["name"]: s["valueFrom"] for s in taskdef["containerDefinitions"][0]["secrets"]}
    assert secrets["DB_PASSWORD"].startswith("arn:aws:secretsmanager:")
    assert secrets["API_STRIPE_KEY"].endswith(":STRIPE_KEY::")
    assert secrets["DB_USER"] == "<k2ecs:secret-arn:db-credentials/username>"
