"""Packaging and documentation contracts.

- The wheel, built with ``python -m build`` and installed into a new virtual environment with its
  dependencies, runs ``k2ecs`` from an unrelated directory and reads its data from ``converter/_data``.
- Every folder that the wheel force-includes exists and holds at least one file. Git keeps no empty
  folders, and hatchling fails on a missing force-include source.
- The README's two quick-start commands exist, each on one line, and the sample they name converts.
  ``.ci/run`` runs the README's test command exactly. The README's example config and exit-status
  table agree with ``schemas/config.schema.json`` and ``converter.core.errors.ExitStatus``.
- ``k2ecs convert`` works when boto3 cannot be imported, and never imports it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
import textwrap
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from converter import __version__
from converter.load.config import load_config
from converter.core.errors import ExitStatus

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
CI_RUN = REPO / ".ci" / "run"
PYPROJECT = REPO / "pyproject.toml"

BUILD_TIMEOUT = 600  # seconds; the isolated build environment fetches hatchling from PyPI
INSTALL_TIMEOUT = 600  # the wheel's dependencies come from PyPI (or pip's cache)
RUN_TIMEOUT = 120

MANIFEST = textwrap.dedent("""\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: hello
    spec:
      replicas: 2
      selector:
        matchLabels: {app: hello}
      template:
        metadata:
          labels: {app: hello}
        spec:
          containers:
            - name: hello
              image: nginx:1.27
              ports:
                - containerPort: 80
              resources:
                requests: {cpu: 250m, memory: 256Mi}
                limits: {memory: 512Mi}
    """)


# -- helpers --------------------------------------------------------------------------------------

def readme_block(name: str) -> list[str]:
    """The non-blank lines between ``<!-- name -->`` and ``<!-- /name -->``, code fences left out."""
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^<!-- {re.escape(name)} -->\n(.*?)^<!-- /{re.escape(name)} -->$", text, re.S | re.M)
    assert match, f"README.md has no <!-- {name} --> ... <!-- /{name} --> block"
    return [line for line in match.group(1).splitlines() if line.strip() and not line.startswith("```")]


def readme_command(name: str) -> str:
    lines = readme_block(name)
    assert len(lines) == 1, f"the {name} block of README.md must hold exactly one command line, not {lines}"
    return lines[0]


def source_env() -> dict[str, str]:
    """The environment for a subprocess that must import this checkout's ``converter``."""
    return dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def isolated_env() -> dict[str, str]:
    """The environment for a subprocess that must see only what is installed in its own venv."""
    drop = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONSAFEPATH"}
    return {key: value for key, value in os.environ.items() if key not in drop}


def run(command: list[str], *, what: str, timeout: float, cwd: Path | None = None,
        env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess:
    try:
        result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                                stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{what} took more than {timeout} s: {shlex.join(command)}")
    if check and result.returncode != 0:
        pytest.fail(f"{what} failed with status {result.returncode}: {shlex.join(command)}\n"
                    f"--- stdout ---\n{result.stdout[-4000:]}\n--- stderr ---\n{result.stderr[-4000:]}")
    return result


def unavailable(reason: str) -> None:
    """Skip on a developer machine that lacks a tool; in CI the tool must be there, so fail."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must be able to run this test)")
    pytest.skip(reason)


# -- the README's commands and CI -------------------------------------------------------------------

def test_quick_start_has_exactly_the_two_marked_commands():
    text = README.read_text(encoding="utf-8")
    section = re.search(r"^## Quick start\n(.*?)(?=^## )", text, re.S | re.M)
    assert section, "README.md has no '## Quick start' section"
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```$", section.group(1), re.S | re.M)
    commands = [line for block in blocks for line in block.splitlines() if line.strip()]
    assert commands == [readme_command("quick-start-convert"), readme_command("test-command")]


def test_quick_start_commands_run_from_the_root_on_a_fresh_machine():
    convert = readme_command("quick-start-convert")
    tests = readme_command("test-command")
    for command in (convert, tests):
        assert command.startswith("python3 -m venv .venv && "), command  # creates its own environment
        assert "cd " not in command and "\\" not in command, command  # one line, from the repository root
    assert " .venv/bin/pip install -q . && .venv/bin/k2ecs convert " in convert
    assert " .venv/bin/pip install -q -c constraints/test.txt -e '.[test]' && " in tests
    assert tests.endswith(".venv/bin/python -m pytest -q")


def test_quick_start_sample_converts_cleanly(tmp_path):
    """The convert step of the first quick-start command, on this checkout, with the output in tmp."""
    argv = shlex.split(readme_command("quick-start-convert").split(" && ")[-1])
    assert argv[:2] == [".venv/bin/k2ecs", "convert"], argv
    sample = REPO / argv[2]
    assert sample.is_dir() and any(sample.glob("*.y*ml")), f"the quick-start sample {argv[2]} has no manifests"
    assert argv[3:] == ["-o", "out/"], argv
    out = tmp_path / "out"
    result = run([sys.executable, "-m", "converter", "convert", argv[2], "-o", str(out)], what="the quick-start convert",
                 timeout=RUN_TIMEOUT, cwd=REPO, env=source_env(), check=False)
    # A quick start that ends in status 1 would look broken: the sample must have no error findings.
    assert result.returncode == ExitStatus.OK, result.stderr
    assert (out / "report.json").is_file() and list(out.glob("*.taskdef.json")), sorted(out.iterdir())


def test_ci_run_runs_the_readme_test_command_verbatim():
    script = CI_RUN.read_text(encoding="utf-8")
    assert script.startswith("#!/usr/bin/env bash\n") and "set -euo pipefail" in script
    result = run(["bash", str(CI_RUN), "--print-command"], what=".ci/run --print-command", timeout=30)
    assert result.stdout == readme_command("test-command") + "\n"


# -- the README's reference sections ---------------------------------------------------------------------

def _keys(schema: dict) -> dict:
    return {key: _keys(value) for key, value in schema.get("properties", {}).items()}


def _config_keys(data: dict, schema: dict) -> dict:
    return {key: _config_keys(value, schema["properties"][key]) if "properties" in schema["properties"].get(key, {}) else {}
            for key, value in data.items()}


def test_readme_example_config_sets_every_key_and_is_valid(tmp_path):
    schema = json.loads((REPO / "schemas" / "config.schema.json").read_text(encoding="utf-8"))
    text = "\n".join(readme_block("example-config"))
    data = yaml.safe_load(text)
    assert _config_keys(data, schema) == _keys(schema), "the README's example config must set every key of the schema"
    config = tmp_path / "k2ecs.yaml"
    config.write_text(text + "\n", encoding="utf-8")
    settings = load_config(str(config))  # raises UsageError when the schema rejects it
    assert settings.cluster == data["cluster"]
    manifest = tmp_path / "app.yaml"
    manifest.write_text(MANIFEST, encoding="utf-8")
    result = run([sys.executable, "-m", "converter", "convert", str(manifest), "--config", str(config), "--fail-on", "never"],
                 what="convert with the README's config", timeout=RUN_TIMEOUT, cwd=tmp_path, env=source_env(), check=False)
    assert result.returncode == ExitStatus.OK, result.stderr
    assert json.loads(result.stdout)["workloads"][0]["service"]["cluster"] == data["cluster"]


def test_readme_option_table_matches_the_convert_command():
    import typer.main

    from converter.cli import app

    convert = typer.main.get_command(app).commands["convert"]  # a click command (typer may vendor click)
    cli_flags = {flag for param in convert.params if param.param_type_name == "option"
                 for flag in (*param.opts, *param.secondary_opts)} - {"--help"}
    table = "\n".join(readme_block("convert-options"))
    readme_flags = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", table))
    assert readme_flags == cli_flags, (f"in the CLI, not the README: {sorted(cli_flags - readme_flags)}; "
                                       f"in the README, not the CLI: {sorted(readme_flags - cli_flags)}")


def test_readme_exit_status_table_matches_exit_status_enum():
    rows = {}
    for line in readme_block("exit-statuses"):
        match = re.match(r"\|\s*(\d+)\s*\|\s*(\w+)\s*\|", line)
        if match:
            rows[int(match.group(1))] = match.group(2)
    assert rows == {status.value: status.name for status in ExitStatus}


# -- the wheel ------------------------------------------------------------------------------------

def test_force_included_data_folders_exist_and_are_not_empty():
    pyproject = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    force_include = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert "schemas" in force_include
    for source in force_include:
        folder = REPO / source
        files = [path for path in folder.rglob("*") if path.is_file()] if folder.is_dir() else []
        files += [folder] if folder.is_file() and folder.stat().st_size else []  # docs/MAPPING.md
        assert files, (f"{source}/ is force-included into the wheel but holds no files. Git keeps no empty folders, "
                       f"so in a fresh clone {source}/ is missing and building the wheel (and pip install .) fails "
                       f"with 'Forced include not found'")


@dataclass(frozen=True)
class Installed:
    wheel: Path
    python: Path
    k2ecs: Path
    venv: Path
    work: Path  # an empty directory outside the checkout, used as cwd


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    """Build the wheel from this checkout and install it (with dependencies) into a new venv."""
    if importlib.util.find_spec("build") is None:
        unavailable("the 'build' package is not installed; install the test extra: pip install -e '.[test]'")
    if importlib.util.find_spec("venv") is None or importlib.util.find_spec("ensurepip") is None:
        unavailable("this Python cannot create a virtual environment with pip (no venv/ensurepip)")
    base = tmp_path_factory.mktemp("packaging")
    dist = base / "dist"
    run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(REPO)], what="building the wheel",
        timeout=BUILD_TIMEOUT, cwd=base, env=isolated_env())
    wheels = sorted(dist.glob("k2ecs-*.whl"))
    assert len(wheels) == 1, wheels
    venv = base / "venv"
    run([sys.executable, "-m", "venv", str(venv)], what="creating a venv", timeout=RUN_TIMEOUT, env=isolated_env())
    python = venv / "bin" / "python"
    # With the lock, so that a dependency's next release cannot turn CI red (issue 16); the lower bounds
    # are checked by test_the_lowest_admitted_dependencies_convert_every_sample_exactly.
    run([str(python), "-m", "pip", "install", "-q", "-c", str(REPO / "constraints" / "test.txt"), str(wheels[0])],
        what="installing the wheel",
        timeout=INSTALL_TIMEOUT, cwd=base, env=isolated_env())
    work = base / "work"
    work.mkdir()
    return Installed(wheel=wheels[0], python=python, k2ecs=venv / "bin" / "k2ecs", venv=venv, work=work)


@pytest.mark.slow
def test_wheel_carries_the_data_folders_and_the_console_script(installed):
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
        entry_points = next(wheel.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt"))
    schemas = sorted(path.name for path in (REPO / "schemas").glob("*.json"))
    assert schemas
    missing = [name for name in schemas if f"converter/_data/schemas/{name}" not in names]
    assert not missing, f"schemas missing from the wheel: {missing}"
    assert re.search(r"^k2ecs = converter\.cli:main$", entry_points, re.M), entry_points
    assert "converter/_data/docs/MAPPING.md" in names  # what `k2ecs explain` points at


@pytest.mark.slow
def test_installed_package_reads_its_data_from_the_wheel(installed):
    probe = "import converter, converter.core.resources as r; print(converter.__file__); print(r.schemas_dir())"
    result = run([str(installed.python), "-c", probe], what="importing the installed package", timeout=RUN_TIMEOUT,
                 cwd=installed.work, env=isolated_env())
    package_file, schemas = (Path(line) for line in result.stdout.splitlines())
    assert installed.venv in package_file.parents, f"imported {package_file}, not the installed wheel"
    assert schemas.parts[-3:] == ("converter", "_data", "schemas") and installed.venv in schemas.parents, schemas
    explained = run([str(installed.k2ecs), "explain", "K2E-W110"], what="k2ecs explain", timeout=RUN_TIMEOUT,
                    cwd=installed.work, env=isolated_env())
    doc = Path(explained.stdout.split("Installed copy: ", 1)[1].strip())
    assert doc.parts[-4:] == ("converter", "_data", "docs", "MAPPING.md") and installed.venv in doc.parents, doc
    assert '<a id="k2e-w110"></a>' in doc.read_text(encoding="utf-8")


@pytest.mark.slow
def test_installed_k2ecs_prints_its_version(installed):
    result = run([str(installed.k2ecs), "--version"], what="k2ecs --version", timeout=RUN_TIMEOUT,
                 cwd=installed.work, env=isolated_env())
    assert result.stdout == f"k2ecs {__version__}\n"


@pytest.mark.slow
def test_installed_k2ecs_converts_from_another_directory(installed):
    (installed.work / "app.yaml").write_text(MANIFEST, encoding="utf-8")
    result = run([str(installed.k2ecs), "convert", "app.yaml", "--report", "json", "--report-file", "report.json"],
                 what="k2ecs convert", timeout=RUN_TIMEOUT, cwd=installed.work, env=isolated_env(), check=False)
    assert result.returncode in (ExitStatus.OK, ExitStatus.FINDINGS), result.stderr
    payloads = json.loads(result.stdout)
    [workload] = payloads["workloads"]
    assert workload["taskDefinition"]["family"] == "hello"
    assert workload["taskDefinition"]["cpu"] == "256"  # 250m = 256 units: the smallest Fargate size covers it
    report = json.loads((installed.work / "report.json").read_text(encoding="utf-8"))
    assert report["summary"]["workloads"] == 1 and report["version"] == __version__


# -- reproducible installs: the lock the tests run with, and the lower bounds users may have -----------

CONSTRAINTS = REPO / "constraints"


def _requirement_names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[ ;]", line, maxsplit=1)[0].lower().replace("_", "-") for line in requirements}


def _pins(path: Path) -> dict[str, str]:
    lines = [line.split("#")[0].strip() for line in path.read_text(encoding="utf-8").splitlines()]
    pins = dict(line.split("==", 1) for line in lines if line)
    return {name.lower().replace("_", "-"): version for name, version in pins.items()}


def _release(version: str) -> tuple[int, ...]:
    """A release number without its trailing zeros: 1.34 and 1.34.0 are the same version (PEP 440)."""
    parts = [int(part) for part in version.split(".")]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def test_the_test_command_installs_with_the_lock():
    assert "-c constraints/test.txt" in readme_command("test-command")


def test_the_lock_pins_every_dependency_and_test_tool():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = _requirement_names(project["dependencies"] + project["optional-dependencies"]["test"])
    pins = _pins(CONSTRAINTS / "test.txt")
    assert wanted <= set(pins), f"not pinned in constraints/test.txt: {sorted(wanted - set(pins))}"


def test_the_lowest_constraints_are_the_lower_bounds_of_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    bounds = {}
    for requirement in project["dependencies"]:
        name, bound = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)", requirement).groups()
        bounds[name.lower()] = _release(bound)
    assert {name: _release(version) for name, version in _pins(CONSTRAINTS / "lowest.txt").items()} == bounds


@pytest.mark.slow
def test_the_lowest_admitted_dependencies_convert_every_sample_exactly(installed, tmp_path):
    """The wheel with every runtime dependency at its lower bound (constraints/lowest.txt) converts each
    sample to its reviewed expected output, byte for byte: the open ranges users install from are true."""
    venv = tmp_path / "lowest"
    run([sys.executable, "-m", "venv", str(venv)], what="creating a venv", timeout=RUN_TIMEOUT, env=isolated_env())
    run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-c", str(CONSTRAINTS / "lowest.txt"),
         str(installed.wheel)], what="installing the wheel at the lowest bounds", timeout=INSTALL_TIMEOUT,
        cwd=tmp_path, env=isolated_env())
    freeze = run([str(venv / "bin" / "python"), "-m", "pip", "freeze"], what="pip freeze", timeout=RUN_TIMEOUT,
                 env=isolated_env()).stdout
    installed_pins = {name.lower(): version for name, version in
                      (line.split("==", 1) for line in freeze.splitlines() if "==" in line)}
    for name, version in _pins(CONSTRAINTS / "lowest.txt").items():
        assert _release(installed_pins.get(name, "0")) == _release(version), (name, installed_pins.get(name))
    samples = sorted(p for p in (REPO / "samples").iterdir() if (p / "input").is_dir() and not p.name.startswith("ecs-"))
    assert samples
    for sample in samples:
        out = tmp_path / "out" / sample.name
        config = ["--config", "k2ecs.yaml"] if (sample / "k2ecs.yaml").is_file() else []
        run([str(venv / "bin" / "k2ecs"), "convert", "input", "--fail-on", "never", *config, "-o", str(out)],
            what=f"k2ecs convert {sample.name}", timeout=RUN_TIMEOUT, cwd=sample, env=isolated_env())
        expected = sample / "expected"
        assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in expected.iterdir()), sample.name
        for produced in out.iterdir():
            assert produced.read_bytes() == (expected / produced.name).read_bytes(), f"{sample.name}/{produced.name}"


# -- boto3 is for `apply` only ----------------------------------------------------------------------

BLOCK_BOTO3_AND_CONVERT = textwrap.dedent("""\
    import importlib.abc, json, sys

    attempts = []

    class BlockBoto3(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "boto3" or name.startswith("boto3."):
                attempts.append(name)
                raise ImportError(f"{name} is blocked by this test")
            return None

    sys.meta_path.insert(0, BlockBoto3())
    manifest, report, verdict = sys.argv[1:4]
    sys.argv = ["k2ecs", "convert", manifest, "--fail-on", "never", "--report", "json", "--report-file", report]
    from converter.cli import main
    try:
        main()
        status = 0
    except SystemExit as stop:
        status = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    with open(verdict, "w") as handle:
        json.dump({"status": status, "attempts": attempts, "loaded": sorted(m for m in sys.modules if m.split(".")[0] == "boto3")}, handle)
    """)


def test_convert_works_without_boto3_and_never_imports_it(tmp_path):
    manifest, report, verdict = tmp_path / "app.yaml", tmp_path / "report.json", tmp_path / "verdict.json"
    manifest.write_text(MANIFEST, encoding="utf-8")
    result = run([sys.executable, "-c", BLOCK_BOTO3_AND_CONVERT, str(manifest), str(report), str(verdict)],
                 what="convert with boto3 blocked", timeout=RUN_TIMEOUT, cwd=tmp_path, env=source_env(), check=False)
    assert result.returncode == 0 and verdict.is_file(), result.stderr
    outcome = json.loads(verdict.read_text(encoding="utf-8"))
    assert outcome["status"] == ExitStatus.OK, (outcome, report.read_text() if report.is_file() else result.stderr)
    assert outcome["attempts"] == [], f"k2ecs convert tried to import {outcome['attempts']}"
    assert outcome["loaded"] == []
    assert json.loads(result.stdout)["workloads"][0]["taskDefinition"]["family"] == "hello"
