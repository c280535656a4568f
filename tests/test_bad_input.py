"""Bad input through the real command line: one line on stderr naming FILE:LINE, exit 3, no traceback, nothing written.

The issue: "Malformed YAML, tabs, duplicate keys (rejected, as cfn-lint does), wrong types (`replicas: "two"`),
documents that are lists or strings, YAML tags (never constructed): a one-line error naming file and line, the
invalid-input exit status, no traceback (unless --traceback), nothing written."

Each bad input is one small file in tests/bad_input/; BAD below maps it to the line the error must name and a
piece of the message. tests/bad_input/accepted/ holds inputs that look odd but must convert.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from converter.core.errors import ExitStatus
from tests.helpers import k2ecs_in_process

ROOT = Path(__file__).resolve().parent.parent
BAD_DIR = Path(__file__).resolve().parent / "bad_input"
ACCEPTED_DIR = BAD_DIR / "accepted"
PREFIX = "k2ecs: error: "


# file -> (line the error must name, substring of the message, xfail reason or None)
BAD: dict[str, tuple[int, str, str | None]] = {
    # malformed YAML, at several positions
    "malformed_mapping_value.yaml": (4, "mapping values are not allowed", None),
    "malformed_indentation.yaml": (5, "did not find expected key", None),
    "malformed_unclosed_flow.yaml": (6, "flow sequence", None),
    "json_unclosed.json": (1, "flow mapping", None),  # the outer { is the one left open
    "tab_indentation.yaml": (4, "(the line is indented with a tab; YAML indents with spaces)", None),
    "unterminated_quote.yaml": (4, "quoted scalar", None),  # where the quote opens, not past the last line
    # documents that are not mappings
    "document_is_list.yaml": (2, "is a list, not a Kubernetes object", None),
    # YAML tags are never constructed
    "tag_python_object.yaml": (4, "python/object/apply:os.system' is not allowed", None),
    "tag_custom_ref.yaml": (6, "YAML tag '!Ref' is not allowed", None),
    # resource limits
    "alias_bomb.yaml": (1, "alias bomb", None),  # the expansion has no one line: the document's first
    "deep_nesting.yaml": (5, "nesting deeper than", None),
    "nul_byte.yaml": (4, "NUL byte", None),
    "non_utf8.yaml": (4, "not UTF-8 text (byte 0xe9)", None),
    # wrong types at several levels
    "replicas_string.yaml": (6, "/spec/replicas: expected an integer, got a string 'two'", None),
    "containers_mapping.yaml": (10, "/spec/template/spec/containers: expected a list, got a mapping", None),
    "container_port_name.yaml": (13, "/ports/0/containerPort: expected an integer, got a string 'http'", None),
    "cpu_quantity_1KB.yaml": (15, "/resources/limits/cpu: '1KB' is not a Kubernetes quantity", None),
    "env_value_number.yaml": (15, "/env/0/value: expected a string, got an integer 4", None),
    # metadata: [] -- read as "no metadata": the error names /metadata and the missing name
    "metadata_list.yaml": (3, "/metadata: expected a mapping, got a list", None),
    # spec: null -- read as an absent spec (as the API server's defaulting would): the pod template is missing
    "spec_null.yaml": (5, "/spec/template: the pod template has no spec", None),
    "service_port_string.yaml": (9, "Service/web /spec/ports/0/port: expected an integer, got a string 'eighty'", None),
    "hpa_max_replicas_string.yaml": (8, "/spec/maxReplicas: expected an integer, got a string 'ten'", None),
    "no_kind.yaml": (1, "document has no kind", None),
    "kind_list.yaml": (2, "kind", None),  # kind: [Deployment] is reported as "no kind"
    # regressions: these crashed (exit 70) or reached the ECS validator (exit 4, line of the Deployment)
    "api_version_list.yaml": (1, "/apiVersion: expected a string", None),
    "mount_path_missing.yaml": (14, "mountPath", None),
    "container_name_invalid.yaml": (11, "is not a DNS label", None),
    # hostPath without path: on Fargate it becomes a task volume; on EC2 see test_host_path_without_path_on_ec2
    "host_path_missing_path.yaml": (16, "has no path", None),
    # issue 7: found by fuzzing (exit 70: PyYAML's int() on an explicit !!int) and by the hostile-input tests
    "explicit_tag_wrong_value.yaml": (6, "the value is not a valid int (explicit YAML tag)", None),
    "control_character_in_name.yaml": (4, "metadata.name contains the control character U+001B", None),
    "replicas_out_of_range.yaml": (6, "out of range: Kubernetes reads this field as a 32-bit integer", None),
}


def run_cli(*args: str, stdin: bytes | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("K2ECS_")}
    return subprocess.run([sys.executable, "-m", "converter", *args], cwd=ROOT, input=stdin, capture_output=True,
                          timeout=timeout, env=env)


@pytest.fixture(scope="module")
def bad_runs(tmp_path_factory) -> dict[str, tuple[subprocess.CompletedProcess, Path]]:
    """Every bad file through the CLI once, in this process (the tests below that need a real process, for
    stdin or --traceback, start one)."""
    base = tmp_path_factory.mktemp("bad-out")
    runs = {}
    for name in sorted(BAD):
        out = base / name.replace(".", "_")
        runs[name] = (k2ecs_in_process("convert", str(BAD_DIR / name), "-o", str(out), cwd=ROOT, text=False), out)
    return runs


def test_table_matches_the_folder():
    on_disk = {p.name for p in BAD_DIR.iterdir() if p.is_file()}
    assert on_disk == set(BAD), "every file in tests/bad_input/ has a row in BAD, and every row a file"


def _cases() -> list:
    cases = []
    for name, (line, fragment, reason) in sorted(BAD.items()):
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        cases.append(pytest.param(name, line, fragment, id=name, marks=marks))
    return cases


def _check(result: subprocess.CompletedProcess, out: Path, file: str, line: int, fragment: str) -> None:
    stderr = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr
    assert result.returncode == ExitStatus.INVALID_INPUT, (result.returncode, stderr)
    assert stderr.endswith("\n") and stderr.count("\n") == 1, f"not exactly one line: {stderr!r}"
    assert stderr.startswith(PREFIX), stderr
    assert f"{file}:{line}: " in stderr, f"expected {file}:{line}, got {stderr!r}"
    assert fragment in stderr, stderr
    assert result.stdout == b"", result.stdout[:200]
    assert not out.exists(), "nothing may be written on invalid input"


@pytest.mark.parametrize("name, line, fragment", _cases())
def test_bad_input_cli(bad_runs, name, line, fragment):
    result, out = bad_runs[name]
    _check(result, out, str(BAD_DIR / name), line, fragment)


@pytest.mark.parametrize("name, line, fragment", [c for c in _cases() if not c.marks])
def test_bad_input_error_line_is_a_real_line(bad_runs, name, line, fragment):
    """The line named exists in the file (and for YAML syntax errors, the message is free of control characters)."""
    result, _ = bad_runs[name]
    stderr = result.stderr.decode("utf-8", "replace")
    count = (BAD_DIR / name).read_bytes().count(b"\n")
    assert 1 <= line <= count
    assert all(ch >= " " for ch in stderr.rstrip("\n")), repr(stderr)


def test_bad_input_with_traceback_shows_it(tmp_path):
    out = tmp_path / "out"
    result = run_cli("convert", str(BAD_DIR / "replicas_string.yaml"), "-o", str(out), "--traceback")
    stderr = result.stderr.decode()
    assert "Traceback (most recent call last)" in stderr
    assert "DocumentError" in stderr and "expected an integer" in stderr  # an InputError of one document
    assert result.returncode != 0
    assert not out.exists()


@pytest.mark.parametrize("name, line, fragment", [
    ("replicas_string.yaml", 6, "expected an integer"),
    ("tag_custom_ref.yaml", 6, "'!Ref'"),
])
def test_bad_input_on_stdin_names_stdin(tmp_path, name, line, fragment):
    out = tmp_path / "out"
    result = run_cli("convert", "-", "-o", str(out), stdin=(BAD_DIR / name).read_bytes())
    _check(result, out, "<stdin>", line, fragment)


def test_bad_file_among_good_ones_costs_that_file_only(tmp_path):
    """A folder with good manifests and one bad one: the bad one is an error finding (K2E-E031), the good
    ones are written, and the exit status follows --fail-on (issue 18; it was exit 3 with nothing written)."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a-good.yaml").write_bytes((ACCEPTED_DIR / "lowercase_kind.yaml").read_bytes())
    (folder / "b-bad.yaml").write_bytes((BAD_DIR / "replicas_string.yaml").read_bytes())
    out = tmp_path / "out"
    result = run_cli("convert", str(folder), "-o", str(out))
    assert result.returncode == ExitStatus.FINDINGS, result.stderr
    report = json.loads((out / "report.json").read_text())
    errors = [(f["code"], f["file"], f["line"]) for f in report["findings"] if f["severity"] == "error"]
    assert errors == [("K2E-E031", str(folder / "b-bad.yaml"), 6)]
    assert any(name.endswith(".taskdef.json") for name in os.listdir(out))


def test_existing_output_folder_is_left_alone(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = run_cli("convert", str(BAD_DIR / "replicas_string.yaml"), "-o", str(out))
    assert result.returncode == ExitStatus.INVALID_INPUT
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_missing_file_is_one_line(tmp_path):
    out = tmp_path / "out"
    result = run_cli("convert", str(tmp_path / "nope.yaml"), "-o", str(out))
    stderr = result.stderr.decode()
    assert result.returncode == ExitStatus.INVALID_INPUT
    assert stderr.startswith(PREFIX) and stderr.count("\n") == 1 and "nope.yaml" in stderr
    assert not out.exists()


@pytest.mark.parametrize("opening, closing", [("[", "]"), ("{a: ", "}")])
def test_very_deep_flow_nesting_is_an_input_error_not_a_crash(tmp_path, opening, closing):
    """Regression: with libyaml's CParser, 100,000 levels of [ segfaulted the interpreter (exit -11)."""
    deep = tmp_path / "deep.yaml"
    deep.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  x: "
                    + opening * 100_000 + "1" + closing * 100_000 + "\n")
    out = tmp_path / "out"
    _check(run_cli("convert", str(deep), "-o", str(out)), out, str(deep), 5, "nesting deeper than")


def test_very_deep_block_nesting_is_an_input_error_not_a_crash(tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  x:\n  " + "- " * 100_000 + "a\n")
    out = tmp_path / "out"
    result = run_cli("convert", str(deep), "-o", str(out))
    assert result.returncode == ExitStatus.INVALID_INPUT, (result.returncode, result.stderr[-300:])
    _check(result, out, str(deep), 6, "nesting deeper than")


def test_host_path_without_path_on_ec2(tmp_path):
    out = tmp_path / "out"
    result = run_cli("convert", str(BAD_DIR / "host_path_missing_path.yaml"), "-o", str(out), "--launch-type", "EC2")
    _check(result, out, str(BAD_DIR / "host_path_missing_path.yaml"), 16, "path")


# -- inputs that look odd but are valid -----------------------------------------------------------------

def _report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text())


def test_unknown_kind_is_a_finding_not_an_error(tmp_path):
    out = tmp_path / "out"
    result = run_cli("convert", str(ACCEPTED_DIR / "unknown_kind.yaml"), "-o", str(out), "--fail-on", "never")
    assert result.returncode == ExitStatus.OK, result.stderr.decode()
    findings = _report(out)["findings"]
    assert [(f["code"], f["resource"], f["line"]) for f in findings] == [("K2E-W001", "Widget/gadget", 1)]
    # it is a warning: --fail-on warning turns it into exit 1
    strict = run_cli("convert", str(ACCEPTED_DIR / "unknown_kind.yaml"), "-o", str(tmp_path / "strict"),
                     "--fail-on", "warning")
    assert strict.returncode == ExitStatus.FINDINGS


def test_bom_prefixed_file_converts(tmp_path):
    out = tmp_path / "out"
    result = run_cli("convert", str(ACCEPTED_DIR / "bom.yaml"), "-o", str(out), "--fail-on", "never")
    assert result.returncode == ExitStatus.OK, result.stderr.decode()
    assert (out / "bom.taskdef.json").is_file()
    [resource] = _report(out)["resources"]
    assert (resource["resource"], resource["line"], resource["status"]) == ("Deployment/bom", 1, "converted")


def test_bom_on_stdin_converts(tmp_path):
    out = tmp_path / "out"
    result = run_cli("convert", "-", "-o", str(out), "--fail-on", "never",
                     stdin=(ACCEPTED_DIR / "bom.yaml").read_bytes())
    assert result.returncode == ExitStatus.OK, result.stderr.decode()
    assert (out / "bom.service.json").is_file()


def test_multi_document_with_empty_documents_and_list(tmp_path):
    out = tmp_path / "out"
    result = run_cli("convert", str(ACCEPTED_DIR / "multi_document_list.yaml"), "-o", str(out), "--fail-on", "never")
    assert result.returncode == ExitStatus.OK, result.stderr.decode()
    report = _report(out)
    resources = {(r["resource"], r["line"]) for r in report["resources"]}
    assert resources == {("Deployment/listed", 8), ("Service/listed", 18), ("Deployment/plain", 28)}
    assert {p.name for p in out.iterdir()} >= {"listed.taskdef.json", "listed.service.json", "plain.taskdef.json"}
    listed = [f for f in report["findings"] if f["resource"] == "Deployment/listed"]
    assert listed and all(f["path"].startswith("/items/0") for f in listed)
    assert not [f for f in report["findings"] if f["code"] == "K2E-W901"]


def test_lower_case_kind_converts(tmp_path):
    out = tmp_path / "out"
    result = run_cli("convert", str(ACCEPTED_DIR / "lowercase_kind.yaml"), "-o", str(out), "--fail-on", "never")
    assert result.returncode == ExitStatus.OK, result.stderr.decode()
    [resource] = _report(out)["resources"]
    assert resource["resource"] == "Deployment/lower" and resource["status"] == "converted"
    assert (out / "lower.taskdef.json").is_file()
