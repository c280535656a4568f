"""Issue 17 item 10: credentials in plain environment (literal or from a ConfigMap) are warned about, never shown."""

from __future__ import annotations

import json
import os

import pytest
import yaml
from typer.testing import CliRunner

from converter.cli import app
from converter.write.ecs.plaintext_secrets import looks_like_a_credential

GITHUB = "ghp_" + "A1b2C3d4E5" * 3 + "F6g7H8"  # 36 characters after the prefix, made up
AWS_KEY = "AKIA" + "K2ECSEXAMPLE0001"


@pytest.mark.parametrize("name, value, expected", [
    ("DB_PASSWORD", "hunter2-hunter2", "its name"),
    ("API_TOKEN", "abc123def456", "its name"),
    ("STRIPE_KEY", "whatever-it-is", "its name"),
    ("CLIENT_SECRET", "s3cr3t", "its name"),
    ("ANYTHING", GITHUB, "a GitHub token"),
    ("AWS_ACCESS_KEY_ID", AWS_KEY, "an AWS access key ID"),
    ("TLS", "-----BEGIN RSA PRIVATE KEY-----\nMIIE...", "a private key"),
    ("DB_PASSWORD_FILE", "/run/secrets/db", None),
    ("TOKEN_TTL", "3600", None),
    ("SECRET_ENABLED", "true", None),
    ("KEYCLOAK_URL", "https://id.example.com", None),
    ("MONKEY", "banana", None),
    ("DB_PASSWORD", "", None),
    ("DB_PASSWORD", "$(FROM_ELSEWHERE)", None),
])
def test_what_looks_like_a_credential(name, value, expected):
    assert looks_like_a_credential(name, value) == expected


def test_literal_and_configmap_credentials_are_warned_about_and_never_shown(tmp_path):
    config_map = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
                  "data": {"GITHUB_PAT": GITHUB, "LOG_LEVEL": "debug"}}
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                  "spec": {"selector": {"matchLabels": {"app": "web"}},
                           "template": {"metadata": {"labels": {"app": "web"}},
                                        "spec": {"containers": [{
                                            "name": "app", "image": "nginx",
                                            "env": [{"name": "DB_PASSWORD", "value": "hunter2-hunter2"},
                                                    {"name": "REGION", "value": "eu-west-1"}],
                                            "envFrom": [{"configMapRef": {"name": "settings"}}]}]}}}}
    manifest = tmp_path / "app.yaml"
    manifest.write_text(yaml.safe_dump_all([config_map, deployment]))
    report = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["convert", str(manifest), "--report", "json", "--report-file", str(report),
                                      "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    findings = [f for f in json.loads(report.read_text())["findings"] if f["code"] == "K2E-W152"]
    assert sorted(f["message"].split(": ", 1)[1].split(" of ")[0] for f in findings) == ["DB_PASSWORD", "GITHUB_PAT"]
    text = report.read_text()
    assert "hunter2" not in text and GITHUB not in text
    text_report = CliRunner().invoke(app, ["convert", str(manifest), "--fail-on", "never", "-o", str(tmp_path / "o"),
                                           "--report-file", os.devnull])
    assert text_report.exit_code == 0
