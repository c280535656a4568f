"""`k2ecs compare` on ECS input tells what the reverse conversion did (issue 21 item 2, ECS -> Kubernetes).

The invariant tests/test_compare_truth.py holds for Kubernetes input, over the ECS samples and every ECS corpus
file (task definitions, describe output, CloudFormation, the Terraform corpus's task definition): a row marked
"mapped" has its Kubernetes target set in the --to k8s output (or absent with the same meaning, a declared
``unset_reason``), and a row that is not "mapped" has a finding that says why. Below, each root cause the corpus
showed, on a small input that fails without its fix.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from converter.core.codes import CODES
from converter.compare import compare, rules
from converter.compare.rows import NOT_SET
from converter.rules.naming import member_labels
from converter.core.field_pairs import reverse_pairs
from converter.load.loader import load_paths
from converter.core.settings import Settings
from tests.helpers import SAMPLES
from tests.reverse_support import corpus_ecs_files, ecs_sample_cases, require_ecs_corpus
from tests.test_compare_truth import lies

CATALOG = SAMPLES / "ecs-cloudformation-stack" / "input" / "catalog-stack.yaml"


def _compare(path: Path):
    return compare(load_paths([str(path)], cfn_tags=True), Settings(), (str(path),))


def ecs_lies(path: Path) -> list[str]:
    """The rows of one ECS input (a file or a folder) that misreport the reverse conversion."""
    comparison = _compare(path)
    return lies(comparison) + unexplained_unconverted(comparison)


# The codes that leave a whole document or CloudFormation resource unconverted (converter/pipeline/reverse.py,
# converter/read/ecs/cloudformation.py, converter/rules/scaling/reverse.py).
NOT_CONVERTED = {"K2E-E706", "K2E-W702", "K2E-W725", "K2E-E740"}


def unexplained_unconverted(comparison) -> list[str]:
    """Rows of documents that were not converted (a service whose task definition is not in the input, a step
    scaling policy) are "not mapped" by construction (converter/compare/rows.py); the document, or its
    CloudFormation resource, must then carry the finding that says why."""
    groups: dict[tuple[str, str, str], list] = {}
    for view in comparison.workloads:
        if view.workload.is_workload and view.workload.converted:
            continue  # held by lies()
        for row in view.rows:
            parts = row.source_field.split("/")
            scope = "/".join(parts[:3]) if parts[1:2] == ["Resources"] else ""
            groups.setdefault((row.source_file or "", row.source_resource, scope), []).append(row)
    found = []
    for (_, resource, _), rows in groups.items():
        why = any(set(row.codes) & NOT_CONVERTED for row in rows)
        found += [f"not converted, and no finding says why: {resource} {row.source_field}"
                  for row in rows if row.status == rules.NOT_MAPPED and not row.findings and not why]
    return found


@pytest.mark.parametrize("case", ecs_sample_cases(), ids=lambda p: p.name)
def test_no_ecs_sample_row_misreports_the_reverse_conversion(case: Path):
    assert ecs_lies(case / "input") == []


@pytest.mark.parametrize("path", corpus_ecs_files() or [None],
                         ids=lambda p: "none" if p is None else f"{p.parent.name}/{p.name}")
def test_no_ecs_corpus_row_misreports_the_reverse_conversion(path: Path | None):
    require_ecs_corpus()
    assert path is not None
    comparison = _compare(path)
    assert any(view.rows for view in comparison.workloads)  # the file was read: the check has rows to hold
    assert lies(comparison) + unexplained_unconverted(comparison) == []


def test_the_reverse_pairs_give_a_reason_for_each_absent_value_and_name_codes_that_exist():
    declared = [p for pairs in reverse_pairs().values() for p in pairs]
    assert any(p.same_when_unset for p in declared) and any(p.codes for p in declared)
    for p in declared:
        assert bool(p.same_when_unset) == bool(p.unset_reason), p.pattern
        assert set(p.codes) <= set(CODES), p.pattern


def _rows(path: Path) -> dict[str, object]:
    return {row.source_field: row for view in _compare(path).workloads for row in view.rows}


def _task(tmp_path: Path, task: dict) -> Path:
    path = tmp_path / "task.json"
    path.write_text(json.dumps(task))
    return path


def test_compare_names_the_container_the_conversion_named():
    # An empty name has nothing to make a label of; two names that fold to one label get the index.
    assert member_labels("container", ["", "Web", "web", "app_1"]) == ["container-1", "web", "web-3", "app-1"]


def test_a_container_with_an_empty_name_is_found_under_the_name_the_conversion_gave(tmp_path: Path):
    path = _task(tmp_path, {"family": "f", "containerDefinitions": [
        {"name": "", "image": "nginx:1", "workingDirectory": "/srv"},
        {"name": "side", "image": "busybox:1", "essential": False}]})
    row = _rows(path)["/containerDefinitions/0/workingDirectory"]
    assert "containers[container-1].workingDir" in row.target_field
    assert (row.status, row.target_value) == (rules.MAPPED, "/srv")
    assert ecs_lies(path) == []


def test_zero_sizes_and_empty_strings_are_absent_with_the_same_meaning(tmp_path: Path):
    path = _task(tmp_path, {"family": "f", "taskRoleArn": "", "cpu": "", "memory": "", "containerDefinitions": [
        {"name": "web", "image": "nginx:1", "cpu": 0, "memory": 0, "memoryReservation": 0}]})
    rows = _rows(path)
    for field in ("/taskRoleArn", "/cpu", "/memory", "/containerDefinitions/0/cpu", "/containerDefinitions/0/memory",
                  "/containerDefinitions/0/memoryReservation"):
        row = rows[field]
        assert row.status == rules.MAPPED and row.target_value.startswith(NOT_SET + " ") and not row.findings, field
    # A size the reader does write is shown with its value, not the reason.
    sized = _rows(_task(tmp_path, {"family": "f", "containerDefinitions": [
        {"name": "web", "image": "nginx:1", "cpu": 256, "memory": 512}]}))
    assert (sized["/containerDefinitions/0/cpu"].target_value, sized["/containerDefinitions/0/memory"].target_value) \
        == ("250m", "512Mi")


def test_findings_that_say_nothing_was_written_make_their_rows_not_mapped(tmp_path: Path):
    # Task size beside containers that declare their own (K2E-W719), an env entry with an empty name (K2E-W743).
    path = _task(tmp_path, {"family": "f", "cpu": "1024", "memory": "2048", "containerDefinitions": [
        {"name": "a", "image": "nginx:1", "cpu": 0, "environment": [{"name": "", "value": "x"}]},
        {"name": "b", "image": "busybox:1", "cpu": 0}]})
    rows = _rows(path)
    for field, code in (("/cpu", "K2E-W719"), ("/memory", "K2E-W719"), ("/containerDefinitions/0/environment/0", "K2E-W743")):
        assert (rows[field].status, rows[field].target_value, rows[field].codes) == (rules.NOT_MAPPED, NOT_SET, (code,))
    assert ecs_lies(path) == []


def test_a_renamed_volume_is_found_under_its_kubernetes_name_and_left_out_keys_and_mounts_are_not_mapped(tmp_path: Path):
    # The API server's rules (schemas/k8s_api_rules.json): a volume name becomes a DNS label (K2E-I707), a tag key
    # no annotation can have (K2E-W744) and a mount without a path (K2E-W745) are left out.
    assert member_labels("volume", ["", "Data_Vol", "data-vol"]) == ["volume-1", "data-vol", "data-vol-3"]
    path = _task(tmp_path, {"family": "f", "tags": [{"key": "", "value": "x"}], "volumes": [{"name": "Data_Vol"}],
                            "containerDefinitions": [{"name": "web", "image": "nginx:1", "mountPoints": [
                                {"sourceVolume": "Data_Vol", "containerPath": "/d"},
                                {"sourceVolume": "Data_Vol", "containerPath": ""}]}]})
    rows = _rows(path)
    assert "volumes[data-vol]" in rows["/volumes/0"].target_field and rows["/volumes/0"].target_value != NOT_SET
    for field, code in (("/tags/0", "K2E-W744"), ("/containerDefinitions/0/mountPoints/1", "K2E-W745")):
        assert (rows[field].status, rows[field].target_value, rows[field].codes) == (rules.NOT_MAPPED, NOT_SET, (code,))
    assert ecs_lies(path) == []


def test_a_scalable_target_without_an_hpa_has_the_finding_that_says_why_on_its_rows(tmp_path: Path):
    path = tmp_path / "stack.yaml"
    path.write_text(CATALOG.read_text().replace("PolicyType: TargetTrackingScaling", "PolicyType: StepScaling"))
    rows = _rows(path)
    for field in ("MinCapacity", "MaxCapacity", "ScalableDimension", "ServiceNamespace"):
        row = rows[f"/Resources/ScalableTarget/Properties/{field}"]
        assert row.target_value == NOT_SET and row.status == rules.NOT_MAPPED and "K2E-W725" in row.codes, field
    # The step policy itself is not converted: each of its rows says why, the policy's own K2E-W725.
    for field in ("PolicyName", "PolicyType", "ScalingTargetId", "TargetTrackingScalingPolicyConfiguration"):
        row = rows[f"/Resources/CpuPolicy/Properties/{field}"]
        assert row.status == rules.NOT_MAPPED and row.codes == ("K2E-W725",), field
    assert ecs_lies(path) == []
    # With the target-tracking policy, the same rows are mapped to the HPA's fields.
    converted = _rows(CATALOG)
    assert (converted["/Resources/ScalableTarget/Properties/MaxCapacity"].status,
            converted["/Resources/ScalableTarget/Properties/MaxCapacity"].target_value) == (rules.MAPPED, "8")


def test_the_check_reads_an_absent_by_design_code_from_the_ecs_pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import dataclasses

    from converter.compare import ecs_fields
    from converter.rules import env

    path = _task(tmp_path, {"family": "f", "containerDefinitions": [
        {"name": "a", "image": "nginx:1", "environment": [{"name": "", "value": "x"}]}]})
    monkeypatch.setitem(rules._CODE_STATUS, "K2E-W743", rules.APPROXIMATED)  # a status that says "carried"
    assert any("K2E-W743" in lie and "/environment/0" in lie for lie in ecs_lies(path))
    reverse = {kind: tuple(dataclasses.replace(p, absent_codes=("K2E-W743",)) if p.pattern.endswith("/environment/*")
                           else p for p in pairs) for kind, pairs in env.REVERSE_PAIRS.items()}
    monkeypatch.setattr(env, "REVERSE_PAIRS", reverse)
    ecs_fields._compiled.cache_clear()
    try:
        assert ecs_lies(path) == []  # the pair says the code leaves the target absent: no lie
    finally:
        monkeypatch.undo()
        ecs_fields._compiled.cache_clear()
