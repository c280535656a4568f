"""converter.validate.kubernetes: the manifests of `--to k8s` are checked before anything is written,
against the Kubernetes schemas k2ecs carries, which are kubernetes-validate's strict ones."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Callable

import pytest
from typer.testing import CliRunner

from converter.cli import app
from converter.core.errors import ExitStatus
from converter.validate import kubernetes as validate
from converter.core.resources import schemas_dir
from tests.reverse_support import corpus_ecs_files, ecs_sample_cases, kubernetes_errors, reverse_paths


def test_the_schema_file_is_what_the_installed_kubernetes_validate_gives() -> None:
    on_disk = json.loads((schemas_dir() / validate.SCHEMA_FILE).read_text(encoding="utf-8"))
    assert on_disk == validate.generate(), "run: python -m converter.validate.kubernetes"


def _documents() -> list[dict[str, Any]]:
    paths = [str(case / "input") for case in ecs_sample_cases()] + [str(p) for p in corpus_ecs_files()]
    found = []
    for path in paths:
        try:
            conversion = reverse_paths([path])
        except Exception:  # noqa: BLE001 - inputs the reverse direction refuses are other tests' business
            continue
        found += [document for output in conversion.outputs for document in output.documents]
    return found


DOCUMENTS = _documents()
KINDS_SEEN = sorted({document["kind"] for document in DOCUMENTS})


def test_every_kind_k2ecs_writes_is_among_the_samples() -> None:
    assert KINDS_SEEN == sorted(kind for _, kind in validate.KINDS)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_what_k2ecs_writes_passes_both_checks(document: dict[str, Any]) -> None:
    assert validate.problems(document) == []
    assert kubernetes_errors(document) == []


def _set(path: tuple, value: Any) -> Callable[[dict], None]:
    def change(document: dict) -> None:
        node = document
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value
    return change


def _delete(path: tuple) -> Callable[[dict], None]:
    def change(document: dict) -> None:
        node = document
        for step in path[:-1]:
            node = node[step]
        del node[path[-1]]
    return change


POD = ("spec", "template", "spec")
BROKEN = {
    "Deployment": {
        "unknown field at the top": _set(("colour",), "blue"),
        "unknown field in a container": _set(POD + ("containers", 0, "imagePullPolicyy"), "Always"),
        "replicas as a string": _set(("spec", "replicas"), "three"),
        "container without a name": _delete(POD + ("containers", 0, "name")),
        "selector missing": _delete(("spec", "selector")),
        "port out of range type": _set(POD + ("containers", 0, "ports"), [{"containerPort": "http"}]),
        "restartPolicy not a string": _set(POD + ("restartPolicy",), 3),
        "selector not matching the labels": _set(("spec", "selector", "matchLabels"), {"app": "other"}),
        "name not a DNS label": _set(("metadata", "name"), "Not_A_Label"),
        "two containers of one name": lambda d: d["spec"]["template"]["spec"]["containers"].append(
            copy.deepcopy(d["spec"]["template"]["spec"]["containers"][0])),
    },
    "Service": {
        "unknown field": _set(("spec", "clusterIPs2"), []),
        "ports not a list": _set(("spec", "ports"), {"port": 80}),
        "port as a string": _set(("spec", "ports", 0, "port"), "eighty"),
    },
    "HorizontalPodAutoscaler": {
        "maxReplicas missing": _delete(("spec", "maxReplicas")),
        "unknown metric field": _set(("spec", "metrics", 0, "resource", "targett"), {}),
        "minReplicas 0": _set(("spec", "minReplicas"), 0),
    },
    "ServiceAccount": {
        "unknown field": _set(("automountServiceAccountTokens",), True),
        "annotations not strings": _set(("metadata", "annotations"), {"a": 1}),
    },
}


@pytest.mark.parametrize("kind, case", [(kind, case) for kind, cases in BROKEN.items() for case in cases])
def test_a_broken_manifest_is_refused_by_both_checks(kind: str, case: str) -> None:
    document = copy.deepcopy(next(d for d in DOCUMENTS if d["kind"] == kind and d.get("spec", {}).get("metrics", [1])))
    BROKEN[kind][case](document)
    assert validate.problems(document), case
    assert kubernetes_errors(document), case


def test_a_kind_k2ecs_has_no_schema_for_is_a_problem() -> None:
    assert validate.problems({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "x"}}) == \
        ["Job/x: k2ecs has no schema for batch/v1 Job"]


def test_a_rendering_bug_stops_the_conversion_with_exit_4_and_nothing_written(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from converter.pipeline import reverse

    real = reverse.render_deployment

    def buggy(*args: Any, **kwargs: Any) -> Any:
        deployment, findings = real(*args, **kwargs)
        deployment["spec"]["template"]["spec"]["containers"][0]["cpuShares"] = 512
        return deployment, findings

    monkeypatch.setattr(reverse, "render_deployment", buggy)
    out = tmp_path / "out"
    sample = ecs_sample_cases()[0] / "input"
    result = CliRunner().invoke(app, ["convert", str(sample), "--to", "k8s", "-o", str(out), "--fail-on", "never"])
    assert result.exit_code == ExitStatus.INVALID_OUTPUT, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "rendered Kubernetes manifest is not valid" in lines[0]
    assert "cpuShares" in lines[0] and "Additional properties are not allowed" in lines[0]
    assert not out.exists()
