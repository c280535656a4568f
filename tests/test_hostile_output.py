"""Issue 17: `-o` replaces only what k2ecs wrote, and `--check` never reads through a link or outside DIR."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from converter.cli import app
from converter.core.errors import ExitStatus

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "web-loadbalancer-hpa" / "input"
OTHER = ROOT / "samples" / "worker-no-ports" / "input"


def convert(*args: str):
    return CliRunner().invoke(app, ["convert", *args, "--fail-on", "never"])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- item 1: -o replaces only k2ecs's own output ------------------------------------------------------

def test_a_repository_root_with_a_k2ecs_report_is_not_replaced(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (repo / "NOTES.md").write_text("mine\n")
    monkeypatch.chdir(repo)
    first = convert(str(SAMPLE), "--report", "json", "--report-file", "report.json")
    assert first.exit_code == 0, first.output
    assert json.loads((repo / "report.json").read_text())["tool"] == "k2ecs"
    before = snapshot(repo)
    result = convert(str(SAMPLE), "-o", ".", "--report-file", os.devnull)
    assert result.exit_code == ExitStatus.USAGE, result.output
    assert "'.git/'" in result.output and "'NOTES.md'" in result.output and "refusing to replace" in result.output
    assert snapshot(repo) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo"]  # no staging folder left beside it


def test_a_test_runners_reports_folder_is_not_replaced(tmp_path):
    reports = tmp_path / "reports"
    (reports / "html").mkdir(parents=True)
    (reports / "html" / "index.html").write_text("<html></html>")
    (reports / "coverage.xml").write_text("<coverage/>")
    (reports / "report.json").write_text(json.dumps({"created": 1, "tool": "pytest-json-report"}))
    before = snapshot(reports)
    result = convert(str(SAMPLE), "-o", str(reports), "--report-file", os.devnull)
    assert result.exit_code == ExitStatus.USAGE, result.output
    assert "no report.json written by k2ecs" in result.output
    assert snapshot(reports) == before


@pytest.mark.parametrize("intruder", ["file", "folder", "link"])
def test_a_k2ecs_output_with_anything_else_in_it_is_not_replaced(tmp_path, intruder):
    out = tmp_path / "out"
    assert convert(str(OTHER), "-o", str(out), "--report-file", os.devnull).exit_code == 0
    if intruder == "file":
        (out / "values.yaml").write_text("keep: me\n")
    elif intruder == "folder":
        (out / "values.yaml").mkdir()
    else:
        (out / "values.yaml").symlink_to(tmp_path)
    before = snapshot(out)
    result = convert(str(SAMPLE), "-o", str(out), "--report-file", os.devnull)
    assert result.exit_code == ExitStatus.USAGE, result.output
    assert "values.yaml" in result.output and "1 entry k2ecs did not write" in result.output
    assert snapshot(out) == before and os.path.lexists(out / "values.yaml")


def test_a_k2ecs_output_of_every_format_is_replaced(tmp_path):
    out = tmp_path / "out"
    for form in ("terraform", "cloudformation", "ecs-json", "terraform"):
        result = convert(str(SAMPLE), "-o", str(out), "--format", form, "--report-file", os.devnull)
        assert result.exit_code == 0, (form, result.output)
    assert {"main.tf", "versions.tf", "report.json"} <= set(snapshot(out))


def test_output_through_a_dangling_symlink_creates_nothing_outside(tmp_path):
    link = tmp_path / "inside" / "out"
    link.parent.mkdir()
    outside = tmp_path / "outside" / "target"
    link.symlink_to(outside)
    result = convert(str(SAMPLE), "-o", str(link), "--report-file", os.devnull)
    assert result.exit_code == ExitStatus.USAGE, result.output
    assert "points at nothing" in result.output
    assert not (tmp_path / "outside").exists() and link.is_symlink()


# -- item 2: --check never reads through a link, never outside DIR -------------------------------------

CANARY = "CANARY-9f3e1c-PRIVATE-KEY"


@pytest.fixture
def secret(tmp_path) -> Path:
    path = tmp_path / "home" / "id_rsa"
    path.parent.mkdir()
    path.write_text(f"-----BEGIN KEY-----\n{CANARY}\n")
    return path


def check(out: Path, sample: Path = SAMPLE):
    return convert(str(sample), "-o", str(out), "--check", "--report-file", os.devnull)


@pytest.mark.parametrize("name", ["stolen", "web.taskdef.json", "report.json"])
def test_check_reports_a_link_in_the_folder_by_name_and_never_reads_it(tmp_path, secret, name):
    out = tmp_path / "ecs"
    assert convert(str(SAMPLE), "-o", str(out), "--report-file", os.devnull).exit_code == 0
    assert check(out).exit_code == 0
    (out / name).unlink(missing_ok=True)
    (out / name).symlink_to(secret)
    result = check(out)
    assert result.exit_code == ExitStatus.DRIFT, result.output
    assert f"{out}/{name}: a symbolic link, not followed" in result.output
    assert CANARY not in result.output


def test_check_does_not_follow_an_output_folder_that_is_a_link(tmp_path, secret):
    link = tmp_path / "ecs"
    link.symlink_to(secret.parent, target_is_directory=True)
    result = check(link)
    assert result.exit_code == ExitStatus.DRIFT, result.output
    assert "a symbolic link, not followed" in result.output and CANARY not in result.output


def test_check_does_not_follow_a_relative_folder_on_the_way(tmp_path, secret, monkeypatch):
    (secret.parent / "ecs").mkdir()
    (secret.parent / "ecs" / "id_rsa").write_text(CANARY)
    (tmp_path / "deploy").symlink_to(secret.parent, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    result = check(Path("deploy/ecs"))
    assert result.exit_code == ExitStatus.DRIFT, result.output
    assert "deploy: a symbolic link, not followed" in result.output and CANARY not in result.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_check_does_not_open_a_fifo_in_the_folder(tmp_path):
    out = tmp_path / "ecs"
    assert convert(str(SAMPLE), "-o", str(out), "--report-file", os.devnull).exit_code == 0
    (out / "web.service.json").unlink()
    os.mkfifo(out / "web.service.json")  # opening it for reading would wait for a writer forever
    os.mkfifo(out / "extra")
    result = check(out)
    assert result.exit_code == ExitStatus.DRIFT, result.output
    assert "web.service.json: not a regular file, not read" in result.output
    assert "extra: not a regular file, not read" in result.output


def test_check_does_not_follow_a_folder_on_the_way_below_the_working_folder(tmp_path, secret, monkeypatch):
    (secret.parent / "ecs").mkdir()
    (secret.parent / "ecs" / "id_rsa").write_text(CANARY)
    (tmp_path / "deploy").symlink_to(secret.parent, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    result = check(tmp_path / "deploy" / "ecs")  # absolute, as $GITHUB_WORKSPACE/deploy/ecs
    assert result.exit_code == ExitStatus.DRIFT, result.output
    assert "deploy: a symbolic link, not followed" in result.output and CANARY not in result.output
