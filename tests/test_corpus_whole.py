"""Issue 18: every bundle of ../shared/corpus (Kubernetes and ECS) through each way of converting it
(convert, --to k8s, --format cloudformation, --format terraform) ends with neither exit 3 (input refused)
nor exit 4 (invalid output) nor 70 (a crash): a broken document costs that document, never the run.

In-process (typer's CliRunner) rather than a Python per run, so the whole corpus stays within a minute
of CPU. Each case folder is one input: some hold alternative variants of one app (BUNDLES.md), which is
exactly what a user pointing k2ecs at a checkout has.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import CORPUS, require_corpus

MODES = {
    "convert": [],
    "to-k8s": ["--to", "k8s"],
    "cloudformation": ["--format", "cloudformation"],
    "terraform": ["--format", "terraform"],
}
REFUSED = {3: "INVALID_INPUT", 4: "INVALID_OUTPUT", 70: "INTERNAL"}


def _cases() -> list[Path]:
    found: list[Path] = []
    for side in ("k8s", "ecs"):
        folder = CORPUS / side
        if folder.is_dir():
            found.extend(sorted(path for path in folder.iterdir() if path.is_dir()))
    return found


CASES = _cases()


@pytest.fixture(scope="module")
def invoke():
    from typer.testing import CliRunner

    from converter.cli import build_app

    app = build_app("convert")
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, ["convert", *args], catch_exceptions=False)

    return run


@pytest.mark.parametrize("case", CASES or [None], ids=lambda p: "none" if p is None else f"{p.parent.name}/{p.name}")
def test_corpus_bundle_is_never_refused(invoke, case: Path | None):
    require_corpus()
    failures = []
    for mode, extra in MODES.items():
        result = invoke(str(case), *extra, "--report", "json", "--fail-on", "never")
        if result.exit_code in REFUSED:
            failures.append(f"{mode}: exit {result.exit_code} ({REFUSED[result.exit_code]}): "
                            f"{result.output.strip().splitlines()[-1:]}")
    assert failures == []


def test_corpus_has_both_sides():
    require_corpus()
    assert {path.parent.name for path in CASES} == {"k8s", "ecs"}
    assert len(CASES) >= 20
