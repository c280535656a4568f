"""`--report-file` is written in one step, and a place it cannot go is a usage error before anything is written."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from converter.cli import app
from converter.core.errors import ExitStatus

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "web-loadbalancer-hpa" / "input"
REVERSE_SAMPLE = ROOT / "samples" / "ecs-fargate-web-alb" / "input"


def convert(*args: str):
    return CliRunner().invoke(app, ["convert", *args, "--fail-on", "never"])


def test_the_report_replaces_the_previous_one_and_leaves_nothing_beside_it(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "k2ecs.json"
    target.parent.mkdir()
    target.write_text("an older report\n")
    result = convert(str(SAMPLE), "--report", "json", "--report-file", str(target))
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text())["summary"]
    assert os.listdir(target.parent) == ["k2ecs.json"]


@pytest.mark.parametrize("args", [["-o", "OUT"], [], ["--to", "k8s", "-o", "OUT"], ["--format", "cloudformation", "-o", "OUT"]],
                         ids=["folder", "stdout", "to-k8s", "cloudformation"])
def test_a_report_file_in_a_missing_folder_is_a_usage_error_before_anything_is_written(tmp_path: Path, args: list[str]) -> None:
    sample = REVERSE_SAMPLE if "k8s" in args else SAMPLE
    out = tmp_path / "out"
    target = tmp_path / "no-such-folder" / "report.txt"
    result = convert(str(sample), *[str(out) if a == "OUT" else a for a in args], "--report-file", str(target))
    assert result.exit_code == ExitStatus.USAGE, result.output
    assert result.output.startswith(f"k2ecs: error: {target}: cannot write the report: No such file or directory")
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists() and sorted(os.listdir(tmp_path)) == []


def test_a_report_file_that_is_a_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = convert(str(SAMPLE), "--report-file", str(tmp_path))
    assert result.exit_code == ExitStatus.USAGE
    assert "the report file is a folder" in result.output


def test_a_failed_run_keeps_the_previous_report_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: Deployment\nmetadata: {name: x\n")
    target = tmp_path / "report.txt"
    target.write_text("the report of the last good run\n")
    result = convert(str(bad), "--report-file", str(target))
    assert result.exit_code == ExitStatus.INVALID_INPUT
    assert target.read_text() == "the report of the last good run\n"
    assert sorted(os.listdir(tmp_path)) == ["bad.yaml", "report.txt"]


def test_a_report_that_fails_half_way_leaves_the_previous_one_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from converter.report import canonical as report

    def half_then_fail(canonical, fmt, handle, *, fail_on, **_):
        handle.write("half a rep")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report, "render_to", half_then_fail)
    target = tmp_path / "report.txt"
    target.write_text("whole\n")
    result = convert(str(SAMPLE), "--report-file", str(target))
    assert result.exit_code == ExitStatus.USAGE
    assert "cannot write the report: No space left on device" in result.output
    assert target.read_text() == "whole\n"
    assert sorted(os.listdir(tmp_path)) == ["report.txt"]


def test_a_symlinked_report_file_stays_a_symlink_and_keeps_its_mode(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("OLD REPORT\n")
    real.chmod(0o640)
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    result = convert(str(SAMPLE), "--report-file", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and "OLD REPORT" not in real.read_text() and "K2E-" in real.read_text()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def test_a_new_report_file_gets_the_usual_mode(tmp_path: Path) -> None:
    mask = os.umask(0o022)
    try:
        result = convert(str(SAMPLE), "--report-file", str(tmp_path / "new.txt"))
    finally:
        os.umask(mask)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o644


def test_a_device_is_written_to_as_it_is(tmp_path: Path) -> None:
    result = convert(str(SAMPLE), "--report-file", os.devnull)
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_a_named_pipe_receives_the_report(tmp_path: Path) -> None:
    import threading

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    result = convert(str(SAMPLE), "--report-file", str(pipe))
    reader.join(timeout=60)
    assert result.exit_code == 0, result.output
    assert b"K2E-" in received[0]
    assert stat.S_ISFIFO(pipe.stat().st_mode)
