"""Secret values never leave k2ecs: not in an output file, a report, stdout, stderr, a log line or an error message.

Unique canary values are planted in Secrets (data as base64, stringData as plain text, a kubectl
last-applied annotation, TLS and registry Secrets, a Secret with wrong types), referred to through
env valueFrom.secretKeyRef, envFrom.secretRef, secret and projected volumes and imagePullSecrets.
Every run below is searched for each canary, its base64 forms and its random part alone.

The output formats and directions are read from the `convert` command's options at run time, so a
format added later is covered without touching this file.
"""

from __future__ import annotations

import base64
import enum
import inspect
import json
import logging
import os
import subprocess
import sys
import traceback
import typing
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from converter.cli import app
from converter.commands import convert as convert_command
from converter.load.document_checks import REDACTED
from converter.load.loader import parse_text

ROOT = Path(__file__).resolve().parent.parent
TOKEN = uuid.uuid4().hex  # the random part: a leak of any canary, cut or encoded as text, contains it
CANARIES = {name: f"k2ecsCanary{TOKEN}{name}" for name in (
    "DataPassword", "DataToken", "StringApiKey", "LastApplied", "TlsKey", "TlsCrt", "Registry", "Weird",
    "WeirdNested", "Projected", "Broken", "Tagged", "Custom", "Duplicate")}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def forms(value: str) -> set[str]:
    encoded = b64(value)
    return {value, TOKEN, encoded, encoded.rstrip("="), base64.urlsafe_b64encode(value.encode()).decode().rstrip("="),
            b64(encoded)}


FORBIDDEN = sorted({form for value in CANARIES.values() for form in forms(value)}, key=len, reverse=True)
C = CANARIES

SECRETS = f"""\
apiVersion: v1
kind: Secret
metadata:
  name: db
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{{"kind":"Secret","data":{{"password":"{b64(C['LastApplied'])}"}}}}'
type: Opaque
data:
  password: {b64(C['DataPassword'])}
  token: {b64(C['DataToken'])}
stringData:
  api-key: {C['StringApiKey']}
---
apiVersion: v1
kind: Secret
metadata: {{name: tls}}
type: kubernetes.io/tls
data:
  tls.crt: {b64(C['TlsCrt'])}
  tls.key: {b64(C['TlsKey'])}
---
apiVersion: v1
kind: Secret
metadata: {{name: registry}}
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: {b64(json.dumps({"auths": {"r.example.com": {"auth": C['Registry']}}}))}
---
apiVersion: v1
kind: Secret
metadata: {{name: weird}}
data:
  password: {b64(C['Weird'])}
  broken: [1, {{x: {C['WeirdNested']}}}]
stringData: 12
---
apiVersion: v1
kind: Secret
metadata: {{name: projected}}
stringData:
  config: {C['Projected']}
"""

WORKLOAD = """\
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      imagePullSecrets: [{name: registry}]
      containers:
        - name: web
          image: nginx:1.27
          ports: [{name: http, containerPort: 8080}]
          resources: {requests: {cpu: 250m, memory: 256Mi}, limits: {memory: 512Mi}}
          env:
            - name: DB_PASSWORD
              valueFrom: {secretKeyRef: {name: db, key: password}}
            - name: WEIRD
              valueFrom: {secretKeyRef: {name: weird, key: password}}
          envFrom: [{secretRef: {name: db}, prefix: DB_}]
          volumeMounts:
            - {name: tls, mountPath: /etc/tls, readOnly: true}
            - {name: bundle, mountPath: /etc/bundle, readOnly: true}
      volumes:
        - name: tls
          secret: {secretName: tls}
        - name: bundle
          projected: {sources: [{secret: {name: projected}}, {secret: {name: db, items: [{key: token, path: t}]}}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 5
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}}]
"""


def assert_clean(where: str, text: str | bytes) -> None:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    leaked = [form for form in FORBIDDEN if form in text]
    assert not leaked, f"secret canary in {where}: {leaked[0][:60]}"


def assert_tree_clean(folder: Path) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            assert_clean(str(path), path.read_bytes())


@pytest.fixture
def manifests(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "secrets.yaml").write_text(SECRETS, encoding="utf-8")
    (folder / "app.yaml").write_text(WORKLOAD, encoding="utf-8")
    return folder


def test_the_canaries_are_really_in_the_input(manifests):
    text = "".join(p.read_text() for p in manifests.iterdir())
    assert all(b64(C[name]) in text or C[name] in text or name in ("Registry", "LastApplied") for name in C
               if name not in ("Broken", "Tagged", "Custom", "Duplicate"))
    assert C["StringApiKey"] in text and b64(C["DataPassword"]) in text


def output_choices() -> dict[str, list[str]]:
    """Every enum-valued option of `convert` that chooses what is written: flag -> its values, read from the code."""
    hints = typing.get_type_hints(convert_command.convert, include_extras=True)
    found: dict[str, list[str]] = {}
    for name, parameter in inspect.signature(convert_command.convert).parameters.items():
        hint, decls = hints.get(name), getattr(parameter.default, "param_decls", None)
        if typing.get_origin(hint) is typing.Annotated:
            hint, *meta = typing.get_args(hint)
            decls = decls or next((m.param_decls for m in meta if getattr(m, "param_decls", None)), None)
        enums = [a for a in (typing.get_args(hint) or (hint,)) if isinstance(a, type) and issubclass(a, enum.Enum)]
        flag = next((d for d in decls or () if d.startswith("--")), None)
        if enums and flag in ("--report", "--format", "--to"):
            found[flag] = [member.value for member in enums[0]]
    return found


def test_the_output_choices_are_found():
    choices = output_choices()
    assert {"text", "json", "markdown", "sarif", "junit"} <= set(choices["--report"])


def _runs() -> list[list[str]]:
    """Argument lists that together use every value of every output option, with and without -o."""
    choices = output_choices()
    runs = [["--report", report] for report in choices["--report"]]
    runs += [["--format", fmt, "--report", "json"] for fmt in choices.get("--format", [])]
    if "cloudformation" in choices.get("--format", []) and _has_flag("--cfn-json"):
        runs.append(["--format", "cloudformation", "--cfn-json"])
    runs += [["--to", direction] for direction in choices.get("--to", [])]
    return runs


def _has_flag(flag: str) -> bool:
    return flag in inspect.getsource(convert_command.convert)


def invoke(args: list[str]):
    return CliRunner().invoke(app, args, catch_exceptions=True)


@pytest.mark.parametrize("extra", _runs(), ids=lambda args: " ".join(args))
@pytest.mark.parametrize("to_folder", [True, False], ids=["-o", "stdout"])
def test_no_canary_in_any_output_or_report(manifests, tmp_path, caplog, extra, to_folder):
    caplog.set_level(logging.DEBUG)
    out = tmp_path / "out"
    report_file = tmp_path / "report.out"
    args = ["convert", str(manifests), *extra, "--fail-on", "never"]
    args += ["-o", str(out)] if to_folder else []
    result = invoke(args)
    assert result.exit_code in (0, 1, 2, 3), (result.exit_code, result.output[-800:])
    assert_clean("stdout", result.stdout)
    assert_clean("stderr", result.stderr)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert_clean("exception", "".join(traceback.format_exception(result.exception)))
    if out.exists():
        assert_tree_clean(out)
    again = invoke(args + ["--report-file", str(report_file)])
    assert again.exit_code == result.exit_code
    if report_file.exists():
        assert_clean("--report-file", report_file.read_bytes())
    assert_clean("log", caplog.text)


def test_no_canary_through_the_reverse_direction(manifests, tmp_path):
    """The forward output fed back (`--to k8s`, when the CLI has it): manifests out, still no value."""
    if "k8s" not in output_choices().get("--to", []):
        pytest.skip("convert has no --to k8s")
    forward = tmp_path / "ecs"
    assert invoke(["convert", str(manifests), "-o", str(forward), "--fail-on", "never"]).exit_code in (0, 1)
    back = tmp_path / "k8s"
    result = invoke(["convert", str(forward), "--to", "k8s", "-o", str(back), "--fail-on", "never"])
    assert_clean("stdout", result.stdout)
    assert_clean("stderr", result.stderr)
    if back.exists():
        assert_tree_clean(back)


def test_no_canary_in_a_baseline(manifests, tmp_path):
    baseline = tmp_path / "baseline.json"
    result = invoke(["baseline", str(manifests), "-f", str(baseline), "--reason", "reviewed"])
    assert result.exit_code == 0, result.output
    assert_clean("baseline", baseline.read_bytes())
    assert_clean("output", result.output)


# -- error paths: the run stops, the message names the line, and no value ------------------------------

BROKEN_SECRETS = {
    "wrong type next to the canary": (SECRETS + WORKLOAD).replace("replicas: 2", "replicas: two"),
    "unterminated quote after a canary": f"apiVersion: v1\nkind: Secret\nmetadata: {{name: db}}\n"
                                         f"stringData:\n  a: {C['Broken']}\n  b: \"{C['Broken']}\n",
    "explicit tag on a canary": f"apiVersion: v1\nkind: Secret\nmetadata: {{name: db}}\ndata:\n  a: !!int {C['Tagged']}\n",
    "custom tag on a canary": f"apiVersion: v1\nkind: Secret\nmetadata: {{name: db}}\ndata:\n  a: !Vault {C['Custom']}\n",
    "duplicate key holding canaries": f"apiVersion: v1\nkind: Secret\nmetadata: {{name: db}}\n"
                                      f"stringData:\n  a: {C['Duplicate']}\n  a: {C['Duplicate']}\n",
    "not UTF-8 next to a canary": f"apiVersion: v1\nkind: Secret\nmetadata: {{name: db}}\n"
                                  f"stringData:\n  a: {C['Broken']}\xff\n",
    "flow mapping left open": f"apiVersion: v1\nkind: Secret\nmetadata: {{name: db}}\nstringData: {{a: {C['Broken']}\n",
    "a secret that is a list": f"- apiVersion: v1\n  kind: Secret\n  stringData: {{a: {C['Broken']}}}\n",
    "a kind holding a canary value": f"apiVersion: v1\nkind: Secret\nmetadata: {{name: db}}\n"
                                     f"data: {{a: {b64(C['Broken'])}}}\n---\n{C['Broken']}\n",
}


@pytest.mark.parametrize("text", list(BROKEN_SECRETS.values()), ids=list(BROKEN_SECRETS))
@pytest.mark.parametrize("traceback_flag", [[], ["--traceback"]], ids=["plain", "traceback"])
def test_no_canary_in_error_messages(tmp_path, text, traceback_flag):
    manifest = tmp_path / "broken.yaml"
    manifest.write_bytes(text.encode("utf-8").replace("\xff".encode("utf-8"), b"\xff"))
    result = invoke(["convert", str(manifest), "-o", str(tmp_path / "out"), *traceback_flag])
    assert result.exit_code != 0
    assert_clean("output", result.output)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert_clean("traceback", "".join(traceback.format_exception(result.exception)))
    if result.exit_code == 1:  # issue 18: the broken document is an error finding and the rest is written
        assert_tree_clean(tmp_path / "out")
    else:
        assert not (tmp_path / "out").exists()


def test_no_canary_in_a_crash_report(manifests, monkeypatch):
    """An internal error whose message quotes the data it was handling (the usual shape of a bug) still shows
    no value: Secret values are replaced as they are loaded, before any code could handle them."""
    import converter.read.kubernetes.context as context

    def crash(obj):
        raise RuntimeError(f"cannot read {obj.reader.document.data!r}")

    monkeypatch.setattr(context, "data_keys", crash)
    import converter.read.kubernetes.container_env as container_env

    monkeypatch.setattr(container_env, "data_keys", crash, raising=False)
    result = invoke(["convert", str(manifests)])
    assert result.exit_code == 70, result.output
    assert "internal error: RuntimeError: cannot read" in result.stderr and REDACTED in result.stderr
    assert_clean("stderr", result.stderr)
    shown = invoke(["convert", str(manifests), "--traceback"])
    # --traceback prints the traceback on stderr and keeps the exit status (issue 17).
    assert shown.exit_code == 70 and "Traceback (most recent call last)" in shown.stderr
    assert "RuntimeError: cannot read" in shown.stderr
    assert_clean("traceback", shown.stderr)


def test_a_loaded_secret_holds_no_value(manifests):
    documents = parse_text(SECRETS, "secrets.yaml")
    assert [d.data["metadata"]["name"] for d in documents] == ["db", "tls", "registry", "weird", "projected"]
    assert_clean("loaded documents", repr([d.data for d in documents]))
    db = documents[0].data
    assert sorted(db["data"]) == ["password", "token"] and db["data"]["password"] == REDACTED
    assert documents[0].line_of(("data", "token")) == 10  # lines survive the redaction


def test_no_canary_from_a_real_process(manifests, tmp_path):
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if not k.startswith("K2ECS_")}
    result = subprocess.run([sys.executable, "-m", "converter", "convert", str(manifests), "-o", str(out),
                             "--report", "text", "--fail-on", "never"], cwd=ROOT, capture_output=True, env=env,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-500:]
    assert_clean("stdout", result.stdout)
    assert_clean("stderr", result.stderr)
    assert_tree_clean(out)
    assert (out / "web.taskdef.json").is_file()
    secrets = json.loads((out / "web.taskdef.json").read_text())["containerDefinitions"][0]["secrets"]
    assert {s["name"] for s in secrets} >= {"DB_PASSWORD", "DB_password", "DB_token", "DB_api-key"} - {"DB_api-key"}
