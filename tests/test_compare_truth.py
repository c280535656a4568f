"""`k2ecs compare` tells what the conversion did (issue 21 item 2): its pairs are the conversion's, checked here.

The pairs (converter/core/field_pairs.py, declared beside each rule) are held to the conversion of samples/ and the
corpus: a field the conversion consumed without a finding is set in the output where its pair says (or absent
with the same meaning), so a row marked "mapped" never has a target that is not set, and a row whose target is
not set is "not mapped" or has a finding that says why. The status table names every code.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from converter.core.codes import CODES
from converter.compare import compare
from converter.compare import rules
from converter.compare.rows import NOT_SET
from converter.load.config import load_config
from converter.core.field_pairs import forward_code_fields, forward_pairs
from converter.load.loader import load_paths
from tests.helpers import corpus_k8s_files, require_corpus, sample_cases

GPU_ON_FARGATE = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: inference}
spec:
  replicas: 1
  selector: {matchLabels: {app: inference}}
  template:
    metadata: {labels: {app: inference}}
    spec:
      serviceAccount: runner
      containers:
      - name: server
        image: example/vllm:1
        livenessProbe: {httpGet: {path: /health, port: 8000}}
        securityContext: {privileged: false, allowPrivilegeEscalation: true}
        resources:
          requests: {cpu: "2", memory: 8Gi, nvidia.com/gpu: "1"}
          limits: {memory: 8Gi, nvidia.com/gpu: "1"}
"""


def lies(comparison) -> list[str]:
    """Rows of converted workloads that misreport the conversion."""
    found = []
    ecs = comparison.source_side == "ECS"
    for view in comparison.workloads:
        if not view.workload.is_workload or not view.workload.converted:
            continue
        for row in view.rows:
            where = f"{view.workload.name} {row.source_field} -> {row.target_field} = {row.target_value!r}"
            if row.status == rules.MAPPED and row.target_value == NOT_SET:
                found.append(f"mapped but not set: {where}")
            elif row.status != rules.MAPPED and not row.findings:
                found.append(f"{row.status} without a finding: {where}")
            elif row.target_value == NOT_SET and rules.row_status(row.findings, None, True) in (
                    rules.MAPPED, rules.APPROXIMATED) and not set(row.codes) <= _absent_by_design(row, view, ecs):
                found.append(f"findings {row.codes} say carried, but not set: {where}")
    return found


def _absent_by_design(row, view, ecs: bool) -> set[str]:
    """The codes the row's pair says leave its target absent by design (``Pair.absent_codes``), in either direction."""
    from converter.compare import ecs_fields
    from converter.compare.kubernetes_fields import entry_for
    from tests.helpers import pointer_parts

    path = tuple(int(step) if step.isdigit() else step for step in pointer_parts(row.source_field))
    if ecs:  # the reverse pair of the ECS document the row is in (an ECS Service is no Kubernetes Service)
        source = next((s for s in view.workload.sources if s.file == row.source_file
                       and s.resource == row.source_resource and path[: len(s.prefix)] == tuple(s.prefix)), None)
        entry = ecs_fields.entry_for(source, path[len(source.prefix):]) if source is not None else None
    else:
        entry = entry_for(row.source_resource.split("/", 1)[0], path)
    return set(entry.absent_codes) if entry is not None else set()


def _gpu(tmp_path: Path):
    (tmp_path / "app.yaml").write_text(GPU_ON_FARGATE)
    return compare(load_paths([str(tmp_path / "app.yaml")]), load_config(None))


def _row(comparison, field_end: str):
    return next(r for v in comparison.workloads for r in v.rows if r.source_field.endswith(field_end))


def test_a_dropped_gpu_request_is_not_mapped_with_the_finding_that_says_so(tmp_path: Path):
    comparison = _gpu(tmp_path)
    for end in ("/requests/nvidia.com~1gpu", "/limits/nvidia.com~1gpu"):
        row = _row(comparison, end)
        assert (row.status, row.target_value, row.codes) == (rules.NOT_MAPPED, NOT_SET, ("K2E-W206",))
    # The serviceAccount spelling: no role written, and the finding (placed on serviceAccountName) is on its row.
    account = _row(comparison, "/serviceAccount")
    assert account.status == rules.NEEDS_INPUT and "K2E-W147" in account.codes
    # privileged: false and allowPrivilegeEscalation: true write nothing, and mean what ECS does without them.
    for end in ("/privileged", "/allowPrivilegeEscalation"):
        row = _row(comparison, end)
        assert row.status == rules.MAPPED and row.target_value.startswith(NOT_SET + " ") and not row.findings
    assert lies(comparison) == []


def test_a_pair_pointed_at_the_wrong_field_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import dataclasses

    from converter.compare import kubernetes_fields
    from converter.rules import health

    assert lies(_gpu(tmp_path)) == []
    wrong = {kind: tuple(dataclasses.replace(p, targets=(p.targets[0].replace("healthCheck", "linuxParameters"),))
                         if p.pattern.endswith("/livenessProbe") else p for p in pairs)
             for kind, pairs in health.PAIRS.items()}
    monkeypatch.setattr(health, "PAIRS", wrong)
    for cached in (kubernetes_fields._compiled, kubernetes_fields.entry_for):
        cached.cache_clear()
    try:
        assert any("livenessProbe -> taskDefinition.containerDefinitions[server].linuxParameters" in lie
                   for lie in lies(_gpu(tmp_path)))
    finally:
        monkeypatch.undo()
        for cached in (kubernetes_fields._compiled, kubernetes_fields.entry_for):
            cached.cache_clear()


def test_a_code_dropped_from_the_status_table_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    assert lies(_gpu(tmp_path)) == []
    monkeypatch.setitem(rules._CODE_STATUS, "K2E-W206", rules.APPROXIMATED)  # what dropping it gives (a warning)
    assert any("K2E-W206" in lie and "nvidia.com~1gpu" in lie for lie in lies(_gpu(tmp_path)))


def test_the_status_table_names_every_code_once():
    named = [code for codes in rules.STATUS_BY_CODE.values() for code in codes] + list(rules.BY_SEVERITY)
    ranged = [code for code in CODES if any(low <= int(code[5:]) <= high for low, high, _ in rules.STATUS_BY_RANGE)]
    assert sorted(named + ranged) == sorted(CODES)  # a code dropped from a status table is missing here
    assert not set(rules.BY_SEVERITY) & set(rules._CODE_STATUS)


def test_the_pairs_name_codes_that_exist():
    explained = {code for pairs in forward_pairs().values() for p in pairs for code in p.codes}
    assert explained and explained <= set(CODES)
    assert set(forward_code_fields()) <= set(CODES)
    for pairs in forward_pairs().values():
        for p in pairs:
            assert bool(p.same_when_unset) == bool(p.unset_reason), p.pattern


def _sample_comparisons():
    for case in sample_cases():
        config = case / "k2ecs.yaml"
        yield case.name, compare(load_paths([str(case / "input")]), load_config(str(config) if config.is_file() else None))


def test_no_sample_row_misreports_the_conversion():
    found = [f"{name}: {lie}" for name, comparison in _sample_comparisons() for lie in lies(comparison)]
    assert found == []


def test_no_corpus_row_misreports_the_conversion():
    require_corpus()
    found = []
    for path in corpus_k8s_files():
        try:
            comparison = compare(load_paths([str(path)]), load_config(None))
        except Exception:  # a file the loader refuses whole (not YAML, a duplicate key) has no rows to check
            continue
        found += [f"{path.name}: {lie}" for lie in lies(comparison)]
    assert found == []
