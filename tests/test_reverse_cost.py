"""Issue 24 item 3: `convert --to k8s` does each piece of work once. k2ecs's own report.json is recognised with
the json module, not the YAML loader, and under the report bound rather than the 64 MB input bound; the
manifests are dumped once on stdout; the output schemas' references are resolved once, not at every use.
Bounded by work (parses, dumps, reference look-ups), never by time."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from converter.load import loader, source_files
from converter.load.inputs import load_inputs
from converter.load.own_report import read_own_report
from tests.helpers import SAMPLES, run_k2ecs

CASE = SAMPLES / "ecs-k2ecs-output-folder"
ARGS = ["convert", "input", "--to", "k8s", "--fail-on", "never", "--report", "json"]


@pytest.fixture
def parsed_files(monkeypatch):
    """The files the YAML loader parses, in order."""
    files: list[str] = []
    real = loader.parse_text

    def spy(text, file, **options):
        files.append(Path(file).name)
        return real(text, file, **options)

    monkeypatch.setattr(loader, "parse_text", spy)
    return files


def test_own_report_is_not_parsed_as_yaml_and_the_output_is_unchanged(parsed_files, tmp_path):
    out = tmp_path / "out"
    result = run_k2ecs(*ARGS, "-o", str(out), cwd=CASE)
    assert result.returncode == 0, result.stderr
    assert "report.json" not in parsed_files and len(parsed_files) == len(list((CASE / "input").glob("*.json"))) - 1
    for produced in out.iterdir():
        assert produced.read_bytes() == (CASE / "expected" / produced.name).read_bytes()
    [note] = [f for f in json.loads(result.stderr)["findings"] if f["code"] == "K2E-I703"]
    assert (note["file"], note["line"]) == ("input/report.json", 1)


@pytest.mark.parametrize("text", [
    '{"tool": "k2ecs", "version": "1", "findings": []}',
    '\n\n  {"tool": "k2ecs", "version": "1"}\n',  # the line of the brace, as the YAML loader gives it
    '\r\n\r\r\n{"tool":"k2ecs","version":"1"}',
])
def test_own_report_has_the_line_the_yaml_loader_gives(tmp_path, text):
    path = tmp_path / "report.json"
    path.write_bytes(text.encode())
    [by_yaml] = loader.read_text(text, str(path), cfn_tags=True)
    by_json = read_own_report(str(path))
    assert by_json is not None and (by_json.file, by_json.line) == (by_yaml.file, by_yaml.line)


@pytest.mark.parametrize("text", [
    '{"tool": "k2ecs", "version": "1", "version": "2"}',  # a duplicate key: refused on the YAML path
    '{"tool": "k2ecs", "version": 1}',  # not a report's shape
    '{"tool": "k2ecs", "version": "1",}',  # not JSON (YAML reads it)
    '{"kind": "x", "tool": "k2ecs", "version": "1"}',  # "tool" not first: not what k2ecs writes
])
def test_anything_but_a_plain_report_takes_the_yaml_path(tmp_path, parsed_files, text):
    path = tmp_path / "report.json"
    path.write_text(text)
    assert read_own_report(str(path)) is None
    load_inputs([str(path)], cfn_tags=True)
    assert parsed_files == ["report.json"]


def test_a_report_over_the_input_file_bound_is_still_k2ecs_own(monkeypatch, tmp_path):
    """At some 5,400 workloads a report passes the 64 MB bound on an input file: k2ecs refused its own
    folder. The bound is lowered here below this report's size, and above every payload file's."""
    folder = tmp_path / "input"
    shutil.copytree(CASE / "input", folder)
    report = folder / "report.json"
    payloads = max(p.stat().st_size for p in folder.iterdir() if p != report)
    assert report.stat().st_size > payloads + 1
    monkeypatch.setattr(source_files, "MAX_FILE_BYTES", payloads + 1)
    result = run_k2ecs(*ARGS, cwd=tmp_path)
    codes = [f["code"] for f in json.loads(result.stderr)["findings"]]
    assert result.returncode == 0 and "K2E-I703" in codes and "K2E-E030" not in codes


def test_stdout_dumps_each_manifest_once(monkeypatch):
    from converter.write.kubernetes import dump

    dumped = []
    real = dump._dump  # one manifest (the dumper itself is asked only for the text of some scalars)
    monkeypatch.setattr(dump, "_dump", lambda data, *a, **k: dumped.append(data) or real(data, *a, **k))
    result = run_k2ecs(*ARGS, cwd=CASE)
    assert result.returncode == 0
    assert len(dumped) == len(list(yaml.safe_load_all(result.stdout))) > 0


def test_output_schemas_resolve_no_reference_while_validating(monkeypatch):
    """jsonschema looked every $ref up again at each use: two fifths of validating a manifest."""
    import referencing._core

    from converter.validate.kubernetes import problems

    documents = [d for f in sorted((CASE / "expected").glob("*.yaml")) for d in yaml.safe_load_all(f.read_text())]
    problems(documents[0])  # the validators are built (and cached) outside the count
    lookups = []
    real = referencing._core.Resolver.lookup
    monkeypatch.setattr(referencing._core.Resolver, "lookup", lambda self, ref: lookups.append(ref) or real(self, ref))
    assert [problem for document in documents for problem in problems(document)] == []
    assert lookups == [] and {d["kind"] for d in documents} >= {"Deployment", "Service", "HorizontalPodAutoscaler"}


def test_an_invalid_manifest_is_still_refused_with_its_path():
    from converter.validate.kubernetes import problems

    [deployment] = [d for d in yaml.safe_load_all((CASE / "expected" / "web.yaml").read_text()) if d["kind"] == "Deployment"]
    deployment["spec"]["template"]["spec"]["containers"][0]["ports"] = [{"containerPort": "eighty"}]
    assert any("/spec/template/spec/containers/0/ports/0/containerPort: 'eighty' is not of type 'integer'" in p
               for p in problems(deployment))


@pytest.mark.slow  # writes and reads a 120 MB report (CI runs slow tests: .ci/run runs the README's pytest -q)
def test_a_report_of_10000_workloads_is_read_back(tmp_path):
    """Issue 24's acceptance: k2ecs's own 10,000-workload output folder converts. Its report (some 12 KB a
    workload in real runs) passes the 64 MB input bound and was called an alias bomb before that; the
    payloads are the sample's three, since converting 10,000 of them again proves nothing more."""
    from converter.core import jsontext

    folder = tmp_path / "input"
    shutil.copytree(CASE / "input", folder)
    report = json.loads((folder / "report.json").read_text())
    findings, outputs, resources = report["findings"], report["outputs"], report["resources"]
    report["summary"]["workloads"] = 10_000
    report["outputs"] = [{**outputs[i % 3], "name": f"w{i}"} for i in range(10_000)]
    report["resources"] = [{**resources[i % len(resources)], "resource": f"Deployment/w{i}"} for i in range(10_000)]
    per_workload = 12_000 // len(json.dumps(findings[0], indent=2)) + 1
    report["findings"] = [{**findings[j % len(findings)], "resource": f"Deployment/w{i}"}
                          for i in range(10_000) for j in range(per_workload)]
    with open(folder / "report.json", "w", encoding="utf-8") as handle:
        jsontext.dump(report, handle)
    assert (folder / "report.json").stat().st_size > source_files.MAX_FILE_BYTES
    result = run_k2ecs(*ARGS, "-o", str(tmp_path / "out"), cwd=tmp_path)
    codes = [f["code"] for f in json.loads(result.stderr)["findings"]]
    assert result.returncode == 0 and "K2E-I703" in codes and "K2E-E030" not in codes
    for produced in (tmp_path / "out").iterdir():
        assert produced.read_bytes() == (CASE / "expected" / produced.name).read_bytes()


def _scaling_folder(folder: Path, count: int) -> None:
    """``count`` copies of the sample's scaled workload (task definition, service, target and policy)."""
    folder.mkdir()
    for index in range(count):
        for part in ("taskdef", "service", "scaling"):
            text = (CASE / "input" / f"web.{part}.json").read_text()
            text = text.replace('"web"', f'"web{index}"').replace("/web", f"/web{index}").replace("web-cpu", f"web{index}-cpu")
            (folder / f"web{index}.{part}.json").write_text(text)


class _CountedList(list):
    """A list that counts the items its iterators hand out."""

    handed = 0

    def __iter__(self):
        for item in super().__iter__():
            _CountedList.handed += 1
            yield item


def test_policies_find_their_targets_in_work_linear_in_their_number(tmp_path):
    """Each policy looked through every target, and each target through every policy: quadratic (issue 24)."""
    from converter.pipeline import reverse

    handed = {}
    for count in (4, 32):
        _scaling_folder(tmp_path / str(count), count)
        documents = load_inputs([str(tmp_path / str(count))], cfn_tags=True)
        real = reverse._link_and_render

        def counted(parsed, *rest, real=real):
            parsed.targets, parsed.policies = _CountedList(parsed.targets), _CountedList(parsed.policies)
            return real(parsed, *rest)

        _CountedList.handed = 0
        reverse._link_and_render = counted
        try:
            result = reverse.convert_to_kubernetes(documents)
        finally:
            reverse._link_and_render = real
        handed[count] = _CountedList.handed
        scaled = [o for o in result.outputs if any(r.startswith("ScalingPolicy/") for r in o.inputs)]
        assert len(scaled) == count and all(len(o.inputs) == 4 for o in scaled)
        assert {s.status for s in result.sources if s.resource.startswith(("ScalableTarget/", "ScalingPolicy/"))} == {"converted"}
    # Eight times the workloads, eight times the items: the scans handed out 64 times as many.
    assert handed[32] <= 8 * handed[4] + 8


def test_the_reverse_conversion_leaves_no_cyclic_garbage() -> None:
    """run_reverse pauses the cyclic GC while loading and converting and then freezes what was built, as
    cli_common.conversion does: sound only while these steps leave no reference cycles behind."""
    import gc

    from converter.pipeline.reverse import convert_to_kubernetes
    from converter.report.baseline import review
    from converter.report.canonical import build_report
    from converter.write.kubernetes.dump import dump_documents
    from tests.reverse_support import ecs_sample_cases

    def run(path: str) -> None:
        result = convert_to_kubernetes(load_inputs([path], cfn_tags=True))
        findings = review(result.findings, result.sources, None)
        build_report(findings, result.sources, result.outputs)
        assert dump_documents(d for o in result.outputs for d in o.documents)
        # as the CLI converts: each output's text made as it is rendered, each reader released at the end
        result = convert_to_kubernetes(load_inputs([path], cfn_tags=True), as_text=True, release=True)
        build_report(review(result.findings, result.sources, None), result.sources, result.outputs)
        assert all(o.text for o in result.outputs)

    # Not the CloudFormation sample: converter.read.ecs.intrinsics.referenced_resources leaves one small cycle per
    # call (a recursive closure), a template's worth at most, kept until the command ends while the GC is paused.
    paths = [str(case / "input") for case in ecs_sample_cases() if "cloudformation" not in case.name]
    for path in paths:  # first runs: imports, and the schemas compiled once, are not the run's garbage
        run(path)
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        for path in paths:
            run(path)
        unreachable = gc.collect()
    finally:
        if enabled:
            gc.enable()
    assert unreachable == 0
