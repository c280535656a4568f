"""A credential inlined through envFrom (K2E-W152) is flagged at its ConfigMap key, and compare never shows it.

The finding pointed at the envFrom entry, which declares every key of the ConfigMap: neither the reader of the
report nor compare (converter/compare/flagged.py reads each finding's origin) could tell which key held the
credential, so compare showed it in every format. It now points at ``data.<KEY>`` of the ConfigMap.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from converter.compare.sources import REDACTED
from tests.helpers import run_k2ecs

TOKEN = "ghp_" + "Z9y8X7w6V5" * 3 + "u4T3s2"  # made up: a GitHub token's shape, 36 characters after the prefix
SHOWN = "debug"


def _manifest(prefix: str | None) -> str:
    env_from = "{configMapRef: {name: settings}}" if prefix is None else \
        f"{{prefix: {prefix}, configMapRef: {{name: settings}}}}"
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web}}
spec:
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers:
      - name: app
        image: nginx
        envFrom:
        - {env_from}
"""


CONFIG_MAP = f"""\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  LOG_LEVEL: {SHOWN}
  GITHUB_PAT: {TOKEN}
"""


@pytest.fixture(params=[None, "APP_"], ids=["no-prefix", "prefix"])
def inputs(request, tmp_path: Path) -> tuple[Path, str | None]:
    # The ConfigMap in a file of its own: the finding's file names it, not the Deployment's.
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "settings.yaml").write_text(CONFIG_MAP)
    (tmp_path / "in" / "web.yaml").write_text(_manifest(request.param))
    return tmp_path / "in", request.param


def test_the_finding_names_the_configmap_key_that_holds_the_value(inputs, tmp_path: Path):
    directory, prefix = inputs
    report = tmp_path / "report.json"
    result = run_k2ecs("convert", str(directory), "-o", str(tmp_path / "out"), "--report", "json",
                       "--report-file", str(report), "--fail-on", "never")
    assert result.returncode == 0, result.stderr
    text = report.read_text()
    assert TOKEN not in text
    flagged = [f for f in json.loads(text)["findings"] if f["code"] == "K2E-W152"]
    assert len(flagged) == 1, flagged
    finding = flagged[0]
    assert finding["file"].endswith("settings.yaml") and finding["resource"] == "ConfigMap/settings"
    assert finding["path"] == "/data/GITHUB_PAT"
    assert finding["line"] == CONFIG_MAP.splitlines().index(f"  GITHUB_PAT: {TOKEN}") + 1
    assert f"{prefix or ''}GITHUB_PAT of container 'app'" in finding["message"]
    # The task definition still carries the value (the finding says it is written in plain text).
    task_definition = next((tmp_path / "out").rglob("*task*definition*.json"), None) or \
        next(p for p in (tmp_path / "out").rglob("*.json") if "containerDefinitions" in p.read_text())
    environment = {item["name"]: item["value"]
                   for item in json.loads(task_definition.read_text())["containerDefinitions"][0]["environment"]}
    assert environment == {f"{prefix or ''}GITHUB_PAT": TOKEN, f"{prefix or ''}LOG_LEVEL": SHOWN}


def test_compare_never_shows_the_value_in_any_format_and_still_shows_the_others(inputs, tmp_path: Path):
    directory, _ = inputs
    page, review = tmp_path / "page.html", tmp_path / "review.md"
    shown = []
    for extra in ((), ("--only", "changes"), ("--markdown", str(review)), ("--html", str(page))):
        result = run_k2ecs("compare", str(directory), "--no-pager", *extra)
        assert result.returncode == 0, result.stderr
        for text in [result.stdout, result.stderr] + [p.read_text() for p in (page, review) if p.exists()]:
            assert TOKEN not in text and TOKEN[4:20] not in text, extra
        shown.append(SHOWN in result.stdout)
    assert shown[0], "the terminal view shows the other key"
    for written in (page, review):
        text = html.unescape(written.read_text()).replace("\\_", "_")  # Markdown escapes "_"
        assert f'LOG_LEVEL", "value": "{SHOWN}"' in text and f'"LOG_LEVEL": "{SHOWN}"' in text, written
        assert f'GITHUB_PAT", "value": "{REDACTED}"' in text and f'"GITHUB_PAT": "{REDACTED}"' in text, written
