"""Issue 17: every read is bounded and only regular files are read from a folder; limits refuse with one line."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from converter.load import loader, source_files
from converter.cli import app
from converter.core.errors import ExitStatus
from tests.helpers import run_k2ecs

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "web-loadbalancer-hpa" / "input"
SMALL_LIMIT = 1 << 20  # bounds the work of reading an endless device to a megabyte


def convert(*args: str, stdin: str | None = None):
    return CliRunner().invoke(app, ["convert", *args, "--fail-on", "never"], input=stdin)


@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setattr(source_files, "MAX_FILE_BYTES", SMALL_LIMIT)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
@pytest.mark.parametrize("where", ["input", "config"])
def test_an_endless_device_is_read_only_to_the_limit(small_limit, where):
    args = ["/dev/zero"] if where == "input" else [str(SAMPLE), "--config", "/dev/zero"]
    result = convert(*args)
    if where == "input":
        assert result.exit_code == ExitStatus.INVALID_INPUT, result.output
        assert f"/dev/zero: file is over the {SMALL_LIMIT}-byte limit" in result.output
    else:  # a config problem is a usage error, in the config's words (issue 23), bounded all the same
        assert result.exit_code == ExitStatus.USAGE, result.output
        assert "/dev/zero: config file: file is over the" in result.output


@pytest.mark.skipif(not os.path.exists("/dev/zero") or not hasattr(os, "mkfifo"), reason="needs /dev/zero and FIFOs")
def test_a_folder_walk_reads_only_regular_files(tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(SAMPLE, folder)
    (folder / "zero.yaml").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe.yaml")  # opening it would wait for a writer forever
    other = tmp_path / "other.yaml"
    other.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\ndata: {a: b}\n")
    (folder / "linked.yaml").symlink_to(other)  # a link to a regular file is read
    assert source_files.expand_paths([str(folder)]) == sorted(
        str(folder / name) for name in ["linked.yaml", *os.listdir(SAMPLE)])
    for fmt in ("text", "json", "markdown", "sarif", "junit"):  # the subprocess's timeout guards a hang
        result = run_k2ecs("convert", str(folder), "--fail-on", "never", "--report", fmt)
        assert result.returncode == ExitStatus.OK, result.stderr
        # SARIF names the rule once; the text view also counts the code in its table per code
        shown = result.stderr.count(": info K2E-I022 ") if fmt == "text" else result.stderr.count("K2E-I022")
        assert fmt == "sarif" or shown == 2, result.stderr
    report = json.loads(run_k2ecs("convert", str(folder), "--report", "json").stderr)
    assert sorted(f["file"] for f in report["findings"] if f["code"] == "K2E-I022") == [
        str(folder / "pipe.yaml"), str(folder / "zero.yaml")]


def test_stdin_keeps_its_bound(small_limit):
    result = convert("-", stdin="#" * (SMALL_LIMIT + 10))
    assert result.exit_code == ExitStatus.INVALID_INPUT and "over the" in result.output


# -- item 5: huge integers are input errors ---------------------------------------------------------------

DEPLOYMENT_HEAD = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: "


@pytest.mark.parametrize("number, fragment", [
    ("9" * 5000, ":5: an integer of more than 4300 digits"),
    ("0x" + "f" * 5000, "an integer of 20000 bits is out of range"),
])
def test_an_integer_longer_than_python_reads_is_an_input_error(tmp_path, number, fragment):
    manifest = tmp_path / "big.yaml"
    manifest.write_text(DEPLOYMENT_HEAD + number + "\n")
    result = convert(str(manifest))
    assert result.exit_code == ExitStatus.INVALID_INPUT, result.output
    assert fragment in result.output and "internal error" not in result.output


# -- item 9: --traceback keeps the status; a full disk is a clean exit 2 ---------------------------------

@pytest.mark.parametrize("content, status", [("a: [1\n", ExitStatus.INVALID_INPUT), (None, ExitStatus.USAGE)])
def test_traceback_keeps_the_exit_status(tmp_path, content, status):
    args = [str(SAMPLE), "--config", str(tmp_path / "missing.yaml")]
    if content is not None:
        (tmp_path / "bad.yaml").write_text(content)
        args = [str(tmp_path / "bad.yaml")]
    else:  # an output path that is a file: a usage error
        (tmp_path / "file").write_text("x")
        args = [str(SAMPLE), "-o", str(tmp_path / "file")]
    plain = run_k2ecs("convert", *args)
    shown = run_k2ecs("convert", *args, "--traceback")
    assert plain.returncode == shown.returncode == status
    assert "Traceback (most recent call last)" in shown.stderr and "Traceback" not in plain.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_stdout_on_a_full_disk_is_a_usage_error(tmp_path):
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "converter", "convert", str(SAMPLE), "--fail-on", "never"],
                                stdout=full, stderr=subprocess.PIPE, text=True, env=env, timeout=120)
    assert result.returncode == ExitStatus.USAGE, result.stderr
    assert result.stderr.endswith("k2ecs: error: cannot write the output: No space left on device\n")
    assert "Traceback" not in result.stderr


# -- item 6: control characters from the input are escaped in every human-readable report ----------------

INJECTED = "x\n::error file=README.md,line=1::pwned\x1b[2J\x1b[1A\u202e"


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_control_characters_in_keys_and_values_are_escaped_in_the_report(tmp_path, fmt):
    import json as json_module

    manifest = tmp_path / "inject.json"
    manifest.write_text(json_module.dumps({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {INJECTED: 1, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "app", "image": "nginx" + INJECTED}]}}}}))
    result = run_k2ecs("convert", str(manifest), "--report", fmt, "--fail-on", "never")
    assert result.returncode == 0, result.stderr
    assert "pwned" in result.stderr  # the finding is there, escaped
    assert not any(line.lstrip("| ").startswith("::") for line in result.stderr.splitlines())
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr and "\\x1b[2J" in result.stderr


# -- item 9: a Deployment in a nested List is converted, as kubectl flattens nested Lists ------------------

def test_a_deployment_in_a_nested_list_is_converted(tmp_path):
    import json as json_module

    import yaml

    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "inner"},
                  "spec": {"selector": {"matchLabels": {"app": "inner"}},
                           "template": {"metadata": {"labels": {"app": "inner"}},
                                        "spec": {"containers": [{"name": "app", "image": "nginx"}]}}}}
    nested = {"apiVersion": "v1", "kind": "List",
              "items": [{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "List",
                                                                          "items": [deployment]}]}]}
    manifest = tmp_path / "nested.yaml"
    manifest.write_text(yaml.safe_dump(nested))
    result = convert(str(manifest), "--report-file", os.devnull)
    assert result.exit_code == 0, result.output
    assert [w["name"] for w in json_module.loads(result.stdout)["workloads"]] == ["inner"]
    documents = loader.load_paths([str(manifest)])
    assert [d.prefix for d in documents] == [("items", 0, "items", 0, "items", 0)]
