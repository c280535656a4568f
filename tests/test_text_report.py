"""The text report for a person: grouped by resource with errors first, a table per code, one line per run for a
setting the whole run lacks, --quiet, --ignore (the count still shown), colour only when asked; json, sarif and
junit keep every finding whatever the text view hides."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from converter.core.codes import CODES
from converter.pipeline.convert import convert
from converter.core.errors import UsageError
from converter.load.loader import parse_text
from converter.report.canonical import build_report, render
from converter.report.text import RUN_WIDE_CODES, TextOptions, parse_codes
from converter.core.settings import Settings
from tests.helpers import run_k2ecs

ANSI = re.compile(r"\x1b\[[0-9;]*m")
FINDING_LINE = re.compile(r"^(?P<where>\S+): (?P<severity>error|warning|info) (?P<code>K2E-[EWI]\d{3}) ")

WORKLOAD = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers: [{{name: app, image: "example/{name}:1"{extra}}}]
"""
# Three workloads without subnets, role or region; gamma also refers to a ConfigMap the input lacks (an error).
APP = "---\n".join([WORKLOAD.format(name="alpha", extra=""), WORKLOAD.format(name="beta", extra=""),
                    WORKLOAD.format(name="gamma", extra=", env: [{name: MODE, valueFrom: {configMapKeyRef: {name: missing, key: mode}}}]")])


@pytest.fixture(scope="module")
def report():
    result = convert(parse_text(APP, "app.yaml"), Settings())
    return build_report(result.findings, result.sources, result.outputs)


def _finding_lines(text: str) -> list[re.Match]:
    return [m for m in map(FINDING_LINE.match, text.splitlines()) if m]


def test_groups_with_errors_first_then_input_order_and_errors_first_within(report):
    text = render(report, "text")
    findings = list(report["findings"])
    assert any(f["severity"] == "error" for f in findings), "the sample must carry an error"
    titles = [line for line in text.splitlines() if line.startswith("== ")]
    erring = {f["resource"] for f in findings if f["severity"] == "error"}
    first_clean = next(i for i, t in enumerate(titles) if not any(f"== {r} (" in t for r in erring))
    assert all(any(f"== {r} (" in t for r in erring) for t in titles[:first_clean])
    assert not any(any(f"== {r} (" in t for r in erring) for t in titles[first_clean:])
    for block in text.split("\n== ")[1:]:
        severities = [m["severity"] for m in _finding_lines(block)]
        assert severities == sorted(severities, key=["error", "warning", "info"].index)


def test_a_setting_the_whole_run_lacks_is_one_line_not_one_per_workload(report):
    text = render(report, "text")
    findings = list(report["findings"])
    by_code = Counter(f["code"] for f in findings)
    lacking = [code for code in RUN_WIDE_CODES if by_code[code] >= 2]
    assert {"K2E-W601", "K2E-W602", "K2E-W607"} <= set(lacking)
    for code in lacking:
        assert [m["code"] for m in _finding_lines(text)].count(code) == 0
        lines = [line for line in text.splitlines() if line.startswith(f"whole run: warning {code} ")]
        assert len(lines) == 1 and f"for {by_code[code]} workload(s)" in lines[0]
        assert "Deployment/alpha" in lines[0] and "Deployment/beta" in lines[0]
    # Every other finding still has its line.
    shown = Counter(m["code"] for m in _finding_lines(text))
    assert shown == Counter({code: n for code, n in by_code.items() if code not in lacking})


def test_one_workload_keeps_its_own_finding_line():
    result = convert(parse_text(WORKLOAD.format(name="solo", extra=""), "solo.yaml"), Settings())
    text = render(build_report(result.findings, result.sources, result.outputs), "text")
    assert "whole run:" not in text and re.search(r"^solo.yaml:\d+: warning K2E-W601 ", text, re.M)


def test_the_table_per_code_counts_every_finding_and_ends_with_the_summary(report):
    text = render(report, "text")
    counts = Counter(f["code"] for f in report["findings"])
    table = text.split("Findings by code (count, title):\n", 1)[1].splitlines()
    rows = {parts[0]: int(parts[2]) for parts in (line.split() for line in table if line.startswith("  K2E-"))}
    assert rows == dict(counts)
    assert table[-1].startswith("k2ecs: 3 workload(s) converted from 3 resource(s); 1 error(s)")


def test_quiet_is_the_table_and_the_summary_only(report):
    quiet = render(report, "text", text_options=TextOptions(quiet=True))
    assert _finding_lines(quiet) == [] and "whole run:" not in quiet and "== " not in quiet
    assert quiet.startswith("Findings by code") and quiet == render(report, "text").split("\n\n")[-1]


def test_ignore_hides_a_code_and_says_how_many(report):
    ignored = parse_codes(["W201", "k2e-w601"])
    text = render(report, "text", text_options=TextOptions(ignore=ignored))
    counts = Counter(f["code"] for f in report["findings"])
    assert "K2E-W201" not in {m["code"] for m in _finding_lines(text)} and "whole run: warning K2E-W601" not in text
    assert f"{counts['K2E-W201'] + counts['K2E-W601']} finding(s) not shown (--ignore): " \
           f"K2E-W201 x{counts['K2E-W201']}, K2E-W601 x{counts['K2E-W601']}" in text
    assert re.search(r"K2E-W201 .*\(ignored\)", text)
    # The machine formats keep every finding whatever the text view was told.
    for fmt in ("json", "sarif", "junit"):
        assert render(report, fmt, text_options=TextOptions(ignore=ignored)) == render(report, fmt)


def test_ignore_refuses_an_unknown_code():
    with pytest.raises(UsageError, match="K2E-W999: no such finding code"):
        parse_codes(["K2E-W999"])
    assert parse_codes(["W601,I009", ""]) == {"K2E-W601", "K2E-I009"}


def test_colour_only_when_asked(report):
    plain, coloured = render(report, "text"), render(report, "text", text_options=TextOptions(color=True))
    assert "\x1b" not in plain and ANSI.search(coloured)
    assert ANSI.sub("", coloured) == plain


def test_convert_command_line_quiet_ignore_and_machine_outputs(tmp_path: Path):
    (tmp_path / "app.yaml").write_text(APP)
    full = run_k2ecs("convert", str(tmp_path / "app.yaml"), "--fail-on", "never")
    quiet = run_k2ecs("convert", str(tmp_path / "app.yaml"), "--fail-on", "never", "-q", "--ignore", "K2E-W201")
    assert full.returncode == quiet.returncode == 0, quiet.stderr
    assert "\x1b" not in full.stderr  # not a terminal
    assert len(quiet.stderr.splitlines()) < len(full.stderr.splitlines()) // 2
    assert "finding(s) not shown (--ignore): K2E-W201" in quiet.stderr
    as_json = run_k2ecs("convert", str(tmp_path / "app.yaml"), "--fail-on", "never", "--report", "json",
                        "--ignore", "K2E-W201", "-q")
    codes = Counter(f["code"] for f in json.loads(as_json.stderr)["findings"])
    assert codes["K2E-W201"] == 3 and codes["K2E-W601"] == 3
    # --fail-on still counts an ignored code (a baseline accepts findings).
    failing = run_k2ecs("convert", str(tmp_path / "app.yaml"), "--fail-on", "warning", "--ignore", "W201")
    assert failing.returncode == 1
    unknown = run_k2ecs("convert", str(tmp_path / "app.yaml"), "--ignore", "K2E-W999")
    assert unknown.returncode == 2 and "no such finding code" in unknown.stderr


def test_run_wide_codes_are_registered_settings_codes():
    assert all(code in CODES and code.startswith("K2E-W6") for code in RUN_WIDE_CODES)


def test_verbose_says_why_each_finding_and_quiet_with_it_is_a_usage_error():
    """--verbose (issue 23): each finding line is followed by its code's explanation, as k2ecs explain gives it."""
    from converter.core.codes import CODES
    from tests.helpers import SAMPLES, run_k2ecs

    sample = SAMPLES / "web-loadbalancer-hpa" / "input"
    plain = run_k2ecs("convert", str(sample), "--fail-on", "never")
    verbose = run_k2ecs("convert", str(sample), "--fail-on", "never", "--verbose")
    assert plain.returncode == verbose.returncode == 0, verbose.stderr
    assert "    why: " not in plain.stderr
    why = [line for line in verbose.stderr.splitlines() if line.startswith("    why: ")]
    findings = [line for line in verbose.stderr.splitlines() if " K2E-" in line and ": " in line and not line.startswith(" ")]
    assert len(why) == len(findings) > 0
    assert f"    why: {CODES['K2E-W601'].explanation}" in verbose.stderr
    both = run_k2ecs("convert", str(sample), "-q", "-v")
    assert both.returncode == 2 and "--quiet and --verbose" in both.stderr
