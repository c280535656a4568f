"""k2ecs in CI: report formats (SARIF, JUnit, markdown), --check drift, accepted findings (annotation and
baseline), the pre-commit hooks and the example GitHub Actions workflow."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import yaml

from converter.core.codes import CODES
from converter.write.drift import drift
from converter.core.errors import ExitStatus
from converter.core.resources import load_schema
from converter.report.sarif_root import git_root
from tests.helpers import ROOT, SAMPLES, run_k2ecs

WEB = SAMPLES / "web-loadbalancer-hpa"
FIXTURES = ROOT / "tests" / "fixtures" / "ci"
APP = ["convert", "app.yaml", "--config", "k2ecs.yaml"]  # run with cwd=FIXTURES
SARIF_SCHEMA = load_schema("sarif-schema-2.1.0.json")
REPORT_SCHEMA = load_schema("report.schema.json")


def report_of(*args: str, cwd: Path = FIXTURES) -> tuple[subprocess.CompletedProcess, dict]:
    result = run_k2ecs(*args, "--report", "json", cwd=cwd)
    report = json.loads(result.stderr)
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(report)
    return result, report


def sarif_of(*args: str, cwd: Path) -> dict:
    result = run_k2ecs(*args, "--report", "sarif", cwd=cwd)
    assert result.returncode in (ExitStatus.OK, ExitStatus.FINDINGS), result.stderr
    log = json.loads(result.stderr)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    return log


def sample_layout(tmp_path: Path) -> Path:
    """The web sample as a repository would hold it: input/, k2ecs.yaml and its reviewed output in out/."""
    shutil.copytree(WEB / "input", tmp_path / "input")
    shutil.copy(WEB / "k2ecs.yaml", tmp_path / "k2ecs.yaml")
    shutil.copytree(WEB / "expected", tmp_path / "out")
    return tmp_path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- SARIF ---------------------------------------------------------------------------------------------

def test_vendored_sarif_schema_is_the_official_2_1_0_schema():
    assert SARIF_SCHEMA["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    assert SARIF_SCHEMA["properties"]["version"]["enum"] == ["2.1.0"]
    jsonschema.Draft4Validator.check_schema(SARIF_SCHEMA)
    with pytest.raises(jsonschema.ValidationError):  # it does reject what is not SARIF
        jsonschema.Draft4Validator(SARIF_SCHEMA).validate({"version": "2.1.0", "runs": [{"results": []}]})


@pytest.mark.parametrize("where", ["sample", "fixture"])
def test_sarif_is_valid_and_has_rules_results_and_locations(where: str):
    if where == "sample":
        log = sarif_of("convert", "input", "--config", "k2ecs.yaml", cwd=WEB)
        report = run_k2ecs("convert", "input", "--config", "k2ecs.yaml", "--report", "json", cwd=WEB)
    else:
        log = sarif_of(*APP, cwd=FIXTURES)
        report = run_k2ecs(*APP, "--report", "json", cwd=FIXTURES)
    findings = json.loads(report.stderr)["findings"]
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] == "k2ecs"
    assert [rule["id"] for rule in rules] == list(CODES)
    for rule in rules:
        info = CODES[rule["id"]]
        assert rule["shortDescription"]["text"] == info.title
        assert info.explanation in rule["help"]["text"] and info.suggestion in rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] == {"error": "error", "warning": "warning", "info": "note"}[info.severity.label]
    results = run["results"]
    assert len(results) == len(findings) > 0
    for result, finding in zip(results, findings):
        assert result["ruleId"] == finding["code"] and rules[result["ruleIndex"]]["id"] == finding["code"]
        assert result["level"] == {"error": "error", "warning": "warning", "info": "note"}[finding["severity"]]
        assert finding["message"] in result["message"]["text"]
        physical = result["locations"][0]["physicalLocation"]
        cwd = WEB if where == "sample" else FIXTURES
        root = git_root(cwd.resolve())
        expected = finding["file"] if root is None else (cwd.resolve() / finding["file"]).relative_to(root).as_posix()
        assert physical["artifactLocation"]["uri"] == expected
        assert physical["region"]["startLine"] == finding["line"]
        assert ("suppressions" in result) == ("accepted" in finding)


def test_sarif_marks_accepted_findings_as_suppressed_with_their_reason():
    log = sarif_of(*APP, cwd=FIXTURES)
    suppressed = {r["ruleId"]: r["suppressions"][0] for r in log["runs"][0]["results"] if "suppressions" in r}
    assert suppressed["K2E-W110"] == {"kind": "inSource", "status": "accepted", "justification": "the image ships curl"}
    assert set(suppressed) == {"K2E-W110", "K2E-W602", "K2E-I401"}


def test_sarif_uses_file_uris_for_absolute_paths(tmp_path: Path):
    manifest = tmp_path / "my app.yaml"
    shutil.copy(FIXTURES / "app.yaml", manifest)
    log = sarif_of("convert", str(manifest), cwd=tmp_path)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris == {manifest.resolve().as_uri()} and "%20" in next(iter(uris))


# -- JUnit ---------------------------------------------------------------------------------------------

def junit_of(*args: str, cwd: Path = FIXTURES) -> ET.Element:
    result = run_k2ecs(*args, "--report", "junit", cwd=cwd)
    assert result.stderr.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(result.stderr.split("\n", 1)[1])


def suites(root: ET.Element) -> dict[str, ET.Element]:
    return {suite.get("name"): suite for suite in root.iter("testsuite")}


def _failing(report: dict, fail_on: str) -> list[dict]:
    ranks = {"info": 1, "warning": 2, "error": 3, "never": 99}
    return [f for f in report["findings"] if ranks[f["severity"]] >= ranks[fail_on] and "accepted" not in f]


@pytest.mark.parametrize("fail_on", ["error", "warning", "info", "never"])
def test_junit_has_one_case_per_resource_of_every_kind_and_one_failure_per_failing_case(fail_on: str):
    _, report = report_of(*APP)
    root = junit_of(*APP, "--fail-on", fail_on)
    cases = list(root.iter("testcase"))
    # every input resource (converted, referenced, not converted: Secrets and ConfigMaps too), in input order
    assert [(c.get("name"), c.get("classname")) for c in cases][:len(report["resources"])] == \
        [(r["resource"], r["file"]) for r in report["resources"]]
    failing = _failing(report, fail_on)
    for case in cases:
        expected = [f for f in failing if (f["resource"], f["file"]) == (case.get("name"), case.get("classname"))]
        failures = case.findall("failure")
        assert len(failures) == (1 if expected else 0)
        if expected:  # the one failure lists each failing finding of the resource
            assert [line.split()[2] for line in failures[0].text.splitlines() if not line.startswith("-> ")] == \
                [f["code"] for f in expected]
    failed_cases = sum(1 for c in cases if c.find("failure") is not None)
    assert int(root.get("failures")) == failed_cases <= int(root.get("tests")) == len(cases)
    for suite in root.iter("testsuite"):
        assert int(suite.get("tests")) == len(suite.findall("testcase"))
        assert int(suite.get("failures")) == sum(1 for c in suite.findall("testcase") if c.find("failure") is not None)
    # accepted findings are listed, not failed
    web = next(c for c in cases if c.get("name") == "Deployment/web")
    assert "K2E-W110" in web.findtext("system-out") and "accepted (annotation): the image ships curl" in web.findtext("system-out")


def test_junit_groups_cases_by_input_file_and_a_clean_sample_has_no_failure():
    root = junit_of(*APP, "--fail-on", "warning")
    assert [suite.get("name") for suite in root.iter("testsuite")] == ["app.yaml"]
    cron = next(c for c in root.iter("testcase") if c.get("name") == "CronJob/nightly")
    assert cron.find("failure").get("type") == "K2E-W001" and "status: not-converted" in cron.findtext("system-out")
    sample = junit_of("convert", "input", "--config", "k2ecs.yaml", cwd=WEB)
    assert sample.get("failures") == "0" and int(sample.get("tests")) >= 3


def test_junit_has_a_case_for_secrets_and_configmaps():
    case = SAMPLES / "secrets-and-configmaps"
    _, report = report_of("convert", "input", "--fail-on", "never", cwd=case)
    root = junit_of("convert", "input", cwd=case)
    names = [c.get("name") for c in root.iter("testcase")]
    kinds = {r["resource"] for r in report["resources"] if r["resource"].split("/")[0] in ("Secret", "ConfigMap")}
    assert kinds and kinds <= set(names)


@pytest.mark.parametrize("fail_on", ["error", "warning"])
def test_junit_reads_back_with_a_junit_parser_and_its_counts_match(fail_on: str):
    junitparser = pytest.importorskip("junitparser")
    _, report = report_of(*APP)
    result = run_k2ecs(*APP, "--report", "junit", "--fail-on", fail_on, cwd=FIXTURES)
    xml = junitparser.JUnitXml.fromstring(result.stderr.split("\n", 1)[1])
    cases = [case for suite in xml for case in suite]
    failed = [case for case in cases if not case.is_passed]
    assert len(cases) >= len(report["resources"])
    assert {case.name for case in failed} == {f["resource"] for f in _failing(report, fail_on)}
    for suite in xml:
        suite.update_statistics()  # recounts from the cases: the written counts must be the same
    assert sum(suite.tests for suite in xml) == len(cases)
    assert sum(suite.failures for suite in xml) == len(failed) == int(ET.fromstring(
        result.stderr.split("\n", 1)[1]).get("failures"))
    assert all(len(case.result) == 1 for case in failed)


# -- markdown and text ---------------------------------------------------------------------------------

def test_markdown_renders_a_table_with_one_row_per_finding():
    _, report = report_of(*APP)
    text = run_k2ecs(*APP, "--report", "markdown", cwd=FIXTURES).stderr
    lines = text.splitlines()
    assert lines[0] == "## k2ecs report"
    header = lines.index("| Severity | Code | Resource | Where | Finding | What to do | Accepted |")
    assert lines[header + 1] == "| --- | --- | --- | --- | --- | --- | --- |"
    rows = lines[header + 2:]
    assert len(rows) == len(report["findings"])
    for row, finding in zip(rows, report["findings"]):
        cells = re.split(r"(?<!\\)\|", row)[1:-1]
        assert len(cells) == 7, row
        assert cells[1].strip() == f"`{finding['code']}`"
    w110 = next(row for row in rows if "K2E-W110" in row)
    assert "\\|\\|" in w110 and w110.rstrip().endswith("annotation: the image ships curl |")


def test_text_report_marks_accepted_findings_and_counts_them():
    result = run_k2ecs(*APP, cwd=FIXTURES)
    assert "    accepted (annotation): the image ships curl" in result.stderr
    assert result.stderr.rstrip().endswith("3 accepted (not counted for --fail-on)")


def test_report_file_receives_every_format(tmp_path: Path):
    for fmt in ("text", "json", "markdown", "sarif", "junit"):
        target = tmp_path / f"report.{fmt}"
        result = run_k2ecs("convert", "input", "--config", "k2ecs.yaml", "--report", fmt, "--report-file", str(target), cwd=WEB)
        assert result.returncode == 0 and result.stderr == "" and target.read_text().strip()


# -- accepted findings: the annotation -----------------------------------------------------------------

def test_annotation_accepts_findings_which_stay_in_the_report_and_do_not_count():
    result, report = report_of(*APP, "--fail-on", "warning")
    accepted = {f["code"]: f["accepted"] for f in report["findings"] if "accepted" in f}
    assert accepted == {
        "K2E-W110": {"reason": "the image ships curl", "source": "annotation"},
        "K2E-W602": {"reason": "the execution role comes from Terraform", "source": "annotation"},
        "K2E-I401": {"reason": "only ECS services call web", "source": "annotation"},
    }
    assert report["summary"]["accepted"] == 3
    assert report["summary"]["warnings"] == sum(1 for f in report["findings"] if f["severity"] == "warning")
    assert result.returncode == ExitStatus.FINDINGS  # the E104 and the other warnings still count
    # the annotation itself is consumed: no tag, no "annotation not carried", no catch-all
    assert not [f for f in report["findings"] if "k2ecs.io" in f["path"] or f["code"] in ("K2E-I008", "K2E-W901")]
    stdout = json.loads(result.stdout)
    tags = stdout["workloads"][0]["taskDefinition"]["tags"]
    assert {"key": "team", "value": "payments"} in tags and not [t for t in tags if t["key"].startswith("k2ecs.io")]


def test_only_unaccepted_findings_decide_the_exit_status(tmp_path: Path):
    text = (FIXTURES / "app.yaml").read_text()
    text = text.replace("k2ecs.io/accept: \"", "k2ecs.io/accept: \"K2E-E104=the ConfigMap is created by Helm, ", 1)
    text = text.replace("    k2ecs.io/accept: \"K2E-I401", "    k2ecs.io/accept: \"K2E-W604=namespace set at deploy time, K2E-I401")
    text = text.replace("  name: nightly\n", "  name: nightly\n  annotations: {k2ecs.io/accept: \"K2E-W001=runs on EventBridge Scheduler\"}\n")
    (tmp_path / "app.yaml").write_text(text)
    shutil.copy(FIXTURES / "k2ecs.yaml", tmp_path)
    args = ["convert", "app.yaml", "--config", "k2ecs.yaml", "--subnets", "subnet-1", "--security-groups", "sg-1"]
    result, report = report_of(*args, "--fail-on", "warning", cwd=tmp_path)
    assert result.returncode == ExitStatus.OK, [f for f in report["findings"] if "accepted" not in f]
    assert report["summary"]["errors"] == 1 and report["summary"]["accepted"] == 6
    assert run_k2ecs(*args, "--fail-on", "info", cwd=tmp_path).returncode == ExitStatus.FINDINGS  # I113, I205 are not accepted


def test_malformed_and_unused_annotation_entries_are_reported(tmp_path: Path):
    text = (FIXTURES / "app.yaml").read_text().replace(
        "K2E-W110=the image ships curl,", "K2E-W110=the image ships curl, K2E-W999=typo, W304=no prefix, K2E-W303=, K2E-W802=no, K2E-W304=old,")
    (tmp_path / "app.yaml").write_text(text)
    _, report = report_of("convert", "app.yaml", cwd=tmp_path)
    problems = [(f["code"], f["message"]) for f in report["findings"] if f["code"] in ("K2E-W801", "K2E-W803")]
    messages = "\n".join(message for _, message in problems)
    assert [code for code, _ in problems].count("K2E-W801") == 4
    assert "K2E-W999, which is not a k2ecs code" in messages and "'W304=no prefix' is not CODE=reason" in messages
    assert "'K2E-W303=' has no reason" in messages and "8xx findings cannot be accepted" in messages
    assert ("K2E-W803", "k2ecs.io/accept accepts K2E-W304, but no K2E-W304 finding is about Deployment/web") in problems
    w801 = next(f for f in report["findings"] if f["code"] == "K2E-W801")
    assert w801["line"] == 9 and w801["path"] == "/metadata/annotations/k2ecs.io~1accept"
    assert next(f for f in report["findings"] if f["code"] == "K2E-W110")["accepted"]["source"] == "annotation"


# -- accepted findings: the baseline -------------------------------------------------------------------

def test_baseline_write_read_and_stale(tmp_path: Path):
    shutil.copy(FIXTURES / "app.yaml", tmp_path)
    shutil.copy(FIXTURES / "k2ecs.yaml", tmp_path)
    written = run_k2ecs("baseline", "app.yaml", "--config", "k2ecs.yaml", "--reason", "known at migration start", cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    assert "k2ecs-baseline.json: 4 accepted finding(s) (4 new, 0 kept, 0 removed)" in written.stderr
    data = json.loads((tmp_path / "k2ecs-baseline.json").read_text())
    jsonschema.Draft202012Validator(load_schema("baseline.schema.json")).validate(data)
    # warnings and errors not already accepted by the annotation; no info (default --min-severity warning)
    assert sorted(e["code"] for e in data["accepted"]) == ["K2E-E104", "K2E-W001", "K2E-W601", "K2E-W604"]
    assert all(e["reason"] == "known at migration start" for e in data["accepted"])

    args = ["convert", "app.yaml", "--config", "k2ecs.yaml", "--baseline", "k2ecs-baseline.json"]
    result, report = report_of(*args, "--fail-on", "warning", cwd=tmp_path)
    assert result.returncode == ExitStatus.OK, result.stderr
    by_source = {}
    for f in report["findings"]:
        if "accepted" in f:
            by_source.setdefault(f["accepted"]["source"], []).append(f["code"])
    assert sorted(by_source["baseline"]) == ["K2E-E104", "K2E-W001", "K2E-W601", "K2E-W604"]
    assert sorted(by_source["annotation"]) == ["K2E-I401", "K2E-W110", "K2E-W602"]
    assert run_k2ecs(*args, cwd=tmp_path).returncode == ExitStatus.OK
    assert run_k2ecs("convert", "app.yaml", "--config", "k2ecs.yaml", cwd=tmp_path).returncode == ExitStatus.FINDINGS

    # the loss is fixed (the ConfigMap is added): its entry no longer matches and is reported as stale
    with (tmp_path / "app.yaml").open("a") as handle:
        handle.write("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: gone}\ndata: {mode: fast}\n")
    text = (tmp_path / "k2ecs-baseline.json").read_text()
    stale_line = next(n for n, line in enumerate(text.splitlines(), 1) if "K2E-E104" in line)
    result, report = report_of(*args, cwd=tmp_path)
    (stale,) = [f for f in report["findings"] if f["code"] == "K2E-W802"]
    assert stale["file"] == "k2ecs-baseline.json" and stale["line"] == stale_line
    assert stale["resource"] == "Deployment/web" and stale["path"].startswith("/accepted/")
    assert "stale baseline entry: no K2E-E104 finding about Deployment/web" in stale["message"]
    assert result.returncode == ExitStatus.OK  # a warning
    assert run_k2ecs(*args, "--fail-on", "warning", cwd=tmp_path).returncode == ExitStatus.FINDINGS

    # rewriting drops the stale entry and keeps the reasons of the others
    rewritten = run_k2ecs("baseline", "app.yaml", "--config", "k2ecs.yaml", cwd=tmp_path)
    assert "3 accepted finding(s) (0 new, 3 kept, 1 removed)" in rewritten.stderr
    data = json.loads((tmp_path / "k2ecs-baseline.json").read_text())
    assert sorted(e["code"] for e in data["accepted"]) == ["K2E-W001", "K2E-W601", "K2E-W604"]
    assert all(e["reason"] == "known at migration start" for e in data["accepted"])


def test_baseline_entries_match_on_code_resource_and_path_not_lines(tmp_path: Path):
    shutil.copy(FIXTURES / "app.yaml", tmp_path)
    assert run_k2ecs("baseline", "app.yaml", "--min-severity", "info", cwd=tmp_path).returncode == 0
    text = (tmp_path / "app.yaml").read_text()
    (tmp_path / "app.yaml").write_text("# moved down\n\n\n" + text)  # every line number changes
    _, report = report_of("convert", "app.yaml", "--baseline", "k2ecs-baseline.json", cwd=tmp_path)
    assert all("accepted" in f for f in report["findings"]), [f for f in report["findings"] if "accepted" not in f]
    entry = json.loads((tmp_path / "k2ecs-baseline.json").read_text())["accepted"][0]
    assert set(entry) == {"code", "resource", "path", "reason"}


@pytest.mark.parametrize(("content", "message"), [
    (None, "baseline file not found"),
    ("{not json", "not valid JSON"),
    ('{"format": "k2ecs-baseline/1", "accepted": [{"code": "K2E-W110"}]}', "not a k2ecs baseline"),
])
def test_a_bad_baseline_file_is_a_usage_error(tmp_path: Path, content: str | None, message: str):
    shutil.copy(FIXTURES / "app.yaml", tmp_path)
    if content is not None:
        (tmp_path / "b.json").write_text(content)
    result = run_k2ecs("convert", "app.yaml", "--baseline", "b.json", cwd=tmp_path)
    assert result.returncode == ExitStatus.USAGE and message in result.stderr and result.stdout == ""


# -- --check -------------------------------------------------------------------------------------------

def test_check_same_output_exits_0_and_writes_nothing(tmp_path: Path):
    repo = sample_layout(tmp_path)
    before = snapshot(repo)
    result = run_k2ecs("convert", "input", "--config", "k2ecs.yaml", "-o", "out", "--check", cwd=repo)
    assert result.returncode == ExitStatus.OK, result.stdout + result.stderr
    assert result.stdout == ""
    assert snapshot(repo) == before and sorted(p.name for p in repo.iterdir()) == ["input", "k2ecs.yaml", "out"]


def test_check_different_output_exits_drift_with_a_unified_diff(tmp_path: Path):
    repo = sample_layout(tmp_path)
    taskdef = repo / "out" / "web.taskdef.json"
    taskdef.write_text(taskdef.read_text().replace('"cpu": "256"', '"cpu": "1024"').replace('"cpu": "512"', '"cpu": "1024"'))
    (repo / "out" / "old.service.json").write_text("{}\n")
    (repo / "out" / "web.scaling.json").unlink()
    before = snapshot(repo)
    result = run_k2ecs("convert", "input", "--config", "k2ecs.yaml", "-o", "out", "--check", cwd=repo)
    assert result.returncode == ExitStatus.DRIFT == 5
    assert snapshot(repo) == before
    diff = result.stdout
    assert "--- out/web.taskdef.json\n+++ out/web.taskdef.json\n@@ " in diff
    assert re.search(r'^-.*"cpu": "1024"', diff, re.M) and re.search(r'^\+.*"cpu": "(256|512)"', diff, re.M)
    assert "--- out/old.service.json\n+++ /dev/null\n" in diff
    assert "--- /dev/null\n+++ out/web.scaling.json\n" in diff
    assert "out/web.service.json" not in diff and "out/report.json" not in diff
    assert "not up to date: 3 file(s) differ" in result.stderr
    # applying the diff makes the folder what convert writes
    patch = shutil.which("patch")
    if patch:
        subprocess.run([patch, "-p0", "-s"], input=diff, text=True, cwd=repo, check=True)
        assert run_k2ecs("convert", "input", "--config", "k2ecs.yaml", "-o", "out", "--check", cwd=repo).returncode == 0


def test_check_against_a_missing_folder_is_drift_and_creates_nothing(tmp_path: Path):
    repo = sample_layout(tmp_path)
    result = run_k2ecs("convert", "input", "--config", "k2ecs.yaml", "-o", "new", "--check", cwd=repo)
    assert result.returncode == ExitStatus.DRIFT
    assert result.stdout.count("--- /dev/null\n") == 4 and not (repo / "new").exists()


def test_check_needs_an_output_folder():
    result = run_k2ecs("convert", "input", "--config", "k2ecs.yaml", "--check", cwd=WEB)
    assert result.returncode == ExitStatus.USAGE and "-o/--output" in result.stderr


def test_check_reports_findings_too(tmp_path: Path):
    out = tmp_path / "out"
    assert run_k2ecs(*APP, "-o", str(out), cwd=FIXTURES).returncode == ExitStatus.FINDINGS  # E104
    result = run_k2ecs(*APP, "-o", str(out), "--check", "--report", "sarif", cwd=FIXTURES)
    assert result.returncode == ExitStatus.FINDINGS and result.stdout == ""
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(json.loads(result.stderr))


def test_drift_shows_a_missing_final_newline_and_nested_folders(tmp_path: Path):
    (tmp_path / "a.json").write_text("{}")
    (tmp_path / "sub").mkdir()
    diff, differ = drift(str(tmp_path), {"a.json": "{}\n"})
    assert differ == ["a.json", "sub/"]
    assert "-{}\n\\ No newline at end of file\n+{}\n" in diff and f"Only in {tmp_path}: sub/" in diff
    assert drift(str(tmp_path / "none"), {}) == ("", [])


# -- pre-commit and GitHub Actions ---------------------------------------------------------------------

def k2ecs_command(words: list[str]) -> list[str]:
    """The console script pre-commit would run (from this venv), or the module when it is not installed."""
    assert words[0] == "k2ecs"
    script = Path(sys.executable).parent / "k2ecs"
    return ([str(script)] if script.exists() else [sys.executable, "-m", "converter"]) + words[1:]


def hooks() -> dict[str, dict]:
    data = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert isinstance(data, list)
    return {hook["id"]: hook for hook in data}


def test_pre_commit_hooks_manifest_is_well_formed():
    for hook in hooks().values():
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python"  # installs this repository with pip
        assert hook["pass_filenames"] is False  # k2ecs converts the whole set of manifests at once
        assert re.compile(hook["files"]).search("k8s/web.yaml")
        assert shlex.split(hook["entry"])[:2] == ["k2ecs", "convert"]
    assert set(hooks()) == {"k2ecs-check", "k2ecs-convert"}


def test_pre_commit_check_hook_runs_on_the_sample_and_passes(tmp_path: Path):
    repo = sample_layout(tmp_path)
    hook = hooks()["k2ecs-check"]
    command = k2ecs_command(shlex.split(hook["entry"]) + ["input", "--config", "k2ecs.yaml", "-o", "out"])
    result = subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    (repo / "out" / "web.service.json").write_text("{}\n")
    result = subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=120)
    assert result.returncode == ExitStatus.DRIFT and "+++ out/web.service.json" in result.stdout


def test_pre_commit_convert_hook_regenerates_the_output(tmp_path: Path):
    repo = sample_layout(tmp_path)
    shutil.rmtree(repo / "out")
    hook = hooks()["k2ecs-convert"]
    command = k2ecs_command(shlex.split(hook["entry"]) + ["input", "--config", "k2ecs.yaml", "-o", "out"])
    result = subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert snapshot(repo / "out") == snapshot(WEB / "expected")


# The example workflow and the action are run as the runner would run them in tests/test_action.py.
