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
