"""Every file of ../shared/corpus/k8s converts: exit 0 under --fail-on never, no traceback, valid payloads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from converter.validate.ecs import validate_payloads
from tests.helpers import corpus_k8s_files, k2ecs_in_process, require_corpus, run_k2ecs, yields_nothing

FILES = corpus_k8s_files()


@pytest.mark.parametrize("path", FILES or [None], ids=lambda p: "none" if p is None else p.parent.name + "/" + p.name)
def test_corpus_file_converts_cleanly(path: Path | None):
    require_corpus()
    result = k2ecs_in_process("convert", str(path), "--fail-on", "never", "--report", "json")
    if result.returncode == 3 and yields_nothing(path):  # one line, as for any input with no manifest in it
        assert result.stderr.startswith("k2ecs: error: ") and result.stderr.count("\n") == 1, result.stderr
        return
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads(result.stderr)
    assert report["summary"]["resources"] >= 1
    for workload in json.loads(result.stdout)["workloads"]:
        scaling = workload["scaling"]
        problems = validate_payloads(taskdef=workload["taskDefinition"], service=workload["service"],
                                     target=None if scaling is None else scaling["scalableTarget"],
                                     policies=[] if scaling is None else scaling["scalingPolicies"],
                                     launch_type="FARGATE")
        assert problems == [], problems


def test_whole_corpus_as_one_input_converts():
    require_corpus()
    result = run_k2ecs("convert", str(FILES[0].parents[1]), "--fail-on", "never")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["workloads"]) >= 20
