"""A reader of stdout that stops early (`k2ecs convert ... | head`, `k2ecs compare ... | head`) is not an error
(guard.ReaderMayLeave). The run goes on to its report on stderr and its own exit status; before, convert's first
write after the reader left was "internal error: BrokenPipeError", exit 70, and no report."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from converter.guard import ReaderMayLeave
from tests.helpers import ROOT

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web-{0}}}
spec:
  selector: {{matchLabels: {{app: web-{0}}}}}
  template:
    metadata: {{labels: {{app: web-{0}}}}}
    spec:
      containers:
      - {{name: app, image: "nginx:1.{0}", env: [{{name: A, value: "{0}"}}], ports: [{{containerPort: 80}}]}}
"""


def _read_then_leave(folder: Path, workloads: int, args: list[str]) -> tuple[bytes, str, int]:
    """What a reader that takes the first bytes of stdout and leaves got, stderr, and the exit status. The
    output is far above a pipe's buffer, so the writer meets the closed pipe."""
    (folder / "many.yaml").write_text("---\n".join(DEPLOYMENT.format(i) for i in range(workloads)), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.Popen([sys.executable, "-m", "converter.cli", args[0], str(folder / "many.yaml"), *args[1:]],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=folder, env=env)
    assert child.stdout is not None and child.stderr is not None
    head = child.stdout.read(200)
    child.stdout.close()  # the reader leaves
    error = child.stderr.read().decode()
    return head, error, child.wait(timeout=120)


@pytest.mark.parametrize("view", [[], ["--format", "cloudformation"], ["--format", "terraform"]])
def test_convert_into_a_reader_that_stops_early_still_reports_and_exits_by_its_findings(tmp_path: Path,
                                                                                         view: list[str]):
    head, error, status = _read_then_leave(tmp_path, 200, ["convert", *view, "--fail-on", "warning"])
    assert head
    assert "internal error" not in error and "Broken pipe" not in error, error
    assert "200 workload(s) converted" in error  # the report was still written
    assert status == 1, error  # by the findings and --fail-on warning (each Deployment has warnings), not 70


@pytest.mark.parametrize("view", [["--color", "never", "--no-pager"], ["--html", "-"]])
def test_a_reader_that_stops_early_ends_compares_streamed_view_quietly(tmp_path: Path, view: list[str]):
    """compare's views are written as they are made; the reader leaving is not an error (it was not when the
    whole text was one write), and the rest of the view is not made."""
    head, error, status = _read_then_leave(tmp_path, 60, ["compare", *view])
    assert status == 0, error
    assert head and error == ""


class _ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def test_after_the_reader_left_writes_and_flushes_go_nowhere_and_say_so():
    stream = ReaderMayLeave(_ClosedPipe())
    assert stream.reader_left is False
    assert stream.write("abc") == 3  # no exception
    assert stream.reader_left is True
    stream.writelines(["x", "y"])
    stream.flush()
    assert stream.isatty() is False  # anything else is the stream's own


def test_a_reader_that_stays_gets_everything():
    target = io.StringIO()
    stream = ReaderMayLeave(target)
    stream.write("a")
    stream.writelines(["b", "c"])
    stream.flush()
    assert target.getvalue() == "abc" and stream.reader_left is False
