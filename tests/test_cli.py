"""The command line: exit statuses, report routing, config, atomic writes, explain, version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from converter import __version__
from converter.core.errors import ExitStatus
from tests.helpers import ROOT, SAMPLES, k2ecs_child, k2ecs_in_process, run_k2ecs

WEB = SAMPLES / "web-loadbalancer-hpa"
DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      containers: [{name: c, image: nginx, resources: {requests: {cpu: 250m, memory: 256Mi}}}]
"""


def write(tmp_path: Path, text: str, name: str = "d.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_version():
    result = run_k2ecs("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"k2ecs {__version__}"


def test_explain_prints_the_registry_entry_and_rejects_unknown_codes():
    result = run_k2ecs("explain", "K2E-W110")
    assert result.returncode == 0
    assert "HTTP probe needs curl" in result.stdout and "Read more: docs/MAPPING.md#k2e-w110" in result.stdout
    unknown = run_k2ecs("explain", "K2E-X999")
    assert unknown.returncode == ExitStatus.USAGE and "unknown finding code" in unknown.stderr


def test_fail_on_decides_the_exit_status(tmp_path: Path):
    manifest = write(tmp_path, DEPLOYMENT)  # yields warnings (placeholders) and info, no errors
    assert run_k2ecs("convert", str(manifest)).returncode == ExitStatus.OK
    assert run_k2ecs("convert", str(manifest), "--fail-on", "warning").returncode == ExitStatus.FINDINGS
    assert run_k2ecs("convert", str(manifest), "--fail-on", "never").returncode == ExitStatus.OK
    configured = run_k2ecs("convert", str(manifest), "--fail-on", "warning", "--region", "us-east-1",
                           "--subnets", "subnet-1,subnet-2", "--security-groups", "sg-1", "--cluster", "c",
                           "--execution-role-arn", "arn:aws:iam::123456789012:role/x")
    assert configured.returncode == ExitStatus.OK, configured.stderr


def test_error_findings_fail_by_default(tmp_path: Path):
    manifest = write(tmp_path, DEPLOYMENT.replace("resources:", "env: [{name: X, valueFrom: {configMapKeyRef: {name: gone, key: k}}}], resources:"))
    result = run_k2ecs("convert", str(manifest))
    assert result.returncode == ExitStatus.FINDINGS
    assert "K2E-E104" in result.stderr


def test_usage_error_exit_status():
    assert run_k2ecs("convert").returncode == ExitStatus.USAGE
    assert run_k2ecs("convert", "x.yaml", "--fail-on", "sometimes").returncode == ExitStatus.USAGE


def test_missing_input_file_is_invalid_input(tmp_path: Path):
    result = run_k2ecs("convert", str(tmp_path / "nope.yaml"))
    assert result.returncode == ExitStatus.INVALID_INPUT
    assert result.stderr.startswith("k2ecs: error: ") and "nope.yaml" in result.stderr


def test_report_json_goes_to_the_report_file(tmp_path: Path):
    manifest = write(tmp_path, DEPLOYMENT)
    report_file = tmp_path / "report.json"
    result = run_k2ecs("convert", str(manifest), "--report", "json", "--report-file", str(report_file))
    assert result.returncode == 0 and result.stderr == ""
    report = json.loads(report_file.read_text())
    assert report["summary"]["workloads"] == 1
    assert {f["code"] for f in report["findings"]} >= {"K2E-W601", "K2E-W602"}


def test_stdin_input_is_named_stdin():
    result = run_k2ecs("convert", "-", "--fail-on", "never", stdin=DEPLOYMENT)
    assert result.returncode == 0
    assert "<stdin>:1: warning K2E-W601" in result.stderr
    assert json.loads(result.stdout)["workloads"][0]["name"] == "d"


def test_config_file_is_validated_against_its_schema(tmp_path: Path):
    manifest = write(tmp_path, DEPLOYMENT)
    config = write(tmp_path, "cluster: ok\nlaunchType: LAMBDA\n", "k2ecs.yaml")
    result = run_k2ecs("convert", str(manifest), "--config", str(config))
    assert result.returncode == ExitStatus.USAGE
    assert "k2ecs.yaml:2" in result.stderr and "launchType" in result.stderr


def test_flags_override_the_config_file(tmp_path: Path):
    manifest = write(tmp_path, DEPLOYMENT)
    config = write(tmp_path, "launchType: FARGATE\nregion: eu-west-1\nsizing: limits\n", "k2ecs.yaml")
    result = run_k2ecs("convert", str(manifest), "--config", str(config), "--launch-type", "EC2", "--fail-on", "never")
    taskdef = json.loads(result.stdout)["workloads"][0]["taskDefinition"]
    assert taskdef["requiresCompatibilities"] == ["EC2"]
    assert taskdef["containerDefinitions"][0]["logConfiguration"]["options"]["awslogs-region"] == "eu-west-1"


def test_output_folder_is_replaced_whole_and_only_when_everything_validated(tmp_path: Path):
    out = tmp_path / "out"
    first = run_k2ecs("convert", "input", "--config", "k2ecs.yaml", "-o", str(out), cwd=WEB)
    assert first.returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert "web.taskdef.json" in before and "report.json" in before
    bad = write(tmp_path, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: two\n")
    failed = run_k2ecs("convert", str(bad), "-o", str(out))
    assert failed.returncode == ExitStatus.INVALID_INPUT
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    again = run_k2ecs("convert", str(write(tmp_path, DEPLOYMENT)), "-o", str(out))
    assert again.returncode == 0
    assert sorted(p.name for p in out.iterdir()) == ["d.service.json", "d.taskdef.json", "report.json"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")], "staging folders left behind"


def test_a_folder_that_is_not_a_k2ecs_output_is_never_replaced(tmp_path: Path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    result = run_k2ecs("convert", str(write(tmp_path, DEPLOYMENT)), "-o", str(out))
    assert result.returncode == ExitStatus.USAGE
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_an_invalid_rendered_payload_is_an_error_and_nothing_is_written(tmp_path: Path, monkeypatch, capsys):
    """If a renderer ever produced an invalid payload, validation stops it before anything is written."""
    import converter.pipeline.workload_render as pipeline
    from converter.cli import app
    from typer.testing import CliRunner

    real = pipeline.render_task_definition

    def broken(*args, **kwargs):
        payload, findings = real(*args, **kwargs)
        payload["containerDefinitions"][0]["healthCheck"] = {"command": ["CMD", "true"], "timeout": 600}
        return payload, findings

    monkeypatch.setattr(pipeline, "render_task_definition", broken)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["convert", str(write(tmp_path, DEPLOYMENT)), "-o", str(out)])
    assert result.exit_code == ExitStatus.INVALID_OUTPUT
    assert "rendered ECS payload is not valid" in result.output and "healthCheck.timeout" in result.output
    assert not out.exists()


def test_more_than_ten_containers_is_an_error_finding_not_an_invalid_payload(tmp_path: Path):
    containers = ", ".join(f"{{name: c{i}, image: nginx}}" for i in range(11))
    manifest = write(tmp_path, DEPLOYMENT.replace(
        "[{name: c, image: nginx, resources: {requests: {cpu: 250m, memory: 256Mi}}}]", f"[{containers}]"))
    result = run_k2ecs("convert", str(manifest))
    assert result.returncode == ExitStatus.FINDINGS
    assert "K2E-E144" in result.stderr and json.loads(result.stdout)["workloads"] == []


@pytest.mark.parametrize("argument", ["--traceback"])
def test_traceback_flag_shows_the_traceback(tmp_path: Path, argument: str):
    bad = write(tmp_path, "a: [1\n")
    assert "Traceback" not in run_k2ecs("convert", str(bad)).stderr
    assert "Traceback" in run_k2ecs("convert", str(bad), argument).stderr


@pytest.mark.parametrize("name", ["convert", "baseline", "explain", "plan", "apply", "compare"])
def test_the_app_built_for_one_command_answers_as_the_whole_app(name: str, tmp_path: Path):
    """main() builds only the command named first (a faster start); its help, its parse errors and their
    exit statuses are the whole app's."""
    from typer.testing import CliRunner

    from converter.cli import app, build_app

    one = build_app(only=name)
    for args in ([name, "--help"], [name, "--no-such-option"], [name]):
        whole, alone = CliRunner().invoke(app, args), CliRunner().invoke(one, args)
        assert (alone.exit_code, alone.output) == (whole.exit_code, whole.output), args


def test_main_builds_the_named_command_and_the_whole_app_otherwise(monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]):
    from converter import cli

    built: list[str | None] = []
    real = cli.build_app
    monkeypatch.setattr(cli, "build_app", lambda only=None: built.append(only) or real(only))
    for argv, status in ((["explain", "K2E-W103"], 0), (["--version"], 0), (["nosuch"], 2)):
        monkeypatch.setattr("sys.argv", ["k2ecs", *argv])
        with pytest.raises(SystemExit) as exited:
            cli.main()
        assert exited.value.code == status, argv
    assert built == ["explain"]  # --version and an unknown command went to the whole app, built at import
    assert "K2E-W103" in capsys.readouterr().out


@pytest.mark.parametrize("args", [
    ("convert", "samples/worker-no-ports/input"),  # exit 0, payloads on stdout, text report on stderr
    ("convert", "samples/unsupported-kinds/input", "--report", "json", "--fail-on", "info"),  # exit 1
    ("convert", "tests/bad_input/non_utf8.yaml"),  # exit 3, one line
    ("explain", "K2E-W206"),
])
def test_the_in_process_runner_gives_what_a_child_gives(args):
    """tests.helpers.k2ecs_in_process stands in for run_k2ecs where a test runs the CLI hundreds of times
    (tests/test_corpus.py): it must see the same status and the same bytes on both streams."""
    child = k2ecs_child(*args, cwd=ROOT)
    here = k2ecs_in_process(*(str(ROOT / a) if "/" in a else a for a in args))
    assert (here.returncode, here.stdout, here.stderr.replace(str(ROOT) + "/", "")) == (
        child.returncode, child.stdout, child.stderr)
    assert child.stdout or child.stderr
