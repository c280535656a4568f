"""Writes are atomic: `k2ecs convert -o DIR` replaces DIR whole or not at all.

Every way a run can stop (an exception while writing, Ctrl-C, a validation failure, a name that cannot be a
file, SIGKILL mid-write or mid-swap) must leave the previous DIR exactly as it was, and no staging folder
behind once a later run has looked (a SIGKILLed process cannot clean up after itself; the next run does).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from converter.write import output
from converter.cli import app
from converter.core.errors import ExitStatus, OutputValidationError, UsageError

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "web-loadbalancer-hpa" / "input"
OTHER = ROOT / "samples" / "worker-no-ports" / "input"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def convert(*args: str):
    return CliRunner().invoke(app, ["convert", *args, "--fail-on", "never", "--report-file", os.devnull])


@pytest.fixture
def previous(tmp_path) -> tuple[Path, dict[str, bytes]]:
    """An output folder written by an earlier, successful run (of another sample, so contents differ)."""
    out = tmp_path / "work" / "out"  # alone in its parent folder, where leftovers would show
    result = convert(str(OTHER), "-o", str(out))
    assert result.exit_code == 0, result.output
    return out, snapshot(out)


def beside(out: Path) -> list[str]:
    """Everything in the output folder's parent but the folder itself: staging leftovers would show here."""
    return sorted(p.name for p in out.parent.iterdir() if p.name != out.name)


def test_a_successful_run_replaces_the_folder_and_leaves_nothing_beside_it(previous):
    import json

    out, before = previous
    result = convert(str(SAMPLE), "-o", str(out))
    assert result.exit_code == 0, result.output
    after = snapshot(out)
    written = {name for entry in json.loads(after["report.json"])["outputs"] for name in entry["files"]}
    assert set(after) == written | {"report.json"}  # the earlier run's files are gone, not merged
    assert set(before) - {"report.json"} and not (set(before) - {"report.json"}) & set(after)
    assert beside(out) == []


class Boom(RuntimeError):
    pass


def _fail_on_write(monkeypatch, after: int, error: BaseException) -> None:
    """Every output file is written through StagedFolder.write_with; the one after ``after`` fails."""
    real = output.StagedFolder.write_with
    calls = {"n": 0}

    def write_with(self, name, writer):
        calls["n"] += 1
        if calls["n"] > after:
            def failing(handle):  # the file is open: the error comes while writing it
                raise error
            return real(self, name, failing)
        return real(self, name, writer)

    monkeypatch.setattr(output.StagedFolder, "write_with", write_with)


@pytest.mark.parametrize("error, status", [
    (Boom("disk on fire"), ExitStatus.INTERNAL),
    (OSError(28, "No space left on device"), ExitStatus.USAGE),
    (KeyboardInterrupt(), 130),
])
def test_a_failure_in_the_middle_of_writing_leaves_the_previous_output(previous, monkeypatch, error, status):
    out, before = previous
    _fail_on_write(monkeypatch, after=1, error=error)
    result = convert(str(SAMPLE), "-o", str(out))
    assert result.exit_code == status, result.output
    assert "Traceback" not in result.output
    if isinstance(error, OSError):
        assert "cannot write the output: No space left on device" in result.output
    if isinstance(error, KeyboardInterrupt):
        assert "interrupted; nothing was written" in result.output
    assert snapshot(out) == before
    assert beside(out) == []


def test_a_failure_while_writing_a_new_folder_creates_nothing(tmp_path, monkeypatch):
    out = tmp_path / "new"
    _fail_on_write(monkeypatch, after=2, error=KeyboardInterrupt())
    assert convert(str(SAMPLE), "-o", str(out)).exit_code == 130
    assert list(tmp_path.iterdir()) == []


def test_a_validation_failure_writes_nothing(previous, monkeypatch):
    import converter.pipeline.workload_render as pipeline

    out, before = previous
    monkeypatch.setattr(pipeline, "validate_payloads", lambda **_: ["desiredCount: out of range"])
    result = convert(str(SAMPLE), "-o", str(out))
    assert result.exit_code == ExitStatus.INVALID_OUTPUT, result.output
    assert "rendered ECS payload is not valid" in result.output
    assert snapshot(out) == before
    assert beside(out) == []


def test_invalid_input_writes_nothing(previous, tmp_path):
    out, before = previous
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: two}\n")
    assert convert(str(bad), "-o", str(out)).exit_code == ExitStatus.INVALID_INPUT
    assert snapshot(out) == before and beside(out) == []


def test_the_swap_without_renameat2_is_still_all_or_nothing(previous, monkeypatch):
    """Where the one-step exchange is not available (not Linux, or a file system without it): two renames."""
    out, before = previous
    monkeypatch.setattr(output, "_exchange", lambda a, b: False)
    assert convert(str(SAMPLE), "-o", str(out)).exit_code == 0
    assert "web.taskdef.json" in snapshot(out) and beside(out) == []

    real = Path.rename

    def rename(self, target):  # the second rename (staging -> DIR) fails: DIR must come back
        if Path(self).name.startswith(".out.k2ecs-") and "old-" not in Path(self).name and Path(target).name == "out":
            raise OSError(5, "Input/output error")
        return real(self, target)

    current = snapshot(out)
    monkeypatch.setattr(Path, "rename", rename)
    result = convert(str(OTHER), "-o", str(out))
    assert result.exit_code == ExitStatus.USAGE and "Input/output error" in result.output
    assert snapshot(out) == current and beside(out) == []


def test_a_symlinked_output_folder_is_updated_through_the_link(tmp_path):
    real = tmp_path / "real"
    assert convert(str(OTHER), "-o", str(real)).exit_code == 0
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    assert convert(str(SAMPLE), "-o", str(link)).exit_code == 0
    assert link.is_symlink() and "web.taskdef.json" in snapshot(real)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]


# -- SIGKILL: nothing in the process runs, so the next run settles what was left ----------------------

KILLER = textwrap.dedent("""\
    import os, signal, sys
    from pathlib import Path
    sys.path.insert(0, {root!r})
    import converter.write.output as output
    mode = sys.argv[1]
    if mode == "write":  # killed while the files are being written to the staging folder
        real = output.StagedFolder.write_with
        calls = []
        def write_with(self, *args, **kwargs):
            calls.append(self)
            if len(calls) == 3:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(self, *args, **kwargs)
        output.StagedFolder.write_with = write_with
    else:  # killed between the two renames of the fallback swap: DIR is missing for a moment
        output._exchange = lambda a, b: False
        real = Path.rename
        def rename(self, target):
            result = real(self, target)
            if "k2ecs-old-" in Path(target).name:
                os.kill(os.getpid(), signal.SIGKILL)
            return result
        Path.rename = rename
    from converter.cli import main
    sys.argv = ["k2ecs", "convert", {sample!r}, "-o", sys.argv[2], "--fail-on", "never", "--report-file", os.devnull]
    main()
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL") or os.name == "nt", reason="needs SIGKILL")
@pytest.mark.parametrize("mode", ["write", "swap"])
def test_sigkill_mid_write_keeps_the_previous_output_and_the_next_run_settles_it(previous, tmp_path, mode):
    out, before = previous
    script = tmp_path / "killer.py"
    script.write_text(KILLER.format(root=str(ROOT), sample=str(SAMPLE)))
    killed = subprocess.run([sys.executable, str(script), mode, str(out)], capture_output=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-2000:]
    left = beside(out)
    assert left and all(name.startswith(".out.k2ecs-") for name in left), left  # what a killed run leaves
    if mode == "write":
        assert snapshot(out) == before
    else:
        assert not out.exists()  # the one moment the swap without renameat2 is not atomic...
        output.settle_leftovers(out.parent, out.name)  # ...which the next run repairs before anything else
        assert snapshot(out) == before
    result = convert(str(SAMPLE), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "web.taskdef.json" in snapshot(out)
    assert beside(out) == []


def test_leftovers_of_a_live_process_are_not_touched(tmp_path):
    out = tmp_path / "out"
    mine = tmp_path / f".out.k2ecs-{os.getppid()}-abc"  # the test runner's parent is alive
    mine.mkdir()
    assert convert(str(SAMPLE), "-o", str(out)).exit_code == 0
    assert mine.is_dir()


def test_leftovers_of_a_dead_process_are_removed(tmp_path):
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(finished.stdout)
    stale = tmp_path / f".out.k2ecs-{dead}-xyz"
    stale.mkdir()
    (stale / "web.taskdef.json").write_text("{}")
    unrelated = tmp_path / ".out.k2ecs-notapid"
    unrelated.mkdir()
    assert convert(str(SAMPLE), "-o", str(out := tmp_path / "out")).exit_code == 0
    assert not stale.exists() and unrelated.is_dir() and out.is_dir()


# -- names: checked before anything touches the disk ------------------------------------------------------

@pytest.mark.parametrize("name, fragment", [
    ("../escape.json", "refusing to write"),
    ("/etc/passwd", "refusing to write"),
    ("a\\b.json", "refusing to write"),
    ("..", "refusing to write"),
    (".hidden.json", "refusing to write"),
    ("", "refusing to write"),
    ("nul\x00.json", "refusing to write"),
    ("esc\x1b[2J.json", "refusing to write"),
    ("x" * 251 + ".json", "over the 255-byte file-name limit"),
    ("é" * 126 + ".json", "over the 255-byte file-name limit"),  # 257 bytes in UTF-8, 131 characters
])
def test_file_names_that_cannot_be_written_are_refused(tmp_path, name, fragment):
    out = tmp_path / "out"
    with pytest.raises(OutputValidationError) as caught:
        output.write_atomically(str(out), {name: "{}\n", "report.json": "{}\n"})
    assert fragment in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_names_equal_but_for_case_are_refused(tmp_path):
    with pytest.raises(OutputValidationError) as caught:
        output.write_atomically(str(tmp_path / "out"), {"Web.taskdef.json": "{}", "web.taskdef.json": "{}"})
    assert "differ only in case" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_two_outputs_never_share_a_file(tmp_path):
    from converter.pipeline.convert import WorkloadOutput

    twins = [WorkloadOutput(name="web", resource=f"Deployment/{n}", task_definition={}, service={}, scaling=None)
             for n in ("a", "b")]
    with pytest.raises(OutputValidationError, match="same file 'web.taskdef.json'"):
        output.output_files(twins, {})


def test_an_output_path_that_is_a_file_is_a_usage_error(tmp_path):
    target = tmp_path / "file"
    target.write_text("mine")
    with pytest.raises(UsageError):
        output.write_atomically(str(target), {"report.json": "{}"})
    assert target.read_text() == "mine"
