"""Shared helpers for the test suite: where things are, how to run the CLI, how to walk a document."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
# K2ECS_TEST_CORPUS: the corpus of a checkout that is not beside shared/ (a git worktree elsewhere).
CORPUS = Path(os.environ.get("K2ECS_TEST_CORPUS") or ROOT.parent / "shared" / "corpus")


def fast_dump_all(documents: list, **options: Any) -> str:
    """yaml.safe_dump_all with libyaml's emitter where PyYAML has it: for tests that only parse the text
    back (the pure-Python emitter was most of the time of the generated-input tests)."""
    import yaml

    return yaml.dump_all(documents, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), **options)


def sample_cases() -> list[Path]:
    """The Kubernetes-input samples; samples/ecs-* convert the other way (tests/test_reverse_samples.py)."""
    return sorted(p for p in SAMPLES.iterdir() if (p / "input").is_dir() and not p.name.startswith("ecs-"))


def corpus_k8s_files() -> list[Path]:
    folder = CORPUS / "k8s"
    return sorted(folder.rglob("*.yaml")) if folder.is_dir() else []


def require_corpus() -> None:
    if not (CORPUS / "k8s").is_dir():
        pytest.skip(f"shared corpus not present at {CORPUS}")


def yields_nothing(path: Path | str) -> bool:
    """Whether no document of ``path`` is a Kubernetes object k2ecs can read (each one does not parse, is not
    a mapping or has no kind): the input that is still exit 3 as a whole (issue 18)."""
    from converter.load.inputs import load_inputs
    from converter.core.document import Document

    return not any(isinstance(item, Document) and isinstance(item.data.get("kind"), str) and item.data.get("kind")
                   for item in load_inputs([str(path)]))


def k2ecs_child(*args: str, cwd: Path | str | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    """The CLI in a child interpreter, for what only a real process shows (start-up, streams, signals)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "converter", *args], cwd=cwd, input=stdin, capture_output=True,
                          text=True, env=env, timeout=120)


def k2ecs_in_process(*args: str, cwd: Path | str | None = None, stdin: str | bytes | None = None,
                     text: bool = True) -> subprocess.CompletedProcess:
    """run_k2ecs without the new interpreter: the same entry point (converter.cli.main, which builds only
    the command asked for) in this process, for tests that run the CLI hundreds of times (a child costs
    about half a second of start-up each). Exit status, stdout and stderr as a child would give them; an
    exception the CLI lets through is raised here, so a would-be traceback fails the test."""
    from click.testing import CliRunner

    from converter import cli

    argv, sys.argv = sys.argv, ["k2ecs", *args]
    status = 0
    before = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        with CliRunner().isolation(input=stdin) as (stdout, stderr, _):
            try:
                cli.main()
            except SystemExit as stop:
                status = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
            sys.stdout.flush()  # the text wrappers over the captured bytes buffer until flushed
            sys.stderr.flush()
            out, err = stdout.getvalue(), stderr.getvalue()
    finally:
        sys.argv = argv
        os.chdir(before)
    if text:
        out, err = out.decode(), err.decode()
    return subprocess.CompletedProcess(["k2ecs", *args], status, out, err)


# The CLI as most tests run it: in this process (k2ecs_in_process). tests/test_cli.py checks it gives what a
# child gives; tests of what only a process shows call k2ecs_child.
run_k2ecs = k2ecs_in_process


def case_args(case: Path) -> list[str]:
    args = ["convert", "input", "--fail-on", "never"]
    if (case / "k2ecs.yaml").is_file():
        args += ["--config", "k2ecs.yaml"]
    return args


def leaves(node: Any, path: tuple = ()) -> Iterator[tuple]:
    """Every leaf path of a YAML document (empty containers count as nothing to lose)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from leaves(value, path + (index,))
    else:
        yield path


def places(node: Any, path: tuple = ()) -> Iterator[tuple]:
    """Every path of a document, its root and containers included (leaves() gives the leaves alone)."""
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from places(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from places(value, path + (index,))


def replaced(data: Any, path: tuple, value: Any) -> Any:
    """A deep copy of ``data`` with ``value`` at ``path`` (``value`` itself at the root)."""
    if not path:
        return value
    copied = copy.deepcopy(data)
    node = copied
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return copied


def pointer_parts(pointer: str) -> tuple[str, ...]:
    if pointer == "":
        return ()
    return tuple(part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/"))


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


class WorkBudgetExceeded(AssertionError):
    """More Python calls than a test allowed: the code under test does more work than it should."""


def within_call_budget(budget: int, function: Any, *args: Any, **kwargs: Any) -> tuple[Any, int]:
    """``function(*args, **kwargs)`` and the number of calls it made (Python functions and the C functions
    they call, as sys.setprofile counts them), failing with WorkBudgetExceeded as soon as it passes ``budget``.

    This bounds work, not time: the count is the same on a loaded CI machine as on a quiet laptop, and
    runaway work (an alias bomb expanded, a quadratic walk) stops the test at the budget instead of hanging it.
    """
    calls = 0

    def count(frame: Any, event: str, arg: Any) -> None:
        nonlocal calls
        if event == "call" or event == "c_call":
            calls += 1
            if calls > budget:
                sys.setprofile(None)
                raise WorkBudgetExceeded(f"more than {budget} calls")

    previous = sys.getprofile()
    sys.setprofile(count)
    try:
        result = function(*args, **kwargs)
    finally:
        sys.setprofile(previous)
    return result, calls
