"""The shortcuts of `convert` to ECS JSON (issue 24, "every path as fast as the main one") give what the slower
way they stand in front of gives: the compiled config check and jsonschema, the task definition's size measured
once and measured again, the call graph's kept answers and a fresh scan, the text report's printable findings
shown as they are and escaped field by field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest

from converter.core.findings import Finding, Origin, Severity, make_finding
from converter.core.resources import load_schema
from converter.core.settings import Settings
from converter.load import config
from converter.load.inputs import load_inputs
from converter.load.loader import parse_text
from converter.pipeline import addresses, calls
from converter.pipeline.convert import convert
from converter.report import text
from converter.report.printable import escape_controls
from converter.validate.ecs import validate_payloads
from converter.validate.ecs_rules import serialized_size_bytes
from tests.helpers import SAMPLES, places, replaced, sample_cases

ODD_VALUES = [None, True, 0, 3, 1.5, "", "x", "FARGATE", "subnet-0123abcd", "sg-1", "arn:aws:iam::123456789012:role/r",
              "<SUBNET_ID>", [], ["subnet-0123abcd"], ["sg-1"] * 17, {}, {"a": "b"}]


def _configs() -> list[Any]:
    found = [parse_text(path.read_text(encoding="utf-8"), str(path))[0].data for path in sorted(SAMPLES.glob("*/k2ecs.yaml"))]
    assert found, "no sample has a k2ecs.yaml"
    return found


def test_the_compiled_config_check_says_what_jsonschema_says() -> None:
    # Every sample config, and each of them with one value (or the whole of one key) replaced by an odd value.
    check = config._config_check()
    assert check is not None, "schemas/config.schema.json has a keyword schema_check does not compile"
    full = jsonschema.Draft202012Validator(load_schema("config.schema.json"))
    instances: list[Any] = []
    for data in _configs():
        instances.append(data)
        for path in places(data):
            instances += [replaced(data, path, value) for value in ODD_VALUES]
        instances += [dict(data, unknownKey=1), dict(data, secrets={"a/b": "not an arn"}),
                      dict(data, targetGroups={"svc:80": "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/x/1"})]
    refused = 0
    for instance in instances:
        assert check(instance) == full.is_valid(instance), instance
        refused += not full.is_valid(instance)
    assert 0 < refused < len(instances)


def test_a_refused_config_still_gets_jsonschemas_errors() -> None:
    data = dict(_configs()[0], launchType="LAMBDA")
    errors = config._schema_errors(data)
    assert errors and list(errors[0].absolute_path) == ["launchType"]
    assert config._schema_errors(_configs()[0]) == []


def _conversion(case: Path):
    settings = config.load_config(str(case / "k2ecs.yaml")) if (case / "k2ecs.yaml").exists() else Settings()
    return convert(load_inputs([str(case / "input")]), settings), settings


@pytest.mark.parametrize("case", sample_cases(), ids=lambda case: case.name)
def test_the_size_measured_while_rendering_is_the_task_definitions(case: Path) -> None:
    result, settings = _conversion(case)
    from dataclasses import replace

    from converter.core import jsontext
    from converter.write.output import payload_files, stdout_entry

    for output in result.outputs:
        assert output.task_definition_bytes == serialized_size_bytes(output.task_definition)
        assert output.task_definition_text == jsontext.dumps(output.task_definition)
        # the writers take the text written while measuring, and write what they write of the payload itself
        plain = replace(output, task_definition_text=None)
        assert payload_files(output) == payload_files(plain) and stdout_entry(output) == stdout_entry(plain)
        scaling = output.scaling
        payloads = dict(taskdef=output.task_definition, service=output.service,
                        target=None if scaling is None else scaling["scalableTarget"],
                        policies=[] if scaling is None else scaling["scalingPolicies"], launch_type=settings.launch_type)
        assert validate_payloads(**payloads, taskdef_bytes=output.task_definition_bytes) == validate_payloads(**payloads)


def test_a_size_given_to_validation_is_the_one_judged() -> None:
    # The size is the caller's measurement: over the limit, it is the V2 problem whatever the payload holds.
    taskdef = {"family": "web", "containerDefinitions": [{"name": "app", "image": "nginx", "memory": 512}]}
    problems = validate_payloads(taskdef=taskdef, service=None, target=None, policies=[], launch_type="EC2",
                                 taskdef_bytes=70_000)
    assert any("serialized size 70000 bytes" in problem for problem in problems)
    assert not any("serialized size" in problem for problem in
                   validate_payloads(taskdef=taskdef, service=None, target=None, policies=[], launch_type="EC2"))


ADDRESS_VALUES = ["http://cart:7070", "cart", "cart.team-1", "redis://u:p@cache.team-1.svc.cluster.local:6379/0",
                  "a,b.ns,c:80", "x=http://api:8080/v1", "--upstream=backend.ns.svc", "postgres://db/x", "plain text",
                  "http://a/b.c:99", "", ":", "@", "cart:99999", "Cart.Team-1.SVC.cluster.local.:80"]


@pytest.mark.parametrize("bare_ok", [False, True])
def test_kept_addresses_are_a_fresh_scans(bare_ok: bool) -> None:
    for value in ADDRESS_VALUES + ["x" * 600 + " http://long:80"]:
        first = addresses.addresses(value, bare_ok)
        assert first == tuple(addresses.scan_addresses(value, bare_ok)) == addresses.addresses(value, bare_ok), value


def test_kept_address_words_are_a_fresh_search() -> None:
    for name in ("CART_URL", "cart_addr", "REDIS", "PORT", "--upstream", "LOG_LEVEL", "DB_HOST"):
        assert addresses.names_address(name) == (addresses.ADDRESS_WORDS.search(name) is not None)
        assert addresses.names_address(name) == (addresses.ADDRESS_WORDS.search(name) is not None)


def test_kept_service_lookups_are_fresh_ones() -> None:
    from converter.core.reader import Reader
    from converter.read.kubernetes.context import ParseContext
    from converter.read.kubernetes.service import parse_service

    documents = parse_text(
        "".join(f"---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {namespace}}}\n"
                f"spec:{headless}\n  selector: {{app: {name}}}\n  ports: [{{port: 80}}]\n"
                for name, namespace, headless in (("cart", "team-1", ""), ("cart", "team-2", ""),
                                                  ("db", "team-1", "\n  clusterIP: None"))),
        "s.yaml")
    models = [parse_service(Reader(document, "Service/x"), ParseContext(settings=Settings())) for document in documents]
    assert None not in models and [model.type == "Headless" for model in models] == [False, False, True]
    index = calls.ServiceIndex(models)
    hosts = ["cart", "cart.team-2", "cart.team-1.svc", "cart.team-1.svc.cluster.local.", "pod-0.db", "pod-0.db.team-1",
             "db.team-3", "x.y.z.w", "CART"]
    for namespace in ("team-1", "team-2", None):
        for host in hosts:
            fresh = index._lookup(host, namespace)
            assert index.lookup(host, namespace) == fresh and index.lookup(host, namespace) == fresh, (host, namespace)


def _finding(**texts: str) -> dict[str, Any]:
    origin = Origin(resource=texts.get("resource", "Deployment/web"), file=texts.get("file", "in.yaml"), line=3,
                    path=texts.get("path", "/spec"))
    finding = make_finding("K2E-W304", origin, texts.get("message", "revisionHistoryLimit has no ECS equivalent"),
                           texts.get("suggestion"))
    return finding.as_dict()


def _escaped_field_by_field(finding: dict[str, Any]) -> dict[str, Any]:
    shown = dict(finding)
    for name in ("file", "resource", "path", "message", "suggestion"):
        if isinstance(shown.get(name), str):
            shown[name] = escape_controls(shown[name])
    if isinstance(shown.get("accepted"), dict):
        shown["accepted"] = {k: escape_controls(v) if isinstance(v, str) else v for k, v in shown["accepted"].items()}
    return shown


@pytest.mark.parametrize("field", ["file", "resource", "path", "message", "suggestion"])
@pytest.mark.parametrize("odd", ["plain", "a\nb", "\x1b[2J", "bidi \u202e", "line\u2028sep", "tab\there", "é ü"])
def test_a_printable_finding_is_shown_as_it_is_escaped(field: str, odd: str) -> None:
    finding = _finding(**{field: odd})
    assert text._printable(finding) == _escaped_field_by_field(finding)
    accepted = dict(finding, accepted={"source": "k2ecs.yaml", "reason": "known\x1b"})
    assert text._printable(accepted) == _escaped_field_by_field(accepted)
    no_suggestion = dict(finding, suggestion=None)
    assert text._printable(no_suggestion) == _escaped_field_by_field(no_suggestion)


def test_the_printable_shortcut_leaves_the_finding_unchanged() -> None:
    finding = _finding(message="a\nb")
    before = dict(finding)
    text._printable(finding)
    assert finding == before
    assert Finding(code="K2E-W304", severity=Severity.WARNING, resource="r", file="f", line=None, path="",
                   message="m", suggestion="s").as_dict()["severity"] == "warning"


def _tag_lists() -> list[Any]:
    good = [{"key": f"k{n}", "value": f"v{n}"} for n in range(10)]
    odd_texts = ["", "aws:x", "AWS:x", "Aws:", "aws", "x" * 128, "x" * 129, "v" * 256, "v" * 257, "é", "İaws:",
                 "\u0130ws:x", "ß", None, 3]
    lists: list[Any] = [None, "tags", [], good, good * 6, good[:1] * 2, [*good, "not a tag"], [*good, {"key": "k"}]]
    for text in odd_texts:
        lists += [[{"key": text, "value": "v"}], [{"key": "k", "value": text}], [*good, {"key": text, "value": text}]]
    return lists


def test_the_tags_shortcut_finds_no_problem_only_where_the_walk_finds_none() -> None:
    from converter.validate.ecs_rule_helpers import tag_problems, tag_walk

    rules = load_schema("ecs_rules.json")["V23_tags"]
    answers = [(tag_problems(tags, rules), tag_walk(tags, rules)) for tags in _tag_lists()]
    assert all(fast == slow for fast, slow in answers)
    assert any(slow for _, slow in answers) and any(not slow for _, slow in answers)


def test_kept_name_patterns_match_as_re_does() -> None:
    import re

    from converter.validate.ecs_rule_helpers import name_problems

    for name, rules in load_schema("ecs_rules.json")["names"].items():
        for value in ("web", "web-1_a", "", "a" * 255, "a" * 256, "web.x", "wéb", "a\n", None, 3):
            expected = []
            if isinstance(value, str) and not rules["min_length"] <= len(value) <= rules["max_length"]:
                expected = [f"x: {len(value)} characters, expected {rules['min_length']}-{rules['max_length']} (V3)"]
            elif isinstance(value, str) and not re.fullmatch(rules["pattern"], value):
                expected = [f"x: {value!r} does not match {rules['pattern']} (V3)"]
            assert name_problems("x", value, rules, "V3") == expected, (name, value)


def test_kept_tag_answers_are_fresh_judgements() -> None:
    from converter.rules import naming

    texts = ["app", "app.kubernetes.io/name", "aws:x", "AWS:y", "", "k" * 128, "k" * 129, "v" * 256, "v" * 257,
             "a b", "a\tb", "é", "名前", "x!"]
    for key in texts:
        for value in texts:
            fresh = naming.judged_tag(key, value)
            assert naming.tag_problem(key, value) == fresh and naming.tag_problem(key, value) == fresh, (key, value)


def test_a_value_without_a_dollar_expands_to_itself_with_nothing_unknown() -> None:
    # container_env and container skip expand() (and the names it would look up) for such a value.
    from converter.read.kubernetes.expansion import expand

    for value in ("", "plain", "http://cart:7070", "a(b)c", "(VAR)", "x" * 300, "é ( )"):
        assert expand(value, lambda name: "known") == (value, [])
    assert expand("$(A)", lambda name: "known") == ("known", []) and expand("$$", lambda name: None) == ("$", [])


@pytest.mark.parametrize("verbose", [False, True])
@pytest.mark.parametrize("color", [False, True])
def test_a_finding_written_from_its_fields_reads_as_its_dict(verbose: bool, color: bool) -> None:
    paint = text._painter(color)
    for field in ("file", "resource", "path", "message", "suggestion"):
        for odd in ("plain", "a\nb", "\x1b[2J", "bidi \u202e", "é ü", ""):
            origin = Origin(resource="Deployment/web", file="in.yaml", line=3, path="/spec")
            finding = make_finding("K2E-W304", origin, "revisionHistoryLimit has no ECS equivalent")
            for line in (3, None):
                changed = Finding(**{**{name: getattr(finding, name) for name in (
                    "code", "severity", "resource", "file", "path", "message", "suggestion", "extra")},
                    "line": line, field: odd})
                expected = text._finding_lines(text._printable(changed.as_dict()), paint, verbose=verbose)
                assert text._lines_of(changed, paint, verbose) == expected, (field, odd, line)


def test_the_text_report_reads_findings_from_their_fields_only_with_the_reports_own_dicts() -> None:
    from converter.core import jsontext
    from converter.report.canonical import build_report, write_text

    origin = Origin(resource="Deployment/web", file="in.yaml", line=3, path="/spec")
    findings = [make_finding("K2E-W304", origin, "revisionHistoryLimit has no ECS equivalent"),
                make_finding("K2E-I009", origin.at("/metadata/x", 4), "odd \x1b text")]
    report = build_report(findings, [], [])
    direct, plain = __import__("io").StringIO(), __import__("io").StringIO()
    write_text(report, direct)
    write_text(dict(report, findings=jsontext.LazyList(findings, lambda finding: finding.as_dict())), plain)
    assert direct.getvalue() == plain.getvalue() and "\\x1b" in direct.getvalue()


def _findings_of_every_shape() -> list[Finding]:
    origin = Origin(resource="Deployment/web", file="in.yaml", line=3, path="/spec")
    found = []
    for odd in ("plain", "a\nb", "\x1b[2J", "quote \" and \\ slash", "é 名前 \U0001F600", "", "\u2028"):
        for line in (3, None, 0):
            found.append(Finding(code="K2E-W304", severity=Severity.WARNING, resource=odd, file=odd, line=line,
                                 path=odd, message=odd, suggestion=odd))
    found.append(make_finding("K2E-W120", origin, "with details", paths=["/a", "/b"]))
    found.append(Finding(code="K2E-I009", severity=Severity.INFO, resource="r", file="f", line=True, path="",
                         message="m", suggestion="s"))
    return found


@pytest.mark.parametrize("level", [0, 1, 2, 5])
def test_a_finding_written_from_its_fields_is_its_dicts_json(level: int) -> None:
    from converter.core import jsontext
    from converter.report.canonical import finding_dict, finding_json

    for finding in _findings_of_every_shape():
        text = finding_json(finding, level)
        if text is not None:
            assert text == jsontext.dumps(finding_dict(finding), level=level), finding


def test_a_findings_kind_is_made_text_once_and_never_taken_for_another_kind(monkeypatch) -> None:
    """The code, severity, file and suggestion a report's findings share (their kind) are made text once per kind
    (issue 24: 60,000 findings at 10 MB); the texts kept for a kind are never used for another whose id is the same."""
    from converter.core import jsontext
    from converter.report import canonical

    monkeypatch.setattr(canonical, "_KIND_TEXTS", {})
    made = []
    real = canonical._kind_texts
    monkeypatch.setattr(canonical, "_kind_texts", lambda kind, level: made.append(kind) or real(kind, level))
    findings = [make_finding(code, Origin(resource=f"Deployment/w{index}", file="in.yaml", line=index, path="/spec"),
                             f"message {index}") for index in range(300) for code in ("K2E-W120", "K2E-I009")]
    for finding in findings:
        assert canonical.finding_json(finding, 2) == jsontext.dumps(canonical.finding_dict(finding), level=2)
    assert len(made) == 2
    first, other = findings[0], findings[1]
    stale = canonical._KIND_TEXTS[id(first.kind)]
    canonical._KIND_TEXTS[id(other.kind)] = stale  # as if other's kind had the id of a kind since let go
    assert canonical.finding_json(other, 2) == jsontext.dumps(canonical.finding_dict(other), level=2)
    assert canonical.finding_json(first, 3) == jsontext.dumps(canonical.finding_dict(first), level=3)  # another depth


def test_a_report_of_findings_written_from_their_fields_is_the_report_of_their_dicts() -> None:
    import io
    import json

    from converter.core import jsontext
    from converter.report.canonical import build_report, finding_dict, render_json, write_json

    findings = _findings_of_every_shape()
    report = build_report(findings, [], [])
    assert report["findings"].text is not None
    plain = dict(report, findings=[finding_dict(finding) for finding in findings], resources=list(report["resources"]))
    expected = json.dumps(plain, indent=2, ensure_ascii=False) + "\n"
    assert render_json(report) == expected
    handle = io.StringIO()
    write_json(report, handle)
    assert handle.getvalue() == expected
    assert jsontext.dumps([report["findings"]]) == json.dumps([plain["findings"]], indent=2, ensure_ascii=False)
