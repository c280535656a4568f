"""Issue 17: every read is bounded and only regular files are read from a folder; limits refuse with one line."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from converter import loader
from converter.cli import app
from converter.errors import ExitStatus
from tests.helpers import run_k2ecs

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "web-loadbalancer-hpa" / "input"
SMALL_LIMIT = 1 << 20  # bounds the work of reading an endless device to a megabyte


def convert(*args: str, stdin: str | None = None):
    return CliRunner().invoke(app, ["convert", *args, "--fail-on", "never"], input=stdin)


@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", SMALL_LIMIT)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
@pytest.mark.parametrize("where", ["input", "config"])
def test_an_endless_device_is_read_only_to_the_limit(small_limit, where):
    args = ["/dev/zero"] if where == "input" else [str(SAMPLE), "--config", "/dev/zero"]
    result = convert(*args)
    assert result.exit_code == ExitStatus.INVALID_INPUT, result.output
    assert f"/dev/zero: file is over the {SMALL_LIMIT}-byte limit" in result.output


@pytest.mark.skipif(not os.path.exists("/dev/zero") or not hasattr(os, "mkfifo"), reason="needs /dev/zero and FIFOs")
def test_a_folder_walk_reads_only_regular_files(tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(SAMPLE, folder)
    (folder / "zero.yaml").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe.yaml")  # opening it would wait for a writer forever
    (folder / "linked.yaml").symlink_to(folder / "web.yaml")  # a link to a regular file is read
    assert loader.expand_paths([str(folder)]) == sorted(
        str(folder / name) for name in ["linked.yaml", *os.listdir(SAMPLE)])
    result = run_k2ecs("convert", str(folder), "--fail-on", "never")  # the subprocess's timeout guards a hang
    assert result.returncode == ExitStatus.OK, result.stderr


def test_stdin_keeps_its_bound(small_limit):
    result = convert("-", stdin="#" * (SMALL_LIMIT + 10))
    assert result.exit_code == ExitStatus.INVALID_INPUT and "over the" in result.output
