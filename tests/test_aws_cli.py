"""The README's AWS CLI recipe (issue 23 item 7), run verbatim in bash on a k2ecs output folder, with an
``aws`` on PATH that does what the AWS CLI does before sending: read ``--cli-input-json`` (a JSON text or
file://) and validate it with botocore's ParamValidator against the operation's input shape. Nothing is
sent anywhere."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT, SAMPLES, run_k2ecs

pytestmark = pytest.mark.skipif(shutil.which("jq") is None or shutil.which("bash") is None,
                                reason="the recipe needs jq and bash")

FAKE_AWS = '''
import json, sys
import botocore.session, botocore.validate
from botocore import xform_name

service, command = sys.argv[1], sys.argv[2]
args = sys.argv[3:]
assert args[0] == "--cli-input-json" and len(args) == 2, args
text = args[1]
if text.startswith("file://"):
    text = open(text[len("file://"):], encoding="utf-8").read()
payload = json.loads(text)
model = botocore.session.get_session().get_service_model(service)
(operation,) = [name for name in model.operation_names if xform_name(name).replace("_", "-") == command]
report = botocore.validate.ParamValidator().validate(payload, model.operation_model(operation).input_shape)
with open(sys.argv[0] + ".log", "a", encoding="utf-8") as log:
    log.write(json.dumps([service, operation, report.generate_report()]) + "\\n")
if report.has_errors():
    sys.stderr.write("Parameter validation failed:\\n" + report.generate_report() + "\\n")
    sys.exit(255)
'''


def readme_recipe() -> str:
    text = (ROOT / "README.md").read_text()
    block = text.split("<!-- aws-cli -->", 1)[1].split("<!-- /aws-cli -->", 1)[0]
    return re.search(r"```sh\n(.*?)```", block, re.S).group(1)


def _fake_aws(folder: Path) -> Path:
    folder.mkdir()
    script = folder / "aws"
    script.write_text(f"#!{sys.executable}\n{FAKE_AWS}")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


@pytest.mark.parametrize("config", ["k2ecs.yaml", None])
def test_the_readme_recipe_sends_every_file_as_valid_input_of_its_call(tmp_path: Path, config):
    case = SAMPLES / "web-loadbalancer-hpa"
    args = ["convert", str(case / "input"), "-o", str(tmp_path / "out"), "--fail-on", "never"]
    if config is not None:
        args += ["--config", str(case / config)]
    assert run_k2ecs(*args).returncode == 0
    aws = _fake_aws(tmp_path / "bin")
    env = dict(os.environ, PATH=f"{aws.parent}{os.pathsep}{os.environ['PATH']}", PYTHONPATH=str(ROOT))
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", readme_recipe()], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    calls = [json.loads(line) for line in Path(str(aws) + ".log").read_text().splitlines()]
    scaling = json.loads((tmp_path / "out" / "web.scaling.json").read_text())
    assert [(service, operation) for service, operation, _ in calls] == [
        ("ecs", "RegisterTaskDefinition"), ("ecs", "CreateService"),
        ("application-autoscaling", "RegisterScalableTarget"),
    ] + [("application-autoscaling", "PutScalingPolicy")] * len(scaling["scalingPolicies"])
    assert all(report == "" for _, _, report in calls)


def test_the_stand_in_rejects_what_the_aws_cli_rejects(tmp_path: Path):
    """The wrapper file itself is not an input of RegisterScalableTarget: the check can fail."""
    case = SAMPLES / "web-loadbalancer-hpa"
    aws = _fake_aws(tmp_path / "bin")
    done = subprocess.run([str(aws), "application-autoscaling", "register-scalable-target", "--cli-input-json",
                           f"file://{case / 'expected' / 'web.scaling.json'}"], capture_output=True, text=True)
    assert done.returncode == 255 and "Unknown parameter" in done.stderr
