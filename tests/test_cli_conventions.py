"""CLI conventions (issue 23 item 5 and 6): config problems are usage errors, flags are checked as the
config is, help that reads at 80 columns, -h, completion, ./k2ecs.yaml discovery, init, explain --list."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from converter.core.codes import CODES
from tests.helpers import ROOT, SAMPLES, run_k2ecs

CASE = SAMPLES / "web-loadbalancer-hpa"
COMMANDS = ["convert", "baseline", "explain", "plan", "apply", "compare", "init"]


def _env_run(*args: str, cwd=None, env: dict | None = None):
    import subprocess
    import sys

    full = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="80", **(env or {}))
    return subprocess.run([sys.executable, "-m", "converter", *args], cwd=cwd, capture_output=True, text=True,
                          env=full, timeout=120)


# -- config problems are usage errors (exit 2) worded for the config ---------------------------------

@pytest.mark.parametrize("text, expected", [
    (None, "config file: cannot read"),
    ("a: [\n", "config file: not valid YAML"),
    ("- cluster\n- prod\n", "config file: must be a mapping of settings"),
    ("cluster: prod\nnetwrk: {}\n", "config (top level): Additional properties"),
], ids=["missing", "not-yaml", "a-list", "unknown-key"])
def test_a_bad_config_file_is_exit_2_with_a_config_worded_message(tmp_path: Path, text, expected):
    config = tmp_path / "k2ecs.yaml"
    if text is not None:
        config.write_text(text)
    result = run_k2ecs("convert", str(CASE / "input"), "--config", str(config))
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr and str(config) in result.stderr
    assert "Kubernetes object" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize("flag, value, config_line", [
    ("--execution-role-arn", "notanarn", "executionRoleArn: notanarn"),
    ("--region", "Europe", "region: Europe"),
    ("--cluster", "has space", "cluster: has space"),
])
def test_a_flag_is_checked_exactly_as_the_same_value_in_the_config(tmp_path: Path, flag, value, config_line):
    by_flag = run_k2ecs("convert", str(CASE / "input"), flag, value)
    config = tmp_path / "c.yaml"
    config.write_text(config_line + "\n")
    by_config = run_k2ecs("convert", str(CASE / "input"), "--config", str(config))
    assert by_flag.returncode == by_config.returncode == 2, (by_flag.stderr, by_config.stderr)
    assert by_flag.stderr.startswith(f"k2ecs: error: {flag}: ") and by_flag.stdout == ""
    # the same schema rule words both
    assert by_flag.stderr.split(f"{flag}: ")[1].split(" (checked as")[0] in by_config.stderr


def test_valid_flags_still_convert():
    result = run_k2ecs("convert", str(CASE / "input"), "--execution-role-arn", "arn:aws:iam::123456789012:role/x",
                       "--subnets", "subnet-1,subnet-2", "--region", "eu-west-1", "--cluster", "prod")
    assert result.returncode == 0, result.stderr
    task = json.loads(result.stdout)["workloads"][0]["taskDefinition"]
    assert task["executionRoleArn"] == "arn:aws:iam::123456789012:role/x"


# -- help --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", COMMANDS)
def test_help_reads_at_80_columns(command: str):
    result = _env_run(command, "-h")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith(f"Usage: k2ecs {command} ")
    assert "…" not in text and "<bool>" not in text and "<str>" not in text and "list[" not in text, text
    assert max(len(line) for line in text.splitlines()) <= 80
    assert text == _env_run(command, "--help").stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_and_argument_has_help_text_and_values_have_a_metavar(command: str):
    from converter.cli import build_app
    import typer.main

    click_command = typer.main.get_command(build_app(only=command)).commands[command]
    for param in click_command.params:
        assert param.help, f"{command} {param.name} has no help"
        takes_value = param.param_type_name == "argument" or not getattr(param, "is_flag", False)
        if takes_value:
            assert param.metavar, f"{command} {param.name} has no metavar"


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_plan_and_apply_help_marks_path_and_cluster_required(command: str):
    text = _env_run(command, "-h").stdout
    assert re.search(r"PATH\.\.\. .*\(required\)", text)
    assert re.search(r"--cluster NAME +ECS cluster name \(required", text)


def test_shell_completion_is_on_and_completes_commands_and_flags():
    assert "--install-completion" in _env_run("-h").stdout
    commands = _env_run(env={"_K2ECS_COMPLETE": "complete_bash", "COMP_WORDS": "k2ecs conv", "COMP_CWORD": "1"})
    assert commands.stdout.split() == ["convert"]
    flags = _env_run(env={"_K2ECS_COMPLETE": "complete_bash", "COMP_WORDS": "k2ecs convert --fail", "COMP_CWORD": "2"})
    assert flags.stdout.split() == ["--fail-on"]


# -- config discovery and init ------------------------------------------------------------------------

def test_k2ecs_yaml_in_the_current_folder_is_the_config_without_config_flag(tmp_path: Path):
    shutil.copy(CASE / "k2ecs.yaml", tmp_path / "k2ecs.yaml")
    found = run_k2ecs("convert", str(CASE / "input"), cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    service = json.loads(found.stdout)["workloads"][0]["service"]
    assert service["cluster"] == "prod"
    (tmp_path / "other.yaml").write_text("cluster: other\n")
    chosen = run_k2ecs("convert", str(CASE / "input"), "--config", "other.yaml", cwd=tmp_path)
    assert json.loads(chosen.stdout)["workloads"][0]["service"]["cluster"] == "other"


_FILLED = {
    "cluster": "prod", "region": "eu-west-1", "subnet-id": "subnet-0a1b2c3d4e5f60718",
    "security-group-id": "sg-0123456789abcdef0", "execution-role-arn": "arn:aws:iam::123456789012:role/exec",
    "service-connect-namespace": "prod.local",
}


def _fill(match: re.Match) -> str:
    what = match.group(1)
    if what.startswith("target-group-arn:"):
        return "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/t/0123456789abcdef"
    if what.startswith("secret-arn:"):
        return "arn:aws:secretsmanager:eu-west-1:123456789012:secret:s-AbCdEf"
    return _FILLED[what]


@pytest.mark.parametrize("case", [CASE, SAMPLES / "secrets-and-configmaps"], ids=lambda p: p.name)
def test_init_writes_the_missing_settings_as_placeholders_that_fill_every_gap(tmp_path: Path, case: Path):
    written = run_k2ecs("init", str(case / "input"), cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    text = (tmp_path / "k2ecs.yaml").read_text()
    assert text.startswith("# k2ecs.yaml written by `k2ecs init")
    before = run_k2ecs("convert", str(case / "input"), cwd=tmp_path)
    assert before.returncode == 2 and "is a placeholder" in before.stderr and "k2ecs.yaml:" in before.stderr
    assert run_k2ecs("init", str(case / "input"), cwd=tmp_path).returncode == 2  # never replaced silently
    (tmp_path / "k2ecs.yaml").write_text(re.sub(r'"<k2ecs:([^>]+)>"', lambda m: json.dumps(_fill(m)), text))
    after = run_k2ecs("convert", str(case / "input"), "-o", "out", "--fail-on", "never", cwd=tmp_path)
    assert after.returncode == 0, after.stderr
    leftover = [path.name for path in (tmp_path / "out").iterdir() if "<k2ecs:" in path.read_text()]
    assert leftover == []
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    # no missing-setting finding is left (K2E-I620, a log group to create, is information, not a gap)
    assert not [f for f in report["findings"] if f["code"][5] == "6" and f["severity"] != "info"]


# -- explain --list, --json ------------------------------------------------------------------------------

def test_explain_list_names_every_code_once_in_registry_order():
    result = run_k2ecs("explain", "--list")
    assert result.returncode == 0
    codes = [line.split()[0] for line in result.stdout.splitlines()]
    assert codes == list(CODES)


def test_explain_json_is_the_registry_with_a_help_link_per_code():
    listed = json.loads(run_k2ecs("explain", "--list", "--json").stdout)
    assert [entry["code"] for entry in listed] == list(CODES)
    one = json.loads(run_k2ecs("explain", "k2e-w110", "--json").stdout)
    assert one == next(entry for entry in listed if entry["code"] == "K2E-W110")
    assert one["title"] == CODES["K2E-W110"].title and one["severity"] == "warning"
    assert one["helpUri"] == "https://github.com/k2ecs/k2ecs/blob/main/docs/MAPPING.md#k2e-w110"
    assert one["reference"] == "docs/MAPPING.md#k2e-w110"
    assert one["topics"] == [{"title": "Probes and health checks", "reference": "docs/MAPPING.md#topic-probes"}]


@pytest.mark.parametrize("args", [[], ["--list", "K2E-W110"], ["K2E-X999"]])
def test_explain_usage_errors_are_exit_2(args):
    assert run_k2ecs("explain", *args).returncode == 2
