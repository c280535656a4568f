"""docs/MAPPING.md (converter.report.mapping_doc): generated from the registries, with stable anchors every pointer resolves to."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from typer.testing import CliRunner

from converter.core import codes, limits, topics
from converter.cli import app
from converter.core.code_info import CodeInfo
from converter.core.codes import CODES, code_entry, doc_reference, explain, help_uri
from converter.report.mapping_doc import anchors, mapping_markdown, rule_tables
from converter.report.sarif import _rule
from tests.helpers import ROOT

DOC = ROOT / "docs" / "MAPPING.md"
# c21 replaces these two tables with pair tables owned by the conversion (issue 21 item 1); their
# docstrings still cite the old reference's sections until then.
# A module names the file once (docs/MAPPING.md#topic-probes) and later pointers by their anchor alone.
SHORT_POINTER = re.compile(r"(?<![\w/.-])#((?:topic|topics|rule|rules|limit|limits|codes)-[a-z0-9-]+|topics|codes|limits)\b")


@pytest.fixture(scope="module")
def generated() -> str:
    return mapping_markdown()


@pytest.fixture(scope="module")
def doc_anchors(generated) -> set[str]:
    return set(anchors(generated))


def test_docs_mapping_md_is_generated_from_the_registries(generated):
    assert DOC.read_text(encoding="utf-8") == generated, "run: python -m converter.report.mapping_doc > docs/MAPPING.md"


def test_every_code_topic_rule_and_limit_has_one_anchor(generated):
    found = anchors(generated)
    assert [name for name, count in Counter(found).items() if count > 1] == []
    expected = ({code.lower() for code in CODES} | {f"topic-{key}" for key in topics.TOPICS}
                | {f"limit-{key}" for key in limits.LIMITS}
                | {rule.anchor for table in rule_tables() for rule in table.rules if table.same_as is None})
    assert expected - set(found) == set()
    # ECS quotas come from schemas/ecs_rules.json: the tag count that converter.rules.naming enforces is listed
    assert "limit-ecs-v23-tags-max-count" in found and "limit-fargate-16384" in found


def test_every_topic_a_code_names_exists_and_every_code_with_a_rule_names_one():
    for info in CODES.values():
        assert all(key in topics.TOPICS for key in info.topics), info.code
    assert sum(1 for info in CODES.values() if info.topics) >= 100  # the codes that cited a section of the old draft


def test_anchors_do_not_change_when_the_text_does(monkeypatch, generated):
    info = CODES["K2E-W110"]
    monkeypatch.setitem(CODES, "K2E-W110", CodeInfo(code=info.code, title="Reworded", explanation="Other words.",
                                                   suggestion="Something else.", topics=info.topics))
    topic = topics.TOPICS["probes"]
    monkeypatch.setitem(topics.TOPICS, "probes", topic._replace(title="Health", summary="Reworded."))
    entry = limits.LIMITS["yaml-depth"]
    monkeypatch.setitem(limits.LIMITS, "yaml-depth", entry._replace(what="Depth", source="elsewhere"))
    reworded = mapping_markdown()
    assert reworded != generated and anchors(reworded) == anchors(generated)


def _pointers(text: str) -> list[str]:
    return re.findall(r"docs/MAPPING\.md#([a-z0-9-]+)", text)


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_pointer_of_explain_and_sarif_resolves_to_an_anchor(code, doc_anchors):
    entry = code_entry(CODES[code])
    rule = _rule(CODES[code])
    pointers = (_pointers(explain(code)) + _pointers(str(entry)) + _pointers(rule["helpUri"])
                + _pointers(rule["help"]["text"]) + _pointers(rule["help"]["markdown"]))
    assert code.lower() in pointers and help_uri(code).endswith(doc_reference(code))
    assert len(pointers) == 4 + 4 * len(CODES[code].topics)  # explain, explain --json (2), helpUri; per topic: 4
    assert set(pointers) <= doc_anchors


def test_no_pointer_in_the_package_dangles(doc_anchors):
    """No source file cites the old reference's sections, and every docs/MAPPING.md#anchor it names exists."""
    stale, dangling = [], []
    for path in sorted((ROOT / "converter").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        if re.search(r"MAPPING §|MAPPING-REFERENCE", text):
            stale.append(name)
        found = _pointers(text) + SHORT_POINTER.findall(text)
        dangling += [f"{name}: {anchor}" for anchor in found if anchor not in doc_anchors]
    assert stale == [] and dangling == []


def test_explain_prints_where_to_read_more():
    result = CliRunner().invoke(app, ["explain", "K2E-W206"])
    assert result.exit_code == 0, result.output
    assert "Read more: docs/MAPPING.md#k2e-w206" in result.output
    installed = result.output.split("Installed copy: ", 1)[1].strip()
    assert installed == str(DOC.resolve())  # a checkout reads the repository's file (a wheel: converter/_data/docs)


def test_the_readme_limits_table_states_the_values_the_code_enforces():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Limits"):]
    table = table[:table.index("\n\n", table.index("| Limit |"))]
    for entry in limits.LIMITS.values():
        if entry.group == "input":
            assert f"{entry.value:,}" in table, entry.key


def test_the_code_reads_its_limits_from_the_table():
    from converter.write import output
    from converter.load import source_files, yaml_bounds, yaml_limits
    from converter.write.iac import cloudformation
    from converter.read.kubernetes import hpa_behavior, metadata

    assert source_files.MAX_FILE_BYTES == limits.limit_value("input-file-bytes") == 64 * 1024 * 1024
    assert (yaml_limits.MAX_DEPTH, yaml_bounds.MAX_DOCUMENTS) == (limits.limit_value("yaml-depth"),
                                                                 limits.limit_value("yaml-documents"))
    assert metadata.MAX_FILE_STEM_CHARS == output.MAX_FILE_NAME_BYTES - len(".taskdef.json") == 242
    assert hpa_behavior.MAX_WINDOW == limits.limit_value("hpa-stabilization-window-seconds")
    assert cloudformation.QUOTAS["resources"] == limits.limit_value("cfn-stack-resources")
    assert codes.REPO_URL == "https://github.com/k2ecs/k2ecs"


def test_ecs_quotas_the_renderers_use_are_the_ones_the_document_lists(monkeypatch):
    from converter.rules import naming
    from converter.rules.exposure import load_balancer
    from converter.write.ecs import service
    from converter.core.resources import load_schema

    rules = load_schema("ecs_rules.json")
    assert load_balancer.MAX_TARGET_GROUPS == rules["V26_load_balancers"]["max_count"]
    assert service.max_start_period_seconds() == 300
    assert naming.tag_problem("k" * 128, "v" * 256) is None and "1-128" in naming.tag_problem("k" * 129, "")
    # the tag rules are read from schemas/ecs_rules.json, not from a copy
    monkeypatch.setitem(rules["V23_tags"]["key_length"], "max", 3)
    assert naming.tag_problem("abcd", "") == "key is 4 characters (1-3)"
