"""The GitHub Action (action.yml) and the example workflow, run locally as the runner would run them
(issue 23 item 1), and the CI flow end to end as the README documents it (item 4): write the output,
write the baseline, commit, check.

The runner is imitated: the workflow's step that uses this action is expanded into the action's steps,
``${{ inputs.* }}`` and ``${{ steps.*.outputs.* }}`` are substituted, ``if:`` is evaluated, and every
``run:`` step is executed with bash in a git repository made from a sample. Two steps are not executed:
actions/setup-python (the test's own Python stands in) and the pip install (it needs a package index; a
``k2ecs`` on PATH runs this checkout instead, and the step's command is checked to install the action's
own checkout). upload-sarif is not executed either; its ``sarif_file`` is checked to be the written report.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from converter.core.errors import ExitStatus
from converter.core.resources import load_schema
from tests.helpers import ROOT, SAMPLES, run_k2ecs

WEB = SAMPLES / "web-loadbalancer-hpa"
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
WORKFLOW = yaml.safe_load((ROOT / "docs" / "github-actions-example.yml").read_text())
SARIF_SCHEMA = load_schema("sarif-schema-2.1.0.json")
pytestmark = pytest.mark.skipif(shutil.which("bash") is None or shutil.which("git") is None, reason="needs bash and git")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=repo, check=True,
                   capture_output=True)


def _repo(tmp_path: Path, sub: str = "") -> Path:
    """A repository laid out as the example workflow expects, in ``sub`` of it; output and baseline written
    as the README says (output first, then the baseline), then committed."""
    repo = tmp_path / "repo"
    work = repo / sub
    work.mkdir(parents=True)
    _git(repo, "init", "-q")
    shutil.copytree(WEB / "input", work / "k8s")
    shutil.copy(WEB / "k2ecs.yaml", work / "k2ecs.yaml")
    assert run_k2ecs("convert", "k8s/", "-o", "ecs/", cwd=work).returncode == 0
    assert run_k2ecs("baseline", "k8s/", "--reason", "reviewed", cwd=work).returncode == 0
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "k2ecs output and baseline")
    return repo


def _shim(folder: Path) -> Path:
    """A k2ecs on PATH that runs this checkout (stands in for the install step)."""
    folder.mkdir()
    script = folder / "k2ecs"
    script.write_text(f"#!/bin/sh\nPYTHONPATH={ROOT} exec {sys.executable} -m converter \"$@\"\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return folder


_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _value(name: str, inputs: dict, outputs: dict) -> str:
    if name.startswith("inputs."):
        return str(inputs[name[len("inputs."):]])
    step, _, key = name[len("steps."):].partition(".outputs.")
    return outputs.get(step, {}).get(key, "")


def _substitute(text: str, inputs: dict, outputs: dict) -> str:
    return _EXPRESSION.sub(lambda m: _value(m.group(1), inputs, outputs), str(text))


def _condition(text: str | None, inputs: dict, outputs: dict, failed: bool) -> bool:
    """The ``if:`` forms action.yml uses: always(), success(), and ``name == 'x'`` / ``!= 'x'`` joined by &&."""
    if text is None:
        return not failed
    inner = _EXPRESSION.fullmatch(text.strip())
    terms = [term.strip() for term in (inner.group(1) if inner else text).split("&&")]
    result = "always()" in terms or not failed
    for term in terms:
        match = re.fullmatch(r"([\w.-]+) (==|!=) '(.*)'", term)
        if match:
            equal = _value(match.group(1), inputs, outputs) == match.group(3)
            result = result and (equal if match.group(2) == "==" else not equal)
        else:
            assert term in ("always()", "success()"), f"condition not understood: {term}"
    return result


class ActionRun:
    def __init__(self) -> None:
        self.status = 0
        self.logs: list[str] = []
        self.outputs: dict[str, dict[str, str]] = {}
        self.uploads: list[dict] = []


def run_workflow(repo: Path, tmp_path: Path, overrides: dict | None = None) -> ActionRun:
    """The example workflow's job, its step that uses this action expanded and run."""
    (job,) = WORKFLOW["jobs"].values()
    steps = job["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")  # the repository is checked out first
    (uses,) = [step for step in steps if re.fullmatch(r"[\w-]+/k2ecs@[\w.-]+", step.get("uses", ""))]
    inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    unknown = set(uses.get("with", {})) - set(inputs)
    assert not unknown, f"the workflow passes inputs the action does not have: {unknown}"
    inputs.update(uses.get("with", {}))
    inputs.update(overrides or {})
    path = _shim(tmp_path / "bin")
    run = ActionRun()
    for step in ACTION["runs"]["steps"]:
        if not _condition(step.get("if"), inputs, run.outputs, failed=run.status != 0):
            continue
        if "uses" in step:
            if step["uses"].startswith("github/codeql-action/upload-sarif@"):
                run.uploads.append({k: _substitute(v, inputs, run.outputs) for k, v in step["with"].items()})
            else:
                assert step["uses"].startswith("actions/setup-python@")
            continue
        if "pip install" in step["run"]:
            assert '"$GITHUB_ACTION_PATH"' in step["run"]  # from the action's own ref, never by name
            continue
        output_file = tmp_path / f"output-{step.get('id', 'step')}"
        output_file.write_text("")
        env = dict(os.environ, PATH=f"{path}{os.pathsep}{os.environ['PATH']}", GITHUB_ACTION_PATH=str(ROOT),
                   GITHUB_OUTPUT=str(output_file), GITHUB_WORKSPACE=str(repo), RUNNER_TEMP=str(tmp_path))
        env.update({k: _substitute(v, inputs, run.outputs) for k, v in step.get("env", {}).items()})
        cwd = repo / _substitute(step.get("working-directory", "."), inputs, run.outputs)
        done = subprocess.run(["bash", "-e", "-c", _substitute(step["run"], inputs, run.outputs)], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=300)
        run.logs.append(done.stdout + done.stderr)
        if "id" in step:
            run.outputs[step["id"]] = dict(line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line)
        if done.returncode != 0 and run.status == 0:
            run.status = done.returncode
    return run


def test_the_example_workflow_uses_this_action_pinned_to_a_ref():
    (job,) = WORKFLOW["jobs"].values()
    assert WORKFLOW["permissions"]["security-events"] == "write"
    text = (ROOT / "docs" / "github-actions-example.yml").read_text()
    assert "pip install" not in text.replace("#", "\n#").split("\n#")[0] and "k2ecs==" not in text
    assert ACTION["runs"]["using"] == "composite"
    run_steps = [step["run"] for step in ACTION["runs"]["steps"] if "run" in step]
    assert not any("${{" in script for script in run_steps)  # inputs reach scripts as env, never spliced in


def test_the_workflow_passes_on_an_up_to_date_repository_and_uploads_a_placeable_sarif(tmp_path: Path):
    repo = _repo(tmp_path)
    run = run_workflow(repo, tmp_path)
    assert run.status == 0, run.logs
    assert run.outputs["check"]["exit-code"] == "0"
    sarif = Path(run.outputs["check"]["sarif-file"])
    assert [upload["sarif_file"] for upload in run.uploads] == [str(sarif)]
    log = json.loads(sarif.read_text())
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris and all((repo / uri).is_file() for uri in uris)


def test_new_loss_fails_the_workflow_and_is_annotated_at_its_line(tmp_path: Path):
    repo = _repo(tmp_path)
    manifest = repo / "k8s" / "web.yaml"
    manifest.write_text(manifest.read_text().replace(
        "image:", "lifecycle: {preStop: {exec: {command: [sleep, '5']}}}\n          image:", 1))
    run = run_workflow(repo, tmp_path)
    assert run.status in (ExitStatus.FINDINGS, ExitStatus.DRIFT)
    annotations = [line for line in run.logs[-1].splitlines() if line.startswith("::")]
    w116 = [line for line in annotations if "title=K2E-W116" in line]
    assert w116 and w116[0].startswith("::warning file=k8s/web.yaml,line=")
    line = int(re.search(r",line=(\d+),", w116[0]).group(1))
    assert "lifecycle" in manifest.read_text().splitlines()[line - 1]
    assert run.uploads  # the SARIF is uploaded even though the check failed


def test_from_a_sub_folder_the_sarif_and_annotations_point_from_the_repository_root(tmp_path: Path):
    repo = _repo(tmp_path, sub="deploy")
    run = run_workflow(repo, tmp_path, {"working-directory": "deploy", "fail-on": "info"})
    sarif = json.loads(Path(run.outputs["check"]["sarif-file"]).read_text())
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris == {"deploy/k8s/web.yaml"}
    assert any(line.startswith("::notice file=deploy/k8s/web.yaml,line=") or
               line.startswith("::warning file=deploy/k8s/web.yaml,line=") for line in run.logs[-1].splitlines())


# -- the CI flow as the README documents it: output, then baseline, commit, check ------------------------------

def test_check_passes_after_writing_the_baseline_and_survives_reworded_messages(tmp_path: Path):
    repo = _repo(tmp_path)  # output written without --baseline, baseline written afterwards
    check = ["convert", "k8s/", "-o", "ecs/", "--check", "--baseline", "k2ecs-baseline.json", "--fail-on", "warning"]
    result = run_k2ecs(*check, cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    # a k2ecs upgrade that rewords every message and suggestion (and bumps the version)
    report_path = repo / "ecs" / "report.json"
    report = json.loads(report_path.read_text())
    report["version"] = "9.9.9"
    for finding in report["findings"]:
        finding["message"] = "reworded " + finding["message"]
        finding["suggestion"] = "reworded"
    report_path.write_text(json.dumps(report, indent=2))
    assert run_k2ecs(*check, cwd=repo).returncode == 0
    assert run_k2ecs(*check, "--fail-on", "never", cwd=repo).returncode == 0  # another gate, same output
    # what the conversion found did change: a finding at another path is drift
    report["findings"][0]["path"] += "/moved"
    report_path.write_text(json.dumps(report, indent=2))
    drift = run_k2ecs(*check, cwd=repo)
    assert drift.returncode == ExitStatus.DRIFT and "report.json" in drift.stdout


def test_check_still_sees_a_changed_payload(tmp_path: Path):
    repo = _repo(tmp_path)
    manifest = repo / "k8s" / "web.yaml"
    manifest.write_text(re.sub(r"image: (\S+)", r"image: \1-changed", manifest.read_text(), count=1))
    result = run_k2ecs("convert", "k8s/", "-o", "ecs/", "--check", "--baseline", "k2ecs-baseline.json", cwd=repo)
    assert result.returncode == ExitStatus.DRIFT and "web.taskdef.json" in result.stdout


def test_annotate_escapes_workflow_command_data():
    sys.path.insert(0, str(ROOT / "action"))
    try:
        import annotate
    finally:
        sys.path.pop(0)
    log = {"runs": [{"results": [
        {"ruleId": "K2E-W1", "level": "note", "message": {"text": "a%b\nc"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": "my%20dir/a,b:c.yaml"}, "region": {"startLine": 3}}}]},
        {"ruleId": "K2E-W2", "level": "warning", "message": {"text": "x"}, "suppressions": [{"kind": "external"}],
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.yaml"}}}]},
        {"ruleId": "K2E-W3", "level": "error", "message": {"text": "y"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": "file:///elsewhere/a.yaml"}}}]},
    ]}]}
    assert annotate.commands(log) == ["::notice file=my dir/a%2Cb%3Ac.yaml,line=3,title=K2E-W1::a%25b%0Ac",
                                      "::error title=K2E-W3::y"]
