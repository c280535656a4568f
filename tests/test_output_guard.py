"""The output guard reads of an existing folder's report.json only what tells it k2ecs wrote the folder: its
"tool", "version" and "outputs", which k2ecs writes before the findings (issue 24: re-running ``-o`` on the
folder of a 10 MB bundle loaded its 32 MB report whole, a 197 MB peak)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from converter.cli import app
from converter.write import output_guard
from converter.write.output_guard import FIXED_NAMES, own_report_names, report_names

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "web-loadbalancer-hpa" / "input"


class CountingStream(io.RawIOBase):
    """A binary stream over ``data`` that counts the bytes handed out."""

    def __init__(self, data: bytes) -> None:
        self.data, self.given = data, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = len(self.data) - self.given if size < 0 else size
        chunk = self.data[self.given:self.given + size]
        self.given += len(chunk)
        return chunk


def _whole(data: bytes) -> frozenset[str] | None:
    """What the guard found before: the report loaded whole with json."""
    report = json.loads(data)
    if not (isinstance(report, dict) and report.get("tool") == "k2ecs" and isinstance(report.get("version"), str)
            and isinstance(report.get("outputs"), list)):
        return None
    names = set(FIXED_NAMES)
    for entry in report["outputs"]:
        files = entry.get("files") if isinstance(entry, dict) else None
        if isinstance(files, list):
            names.update(name for name in files if isinstance(name, str))
    return frozenset(names)


def _report(findings: int) -> dict:
    outputs = [{"resource": f"Deployment/w{n}", "name": f"w{n}",
                "files": [f"w{n}.taskdef.json", f"w{n}.service.json"] + ([f"w{n}.scaling.json"] if n % 2 else [])}
               for n in range(40)]
    return {"tool": "k2ecs", "version": "1.0.0", "summary": {"resources": 80, "workloads": 40},
            "resources": [{"resource": f"Service/s{n}", "file": "in.yaml", "line": n, "status": "converted"}
                          for n in range(80)],
            "outputs": outputs,
            "findings": [{"code": "K2E-I308", "message": "x" * 200, "line": n} for n in range(findings)]}


def test_the_guard_reads_no_further_than_the_outputs_of_a_large_report() -> None:
    report = _report(findings=50_000)  # some 13 MB of findings after the outputs
    data = json.dumps(report, indent=2).encode()
    stream = CountingStream(data)
    assert report_names(stream, len(data)) == _whole(data)
    end_of_outputs = data.index(b'"findings"')
    assert stream.given <= end_of_outputs + output_guard._CHUNK  # not the findings, which are 99% of the file
    assert stream.given < len(data) // 20


def test_another_tools_report_is_refused_at_its_first_key() -> None:
    data = json.dumps({"created": 1, "tool": "pytest-json-report",
                       "tests": [{"nodeid": f"t{n}", "outcome": "passed"} for n in range(50_000)]}).encode()
    stream = CountingStream(data)
    assert report_names(stream, len(data)) is None
    assert stream.given <= output_guard._CHUNK


@pytest.mark.parametrize("text", [
    '{"tool": "k2ecs", "version": "1", "outputs": [{"files": ["a.taskdef.json", 3]}, "x", {"files": "no"}]}',
    '{"tool":"k2ecs","version":"1","summary":{"a":[1,{"b":2}]},"resources":[],"outputs":[]}',
    ' \n{ "tool" : "k2ecs" ,\n "version" : "2" , "resources" : [ [ ] , { } , 1.5e3 , null ] , "outputs" : [ ] , "findings" : [ ] }',
    '{"tool": "k2ecs", "version": 1, "outputs": []}',
    '{"tool": "other", "version": "1", "outputs": []}',
    '{"tool": "k2ecs", "version": "1", "outputs": {}}',
    '{"tool": "k2ecs", "version": "1"}',
    '{"tool": "k2ecs", "version": "1", "outputs": [}',
    '{"tool": "k2ecs", "version": "1", "summary": {"n": 12345678901234567890}, "outputs": ["caf\u00e9"]}',
    '{}', '[]', '"k2ecs"', '', '{"version": "1", "tool": "k2ecs", "outputs": []}',
])
@pytest.mark.parametrize("chunk", [1, 7, 1 << 16])  # values cut anywhere between chunks
def test_the_names_are_those_of_the_whole_report(text: str, chunk: int, monkeypatch) -> None:
    data = text.encode()
    try:
        expected = _whole(data)
    except ValueError:
        expected = None
    if text.startswith('{"version"'):
        expected = None  # k2ecs writes "tool" first: another order is not its report
    monkeypatch.setattr(output_guard, "_CHUNK", chunk)
    try:
        found = report_names(CountingStream(data), len(data) + 10)
    except (ValueError, output_guard._NotOwn):
        found = None
    assert found == expected


def test_what_follows_the_outputs_is_not_read() -> None:
    data = b'{"tool": "k2ecs", "version": "1", "outputs": [{"files": ["a.json"]}], "findings": [not json'
    assert report_names(CountingStream(data), len(data)) == FIXED_NAMES | {"a.json"}


def test_a_report_over_the_bound_is_not_read_past_it() -> None:
    data = json.dumps(_report(findings=10)).encode()
    end_of_outputs = data.index(b'"findings"')
    with pytest.raises(output_guard._NotOwn):
        report_names(CountingStream(data), end_of_outputs // 2)


def test_rerunning_on_a_k2ecs_folder_replaces_it_and_the_guard_reads_its_report_as_written(tmp_path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["convert", str(SAMPLE), "-o", str(out), "--report-file", os.devnull,
                                      "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    written = (out / "report.json").read_bytes()
    assert own_report_names(out) == _whole(written) and set(os.listdir(out)) <= own_report_names(out)
    again = CliRunner().invoke(app, ["convert", str(SAMPLE), "-o", str(out), "--report-file", os.devnull,
                                     "--fail-on", "never"])
    assert again.exit_code == 0, again.output
