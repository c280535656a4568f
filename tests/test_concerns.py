"""The mapping concerns (converter/core/concerns.py, issue 21 item 1): one rules module owns each, both ways.

Every field pair, Kubernetes -> ECS and ECS -> Kubernetes, belongs to exactly one concern; each concern's one rule
module under converter/rules/ declares its pairs and holds a function for each direction (they exist), or the
concern says why not; and compare's ECS side reads the reverse pairs from the rule modules: pointing one elsewhere
changes what compare shows.
"""

from __future__ import annotations

import dataclasses
import importlib

import pytest

from converter.core.codes import CODES
from converter.compare import compare, ecs_fields
from converter.core.concerns import BY_KEY, CONCERNS, source_path
from converter.core.field_pairs import forward_code_fields, forward_pairs, pair_tables, reverse_code_fields, reverse_pairs
from converter.load.loader import load_paths
from converter.report.mapping_doc import mapping_markdown
from converter.core.settings import Settings
from converter.core.topics import TOPICS
from tests.helpers import ROOT

SIDES = ("forward", "reverse")
WEB_ALB = ROOT / "samples" / "ecs-fargate-web-alb" / "input"


def _owners() -> dict[tuple[str, str, str], list[str]]:
    """(direction, kind, source pattern) -> the concerns whose tables declare it."""
    owners: dict[tuple[str, str, str], list[str]] = {}
    for table in pair_tables():
        for side in SIDES:
            for kind, pairs in getattr(table, side).items():
                for pair in pairs:
                    owners.setdefault((side, kind, pair.pattern), []).append(table.concern)
    return owners


def test_every_pair_both_directions_belongs_to_exactly_one_registered_concern():
    owners = _owners()
    gathered = {("forward", kind, p.pattern) for kind, pairs in forward_pairs().items() for p in pairs}
    gathered |= {("reverse", kind, p.pattern) for kind, pairs in reverse_pairs().items() for p in pairs}
    assert gathered == set(owners)  # nothing compare shows comes from outside a concern's table
    assert {where: keys for where, keys in owners.items() if len(keys) != 1} == {}
    assert {keys[0] for keys in owners.values()} <= set(BY_KEY)
    # Both directions are there: the reverse pairs cover the task definition, service and scaling documents.
    assert {"TaskDefinition", "Service", "ScalableTarget", "ScalingPolicy"} <= set(reverse_pairs())
    assert {"Deployment", "StatefulSet", "Service", "HorizontalPodAutoscaler"} <= set(forward_pairs())


def test_the_ten_concerns_of_the_issue_are_registered():
    assert {"resources", "health", "exposure", "env", "volumes", "security", "rollout", "scaling", "identity",
            "logging"} <= set(BY_KEY)
    assert len(BY_KEY) == len(CONCERNS)


def _in_rule(location: str, rule: str) -> bool:
    module = location.partition(":")[0]
    return module == rule or module.startswith(rule + ".")


def test_each_concern_declares_its_pairs_in_its_one_rule_module():
    for table in pair_tables():
        assert table.module == BY_KEY[table.concern].rule, (table.concern, table.module)
    declared = {table.concern for table in pair_tables()}
    assert declared == set(BY_KEY)  # no concern without pairs or codes
    for concern in CONCERNS:
        assert concern.rule.startswith("converter.rules."), concern.key  # the mapping rules live in one package
        assert importlib.import_module(concern.rule).CONCERN == concern.key


def test_every_concern_has_rules_both_ways_or_says_why_not():
    for concern in CONCERNS:
        tables = [t for t in pair_tables() if t.concern == concern.key]
        has = {side: any(getattr(t, side) for t in tables) for side in SIDES}
        codes = {"forward": any(t.forward_codes for t in tables), "reverse": any(t.reverse_codes for t in tables)}
        assert concern.forward and concern.reverse, concern.key  # a function each way
        if not all(has.values()):
            assert concern.one_way, f"{concern.key}: pairs only {[s for s in SIDES if has[s]]}, and no reason"
            assert all(has[side] or codes[side] for side in SIDES), concern.key  # the other way, a code points there
        assert all(key in TOPICS for key in concern.topics), concern.key


def test_each_direction_of_a_rule_has_a_function_in_its_rule_module_or_says_why_not():
    for concern in CONCERNS:
        for side in SIDES:
            inside = [loc for loc in getattr(concern, side) if _in_rule(loc, concern.rule) and ":" in loc]
            assert inside or concern.elsewhere, f"{concern.key}: no {side} function in {concern.rule}"
        # the Kubernetes side is the Kubernetes format's I/O, not the mapping's
        assert all(loc.startswith(("converter.read.kubernetes.", "converter.write.kubernetes."))
                   for loc in concern.kubernetes), concern.key
        assert concern.kubernetes or concern.one_way or concern.elsewhere, concern.key


def test_the_mapping_rules_of_the_rules_package_are_all_registered():
    """Each module of converter/rules/ (a subpackage counting once) is some concern's rule."""
    package = ROOT / "converter" / "rules"
    modules = {f"converter.rules.{p.stem}" for p in package.glob("*.py") if p.name != "__init__.py"}
    modules |= {f"converter.rules.{p.parent.name}" for p in package.glob("*/__init__.py")}
    assert modules == {concern.rule for concern in CONCERNS}


def test_every_rule_location_a_concern_names_exists():
    for concern in CONCERNS:
        for location in concern.forward + concern.reverse + concern.kubernetes + (concern.rule,):
            module_name, _, function = location.partition(":")
            module = importlib.import_module(module_name)
            assert (ROOT / source_path(location)).is_file(), location
            assert not function or callable(getattr(module, function, None)), location


def test_code_fields_name_registered_codes_each_once():
    for fields in (forward_code_fields(), reverse_code_fields()):
        assert fields and set(fields) <= set(CODES)
    for side in ("forward_codes", "reverse_codes"):
        seen = [code for table in pair_tables() for code in getattr(table, side)]
        assert len(seen) == len(set(seen)), side


def test_mapping_md_says_where_each_concern_lives():
    text = mapping_markdown()
    for concern in CONCERNS:
        section = text.split(f'<a id="concern-{concern.key}"></a>', 1)[1].split('<a id="concern-', 1)[0]
        section = section.split('<a id="topics"></a>', 1)[0]
        for location in concern.forward + concern.reverse + concern.kubernetes:
            assert f"`{source_path(location)}`" in section, (concern.key, location)
        assert f"Rule, both directions: `{source_path(concern.rule)}`" in section


# -- compare reads the reverse pairs from the concern modules ------------------------------------------------

def _health_row(rows_of):
    return next(r for r in rows_of if r.source_field.endswith("/healthCheck"))


def _ecs_comparison():
    return compare(load_paths([str(WEB_ALB)], cfn_tags=True), Settings(), (str(WEB_ALB),))


def _rows(comparison):
    return [row for view in comparison.workloads for row in view.rows]


def _ecs_sample_lies() -> list[str]:
    """Rows of the ECS samples that misreport the reverse conversion (tests/test_compare_truth_ecs.py holds the
    samples and the corpus to none)."""
    from tests.reverse_support import ecs_sample_cases
    from tests.test_compare_truth_ecs import ecs_lies

    return [f"{case.name}: {lie}" for case in ecs_sample_cases() for lie in ecs_lies(case / "input")]


def _clear() -> None:
    ecs_fields._compiled.cache_clear()
    ecs_fields._code_fields.cache_clear()


def test_a_reverse_pair_pointed_elsewhere_changes_what_compare_shows(monkeypatch: pytest.MonkeyPatch):
    from converter.rules import health

    before = _health_row(_rows(_ecs_comparison()))
    assert "livenessProbe" in before.target_field and before.status == "mapped"
    wrong = {kind: tuple(dataclasses.replace(p, targets=tuple(t.replace("livenessProbe", "readinessProbe")
                                                                for t in p.targets[:1]))
                         for p in pairs) for kind, pairs in health.REVERSE_PAIRS.items()}
    monkeypatch.setattr(health, "REVERSE_PAIRS", wrong)
    _clear()
    try:
        after = _health_row(_rows(_ecs_comparison()))
        assert "readinessProbe" in after.target_field and "livenessProbe" not in after.target_field
        assert after.status == "not mapped"  # the converter writes no readiness probe from a health check
        assert any("/healthCheck -> " in lie and "readinessProbe" in lie for lie in _ecs_sample_lies())
    finally:
        monkeypatch.undo()
        _clear()
    assert _health_row(_rows(_ecs_comparison())).target_field == before.target_field


def test_a_reverse_code_field_moved_changes_where_compare_puts_its_finding(monkeypatch: pytest.MonkeyPatch):
    from converter.compare.model import WorkloadInput
    from converter.rules import rollout

    workload = WorkloadInput(name="web", resource="TaskDefinition/web", converted=True, sources=(),
                             targets={"Deployment": {"spec": {"replicas": 3, "paused": True}}}, target_text={},
                             findings=(), ecs={})
    assert ecs_fields.EcsToKubernetes().code_target("K2E-I727", workload) == ("Deployment.spec.replicas", 3)
    monkeypatch.setitem(rollout.REVERSE_CODE_FIELDS, "K2E-I727", ("Deployment.spec.paused",))
    _clear()
    try:
        assert ecs_fields.EcsToKubernetes().code_target("K2E-I727", workload) == ("Deployment.spec.paused", True)
    finally:
        monkeypatch.undo()
        _clear()


def test_compare_keeps_no_table_of_its_own():
    source = (ROOT / "converter" / "compare" / "ecs_fields.py").read_text(encoding="utf-8")
    assert "FIELDS" not in source and "CODE_TARGETS" not in source
