"""What a conversion keeps of each document to its end (issue 24: peak memory above the baseline <= 5x the
input). A 10 MB bundle has 26,520 documents and 60,000 findings, all kept until the report is written, so a
few dozen bytes more per document or per finding show in the peak (docs/PERFORMANCE.md)."""

from __future__ import annotations

import sys

from converter.core.reader import NO_FINDINGS
from converter.core.settings import Settings
from converter.load.loader import parse_text
from converter.load.yaml_parts import split_stream
from converter.pipeline.convert import convert
from converter.pipeline.deferred import Deferred, SourceText
from tests.helpers import ROOT


def _bench_bundle() -> str:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from apps import bundle
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return bundle(120_000)  # four repeats of the three applications


def test_a_released_document_keeps_no_list_of_its_own_and_its_findings_share_their_resource() -> None:
    documents = parse_text(_bench_bundle(), "bench.yaml")
    result = convert(iter(documents), Settings(), release=True)
    readers = [source.reader for source in result.sources]
    assert all(reader.released for reader in readers)
    quiet = [reader for reader in readers if not reader.findings]
    assert quiet, "the bundle has documents without findings (its ConfigMaps and Services)"
    assert all(reader.findings is NO_FINDINGS for reader in quiet)  # not an empty list each
    # one string per resource, whatever made it (Workload.resource makes a new one at each call)
    assert len({id(finding.resource) for finding in result.findings}) == len({finding.resource for finding in result.findings})
    # the sources in input order, each with its place (no table from id() to place kept by the run)
    assert [source.position for source in result.sources] == sorted(source.position for source in result.sources)
    assert [(source.file, source.line) for source in result.sources] == [(d.file, d.line) for d in documents]


def test_a_part_and_a_deferred_workload_hold_no_dict() -> None:
    text = _bench_bundle()
    parts = split_stream(text, {"deployment"})
    assert len(parts) > 100
    assert not hasattr(parts[0], "__dict__")
    deferred = Deferred(SourceText("bench.yaml", text), next(part for part in parts if part.workload))
    assert not hasattr(deferred, "__dict__")


def test_a_replaced_declaration_still_gets_its_finding_when_readers_are_released() -> None:
    """K2E-E007 is appended to the first declaration's findings (a list again if it was released with none)."""
    text = ("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n"
            "  ports:\n  - port: 80\n---\n"
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n"
            "  ports:\n  - port: 80\n")
    result = convert(iter(parse_text(text, "two.yaml")), Settings(), release=True)
    replaced = [finding for finding in result.findings if finding.code == "K2E-E007"]
    assert [(finding.resource, finding.line) for finding in replaced] == [("Service/web", 1)]
    assert result.sources[0].status == "not-converted"


def test_the_report_makes_its_resources_and_calls_one_at_a_time_and_writes_them_as_before() -> None:
    import json

    from converter.core import jsontext
    from converter.report.canonical import build_report, render

    result = convert(iter(parse_text(_bench_bundle(), "bench.yaml")), Settings(), release=True)
    assert result.calls, "the bench applications call each other by Service name"
    report = build_report(result.findings, result.sources, result.outputs, calls=result.calls)
    assert report["resources"].__class__ is jsontext.LazyList and report["calls"].__class__ is jsontext.LazyList
    written = json.loads(render(report, "json"))
    assert written["resources"] == [{"resource": s.resource, "file": s.file, "line": s.line, "status": s.status}
                                    for s in result.sources]
    assert written["calls"] == [call.as_dict() for call in result.calls]


def test_findings_of_a_code_in_a_file_share_one_kind_and_read_as_before() -> None:
    """code, severity, suggestion and file are one shared _Kind per finding (three slots fewer), given and read
    as fields, compared as before, and dataclasses.replace keeps them."""
    from dataclasses import replace

    from converter.core.codes import CODES
    from converter.core.findings import Finding, Origin, Severity, make_finding

    result = convert(iter(parse_text(_bench_bundle(), "bench.yaml")), Settings(), release=True)
    by_code: dict[tuple[str, str], set[int]] = {}
    for finding in result.findings:
        by_code.setdefault((finding.code, finding.suggestion), set()).add(id(finding.kind))
        assert finding.severity == CODES[finding.code].severity and finding.file == "bench.yaml"
    assert len(result.findings) > 10 * len(by_code) and all(len(kinds) == 1 for kinds in by_code.values())
    assert not hasattr(result.findings[0], "__dict__")

    origin = Origin(resource="Deployment/web", file="a.yaml", line=3, path="/spec")
    finding = make_finding("K2E-W304", origin, "revisionHistoryLimit has no ECS equivalent", "do this")
    assert (finding.code, finding.file, finding.line, finding.suggestion) == ("K2E-W304", "a.yaml", 3, "do this")
    moved = replace(finding, message="other")
    assert (moved.code, moved.severity, moved.file, moved.suggestion, moved.message) == (
        "K2E-W304", Severity.WARNING, "a.yaml", "do this", "other")
    assert replace(finding, suggestion="else").suggestion == "else"
    assert finding == replace(finding) and finding != replace(finding, suggestion="else")
    given = Finding(code="K2E-W304", severity=Severity.INFO, resource="R/x", file="b.yaml", line=None, path="",
                    message="m", suggestion="")
    assert (given.severity, given.suggestion, given.as_dict()["severity"]) == (Severity.INFO, "", "info")
    assert given.as_dict() == {"code": "K2E-W304", "severity": "info", "resource": "R/x", "file": "b.yaml",
                               "line": None, "path": "", "message": "m", "suggestion": ""}


def test_a_repeated_message_is_one_string_and_the_table_of_recent_messages_stays_bounded() -> None:
    from converter.core import findings
    from converter.core.findings import Origin, make_finding

    origin = Origin(resource="Deployment/web", file="a.yaml", line=3, path="/spec")
    first = make_finding("K2E-W304", origin, "".join(["the same ", "text"]))
    again = make_finding("K2E-W304", origin, "".join(["the same ", "text"]))
    assert first.message is again.message
    for number in range(findings._RECENT_MESSAGES * 2 + 5):  # messages made once each (one per workload)
        make_finding("K2E-I308", origin, f"Deployment/web{number} is named x on ECS")
        assert len(findings._messages) <= findings._RECENT_MESSAGES


def test_the_calls_are_made_as_they_are_read() -> None:
    """The run hands out a Calls over its graph's sites, not a list of Call objects made at once; reading it
    twice, or by position, gives the same calls."""
    from converter.pipeline.calls import Call, Calls

    result = convert(iter(parse_text(_bench_bundle(), "bench.yaml")), Settings(service_connect_namespace="apps.local"),
                     release=True)
    calls = result.calls
    assert isinstance(calls, Calls) and len(calls) > 20
    assert not any(isinstance(thing, Call) for _, _, sites in calls.graph.callers for thing in sites)
    listed = [call.as_dict() for call in calls]
    assert listed == [call.as_dict() for call in calls] and len(listed) == len(calls)
    assert [calls[i].as_dict() for i in (0, 7, -1)] == [listed[0], listed[7], listed[-1]]
    assert [call.as_dict() for call in calls[3:6]] == listed[3:6]
    assert any(call["resolved"] for call in listed)


def test_a_message_made_when_read_reads_compares_and_sorts_as_its_text() -> None:
    """K2E-I620 and K2E-I308 keep a Message (template and arguments) instead of a text of their own per workload;
    the finding reads, compares, hashes and sorts as with the text, and only ties of the rest of the key make it."""
    from dataclasses import replace

    from converter.core.findings import Message, Origin, make_finding, sort_findings

    origin = Origin(resource="Deployment/web", file="a.yaml", line=3, path="/spec")
    lazy = make_finding("K2E-I308", origin, Message("{} is named {} on ECS", "Deployment/web", "team-web"))
    plain = make_finding("K2E-I308", origin, "Deployment/web is named team-web on ECS")
    assert lazy.text.__class__ is Message and lazy.text[1] is lazy.resource  # the finding's own resource string
    assert lazy.message == plain.message and lazy == plain and hash(lazy) == hash(plain)
    assert replace(lazy, path="/x").message == plain.message
    assert lazy.as_dict() == plain.as_dict() and repr(lazy.text) == repr(plain.message)
    tied = [make_finding("K2E-I308", origin, Message("{} is named {} on ECS", "Deployment/web", name))
            for name in ("c", "a", "b")] + [make_finding("K2E-I308", origin, "Deployment/web is named bb on ECS")]
    expected = sorted(tied, key=lambda finding: finding.sort_key())
    sort_findings(tied)
    assert [finding.message for finding in tied] == [finding.message for finding in expected]
    assert [finding.message[-9:-7] for finding in tied] == [" a", " b", "bb", " c"]

    result = convert(iter(parse_text(_bench_bundle(), "bench.yaml")), Settings(), release=True)
    logged = [finding for finding in result.findings if finding.code == "K2E-I620"]
    assert logged and all(finding.text.__class__ is Message for finding in logged)
    assert "logs to CloudWatch log group /ecs/" in logged[0].message


def test_the_outputs_of_a_streamed_report_are_made_as_written_and_write_as_before() -> None:
    import json

    from converter.core import jsontext
    from converter.report.canonical import build_report, render

    result = convert(iter(parse_text(_bench_bundle(), "bench.yaml")), Settings(), release=True)
    listed = build_report(result.findings, result.sources, result.outputs, calls=result.calls)
    lazy = build_report(result.findings, result.sources, result.outputs, calls=result.calls, outputs_as_written=True)
    assert lazy["outputs"].__class__ is jsontext.LazyList and isinstance(listed["outputs"], list)
    assert render(lazy, "json") == render(listed, "json")
    assert json.loads(render(lazy, "json"))["outputs"][0]["files"][0].endswith(".taskdef.json")


def test_a_file_name_without_capitals_is_its_own_key() -> None:
    """-o's table of the names written (case-folded -> name) keeps one string for most names, not two."""
    from converter.write.output import check_file_name

    seen: dict[str, str] = {}
    name = "".join(["web", ".taskdef.json"])
    check_file_name(name, seen)
    check_file_name("Api.service.json", seen)
    assert next(iter(seen)) is name and seen["api.service.json"] == "Api.service.json"
    import pytest

    from converter.core.errors import OutputValidationError
    with pytest.raises(OutputValidationError, match="differ only in case"):
        check_file_name("WEB.taskdef.json", seen)
