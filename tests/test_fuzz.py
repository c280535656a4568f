"""Bounded fuzzing in the suite: mutated manifests through `k2ecs convert`, in process.

The property: whatever the bytes, the command ends in success, findings, or one K2ecsError (one line on
stderr, exit 2-5, nothing half-written); never exit 70, never a traceback. Mutations are structured:
seeds are the samples and the bad-input corpus, mutated line by line and token by token with YAML
punctuation, tags, anchors, odd scalars and raw bytes. The long runs are fuzz/ (atheris); the inputs that
crashed there are replayed here as regressions (fuzz/regressions/).

Examples: K2ECS_FUZZ_EXAMPLES (default 150, about 20 s).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st
from typer.testing import CliRunner

from converter.cli import app
from converter.core.errors import ExitStatus
from tests.helpers import within_call_budget

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted([*ROOT.glob("samples/*/input/*.yaml"), *ROOT.glob("tests/bad_input/**/*.yaml")])
SEED_BYTES = [path.read_bytes() for path in SEEDS if path.stat().st_size < 20_000]
REGRESSIONS = sorted((ROOT / "fuzz" / "regressions").glob("*"))
EXAMPLES = int(os.environ.get("K2ECS_FUZZ_EXAMPLES", "150"))
# A small input converts in about 40,000 to 60,000 calls; a hundred times that is runaway work, not noise.
WORK_BUDGET = 5_000_000

TOKENS = [b": ", b"- ", b"[", b"]", b"{", b"}", b",", b"&a ", b"*a", b"<<: *a\n", b"? ", b"|\n", b">-\n", b"'", b'"',
          b"\t", b"\n", b"---\n", b"...\n", b"# c\n", b"%YAML 1.1\n---\n", b"%TAG !e! tag:e,2000:\n---\n", b"!e!x ",
          b"!!int ", b"!!float ", b"!!bool ", b"!!str ", b"!!null ", b"!!binary ", b"!!python/object:os.system ",
          b"!Ref ", b"!<tag:yaml.org,2002:int> ", b"\\0", b"\\x1b", b"\xef\xbb\xbf", b"\x00", b"\xff", b"\xe9",
          b"\r\n", b"\r", "\u202e".encode(), "\U0001f600".encode(), b"kind: List\nitems:\n- ", b"kind: Secret\n"]
SCALARS = [b"null", b"~", b"[]", b"{}", b"''", b"-1", b"0", b"1e400", b".nan", b"-.inf", b"0x7fffffff", b"0o17",
           b"99999999999999999999999999", b"-9223372036854775809", b"25%", b"101%", b"1Ki", b"1KB", b"250m",
           b"yes", b"2024-01-01", b"\"\\u0000\"", b"[1, [2, [3]]]", b"{a: {b: c}}", b"http", b"Always", b"*a"]


@st.composite
def mutated(draw) -> bytes:
    lines = draw(st.sampled_from(SEED_BYTES)).splitlines(keepends=True) or [b"\n"]
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3]))):
        at = draw(st.integers(0, max(len(lines) - 1, 0)))
        how = draw(st.sampled_from(["token", "scalar", "drop", "repeat", "swap", "indent", "cut", "bytes", "join"]))
        line = lines[at] if lines else b""
        if how == "token":
            offset = draw(st.integers(0, len(line)))
            lines[at] = line[:offset] + draw(st.sampled_from(TOKENS)) + line[offset:]
        elif how == "scalar" and b": " in line:
            lines[at] = line[: line.index(b": ") + 2] + draw(st.sampled_from(SCALARS)) + b"\n"
        elif how == "drop" and len(lines) > 1:
            del lines[at]
        elif how == "repeat":
            lines[at:at] = [line] * draw(st.integers(1, 3))
        elif how == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif how == "indent":
            lines[at] = b" " * draw(st.integers(0, 6)) + line.lstrip(b" ")
        elif how == "cut":
            lines = lines[:at] + [line[: draw(st.integers(0, len(line)))]]
        elif how == "bytes":
            offset = draw(st.integers(0, len(line)))
            lines[at] = line[:offset] + draw(st.binary(min_size=1, max_size=4)) + line[offset:]
        elif how == "join" and at + 1 < len(lines):
            lines[at : at + 2] = [line.rstrip(b"\n") + b" " + lines[at + 1]]
    return b"".join(lines)


def run(manifest: Path, out: Path | None, *extra: str):
    args = ["convert", str(manifest), "--fail-on", "never", *extra] + ([] if out is None else ["-o", str(out)])
    return CliRunner().invoke(app, args)


def check(data: bytes, tmp: Path, extra: tuple[str, ...] = ()) -> int:
    manifest = tmp / "fuzz.yaml"
    manifest.write_bytes(data)
    out = tmp / "out"
    result = run(manifest, out, *extra)
    if result.exit_code == ExitStatus.INTERNAL or result.exception is not None and not isinstance(result.exception, SystemExit):
        shown = run(manifest, None, "--traceback", *extra)
        # --traceback prints the traceback and keeps the status (issue 17), so it is in the child's stderr.
        raise AssertionError(f"exit {result.exit_code}: {result.stderr[-400:]}\ninput: {data[:2000]!r}\n{shown.stderr[-3000:]}")
    assert "Traceback" not in result.stderr
    if result.exit_code in (ExitStatus.USAGE, ExitStatus.INVALID_INPUT, ExitStatus.INVALID_OUTPUT):
        assert result.stderr.startswith("k2ecs: error: ") and result.stderr.count("\n") == 1, result.stderr
        assert not out.exists(), "an error after something was written"
    else:
        assert result.exit_code in (ExitStatus.OK, ExitStatus.FINDINGS), (result.exit_code, result.stderr[-400:])
        assert (out / "report.json").is_file()
    return result.exit_code


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutated(), st.sampled_from([(), (), ("--report", "sarif"), ("--launch-type", "EC2")]))
def test_mutated_manifests_end_in_success_or_one_error(tmp_path_factory, data, extra):
    tmp = tmp_path_factory.mktemp("fuzz")
    status, _ = within_call_budget(WORK_BUDGET, check, data, tmp, extra)
    event(f"exit {status}")


@pytest.mark.parametrize("path", REGRESSIONS, ids=lambda p: p.name)
def test_inputs_that_crashed_the_fuzzer_do_not_crash(tmp_path, path):
    within_call_budget(WORK_BUDGET, check, path.read_bytes(), tmp_path)


def test_the_atheris_harness_runs_its_seeds():
    """fuzz/fuzz_convert.py (imported without atheris' instrumentation) accepts every seed and regression."""
    sys.path.insert(0, str(ROOT / "fuzz"))
    try:
        import fuzz_convert
    finally:
        sys.path.remove(str(ROOT / "fuzz"))
    for data in [*SEED_BYTES, *(p.read_bytes() for p in REGRESSIONS)]:
        fuzz_convert.run_once(data)
