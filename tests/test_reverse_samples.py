"""The ECS-side samples (samples/ecs-*) convert to exactly their reviewed manifests, which are valid Kubernetes;
no leaf of a sample or of ../shared/corpus/ecs is lost silently; every corpus file converts without a crash."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from converter.core.document import pointer
from converter.core.resources import load_schema
from tests.helpers import leaves, load_json, pointer_parts, run_k2ecs
from tests.reverse_support import (all_errors, corpus_ecs_files, ecs_sample_cases, kubernetes_errors, require_ecs_corpus,
                                   reverse_paths)

CASES = ecs_sample_cases()
REQUIRED_CASES = {"ecs-fargate-web-alb", "ecs-init-firelens", "ecs-describe-task-definition", "ecs-ec2-bridge-hostport",
                  "ecs-cloudformation-stack", "ecs-k2ecs-output-folder"}
ARGS = ["convert", "input", "--to", "k8s", "--fail-on", "never"]


def test_the_required_ecs_samples_exist():
    assert REQUIRED_CASES <= {case.name for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_ecs_sample_matches_expected_byte_for_byte(case: Path, tmp_path: Path):
    out = tmp_path / "out"
    result = run_k2ecs(*ARGS, "-o", str(out), cwd=case)
    assert result.returncode == 0, result.stderr
    expected = case / "expected"
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in expected.iterdir())
    for produced in sorted(out.iterdir()):
        assert produced.read_bytes() == (expected / produced.name).read_bytes(), f"{case.name}/{produced.name} differs"


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_ecs_sample_goldens_are_valid_kubernetes(case: Path):
    documents = [d for f in sorted((case / "expected").glob("*.yaml")) for d in yaml.safe_load_all(f.read_text())]
    assert documents and {d["kind"] for d in documents} >= {"Deployment"}
    errors = [e for d in documents for e in kubernetes_errors(d)]
    assert errors == []


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_ecs_sample_report_matches_its_schema_and_has_no_catch_all(case: Path):
    report = load_json(case / "expected" / "report.json")
    jsonschema.Draft202012Validator(load_schema("report.schema.json")).validate(report)
    assert [o["files"] for o in report["outputs"]] == [[f"{o['name']}.yaml"] for o in report["outputs"]]
    unmapped = [f for f in report["findings"] if f["code"] == "K2E-W901"]
    assert unmapped == [], "a sample field has no mapping: " + json.dumps(unmapped, indent=1)


def test_stdout_is_one_deterministic_stream_of_every_manifest():
    case = next(c for c in CASES if c.name == "ecs-k2ecs-output-folder")
    first, second = run_k2ecs(*ARGS, cwd=case), run_k2ecs(*ARGS, cwd=case)
    assert first.returncode == 0 and first.stdout == second.stdout and first.stderr == second.stderr
    streamed = list(yaml.safe_load_all(first.stdout))
    written = [d for f in sorted((case / "expected").glob("*.yaml")) for d in yaml.safe_load_all(f.read_text())]
    key = lambda d: (d["kind"], d["metadata"]["name"])  # noqa: E731
    assert sorted(streamed, key=key) == sorted(written, key=key)


def named_paths(finding) -> list[tuple[str, ...]]:
    """The paths a finding names: its own, and for a finding that says one thing about several fields, theirs."""
    return [pointer_parts(finding.path)] + [pointer_parts(p) for p in finding.extra.get("paths", [])]


def silently_lost(paths: list[str]) -> list[str]:
    conversion = reverse_paths(paths)
    named: dict[tuple[str, str], list[tuple[str, ...]]] = {}
    for finding in conversion.findings:
        named.setdefault((finding.file, finding.resource), []).extend(named_paths(finding))
    lost = []
    for source in conversion.sources:
        reader, document = source.reader, source.reader.document
        for leaf in leaves(document.data):
            full = tuple(str(step) for step in document.prefix + leaf)
            if any(leaf[:depth] in reader.consumed for depth in range(len(leaf) + 1)):
                continue
            if any(full[: len(path)] == path for path in named.get((document.file, source.resource), [])):
                continue
            lost.append(f"{document.file}:{document.line_of(leaf)} {source.resource} {pointer(document.prefix + leaf)}")
    return lost


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_no_leaf_of_an_ecs_sample_is_lost_silently(case: Path):
    assert silently_lost([str(case / "input")]) == []


@pytest.mark.parametrize("path", corpus_ecs_files() or [None], ids=lambda p: "none" if p is None else f"{p.parent.name}/{p.name}")
def test_no_leaf_of_an_ecs_corpus_file_is_lost_silently(path: Path | None):
    require_ecs_corpus()
    assert silently_lost([str(path)]) == []


@pytest.mark.parametrize("path", corpus_ecs_files() or [None], ids=lambda p: "none" if p is None else f"{p.parent.name}/{p.name}")
def test_ecs_corpus_file_converts_to_valid_kubernetes_from_the_cli(path: Path | None, tmp_path: Path):
    require_ecs_corpus()
    result = run_k2ecs("convert", str(path), "--fail-on", "never", "-o", str(tmp_path / "out"), "--report", "json")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    documents = [d for f in sorted((tmp_path / "out").glob("*.yaml")) for d in yaml.safe_load_all(f.read_text())]
    assert [e for d in documents for e in kubernetes_errors(d)] == []
    assert all_errors(reverse_paths([str(path)])) == []


def test_the_walk_catches_a_field_no_mapping_consumed(tmp_path: Path):
    """Guard for the guard: an unknown field shows up as K2E-W901, and without it as lost."""
    source = tmp_path / "t.json"
    source.write_text(json.dumps({"family": "f", "containerDefinitions": [{"name": "c", "image": "i", "surprise": 1}]}))
    conversion = reverse_paths([str(source)])
    assert [f.path for f in conversion.findings if f.code == "K2E-W901"] == ["/containerDefinitions/0/surprise"]
    reader = conversion.sources[0].reader
    reader.findings[:] = [f for f in reader.findings if f.code != "K2E-W901"]
    unconsumed = [leaf for leaf in leaves(reader.document.data)
                  if not any(leaf[:d] in reader.consumed for d in range(len(leaf) + 1))]
    assert unconsumed == [("containerDefinitions", 0, "surprise")]
