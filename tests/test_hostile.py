"""Hostile and broken input: never a traceback, never exit 70, never a path outside -o, always within the limits.

- Wrong types at every field of a rich Deployment, Service and HPA, generated: each field in turn becomes
  null, a list, a map, a huge number, a negative number and a string. The outcome must be an InputError
  naming the file and the line of that field (or of a parent or child of it), or a finding at that path,
  or a conversion where the value legitimately maps; never another exception.
- The documented limits (README "Limits"): each limit's error names it, and the README states the same numbers.
- A 50 MB file, files over the size limit, encodings, Python tags, unknown apiVersions.
- Names from manifests (`../`, absolute, NUL, long, case twins, `report`) never choose a path outside -o.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from converter.load import source_files, yaml_limits
from converter.cli import app
from converter.pipeline.convert import convert
from converter.core.document import pointer
from converter.core.errors import ExitStatus, InputError
from converter.core.findings import Severity
from converter.load.loader import parse_text
from converter.core.settings import Settings
from converter.load.source_files import decode_source
from tests.helpers import fast_dump_all

ROOT = Path(__file__).resolve().parent.parent
# Not a speed limit (timings live in bench/): a guard that turns a hang into a failure. Each input it guards
# finishes in well under a second today and took many minutes (or forever) with the code it is a regression for.
HANG_GUARD_SECONDS = 120

# -- a rich bundle: every field below is mutated in turn ---------------------------------------------------

DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}, "annotations": {"team": "a"}},
    "spec": {
        "replicas": 3, "minReadySeconds": 5, "selector": {"matchLabels": {"app": "web"}},
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "securityContext": {"runAsUser": 1000}, "serviceAccountName": "web-sa",
                "terminationGracePeriodSeconds": 30,
                "initContainers": [{"name": "migrate", "image": "busybox", "command": ["sh", "-c", "true"]}],
                "containers": [{
                    "name": "app", "image": "nginx:1.27", "args": ["--port", "8080"], "workingDir": "/app",
                    "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
                    "env": [{"name": "PLAIN", "value": "1"},
                            {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
                            {"name": "LEVEL", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "level"}}}],
                    "envFrom": [{"configMapRef": {"name": "cfg"}, "prefix": "C_"}, {"secretRef": {"name": "db"}}],
                    "resources": {"requests": {"cpu": "250m", "memory": "256Mi"},
                                  "limits": {"cpu": "500m", "memory": "512Mi"}},
                    "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 10,
                                      "timeoutSeconds": 2, "failureThreshold": 3, "initialDelaySeconds": 5},
                    "readinessProbe": {"exec": {"command": ["cat", "/ready"]}},
                    "securityContext": {"readOnlyRootFilesystem": True, "privileged": False,
                                        "capabilities": {"drop": ["ALL"]}},
                    "volumeMounts": [{"name": "scratch", "mountPath": "/tmp"},
                                     {"name": "conf", "mountPath": "/etc/conf", "readOnly": True}],
                }],
                "volumes": [{"name": "scratch", "emptyDir": {}}, {"name": "conf", "configMap": {"name": "cfg"}}],
            },
        },
    },
}
SERVICE = {
    "apiVersion": "v1", "kind": "Service",
    "metadata": {"name": "web", "namespace": "shop",
                 "annotations": {"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"}},
    "spec": {"type": "LoadBalancer", "selector": {"app": "web"},
             "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]},
}
HPA = {
    "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web", "namespace": "shop"},
    "spec": {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
        "minReplicas": 2, "maxReplicas": 10,
        "metrics": [{"type": "Resource",
                     "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}],
        "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300,
                                   "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]}},
    },
}
REFERENCED = [
    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "shop"}, "data": {"level": "debug"}},
    {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "shop"}, "data": {"password": "cA=="}},
    {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "web-sa", "namespace": "shop"}},
]
BUNDLE = [DEPLOYMENT, SERVICE, HPA, *REFERENCED]
WRONG = {"null": None, "list": ["x", 1], "map": {"k": "v"}, "huge": 10**30, "negative": -7, "string": "zz-not-valid"}
# Values that are maps of strings: Kubernetes requires strings there, k2ecs carries a number as its text (a tag).
STRING_MAPS = ("labels", "annotations", "matchLabels", "selector")


def field_paths(node, path=()):
    if path:
        yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from field_paths(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from field_paths(value, path + (index,))


def _cases():
    for index, document in enumerate(BUNDLE[:3]):
        for path in field_paths(document):
            yield pytest.param(index, path, id=f"{document['kind']}{pointer(path)}")


def related(finding_path: str, path: str) -> bool:
    return bool(finding_path) and (finding_path == path or finding_path.startswith(path + "/")
                                   or path.startswith(finding_path + "/"))


def legitimately_silent(original, replacement, path: tuple) -> bool:
    """Replacements that need no finding: null means "not set"; a value of the field's own kind is just a value."""
    if replacement is None:
        return True
    if type(original) is type(replacement) and not isinstance(replacement, int):
        return True  # a string for a string, a map for a map
    return len(path) >= 2 and path[-2] in STRING_MAPS and isinstance(replacement, int)


@pytest.mark.parametrize("index, path", list(_cases()))
def test_wrong_types_at_every_field(index, path):
    for label, value in WRONG.items():
        documents = copy.deepcopy(BUNDLE)
        holder = documents[index]
        for step in path[:-1]:
            holder = holder[step]
        original = holder[path[-1]]
        holder[path[-1]] = copy.deepcopy(value)
        text = fast_dump_all(documents, sort_keys=False)  # only parsed back: the pure-Python emitter was 3/4 of the time
        parsed = parse_text(text, "mutated.yaml")
        document = next(d for d in parsed if d.index == index)
        context = f"{pointer(path)} = {label}"
        try:
            result = convert(parsed, Settings())
        except InputError as err:
            message = str(err)
            assert "\n" not in message and message.startswith(f"mutated.yaml:{err.line}: "), (context, message)
            near = {document.line_of(path[:depth]) for depth in range(len(path) + 1)}
            children = value if isinstance(value, dict) else range(len(value)) if isinstance(value, list) else ()
            near |= {document.line_of(path + (child,)) for child in children}
            assert err.line in near, (context, message, sorted(near))
            continue
        except Exception as err:  # noqa: BLE001 - the point of the test: exit 70 in the CLI
            raise AssertionError(f"{context}: {type(err).__name__}: {err}") from err
        resource = f"{BUNDLE[index]['kind']}/web"
        # Issue 18: a document whose kind or name cannot be read is not converted, with one error finding
        # (K2E-E030/E031) at or near the field, and the rest of the bundle converts.
        near = {document.line_of(path[:depth]) for depth in range(len(path) + 1)}
        if any(f.code in ("K2E-E030", "K2E-E031") and f.line in near for f in result.findings):
            continue
        mine = [f for f in result.findings if f.resource == resource]
        if any(related(f.path, pointer(path)) for f in mine):
            continue
        if any(f.severity is Severity.ERROR for f in mine):
            continue  # rejected with an error finding (e.g. no Fargate size for a huge cpu request)
        assert legitimately_silent(original, value, path), f"{context}: converted with no finding at the path"


# -- limits -----------------------------------------------------------------------------------------------

def _readme_limits() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Limits\n(.*?)(?=^## )", text, re.MULTILINE | re.DOTALL)
    assert match, "README.md has a Limits section"
    return match.group(1).replace(",", "")


@pytest.mark.parametrize("module, constant", [(source_files, "MAX_FILE_BYTES"), (yaml_limits, "MAX_ALIAS_REFERENCES"),
                                              (yaml_limits, "MAX_EXPANDED_NODES"), (yaml_limits, "MAX_DEPTH")])
def test_readme_states_each_limit(module, constant):
    assert str(getattr(module, constant)) in _readme_limits(), f"README Limits does not state {constant}"


def _limit_error(text: str) -> InputError:
    with pytest.raises(InputError) as caught:
        parse_text(text, "limit.yaml")
    return caught.value


def test_each_limit_error_names_the_limit():
    refs = ", ".join(["*x"] * (yaml_limits.MAX_ALIAS_REFERENCES + 1))
    assert f"more than {yaml_limits.MAX_ALIAS_REFERENCES} alias references" in str(
        _limit_error(f"kind: A\nv: &x 1\nl: [{refs}]\n"))
    laughs = ["a: &a [" + ", ".join(["x"] * 10) + "]"]
    laughs += [f"{c}: &{c} [" + ", ".join([f"*{p}"] * 10) + "]" for p, c in zip("abcdef", "bcdefg")]
    assert f"more than {yaml_limits.MAX_EXPANDED_NODES} nodes" in str(_limit_error("\n".join(laughs) + "\n"))
    depth = yaml_limits.MAX_DEPTH + 1
    assert f"deeper than {yaml_limits.MAX_DEPTH} levels" in str(_limit_error("kind: A\nx: " + "[" * depth + "]" * depth))
    with pytest.raises(InputError, match=f"over the {source_files.MAX_FILE_BYTES}-byte limit"):
        decode_source(b" " * (source_files.MAX_FILE_BYTES + 1), "<stdin>")


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "converter", *args], cwd=ROOT, capture_output=True, timeout=timeout)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    huge = tmp_path / "huge.yaml"
    with open(huge, "wb") as handle:
        handle.truncate(source_files.MAX_FILE_BYTES + 1)  # sparse: nothing is really written
    result = run_cli("convert", str(huge), "-o", str(tmp_path / "out"))
    assert result.returncode == ExitStatus.INVALID_INPUT
    assert f"over the {source_files.MAX_FILE_BYTES}-byte limit" in result.stderr.decode()
    assert not (tmp_path / "out").exists()


def _peak_run(tmp_path: Path, manifest: Path) -> tuple[subprocess.CompletedProcess, int]:
    """The run and its peak memory: a bound on what it holds, which load on the machine does not change
    (how long it takes is bench/'s business)."""
    peak_file = tmp_path / "peak.txt"
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "peak.py"), str(peak_file), "-m", "converter",
                             "convert", str(manifest), "-o", str(tmp_path / "out"), "--fail-on", "never",
                             "--report-file", os.devnull], cwd=ROOT, capture_output=True, timeout=900)
    return result, int(peak_file.read_text())


def test_a_50_mb_file_converts_within_the_documented_limits(tmp_path):
    """50 MB: 1,000 workloads and a 46 MB ConfigMap. README Limits: measured 2.7 s and 186 MiB peak."""
    sys.path.insert(0, str(ROOT))
    from bench.generate import bundle

    blob = "x" * (1 << 20)
    manifest = tmp_path / "big.yaml"
    manifest.write_text(bundle(1000) + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: blob}\ndata:\n"
                        + "".join(f"  k{i}: {blob}\n" for i in range(46)))
    assert manifest.stat().st_size > 50_000_000
    result, peak = _peak_run(tmp_path, manifest)
    assert result.returncode == 0, result.stderr[-500:]
    assert peak < 1024 * 2**20, f"peak {peak / 2**20:.0f} MiB"


@pytest.mark.slow
def test_a_50_mb_file_of_workloads_converts_within_the_documented_limits(tmp_path):
    """13,000 workloads in 50 MB. README Limits: measured 26 s and 256 MiB peak."""
    sys.path.insert(0, str(ROOT))
    from bench.generate import bundle

    manifest = tmp_path / "big.yaml"
    manifest.write_text(bundle(13000))
    result, peak = _peak_run(tmp_path, manifest)
    assert result.returncode == 0, result.stderr[-500:]
    assert peak < 2**30, f"peak {peak / 2**20:.0f} MiB"


# -- bytes, encodings, tags, apiVersions -------------------------------------------------------------------

@pytest.mark.parametrize("raw, line, fragment", [
    ("apiVersion: v1\n".encode("utf-16"), 1, "not UTF-8"),  # UTF-16 with its BOM
    (b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: caf\xe9}\n", 3, "not UTF-8 text (byte 0xe9)"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 1, "not UTF-8"),
    (b"kind: A\n\x7fELF\x02\x01\x01\x00", 2, "NUL byte"),
    (b"kind: A\nx: \xc0\xaf\n", 2, "not UTF-8"),  # an overlong encoding of /
    (b"kind: A\nx: \xed\xa0\x80\n", 2, "not UTF-8"),  # a UTF-16 surrogate, encoded
])
def test_bytes_that_are_not_manifests(raw, line, fragment):
    with pytest.raises(InputError) as caught:
        parse_text(decode_source(raw, "bin.yaml"), "bin.yaml")
    assert caught.value.line == line and fragment in caught.value.message


def test_crlf_and_bom_read_with_the_right_lines():
    raw = b"\xef\xbb\xbfapiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: crlf\r\ndata:\r\n  a: b\r\n"
    [document] = parse_text(decode_source(raw, "crlf.yaml"), "crlf.yaml")
    assert document.data["metadata"]["name"] == "crlf" and document.line_of(("data", "a")) == 6


PYTHON_TAGS = ["!!python/object:os.system {{}}", "!!python/object/apply:os.system ['touch {marker}']",
               "!!python/object/new:os.system ['touch {marker}']", "!!python/name:os.system", "!!python/module:os",
               "!!python/tuple [1, 2]", "!!python/bytes aGk=", "!!python/str x", "!!python/unicode x",
               "!!python/int 1", "!!python/long 1", "!!python/float 1.0", "!!python/complex 1+2j", "!!python/list [1]",
               "!!python/dict {{a: 1}}", "!!python/none ''", "!!python/bool true",
               "!<tag:yaml.org,2002:python/object/apply:os.system> ['touch {marker}']"]


@pytest.mark.parametrize("tag", PYTHON_TAGS)
@pytest.mark.parametrize("where", ["value", "item", "document"])
def test_python_tags_are_refused_and_never_run(tmp_path, tag, where):
    marker = tmp_path / "pwned"
    value = tag.format(marker=marker)
    text = {"value": f"kind: A\nmetadata:\n  name: {value}\n",
            "item": f"kind: A\nlist:\n- ok\n- {value}\n",
            "document": f"--- {value}\n"}[where]
    with pytest.raises(InputError) as caught:
        parse_text(text, "tags.yaml")
    assert "not allowed" in caught.value.message and caught.value.line == {"value": 3, "item": 4, "document": 1}[where]
    assert not marker.exists()


@pytest.mark.parametrize("document, code", [
    ({**DEPLOYMENT, "apiVersion": "apps/v2"}, "K2E-W006"),
    ({**DEPLOYMENT, "apiVersion": "extensions/v1beta1"}, "K2E-W006"),
    ({**DEPLOYMENT, "apiVersion": ""}, "K2E-W006"),
    ({**SERVICE, "apiVersion": "v2"}, "K2E-W006"),
    ({**HPA, "apiVersion": "autoscaling/v9"}, "K2E-W006"),
    ({**DEPLOYMENT, "apiVersion": 1}, "expected a string, got an integer 1"),
    ({**DEPLOYMENT, "apiVersion": ["apps/v1"]}, "expected a string, got a list"),
])
def test_unknown_api_versions_are_a_finding_or_an_error_at_the_line(document, code):
    text = yaml.safe_dump_all([DEPLOYMENT, *REFERENCED] if document["kind"] != "Deployment" else [], sort_keys=False)
    text = yaml.safe_dump(document, sort_keys=False) + ("---\n" + text if text else "")
    try:
        result = convert(parse_text(text, "v.yaml"), Settings())
    except InputError as err:
        assert err.line == 1 and code in err.message, str(err)
        return
    assert code in {f.code for f in result.findings if f.path == "/apiVersion"}


# -- names never choose a path outside -o ---------------------------------------------------------------

def _deployment(name: str, namespace: str | None = None) -> dict:
    deployment = copy.deepcopy(DEPLOYMENT)
    deployment["metadata"]["name"] = name
    if namespace is None:
        del deployment["metadata"]["namespace"]
    else:
        deployment["metadata"]["namespace"] = namespace
    deployment["spec"]["template"]["spec"]["containers"][0].pop("envFrom")
    deployment["spec"]["template"]["spec"]["containers"][0]["env"] = []
    deployment["spec"]["template"]["spec"]["containers"][0]["volumeMounts"] = []
    deployment["spec"]["template"]["spec"].pop("volumes")
    deployment["spec"]["template"]["spec"].pop("serviceAccountName")
    return deployment


HOSTILE_NAMES = {
    "dotdot": ["../../outside"], "absolute": ["/tmp/k2ecs-outside"], "dot": ["."], "dotdot-only": [".."],
    "nul": ["web\x00evil"], "escape": ["web\x1b[2Jx"], "bidi": ["web\u202etxt.exe"], "slash": ["a/b"],
    "backslash": ["a\\b"], "long-300": ["a" * 300], "long-250": ["a" * 250], "case-twins": ["Web", "web"],
    "reserved-report": ["report"], "unicode": ["wéb"], "windows-device": ["con"], "hidden": [".hidden"],
    "namespace-long": [("b" * 240, "n" * 20), ("b" * 240, "m" * 20)],
}


@pytest.mark.parametrize("names", list(HOSTILE_NAMES.values()), ids=list(HOSTILE_NAMES))
def test_names_from_manifests_never_leave_the_output_folder(tmp_path, names):
    documents = [_deployment(*n) if isinstance(n, tuple) else _deployment(n) for n in names]
    manifest = tmp_path / "in" / "hostile.yaml"
    manifest.parent.mkdir()
    manifest.write_text(yaml.safe_dump_all(documents, sort_keys=False, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "deep" / "out"
    result = CliRunner().invoke(app, ["convert", str(manifest), "-o", str(out), "--report", "json"])
    assert result.exit_code in (0, 1, 3, 4), (result.exit_code, result.output[-500:])
    assert "Traceback" not in result.output and "internal error" not in result.output
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p != manifest]
    assert all(out in p.parents for p in written), written
    assert all(p.parent == out for p in written), "output is flat: one folder, no sub-folders"
    assert not Path("/tmp/k2ecs-outside.taskdef.json").exists()
    if result.exit_code in (3, 4):
        assert not out.exists()
        assert "control character" in result.output or "255-byte file-name limit" in result.output, result.output
        return
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["tool"] == "k2ecs"  # report.json is k2ecs' own, whatever a workload is called
    converted = {entry["name"] for entry in report["outputs"]}
    for name in names:
        if not isinstance(name, str) or name in converted:
            continue
        assert any(f["code"] == "K2E-E020" for f in report["findings"]), (name, report["findings"])
    assert len({p.name.casefold() for p in written}) == len(written)


# -- time: small inputs whose cost explodes -----------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "kind: A\nx:\n  " + "-   " * 60 + "a\n" + "pad: 1\n" * 300,  # the loader's depth pre-check was exponential
    "kind: A\nx: " + "[" * 150 + "]" * 150 + "\n" + "# " + "-   " * 400 + "\n",
])
def test_small_inputs_are_quick_in_the_loader(text):
    """Both once took minutes in regular expressions (C code, which a call count cannot see): a child
    process with a hang guard fails the test where the old patterns would hang it."""
    code = ("import sys\nfrom converter.load.loader import parse_text\nfrom converter.core.errors import InputError\n"
            "try:\n    parse_text(sys.stdin.read(), 'slow.yaml')\nexcept InputError:\n    pass\n")
    result = subprocess.run([sys.executable, "-c", code], input=text.encode(), cwd=ROOT, capture_output=True,
                            timeout=HANG_GUARD_SECONDS)
    assert result.returncode == 0, result.stderr[-500:]


def test_a_file_of_dashes_is_quick_through_the_cli(tmp_path):
    """Regression: convert sniffs each input's head for its direction (converter/read/ecs/detect.py), and a
    pattern starting ^[\\s\\-{]* was quadratic on lines of '-': an 80 KB file took 68 s, so this 800 KB one
    would take hours."""
    manifest = tmp_path / "dashes.yaml"
    manifest.write_text("-\n" * 400_000)
    result = run_cli("convert", str(manifest), "-o", str(tmp_path / "out"), timeout=HANG_GUARD_SECONDS)
    assert result.returncode == ExitStatus.INVALID_INPUT


@pytest.mark.parametrize("names", [HOSTILE_NAMES["namespace-long"]], ids=["namespace-long"])
def test_names_that_would_overflow_are_shortened_not_refused(tmp_path, names):
    # Two workloads of one name in two namespaces: the namespace prefix could pass the 255-byte file-name limit.
    documents = [_deployment(*n) if isinstance(n, tuple) else _deployment(n) for n in names]
    manifest = tmp_path / "hostile.yaml"
    manifest.write_text(yaml.safe_dump_all(documents, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["convert", str(manifest), "-o", str(out), "--report", "json", "--fail-on", "never"])
    assert result.exit_code == 0, result.output[-500:]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    names_out = [entry["name"] for entry in report["outputs"]]
    assert len(names_out) == 2 and len({n.casefold() for n in names_out}) == 2
    assert all(len(f"{n}.taskdef.json".encode()) <= 255 for n in names_out)
    assert any(f["code"] == "K2E-I308" for f in report["findings"])


class _CountingStdin:
    """Standard input that records how much each read asks for."""

    def __init__(self, data: bytes) -> None:
        self.requests: list[int] = []
        self._data = data
        self.buffer = self

    def read(self, size: int = -1) -> bytes:
        self.requests.append(size)
        return self._data if size is None or size < 0 else self._data[:size]


@pytest.mark.parametrize("sniffer", ["converter.commands.to_kubernetes:input_direction",
                                     "converter.commands.compare:_is_ecs_input"])
def test_the_direction_sniff_reads_stdin_within_the_size_limit(monkeypatch, sniffer):
    # the sniff reads stdin before the loader does: it must never ask for more than the loader's limit
    import importlib

    from converter.load.source_files import MAX_FILE_BYTES

    module, function = sniffer.split(":")
    stdin = _CountingStdin(b"kind: Deployment\n")
    monkeypatch.setattr(sys, "stdin", stdin)
    getattr(importlib.import_module(module), function)(["-"])
    assert stdin.requests and all(0 <= size <= MAX_FILE_BYTES + 1 for size in stdin.requests), stdin.requests
